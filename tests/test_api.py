"""The Python API: ``linter.lint_text`` and ``linter.lint_paths``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import example_text, replace_field

import linter
from linter.config import Config
from linter.findings import Finding, RunResult, Severity
from linter.runner import UsageError


def test_public_names() -> None:
    assert set(linter.__all__) == {
        "Config",
        "Finding",
        "RunResult",
        "Severity",
        "__version__",
        "lint_paths",
        "lint_text",
        "load_config",
    }
    for name in linter.__all__:
        assert getattr(linter, name) is not None
    with pytest.raises(AttributeError):
        linter.no_such_name  # noqa: B018


def test_module_docstring_documents_both_functions() -> None:
    doc = linter.__doc__ or ""
    assert "lint_text(" in doc and "lint_paths(" in doc
    assert "finding.rule" in doc or "f.rule" in doc


def test_lint_text_returns_findings(tmp_path: Path) -> None:
    text = replace_field(example_text(), "category", 'category: "opinion"')
    findings = linter.lint_text(
        text, path="_posts/2024-10-25-asean.md", config=Config(root=tmp_path)
    )
    assert findings and all(isinstance(f, Finding) for f in findings)
    assert [(f.line, f.column, f.rule) for f in findings if f.severity == "error"] == [
        (8, 11, "FM207")
    ]
    first = findings[0]
    assert first.path == "_posts/2024-10-25-asean.md"
    assert first.to_dict()["severity"] in ("error", "warning")
    assert findings == sorted(findings, key=lambda f: f.sort_key)


def test_lint_text_clean_example(tmp_path: Path) -> None:
    findings = linter.lint_text(example_text(), config=Config(root=tmp_path))
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    assert {f.path for f in findings} == {"<text>"}


def test_lint_text_uses_the_config_found_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".fmlint.toml").write_text('select = ["FM3"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    findings = linter.lint_text(replace_field(example_text(), "code", None))
    assert {f.rule for f in findings} == {"FM306"}


def test_lint_text_bad_schema_raises_usage_error(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text("{", encoding="utf-8")
    config = Config(root=tmp_path, schema=tmp_path / "schema.json")
    with pytest.raises(UsageError, match="invalid JSON"):
        linter.lint_text(example_text(), config=config)


def test_lint_paths_returns_a_run_result(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text(example_text(), encoding="utf-8")
    (tmp_path / "posts" / "b.md").write_text("no front matter\n", encoding="utf-8")
    config = linter.load_config(cwd=tmp_path)
    result = linter.lint_paths([tmp_path / "posts"], config)
    assert isinstance(result, RunResult)
    assert result.files_checked == 2
    assert all(isinstance(f, Finding) for f in result.findings)
    assert result.findings == sorted(result.findings, key=lambda f: f.sort_key)
    assert ("FM104", Severity.ERROR) in {(f.rule, f.severity) for f in result.findings}
    assert result.errors >= 1 and result.version == linter.__version__
    assert not (tmp_path / ".fmlint_cache").exists()  # no cache unless asked for


def test_lint_paths_missing_path(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or directory"):
        linter.lint_paths([tmp_path / "nope"], Config(root=tmp_path))


def test_importing_linter_is_light() -> None:
    """``import linter`` must not pull in the engine (the CLI starts fast)."""
    code = "import sys, linter; print(sorted(m for m in sys.modules if m.startswith(('linter.', 'jsonschema'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_broken_config_file_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".fmlint.toml").write_text("selct = []\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="unknown key `selct`"):
        linter.lint_text(example_text())
    with pytest.raises(UsageError, match="unknown key `selct`"):
        linter.lint_paths(["."])
