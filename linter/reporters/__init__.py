"""Output formats.

The CLI picks a format and runs it::

    reporter_class = get_reporter(name)          # ValueError for an unknown name
    reporter_class(stream, ReportOptions(...)).report(result)

``REPORTERS`` maps every format name to its class (for ``--format`` choices
and help: each class has ``name`` and ``description``).
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Reporter, ReportOptions
from .github import GithubReporter
from .gitlab import GitlabReporter
from .json import JsonReporter
from .junit import JunitReporter
from .sarif import SarifReporter
from .text import TextReporter

__all__ = [
    "REPORTERS",
    "ReportOptions",
    "Reporter",
    "default_format",
    "get_reporter",
]

REPORTERS: dict[str, type[Reporter]] = {
    cls.name: cls
    for cls in (
        TextReporter,
        JsonReporter,
        GithubReporter,
        SarifReporter,
        GitlabReporter,
        JunitReporter,
    )
}


def get_reporter(name: str) -> type[Reporter]:
    """The reporter class for ``name``; ValueError naming the valid formats otherwise."""
    try:
        return REPORTERS[name.strip().lower()]
    except KeyError:
        valid = ", ".join(REPORTERS)
        raise ValueError(f"unknown output format {name!r} (choose from: {valid})") from None


def default_format(environ: Mapping[str, str]) -> str:
    """``"github"`` inside GitHub Actions (``GITHUB_ACTIONS=true``), else ``"text"``."""
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"
