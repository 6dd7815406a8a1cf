"""The records every part of fmlint agrees on: spans, problems and findings.

A rule yields :class:`Problem` objects (where and what); the engine stamps the
rule's code, name and severity onto them and turns them into :class:`Finding`
objects, which reporters format.  Both carry room for an end position and a
fix from the start so their shape can stay stable.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field, fields, make_dataclass
from operator import attrgetter
from typing import Any, NamedTuple


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Span:
    """A region of a file: 1-based lines and columns, end inclusive of the
    last line, end column one past the last character (like an editor).

    No ``slots=True`` here (unlike :class:`Problem` and :class:`Finding`):
    the YAML loader makes one per node by filling the instance ``__dict__``
    directly (see ``linter.yaml_loader._fast_span``), which is faster than
    any ``__init__``, and spans are not kept per finding.
    """

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int = 1) -> Span:
        return cls(line, column, line, column)


@dataclass(frozen=True, slots=True)
class Fix:
    """A replacement of ``span`` by ``replacement`` (reserved for autofix)."""

    span: Span
    replacement: str


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule reports: a position and a sentence for people.

    ``code`` is set only by core producers that serve several rule codes
    (the document loader, the schema validator); rules leave it ``None`` and
    the engine stamps their own code.  ``subject`` names what the problem is
    about (a key, a URL, a heading text) so baselines can match a finding
    after lines move.  ``path`` is used by collection rules to say which
    document the problem belongs to.
    """

    line: int
    column: int
    message: str
    end_line: int | None = None
    end_column: int | None = None
    code: str | None = None
    subject: str = ""
    path: str | None = None
    severity: Severity | None = None
    fix: Fix | None = None

    @classmethod
    def at(cls, span: Span, message: str, **extra: Any) -> Problem:
        return cls(span.line, span.column, message, span.end_line, span.end_column, **extra)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem stamped with its file, rule and severity: what reporters see."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    rule: str
    name: str
    severity: Severity
    message: str
    subject: str = ""
    fix: Fix | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape documented in the README."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
        }


# A frozen dataclass's __init__ sets each field through object.__setattr__: four
# times what a plain slotted class pays, and a warm run stamps 70,000 findings.
# `new_finding` fills a slotted twin with the same fields, then hands it Finding's
# class (allowed: same slots, same layout); the result is a Finding in every way.
_FindingFields = make_dataclass(
    "_FindingFields", [(f.name, f.type) for f in fields(Finding)], slots=True
)


def new_finding(
    path: str,
    line: int,
    column: int,
    end_line: int,
    end_column: int,
    rule: str,
    name: str,
    severity: Severity,
    message: str,
    subject: str = "",
) -> Finding:
    """``Finding(...)`` (without a fix), at a quarter of the cost."""
    made = _FindingFields(
        path, line, column, end_line, end_column, rule, name, severity, message, subject, None
    )
    made.__class__ = Finding
    return made  # type: ignore[no-any-return]


@dataclass(frozen=True)
class RuleInfo:
    """What reporters and ``fmlint rules`` need to know about a rule."""

    code: str
    name: str
    summary: str  # one line
    severity: Severity  # the default severity
    docs: str  # Markdown: "## What it does", "## Why is this bad?", "## Example", "## Use instead"
    origin: str = "fmlint"  # "fmlint" for built-ins, else the plugin's distribution name


@dataclass
class RunResult:
    """Everything a reporter formats: findings sorted by ``Finding.sort_key``."""

    findings: list[Finding]
    files_checked: int
    duration: float  # seconds
    version: str
    rules: dict[str, RuleInfo] = field(default_factory=dict)  # by code, every rule that ran
    paths: list[str] = field(default_factory=list)  # every file checked, display paths, sorted

    # Each of these walks every finding (they are not cached: ``findings`` is a
    # plain list that callers may change); code that needs several, like the
    # reporters, calls :meth:`totals` once.
    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def files_with_findings(self) -> int:
        return len({f.path for f in self.findings})

    def totals(self) -> Totals:
        """``errors``, ``warnings`` and ``files_with_findings``, computed now
        (in C-level loops: a report of 70,000 findings asks once)."""
        findings = self.findings
        severities = Counter(map(attrgetter("severity"), findings))
        return Totals(
            severities[Severity.ERROR],
            severities[Severity.WARNING],
            len(set(map(attrgetter("path"), findings))),
        )


class Totals(NamedTuple):
    """The counts a report summarises (see :meth:`RunResult.totals`)."""

    errors: int
    warnings: int
    files_with_findings: int
