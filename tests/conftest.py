"""Shared helpers: articles built from the example, the CLI run for real."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from linter.findings import Finding

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "seed-article.md"
SHARED = REPO.parent / "shared"
MAKE_CORPUS = SHARED / "bench" / "make_corpus.py"


def git(root: Path, *args: str) -> None:
    """Run git in ``root`` as a throwaway identity; fail the test if git fails."""
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def replace_field(text: str, key: str, line: str | None) -> str:
    """The example with the front-matter line of `key` replaced (or removed)."""
    out = []
    for current in text.split("\n"):
        if current.startswith(f"{key}:"):
            if line is not None:
                out.append(line)
        else:
            out.append(current)
    return "\n".join(out)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> CliResult:
    """`python -m linter ...` in a real subprocess."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None)
    if env and "GITHUB_ACTIONS" in env:
        full_env["GITHUB_ACTIONS"] = env["GITHUB_ACTIONS"]
    done = subprocess.run(
        [sys.executable, "-m", "linter", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., CliResult]:
    def call(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliResult:
        return run_cli(args, cwd or tmp_path, env)

    return call


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus with injected defects (defects.json is the truth)."""
    if not MAKE_CORPUS.exists():
        pytest.skip(f"the shared workload generator is missing: {MAKE_CORPUS}")
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run(
        [
            sys.executable,
            str(MAKE_CORPUS),
            "--out",
            str(out),
            "--count",
            "600",
            "--seed",
            "3",
            "--defect-rate",
            "0.2",
        ],
        check=True,
        capture_output=True,
    )
    return out


def lint(
    text: str,
    *,
    select: Sequence[str] = ("ALL",),
    ignore: Sequence[str] = (),
    rules: dict[str, dict[str, object]] | None = None,
    path: str = "post.md",
    root: Path | None = None,
    **config_fields: object,
) -> list[Finding]:
    """Lint one text through the real engine with an in-memory config."""
    from linter.config import Config
    from linter.runner import lint_text

    config = Config(
        root=root or REPO,
        select=tuple(select),
        ignore=tuple(ignore),
        rules=rules or {},
        **config_fields,  # type: ignore[arg-type]
    )
    return lint_text(text, path, config)


def where(findings: list[Finding], prefix: str = "") -> list[tuple[int, int, str]]:
    """(line, column, code) of the findings whose code starts with `prefix`."""
    return [(f.line, f.column, f.rule) for f in findings if f.rule.startswith(prefix)]
