"""fmlint: a linter for the front matter and structure of Markdown content collections.

The Python API, for programs that write articles (scrapers, CMS exports)::

    from linter import lint_text, lint_paths, load_config

    findings = lint_text(markdown, path="_posts/2024-10-25-asean.md")
    errors = [f for f in findings if f.severity == "error"]

    result = lint_paths(["_posts"], load_config())
    for finding in result.findings:
        print(finding.path, finding.line, finding.rule, finding.message)

Names are imported lazily so that ``fmlint`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Config",
    "Finding",
    "RunResult",
    "Severity",
    "__version__",
    "lint_paths",
    "lint_text",
    "load_config",
]

if TYPE_CHECKING:
    from linter.api import lint_paths, lint_text
    from linter.config import Config, load_config
    from linter.findings import Finding, RunResult, Severity

_LAZY = {
    "lint_paths": "linter.api",
    "lint_text": "linter.api",
    "Config": "linter.config",
    "load_config": "linter.config",
    "Finding": "linter.findings",
    "RunResult": "linter.findings",
    "Severity": "linter.findings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'linter' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
