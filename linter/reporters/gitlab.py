"""GitLab Code Quality: a JSON array of Code Climate style issues.

Each issue has ``description`` ("CODE: message"), ``check_name`` (the code),
``fingerprint`` (stable across runs and line moves, unique within a report),
``severity`` (error -> ``major``, warning -> ``minor``) and
``location.path`` / ``location.lines.begin`` (plus ``lines.end``).
"""

from __future__ import annotations

import json
from typing import Any

from ..baseline import occurrence_fingerprints
from ..findings import RunResult, Severity
from .base import Reporter

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def gitlab_issues(result: RunResult) -> list[dict[str, Any]]:
    issues = []
    for finding, fp in zip(result.findings, occurrence_fingerprints(result.findings), strict=True):
        begin = max(finding.line, 1)
        issues.append(
            {
                "type": "issue",
                "description": f"{finding.rule}: {finding.message or finding.name}",
                "check_name": finding.rule,
                "fingerprint": fp,
                "severity": SEVERITIES[finding.severity],
                "categories": ["Style"],
                "location": {
                    "path": finding.path,
                    "lines": {"begin": begin, "end": max(finding.end_line, begin)},
                },
            }
        )
    return issues


class GitlabReporter(Reporter):
    name = "gitlab"
    description = "GitLab Code Quality report (JSON array of issues)"

    def report(self, result: RunResult) -> None:
        self.stream.write(json.dumps(gitlab_issues(result), indent=2) + "\n")
