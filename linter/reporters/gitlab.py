"""GitLab Code Quality: a JSON array of Code Climate style issues.

Each issue has ``description`` ("CODE: message"), ``check_name`` (the code),
``fingerprint`` (stable across runs and line moves, unique within a report),
``severity`` (error -> ``major``, warning -> ``minor``) and
``location.path`` / ``location.lines.begin`` (plus ``lines.end``).
"""

from __future__ import annotations

import json
import textwrap
from json.encoder import encode_basestring_ascii as string
from typing import Any

from ..baseline import occurrence_fingerprints
from ..findings import Finding, RunResult, Severity
from .base import Reporter

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor"}
CHUNK = 2048  # issues formatted per write


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    begin = max(finding.line, 1)
    return {
        "type": "issue",
        "description": f"{finding.rule}: {finding.message or finding.name}",
        "check_name": finding.rule,
        "fingerprint": fingerprint,
        "severity": SEVERITIES[finding.severity],
        "categories": ["Style"],
        "location": {
            "path": finding.path,
            "lines": {"begin": begin, "end": max(finding.end_line, begin)},
        },
    }


def gitlab_issues(result: RunResult) -> list[dict[str, Any]]:
    """The whole report (what :class:`GitlabReporter` writes, streamed)."""
    fingerprints = occurrence_fingerprints(result.findings)
    return [_issue(f, fp) for f, fp in zip(result.findings, fingerprints, strict=True)]


def issue_json(finding: Finding, fingerprint: str) -> str:
    """``_issue(finding, fingerprint)`` as ``json.dumps(issues, indent=2)``
    writes it in the list, byte for byte."""
    begin = max(finding.line, 1)
    end = max(finding.end_line, begin)
    description = f"{finding.rule}: {finding.message or finding.name}"
    try:
        return f"""  {{
    "type": "issue",
    "description": {string(description)},
    "check_name": {string(finding.rule)},
    "fingerprint": {string(fingerprint)},
    "severity": {string(SEVERITIES[finding.severity])},
    "categories": [
      "Style"
    ],
    "location": {{
      "path": {string(finding.path)},
      "lines": {{
        "begin": {begin:d},
        "end": {end:d}
      }}
    }}
  }}"""
    except (TypeError, ValueError):  # not a str or int where one belongs: let json decide
        return textwrap.indent(json.dumps(_issue(finding, fingerprint), indent=2), "  ")


class GitlabReporter(Reporter):
    name = "gitlab"
    description = "GitLab Code Quality report (JSON array of issues)"

    def report(self, result: RunResult) -> None:
        # Formatted issue by issue: json's indenting encoder is pure Python and
        # needs the whole list of dicts first.
        findings = result.findings
        if not findings:
            self.stream.write("[]\n")
            return
        write = self.stream.write
        fingerprints = occurrence_fingerprints(findings)
        separator = "[\n"
        for start in range(0, len(findings), CHUNK):
            chunk = map(
                issue_json, findings[start : start + CHUNK], fingerprints[start : start + CHUNK]
            )
            write(separator + ",\n".join(chunk))
            separator = ",\n"
        write("\n]\n")
