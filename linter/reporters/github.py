"""GitHub Actions workflow commands: one annotation per finding.

Grammar (as written by ``@actions/core``)::

    ::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=CODE NAME::MESSAGE
    ::warning file=...::MESSAGE

Property values are escaped with :func:`escape_property`, the message with
:func:`escape_data`, exactly as the toolkit's ``escapeProperty`` and
``escapeData`` do, so a message can neither end the command early nor start
a new one.  ``col`` and ``endColumn`` are left out when a finding spans
several lines: GitHub does not accept columns for multi-line annotations.
"""

from __future__ import annotations

import re

from ..findings import Finding, RunResult
from .base import Reporter, summary_line


def escape_data(value: str) -> str:
    """``escapeData`` of @actions/core: the message part of a command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """``escapeProperty`` of @actions/core: a ``key=value`` property value."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


_UNESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}
_ESCAPED = re.compile("|".join(_UNESCAPES))


def unescape(value: str) -> str:
    """The inverse of :func:`escape_property` (and of :func:`escape_data`)."""
    return _ESCAPED.sub(lambda m: _UNESCAPES[m.group(0)], value)


def command(name: str, properties: dict[str, str], message: str) -> str:
    """A workflow command line, like ``issueCommand`` of @actions/core (empty
    property values are left out)."""
    props = ",".join(
        f"{key}={escape_property(value)}" for key, value in properties.items() if value
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(finding: Finding) -> str:
    """The workflow command for ``finding``: what :func:`command` makes of
    file, line, col, endLine, endColumn and title, written directly (numbers
    need no escaping and are never empty)."""
    line = max(finding.line, 1)
    end_line = max(finding.end_line, line)
    path = finding.path
    props = f"file={escape_property(path)},line={line}" if path else f"line={line}"
    if end_line == line:
        column = max(finding.column, 1)
        end_column = max(finding.end_column, finding.column, 1)
        props += f",col={column},endLine={end_line},endColumn={end_column}"
    else:
        props += f",endLine={end_line}"
    title = f"{finding.rule} {finding.name}".strip()
    if title:
        props += f",title={escape_property(title)}"
    return f"::{finding.severity.value} {props}::{escape_data(finding.message or finding.name)}"


class GithubReporter(Reporter):
    name = "github"
    description = "GitHub Actions annotations (::error/::warning workflow commands)"

    def report(self, result: RunResult) -> None:
        write = self.stream.write
        for finding in result.findings:
            write(annotation(finding) + "\n")
        if not self.options.quiet:
            write(summary_line(result) + "\n")
