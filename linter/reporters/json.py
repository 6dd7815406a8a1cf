"""Machine-readable JSON: one object for the whole run.

Shape (stable; fields may be added, never renamed)::

    {
      "version": "0.1.0",                # fmlint's version
      "files_checked": 12,
      "findings": [Finding.to_dict(), ...],
      "summary": {"errors": 2, "warnings": 1, "files_with_findings": 2, "duration": 0.42}
    }
"""

from __future__ import annotations

import json
from typing import Any

from ..findings import RunResult
from .base import Reporter


def json_document(result: RunResult) -> dict[str, Any]:
    return {
        "version": result.version,
        "files_checked": result.files_checked,
        "findings": [finding.to_dict() for finding in result.findings],
        "summary": {
            "errors": result.errors,
            "warnings": result.warnings,
            "files_with_findings": result.files_with_findings,
            "duration": round(result.duration, 3),
        },
    }


class JsonReporter(Reporter):
    name = "json"
    description = "one JSON object: version, files_checked, findings, summary"

    def report(self, result: RunResult) -> None:
        # one finding per line: readable, diffable, and written by json's C encoder
        # (``indent=`` falls back to the pure-Python one, 10x slower on big runs)
        document = json_document(result)
        findings = document.pop("findings")
        write = self.stream.write
        write(f'{{"version": {json.dumps(document["version"])}, ')
        write(f'"files_checked": {document["files_checked"]},\n "findings": [')
        for index, finding in enumerate(findings):
            write(("\n  " if index == 0 else ",\n  ") + json.dumps(finding))
        write("\n ]," if findings else "],")
        write(f'\n "summary": {json.dumps(document["summary"])}}}\n')
