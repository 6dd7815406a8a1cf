"""The reporter interface and helpers shared by the output formats."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TextIO

from ..findings import RunResult, Totals


@dataclass(frozen=True)
class ReportOptions:
    """How to present a run; the CLI resolves these from flags and the terminal."""

    color: bool = False  # resolved by the CLI from --color auto|always|never, NO_COLOR and isatty
    show_source: bool = False  # print the offending source line with a caret under the column
    statistics: bool = False  # --statistics: counts per rule code
    quiet: bool = False  # only findings, no summary
    cwd: Path | None = None  # where the (relative, '/'-separated) paths in findings start


class Reporter(abc.ABC):
    """Formats a :class:`RunResult` onto a text stream.

    Usage: ``get_reporter(name)(stream, options).report(result)``.  A reporter
    writes complete output (machine formats end with a newline) and never
    closes the stream.
    """

    name: ClassVar[str]
    description: ClassVar[str]

    def __init__(self, stream: TextIO, options: ReportOptions) -> None:
        self.stream = stream
        self.options = options

    @abc.abstractmethod
    def report(self, result: RunResult) -> None:
        """Write ``result`` to the stream."""


def plural(count: int, word: str) -> str:
    """``plural(1, "error")`` is ``"1 error"``, ``plural(2, "error")`` ``"2 errors"``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(result: RunResult, totals: Totals | None = None) -> str:
    """The one-line summary every human-facing format ends with (``totals``:
    ``result.totals()`` when the caller already has it)."""
    duration = f"({result.duration:.2f} s)"
    if result.findings:
        errors, warnings, files = result.totals() if totals is None else totals
        checked = result.files_checked
        return (
            f"{plural(errors, 'error')}, {plural(warnings, 'warning')} "
            f"in {files} of {plural(checked, 'file')} checked {duration}"
        )
    if result.files_checked == 0:
        return f"No files checked {duration}"
    if result.files_checked == 1:
        return f"1 file checked, no findings {duration}"
    return f"All {result.files_checked} files passed {duration}"
