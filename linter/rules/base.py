"""The rule API: what a rule declares about itself and what it is given.

A rule is a class with a code (``FM301``), a kebab-case name, a default
severity, typed options and documentation in its docstring, written in ruff's
four sections (``## What it does``, ``## Why is this bad?``, ``## Example``,
``## Use instead``).  ``fmlint explain`` and the README's rule reference are
both made from that docstring.

There are two kinds of rule:

* :class:`Rule` looks at one document at a time (``check``);
* :class:`CollectionRule` sees every document of the collection: ``collect``
  extracts a small JSON-serialisable fact from each document (cached between
  runs), and ``finish`` compares the facts and reports on the checked files.

Rules never print, exit or read files; they return :class:`Problem` objects
and the engine stamps code, name and severity.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from linter.findings import Problem, RuleInfo, Severity

if TYPE_CHECKING:
    from linter.document import Document

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_CODE_RE = re.compile(r"^[A-Z]{1,8}[0-9]{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class OptionError(ValueError):
    """An option value that does not fit the rule's declared type."""


@dataclass(frozen=True)
class Option:
    """A typed rule option.  ``kind`` is one of ``bool``, ``int``, ``str``,
    ``list[str]``, ``list[int]``, ``float``; ``choices`` limits a ``str``."""

    kind: str
    default: Any
    description: str
    choices: tuple[str, ...] = ()

    def parse(self, key: str, value: Any) -> Any:
        ok: bool
        if self.kind == "bool":
            ok = isinstance(value, bool)
        elif self.kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.kind == "float":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif self.kind == "str":
            ok = isinstance(value, str) and (not self.choices or value in self.choices)
        elif self.kind == "list[str]":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif self.kind == "list[int]":
            ok = isinstance(value, list) and all(
                isinstance(v, int) and not isinstance(v, bool) for v in value
            )
        else:  # pragma: no cover - a rule author's mistake, caught by the registry test
            raise OptionError(f"option `{key}` declares unknown kind {self.kind!r}")
        if not ok:
            expected = (
                "one of " + ", ".join(repr(c) for c in self.choices) if self.choices else self.kind
            )
            raise OptionError(f"option `{key}` must be {expected}, got {value!r}")
        return tuple(value) if self.kind.startswith("list") else value


@dataclass(frozen=True)
class RunContext:
    """Facts about the run that rules may need (never other files' contents)."""

    site_root: Path
    config_root: Path


@dataclass
class RuleDocs:
    summary: str
    sections: dict[str, str] = field(default_factory=dict)

    def markdown(self) -> str:
        return "\n\n".join(f"## {title}\n{body}" for title, body in self.sections.items())


def parse_docs(docstring: str | None) -> RuleDocs:
    """Split a rule docstring into its summary line and its ``## `` sections."""
    text = inspect.cleandoc(docstring or "")
    summary, _, rest = text.partition("\n")
    sections: dict[str, str] = {}
    current: str | None = None
    fence = ""  # an example's own "## " lines are not sections
    for line in rest.splitlines():
        marker = line.lstrip()[:3]
        if marker in ("```", "~~~") and (not fence or marker == fence):
            fence = "" if fence else marker
        if line.startswith("## ") and not fence:
            current = line[3:].strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return RuleDocs(summary.strip(), {k: v.strip() for k, v in sections.items()})


class Rule:
    """A rule that checks one document.  Subclasses set the class attributes
    and implement :meth:`check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    options: ClassVar[Mapping[str, Option]] = {}
    #: set by the registry: the distribution a plugin rule comes from.
    origin: ClassVar[str] = "fmlint"

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        self.config: dict[str, Any] = {
            key: options.get(key, opt.default) for key, opt in self.options.items()
        }
        self.context = context

    def check(self, doc: Document) -> Iterable[Problem]:
        return ()

    @classmethod
    def docs(cls) -> RuleDocs:
        return parse_docs(cls.__doc__)

    @classmethod
    def info(cls) -> RuleInfo:
        docs = cls.docs()
        return RuleInfo(cls.code, cls.name, docs.summary, cls.severity, docs.markdown(), cls.origin)

    @classmethod
    def declaration_errors(cls) -> list[str]:
        """What is wrong with the rule's declaration (used by the registry)."""
        errors = []
        if not _CODE_RE.match(getattr(cls, "code", "")):
            errors.append(f"code {getattr(cls, 'code', None)!r} is not like 'ABC123'")
        if not _NAME_RE.match(getattr(cls, "name", "")):
            errors.append(f"name {getattr(cls, 'name', None)!r} is not kebab-case")
        if not isinstance(cls.severity, Severity):
            errors.append("severity must be a linter.findings.Severity")
        return errors


class CollectionRule(Rule):
    """A rule over the whole collection.

    ``collect`` runs once per document (also for documents not being checked)
    and returns a JSON-serialisable fact, or ``None`` when the document has
    nothing to contribute; facts are cached between runs, keyed by the file's
    size, modification time and the config.  ``finish`` gets every fact by
    display path and the set of paths being checked, and yields problems whose
    ``path`` is set to one of the checked paths.
    """

    def collect(self, doc: Document) -> Any:
        return None

    def finish(self, facts: Mapping[str, Any], checked: frozenset[str]) -> Iterable[Problem]:
        return ()

    def index_keys(self, fact: Any) -> Iterable[str] | None:
        """Optional, for speed: the keys under which ``fact`` may clash with
        another file's (FM501: the values that must be unique), or None (the
        default) when the rule cannot say.

        A rule that returns keys promises that what ``finish`` reports on a
        checked file depends only on the facts of the files sharing one of
        its keys.  A pre-commit run then hands ``finish`` those files' facts
        alone, looked up in an index, instead of reading every fact of the
        collection.  Every collection rule enabled must return keys for that
        to happen; a fact without any key returns an empty list."""
        return None


class CoreRule(Rule):
    """A code served by a core producer (the loader or the schema validator):
    the rule only passes on the problems that carry its code."""

    def check(self, doc: Document) -> Iterable[Problem]:
        return [p for p in doc.core_problems if p.code == self.code]
