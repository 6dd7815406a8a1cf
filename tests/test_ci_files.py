"""The files other tools read: the pre-commit hook manifest and the GitHub Action."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_hook_manifest_runs_fmlint_once_on_markdown() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "fmlint"
    assert hook["language"] == "python"
    assert hook["types"] == ["markdown"]
    assert hook["entry"].split()[:2] == ["fmlint", "check"]
    # one process sees every changed file, so collection rules compare them all
    assert hook["require_serial"] is True


def test_action_is_composite_and_never_interpolates_inputs_into_shell() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"paths", "args", "sarif-file", "version"}
    for step in action["runs"]["steps"]:
        script = step.get("run", "")
        # inputs reach scripts through env: only, so their text is never evaluated
        assert not re.search(r"\$\{\{\s*inputs\.", script), step.get("name")
    run = next(s for s in action["runs"]["steps"] if s.get("name") == "Run fmlint")
    assert '"--format", "github"' in run["run"]
