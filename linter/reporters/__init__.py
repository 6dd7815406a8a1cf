"""Output formats.

The CLI picks a format and runs it::

    reporter_class = get_reporter(name)          # ValueError for an unknown name
    reporter_class(stream, ReportOptions(...)).report(result)

``REPORTERS`` maps every format name to its class (for ``--format`` choices
and help: each class has ``name`` and ``description``); it imports them all,
so the CLI asks ``get_reporter`` for the one it needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from .base import Reporter, ReportOptions

__all__ = [
    "REPORTERS",
    "ReportOptions",
    "Reporter",
    "default_format",
    "get_reporter",
]

# format name -> (module, class); a run imports only the one it writes
_LOCATIONS = {
    "text": ("text", "TextReporter"),
    "json": ("json", "JsonReporter"),
    "github": ("github", "GithubReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "gitlab": ("gitlab", "GitlabReporter"),
    "junit": ("junit", "JunitReporter"),
}


def _load(name: str) -> type[Reporter]:
    module, attribute = _LOCATIONS[name]
    reporter: type[Reporter] = getattr(importlib.import_module(f".{module}", __name__), attribute)
    return reporter


def __getattr__(name: str) -> Any:
    if name == "REPORTERS":  # every format, imported when asked for
        return {format_name: _load(format_name) for format_name in _LOCATIONS}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_reporter(name: str) -> type[Reporter]:
    """The reporter class for ``name``; ValueError naming the valid formats otherwise."""
    key = name.strip().lower()
    if key not in _LOCATIONS:
        valid = ", ".join(_LOCATIONS)
        raise ValueError(f"unknown output format {name!r} (choose from: {valid})")
    return _load(key)


def default_format(environ: Mapping[str, str]) -> str:
    """``"github"`` inside GitHub Actions (``GITHUB_ACTIONS=true``), else ``"text"``."""
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"
