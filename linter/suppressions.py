"""Suppression comments.

In the body (HTML comments, so they never render)::

    <!-- fmlint-disable FM306 FM406 -->  ...  <!-- fmlint-enable FM306 FM406 -->
    <!-- fmlint-disable-next-line FM406 -->
    <!-- fmlint-disable -->               (every rule, until fmlint-enable)

In the front matter, for the whole file::

    # fmlint: disable FM304

Codes may be full codes, prefixes (``FM3``) or rule names, separated by
spaces or commas.  A suppression that hides nothing is reported (FM002) so
stale ones get removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from linter.document import Document

_BODY_RE = re.compile(r"^fmlint-(disable-next-line|disable|enable)\b(.*)$", re.DOTALL)
_FRONT_RE = re.compile(r"#\s*fmlint:\s*disable\b(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Suppression:
    kind: str  # "file", "range" or "next-line"
    codes: tuple[str, ...]  # empty: every rule
    first_line: int  # first line the suppression covers
    last_line: int  # last line it covers (inclusive)
    line: int  # where the comment is
    column: int

    def covers(self, code: str, name: str, line: int) -> bool:
        if not self.first_line <= line <= self.last_line:
            return False
        return not self.codes or any(
            code.startswith(selector) or selector == name for selector in self.codes
        )

    def to_json(self) -> list[object]:
        return [
            self.kind,
            list(self.codes),
            self.first_line,
            self.last_line,
            self.line,
            self.column,
        ]

    @classmethod
    def from_json(cls, raw: list[object]) -> Suppression:
        kind, codes, first, last, line, column = raw
        return cls(str(kind), tuple(codes), int(first), int(last), int(line), int(column))  # type: ignore[call-overload,arg-type]


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[\s,]+", text.strip()) if part)


def find_suppressions(doc: Document) -> list[Suppression]:
    """Every suppression comment in the document, ranges closed."""
    found: list[Suppression] = []
    end = len(doc.lines) or 1
    fm = doc.front_matter
    if fm is not None and "fmlint" in fm.text:
        for front in _FRONT_RE.finditer(fm.text):
            line = fm.start_line + 1 + fm.text.count("\n", 0, front.start())
            column = front.start() - (fm.text.rfind("\n", 0, front.start()) + 1) + 1
            if _inside_a_value(doc, line, column):
                continue  # text of a string (quoted, block scalar), not a YAML comment
            found.append(Suppression("file", _codes(front.group(1)), 1, end, line, column))
    if "fmlint-" not in doc.body:
        return found
    open_ranges: list[tuple[tuple[str, ...], int, int]] = []  # codes, line, column
    for comment in doc.structure.comments:
        match = _BODY_RE.match(comment.text)
        if match is None:
            continue
        kind, codes = match.group(1), _codes(match.group(2))
        if kind == "disable-next-line":
            target = comment.end_line + 1
            found.append(
                Suppression("next-line", codes, target, target, comment.line, comment.column)
            )
        elif kind == "disable":
            open_ranges.append((codes, comment.line, comment.column))
        else:  # enable: closes the ranges it names (all of them when it names none)
            still_open = []
            for range_codes, line, column in open_ranges:
                if not codes or set(range_codes) <= set(codes):
                    found.append(
                        Suppression("range", range_codes, line, comment.line, line, column)
                    )
                else:
                    still_open.append((range_codes, line, column))
            open_ranges = still_open
    for range_codes, line, column in open_ranges:
        found.append(Suppression("range", range_codes, line, end, line, column))
    return found


def _inside_a_value(doc: Document, line: int, column: int) -> bool:
    """Whether file position (line, column) lies within a scalar value of the
    front matter (only known when its YAML could be read)."""
    fm = doc.front_matter
    if fm is None:
        return False
    for position in fm.positions.values():
        span = position.value
        if position.source and (span.line, span.column) <= (line, column) < (
            span.end_line,
            span.end_column,
        ):
            return True
    return False


def unknown_codes(suppression: Suppression, is_known: Callable[[str], bool]) -> list[str]:
    return [code for code in suppression.codes if not is_known(code)]
