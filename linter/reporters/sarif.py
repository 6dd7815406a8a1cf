"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` lists every rule that has a result (sorted by
code) and each result points at its rule with ``ruleId`` and ``ruleIndex``.
Locations are relative URIs ('/' separators, percent-encoded) against
``%SRCROOT%``, the directory fmlint ran in.  Columns count Unicode code
points (``columnKind: unicodeCodePoints``) and ``endColumn`` is one past the
last character, as in fmlint's findings.  ``partialFingerprints`` carries a
hash that survives line moves (see :func:`linter.baseline.fingerprint`).
"""

from __future__ import annotations

import json
import re
import textwrap
from json.encoder import encode_basestring_ascii as string
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..baseline import occurrence_fingerprints
from ..findings import Finding, RuleInfo, RunResult
from .base import Reporter

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/fmlint/"
FINGERPRINT_KEY = "fmlintFingerprint/v1"
SRCROOT = "%SRCROOT%"
_DRIVE = re.compile(r"[A-Za-z]:/")
CHUNK = 2048  # results formatted per write


def _section(docs: str, title: str) -> str:
    """The text under ``## title`` in a rule's Markdown docs ("" if absent)."""
    match = re.search(
        rf"^##\s+{re.escape(title)}\s*$(.*?)(?=^##\s|\Z)", docs, re.MULTILINE | re.DOTALL
    )
    return " ".join(match.group(1).split()) if match else ""


def rule_descriptor(code: str, info: RuleInfo | None, finding: Finding) -> dict[str, Any]:
    """A ``reportingDescriptor`` for ``code`` (from ``info``, or from the
    finding itself when the rule was not registered in the run)."""
    if info is None:
        summary = finding.name or code
        return {
            "id": code,
            "name": finding.name or code,
            "shortDescription": {"text": summary},
            "defaultConfiguration": {"level": finding.severity.value},
        }
    summary = info.summary or info.name
    docs = info.docs.strip()
    return {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": _section(docs, "What it does") or summary},
        "help": {"text": docs or summary, "markdown": docs or summary},
        "defaultConfiguration": {"level": info.severity.value},
        "properties": {"origin": info.origin},
    }


def artifact_location(path: str) -> dict[str, str]:
    """``artifactLocation`` for a finding's path: relative to %SRCROOT% unless absolute."""
    posix = path.replace("\\", "/")
    if _DRIVE.match(posix):
        return {"uri": "file:///" + quote(posix, safe="/:", errors="surrogateescape")}
    if posix.startswith("/"):  # PurePosixPath(posix).is_absolute()
        return {"uri": "file://" + quote(posix, safe="/", errors="surrogateescape")}
    return {"uri": quote(posix, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def region(finding: Finding) -> dict[str, int]:
    start_line = max(finding.line, 1)
    start_column = max(finding.column, 1)
    end_line = max(finding.end_line, start_line)
    end_column = max(finding.end_column, 1)
    if end_line == start_line:
        end_column = max(end_column, start_column)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _srcroot(cwd: Path | None) -> dict[str, Any]:
    root: dict[str, Any] = {"description": {"text": "The directory fmlint was run in."}}
    try:
        uri = (cwd or Path.cwd()).resolve().as_uri()
    except (OSError, ValueError):
        return root
    root["uri"] = uri if uri.endswith("/") else uri + "/"
    return root


def _rules(result: RunResult) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The ``reportingDescriptor`` of every rule with a result, sorted by code,
    and each code's index in that list."""
    first: dict[str, Finding] = {}  # code -> its first finding
    for finding in result.findings:
        if finding.rule not in first:
            first[finding.rule] = finding
    codes = sorted(first)
    rules = [rule_descriptor(code, result.rules.get(code), first[code]) for code in codes]
    return rules, {code: index for index, code in enumerate(codes)}


def _result(finding: Finding, fingerprint: str, rule_index: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": finding.severity.value,
        "message": {"text": finding.message or finding.name or finding.rule},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.path),
                    "region": region(finding),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }


def _document(
    result: RunResult, rules: list[dict[str, Any]], results: list[dict[str, Any]], cwd: Path | None
) -> dict[str, Any]:
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fmlint",
                        "version": result.version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "originalUriBaseIds": {SRCROOT: _srcroot(cwd)},
                "columnKind": "unicodeCodePoints",
                "results": results,  # last: the reporter streams it after the rest
            }
        ],
    }


def sarif_document(result: RunResult, cwd: Path | None = None) -> dict[str, Any]:
    """The whole log as one object (what :class:`SarifReporter` writes, streamed)."""
    rules, rule_index = _rules(result)
    fingerprints = occurrence_fingerprints(result.findings)
    results = [
        _result(finding, fp, rule_index)
        for finding, fp in zip(result.findings, fingerprints, strict=True)
    ]
    return _document(result, rules, results, cwd)


# ``json.dumps(sarif_document(...), indent=2)`` ends with the results list
# (empty here) and the brackets that close the run, the runs and the log.
_TAIL = '"results": []\n    }\n  ]\n}'
_DEPTH = " " * 8  # a result's indentation in the log: json.dumps(indent=2), depth 4


def _location_lines(path: str) -> str:
    """The members of ``artifact_location(path)``, indented as in :func:`result_json`."""
    return ",\n".join(
        f"                  {string(key)}: {string(value)}"
        for key, value in artifact_location(path).items()
    )


def result_json(
    finding: Finding, fingerprint: str, rule_index: dict[str, int], location: str | None = None
) -> str:
    """``_result(...)`` as ``json.dumps(log, indent=2)`` writes it at its depth
    in the log, byte for byte (``location``: ``_location_lines(finding.path)``
    when the caller has it)."""
    if location is None:
        location = _location_lines(finding.path)
    start_line = max(finding.line, 1)
    start_column = max(finding.column, 1)
    end_line = max(finding.end_line, start_line)
    end_column = max(finding.end_column, 1)
    if end_line == start_line:
        end_column = max(end_column, start_column)
    try:  # the layout of _result() and region(), as json.dumps(indent=2) writes them
        return f"""        {{
          "ruleId": {string(finding.rule)},
          "ruleIndex": {rule_index[finding.rule]:d},
          "level": {string(finding.severity.value)},
          "message": {{
            "text": {string(finding.message or finding.name or finding.rule)}
          }},
          "locations": [
            {{
              "physicalLocation": {{
                "artifactLocation": {{
{location}
                }},
                "region": {{
                  "startLine": {start_line:d},
                  "startColumn": {start_column:d},
                  "endLine": {end_line:d},
                  "endColumn": {end_column:d}
                }}
              }}
            }}
          ],
          "partialFingerprints": {{
            "{FINGERPRINT_KEY}": {string(fingerprint)}
          }}
        }}"""
    except (TypeError, ValueError):  # not a str or int where one belongs: let json decide
        return textwrap.indent(
            json.dumps(_result(finding, fingerprint, rule_index), indent=2), _DEPTH
        )


class SarifReporter(Reporter):
    name = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers"

    def report(self, result: RunResult) -> None:
        # Everything but the results goes through json.dumps; the results, the
        # bulk of a big log, are formatted one by one (json's indenting
        # encoder is pure Python and builds the whole document first).
        rules, rule_index = _rules(result)
        head = json.dumps(_document(result, rules, [], self.options.cwd), indent=2)
        if not head.endswith(_TAIL):  # pragma: no cover - the layout above changed
            self.stream.write(json.dumps(sarif_document(result, self.options.cwd), indent=2))
            self.stream.write("\n")
            return
        write = self.stream.write
        write(head[: -len(_TAIL)] + '"results": [')
        findings = result.findings
        fingerprints = occurrence_fingerprints(findings)
        separator = "\n"
        path: str | None = None
        location = ""
        for start in range(0, len(findings), CHUNK):
            chunk = []
            for finding, fp in zip(
                findings[start : start + CHUNK], fingerprints[start : start + CHUNK], strict=True
            ):
                if finding.path != path:  # findings come grouped by path
                    path = finding.path
                    location = _location_lines(path)
                chunk.append(result_json(finding, fp, rule_index, location))
            write(separator + ",\n".join(chunk))
            separator = ",\n"
        write(("\n      ]" if findings else "]") + _TAIL[len('"results": []') :] + "\n")
