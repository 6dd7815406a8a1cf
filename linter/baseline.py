"""Baselines: record today's findings so that only new ones are reported.

A baseline file is JSON::

    {
      "version": 1,
      "findings": [
        {"path": "docs/a.md", "rule": "FM201", "fingerprint": "9f0c...", "message": "..."},
        ...
      ]
    }

Each entry stands for *one* finding: two identical findings in one file need
two entries, and matching is a multiset match per fingerprint.  A fingerprint
hashes the path, the rule code and the finding's ``subject`` (the key, URL or
heading it is about) -- or, for findings without a subject, the message with
line and column numbers taken out -- so a finding still matches after the
lines above it move.  ``message`` is only there for people reading the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .findings import Finding

__all__ = [
    "BASELINE_VERSION",
    "Baseline",
    "BaselineEntry",
    "BaselineError",
    "fingerprint",
    "load_baseline",
    "occurrence_fingerprints",
    "write_baseline",
]

BASELINE_VERSION = 1

# "line 5", "lines 3 and 7", "line 3-4", "column 12", "col 4" ...
_POSITION_WORDS = re.compile(
    r"\b(?:lines?|columns?|cols?|ln)\s*\d+(?:\s*(?:-|\u2013|,|and|to|:)\s*\d+)*",
    re.IGNORECASE,
)
# "a.md:12" or "a.md:12:3" (a location written into a message)
_POSITION_SUFFIX = re.compile(r"(?<=\S):\d+(?::\d+)?\b")
_DIGITS = re.compile(r"\d+")


class BaselineError(ValueError):
    """The baseline file cannot be read or does not have the expected shape."""


def _normalise_message(message: str) -> str:
    message = _POSITION_WORDS.sub(lambda m: _DIGITS.sub("", m.group(0)), message)
    message = _POSITION_SUFFIX.sub("", message)
    return " ".join(message.split())


def fingerprint(finding: Finding) -> str:
    """A stable identity for ``finding`` that does not depend on where it is.

    Hashes the path ('/' separators), the rule code and the subject; when the
    subject is empty, the message with line/column numbers removed (so
    "duplicate key 'a' (first defined on line 5)" still matches after a move).
    """
    key = (
        "subject:" + finding.subject
        if finding.subject
        else "message:" + _normalise_message(finding.message)
    )
    data = "\0".join((finding.path.replace("\\", "/"), finding.rule, key))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def occurrence_fingerprints(findings: Iterable[Finding]) -> list[str]:
    """Per finding, a fingerprint that also tells identical findings apart.

    The n-th finding (in the given, sorted order) with a given
    :func:`fingerprint` gets a hash of that fingerprint and n; the values are
    unique within a run and stable across runs and line moves.  Used by the
    GitLab and SARIF reporters.
    """
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        base = fingerprint(finding)
        index = seen[base]
        seen[base] += 1
        result.append(hashlib.sha256(f"{base}:{index}".encode()).hexdigest()[:32])
    return result


@dataclass(frozen=True)
class BaselineEntry:
    path: str
    rule: str
    fingerprint: str
    message: str = ""

    @classmethod
    def from_finding(cls, finding: Finding) -> BaselineEntry:
        return cls(finding.path, finding.rule, fingerprint(finding), finding.message)

    def to_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "rule": self.rule,
            "fingerprint": self.fingerprint,
            "message": self.message,
        }


class Baseline:
    """The findings recorded in a baseline file, matched as a multiset."""

    def __init__(self, entries: Iterable[BaselineEntry] = ()) -> None:
        self.entries: tuple[BaselineEntry, ...] = tuple(entries)
        self._counts: Counter[str] = Counter(e.fingerprint for e in self.entries)

    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> Baseline:
        return cls(BaselineEntry.from_finding(f) for f in findings)

    def __len__(self) -> int:
        return len(self.entries)

    def filter_new(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings the baseline does not cover, in their original order.

        Each baseline entry covers at most one finding with its fingerprint.
        """
        remaining = self._counts.copy()
        new = []
        for finding in findings:
            fp = fingerprint(finding)
            if remaining[fp] > 0:
                remaining[fp] -= 1
            else:
                new.append(finding)
        return new

    def unmatched(self, findings: Iterable[Finding]) -> list[BaselineEntry]:
        """Entries no finding matches any more (fixed problems; the baseline can shrink)."""
        remaining = self._counts.copy()
        for finding in findings:
            fp = fingerprint(finding)
            if remaining[fp] > 0:
                remaining[fp] -= 1
        stale = []
        for entry in self.entries:
            if remaining[entry.fingerprint] > 0:
                remaining[entry.fingerprint] -= 1
                stale.append(entry)
        return stale


def _sorted_entries(entries: Iterable[BaselineEntry]) -> list[BaselineEntry]:
    return sorted(entries, key=lambda e: (e.path, e.rule, e.fingerprint, e.message))


def write_baseline(path: Path | str, findings: Iterable[Finding]) -> None:
    """Write a baseline covering ``findings`` to ``path``, atomically.

    The JSON goes to a temporary file in the same directory which then
    replaces ``path`` (``os.replace``), so readers never see half a file.
    """
    path = Path(path)
    entries = _sorted_entries(BaselineEntry.from_finding(f) for f in findings)
    document = {"version": BASELINE_VERSION, "findings": [e.to_dict() for e in entries]}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    directory = path.parent
    tmp = directory / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    # O_EXCL: never follow or clobber an existing file; 0o666 lets the umask decide.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8", "surrogateescape"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _shape_error(path: Path, detail: str) -> BaselineError:
    return BaselineError(
        f"{path}: not a valid fmlint baseline: {detail}; fix it or write a new baseline"
    )


def _parse_entry(path: Path, index: int, raw: Any) -> BaselineEntry:
    where = f"findings[{index}]"
    if not isinstance(raw, dict):
        raise _shape_error(path, f"{where} is a {type(raw).__name__}, expected an object")
    values: dict[str, str] = {}
    for key in ("path", "rule", "fingerprint"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise _shape_error(path, f"{where}.{key} is missing or not a non-empty string")
        values[key] = value
    message = raw.get("message", "")
    if not isinstance(message, str):
        raise _shape_error(path, f"{where}.message is not a string")
    return BaselineEntry(values["path"], values["rule"], values["fingerprint"], message)


def load_baseline(path: Path | str) -> Baseline:
    """Read a baseline file; :class:`BaselineError` if it is unreadable or malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc}") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}:{exc.lineno}:{exc.colno}: baseline is not valid JSON: {exc.msg}"
        ) from exc
    if not isinstance(document, dict):
        raise _shape_error(
            path, f"the top level is a {type(document).__name__}, expected an object"
        )
    version = document.get("version")
    if version != BASELINE_VERSION or isinstance(version, bool):
        raise _shape_error(
            path, f"unsupported version {version!r} (this fmlint reads version {BASELINE_VERSION})"
        )
    raw_findings = document.get("findings")
    if not isinstance(raw_findings, list):
        raise _shape_error(path, '"findings" is missing or not a list')
    return Baseline(_parse_entry(path, i, raw) for i, raw in enumerate(raw_findings))
