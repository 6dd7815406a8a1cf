"""The code stays ruff- and mypy-clean (configs in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO


def tool(name: str) -> list[str]:
    """Run the tool from this interpreter's environment when it is installed there."""
    try:
        __import__(name)
    except ImportError:
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} is not installed")
        return [found]
    return [sys.executable, "-m", name]


def check(command: list[str]) -> None:
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, (
        f"`{' '.join(command[-4:])}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )


def test_ruff() -> None:
    check([*tool("ruff"), "check", "--no-cache", "linter", "tests", "bench"])


def test_ruff_format() -> None:
    check([*tool("ruff"), "format", "--check", "--no-cache", "linter", "tests", "bench"])


def test_mypy() -> None:
    check([*tool("mypy")])  # [tool.mypy] names the packages
