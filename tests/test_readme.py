"""The README stays true: its two opening commands, its rule reference, its config keys."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from linter.config import _TOP_KEYS
from linter.docs import END, START, rule_reference
from linter.registry import load_registry

README = Path(__file__).resolve().parents[1] / "README.md"
CI = Path(__file__).resolve().parents[1] / ".ci" / "run"


def test_readme_opens_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block is not None and text.index(block.group(0)) < 40
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert commands == [
        "pip install -e . && fmlint check examples/",
        'pip install -e ".[test]" && python -m pytest',
    ]


def test_ci_runs_the_readme_test_command() -> None:
    script = CI.read_text(encoding="utf-8")
    assert 'pip install -q -e ".[test]" && python -m pytest' in script
    assert "set -euo pipefail" in script


def test_rule_reference_is_up_to_date() -> None:
    text = README.read_text(encoding="utf-8")
    block = text[text.index(START) + len(START) : text.index(END)].strip()
    assert block == rule_reference().strip(), (
        "README rule reference is stale: run `python -m linter.docs --write README.md`"
    )


def test_every_rule_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for code, rule in load_registry(plugins=False).rules.items():
        assert f"| {code} | `{rule.name}` |" in text


def test_every_config_key_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    for key in _TOP_KEYS:
        assert f"| `{key}" in text, f"config key {key} is not in the README's table"


def test_the_first_command_exits_zero_on_the_example(tmp_path: Path) -> None:
    done = subprocess.run(
        ["python", "-m", "linter", "check", "examples/", "--no-cache"],
        cwd=README.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors, 2 warnings" in done.stdout
