"""The human format: ``path:line:col: CODE [severity] message`` per finding.

Editors and terminals recognise the ``path:line:col:`` prefix and jump to it.
With ``show_source`` each finding is followed by its source line and a caret
under the reported columns; with ``statistics`` a table of counts per rule
code follows the findings; the last line is a summary unless ``quiet``.
"""

from __future__ import annotations

import re
import stat
import unicodedata
from collections import Counter
from operator import attrgetter
from pathlib import Path

from ..findings import Finding, RunResult, Severity, Totals
from .base import Reporter, summary_line

TAB_SIZE = 4  # tabs in source lines are expanded to this tab stop
MAX_SOURCE_BYTES = 16 * 1024 * 1024  # larger files are not read to show source lines

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"
BLUE = "\x1b[34m"
CYAN = "\x1b[36m"

_SEVERITY_COLOR = {Severity.ERROR: BOLD + RED, Severity.WARNING: BOLD + YELLOW}

# Characters that could move the cursor, recolour the terminal or reorder text
# ("trojan source"): C0/C1 controls except tab, DEL and the bidi controls.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# The same set as a pattern, to find them without a Python loop per character.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f" + "".join(sorted(_BIDI)) + "]")


def _unsafe(char: str) -> bool:
    code = ord(char)
    return (code < 0x20 and char != "\t") or 0x7F <= code <= 0x9F or char in _BIDI


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x1b``)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_line(line: str) -> tuple[str, list[int]]:
    """The line as shown (tabs expanded, controls replaced) and, for each
    character index (plus one past the end), its display column (0-based)."""
    out: list[str] = []
    offsets: list[int] = []
    width = 0
    for char in line:
        offsets.append(width)
        if char == "\t":
            spaces = TAB_SIZE - width % TAB_SIZE
            out.append(" " * spaces)
            width += spaces
        elif _unsafe(char):
            out.append("\ufffd")
            width += 1
        else:
            out.append(char)
            width += _char_width(char)
    offsets.append(width)
    return "".join(out), offsets


def caret_line(line: str, finding: Finding) -> tuple[str, str]:
    """The displayed source line and the marker under it (``^~~~``)."""
    shown, offsets = display_line(line)
    last = len(line)
    start_index = min(max(finding.column - 1, 0), last)
    start = offsets[start_index]
    length = 1
    if finding.end_line == finding.line and finding.end_column > finding.column:
        end_index = min(finding.end_column - 1, last)
        length = max(1, offsets[end_index] - start)
    return shown, " " * start + "^" + "~" * (length - 1)


class _SourceCache:
    def __init__(self, cwd: Path | None) -> None:
        self.base = cwd if cwd is not None else Path()
        self.files: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self.files:
            self.files[path] = self._read(path)
        lines = self.files[path]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def _read(self, path: str) -> list[str] | None:
        target = self.base / path
        try:
            info = target.stat()
            # never block on a FIFO or read a device; skip huge files
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
                return None
            data = target.read_bytes()
        except OSError:
            return None
        text = data.decode("utf-8", errors="replace")
        text = text.removeprefix("\ufeff")
        return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class TextReporter(Reporter):
    name = "text"
    description = "path:line:col: CODE [severity] message lines and a summary (default)"

    def _c(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.options.color and text else text

    def report(self, result: RunResult) -> None:
        write = self.stream.write
        sources = _SourceCache(self.options.cwd) if self.options.show_source else None
        for finding in result.findings:
            write(self.format_finding(finding) + "\n")
            if sources is not None:
                snippet = self._snippet(sources, finding)
                if snippet:
                    write(snippet)
        if self.options.statistics and result.findings:
            write(self._statistics(result))
        if not self.options.quiet:
            write(self._summary(result, result.totals()) + "\n")

    def format_finding(self, finding: Finding) -> str:
        location = f"{self._c(BOLD, printable(finding.path))}:{finding.line}:{finding.column}:"
        severity = self._c(_SEVERITY_COLOR[finding.severity], f"[{finding.severity.value}]")
        return f"{location} {self._c(CYAN, finding.rule)} {severity} {printable(finding.message)}"

    def _snippet(self, sources: _SourceCache, finding: Finding) -> str:
        line = sources.line(finding.path, finding.line)
        if line is None:
            return ""
        shown, marker = caret_line(line, finding)
        number = str(finding.line)
        gutter = self._c(BLUE, f"{number} |")
        empty_gutter = self._c(BLUE, " " * len(number) + " |")
        marker = self._c(_SEVERITY_COLOR[finding.severity], marker)
        return f"  {gutter} {shown}".rstrip() + f"\n  {empty_gutter} {marker}\n\n"

    def _statistics(self, result: RunResult) -> str:
        counts = Counter(map(attrgetter("rule"), result.findings))
        # a rule's registered name, else the name on its first finding
        names = {code: info.name for code, info in result.rules.items() if code in counts}
        if len(names) < len(counts):
            for finding in result.findings:
                names.setdefault(finding.rule, finding.name)
        rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        count_width = max(len("count"), *(len(str(n)) for _, n in rows))
        code_width = max(len("code"), *(len(code) for code, _ in rows))
        lines = [self._c(BOLD, f"{'count':>{count_width}}  {'code':<{code_width}}  name")]
        for code, count in rows:
            lines.append(
                f"{count:>{count_width}}  {self._c(CYAN, code.ljust(code_width))}  "
                f"{printable(names[code])}"
            )
        return "\n".join(lines) + "\n"

    def _summary(self, result: RunResult, totals: Totals) -> str:
        text = summary_line(result, totals)
        if totals.errors:
            return self._c(BOLD + RED, text)
        if totals.warnings:
            return self._c(BOLD + YELLOW, text)
        return self._c(GREEN, text)
