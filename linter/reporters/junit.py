"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure).

One ``<testcase>`` per file with findings, failing with one ``<failure>``
whose text lists all the file's findings; files without findings pass.  When
the run knows the paths it checked (``RunResult.paths``, optional) each gets
its own passing test case; otherwise a single passing test case named
"N files without findings" stands for them.  Characters XML 1.0 cannot carry
are removed; the output is ASCII (non-ASCII as character references).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from ..findings import Finding, RunResult, Severity
from .base import Reporter, plural
from .text import printable

# Everything outside XML 1.0's Char production (including lone surrogates).
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _ILLEGAL_XML.sub("", text)


def _checked_paths(result: RunResult) -> list[str] | None:
    """The checked paths, or None when the result does not list them (built by hand)."""
    return list(result.paths) if result.paths else None


def _failure_text(findings: list[Finding]) -> str:
    return "\n".join(
        f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity.value}] {printable(f.message)}"
        for f in findings
    )


def junit_tree(result: RunResult) -> ET.Element:
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_path.setdefault(finding.path, []).append(finding)
    time = f"{result.duration:.3f}"

    suites = ET.Element("testsuites", name="fmlint", time=time)
    suite = ET.SubElement(suites, "testsuite", name="fmlint", time=time)
    tests = 0
    for path, findings in by_path.items():
        tests += 1
        safe_path = xml_safe(path)
        case = ET.SubElement(suite, "testcase", classname="fmlint", name=safe_path, file=safe_path)
        errors = sum(1 for f in findings if f.severity is Severity.ERROR)
        message = (
            f"{plural(len(findings), 'finding')}: "
            f"{plural(errors, 'error')}, {plural(len(findings) - errors, 'warning')}"
        )
        codes = ",".join(sorted({f.rule for f in findings}))
        failure = ET.SubElement(case, "failure", message=message, type=codes)
        failure.text = xml_safe(_failure_text(findings))

    paths = _checked_paths(result)
    if paths is not None:
        for path in sorted(set(paths) - by_path.keys()):
            tests += 1
            safe_path = xml_safe(path)
            ET.SubElement(suite, "testcase", classname="fmlint", name=safe_path, file=safe_path)
    else:
        clean = max(result.files_checked - len(by_path), 0)
        if clean:
            tests += 1
            name = f"{plural(clean, 'file')} without findings"
            ET.SubElement(suite, "testcase", classname="fmlint", name=name)

    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(len(by_path)))
        element.set("errors", "0")
    suite.set("skipped", "0")
    return suites


class _AsciiSink:
    """A binary file for ``ElementTree.write``: its (ASCII) bytes go to a text stream."""

    def __init__(self, stream: TextIO) -> None:
        self._write = stream.write

    def write(self, data: bytes) -> int:
        self._write(data.decode("ascii"))
        return len(data)


class JunitReporter(Reporter):
    name = "junit"
    description = "JUnit XML: one test case per file, failing with its findings"

    def report(self, result: RunResult) -> None:
        root = junit_tree(result)
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        # what ET.tostring(root, encoding="us-ascii") returns, written as it is
        # serialised (non-ASCII as character references) instead of held whole
        ET.ElementTree(root).write(
            _AsciiSink(self.stream), encoding="us-ascii", xml_declaration=False
        )
        self.stream.write("\n")
