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
from pathlib import Path, PurePosixPath
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
    if PurePosixPath(posix).is_absolute():
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


def sarif_document(result: RunResult, cwd: Path | None = None) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for finding in sorted(result.findings, key=lambda f: f.rule):
        if finding.rule not in rule_index:
            rule_index[finding.rule] = len(rules)
            rules.append(rule_descriptor(finding.rule, result.rules.get(finding.rule), finding))
    results = []
    for finding, fp in zip(result.findings, occurrence_fingerprints(result.findings), strict=True):
        results.append(
            {
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
                "partialFingerprints": {FINGERPRINT_KEY: fp},
            }
        )
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
                "results": results,
            }
        ],
    }


class SarifReporter(Reporter):
    name = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers"

    def report(self, result: RunResult) -> None:
        document = sarif_document(result, self.options.cwd)
        self.stream.write(json.dumps(document, indent=2) + "\n")
