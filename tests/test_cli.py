"""The command line, run for real (``python -m linter`` in a subprocess)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliResult, example_text, replace_field, run_cli

import linter
from linter.registry import load_registry
from linter.rules.base import DOC_SECTIONS

Cli = Callable[..., CliResult]
LINE_RE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<rule>[A-Z]+\d{3}) "
    r"\[(?P<severity>error|warning)\] (?P<message>.+)$"
)
SUMMARY_RE = re.compile(
    r"^\d+ errors?, \d+ warnings? in \d+ of \d+ files? checked \(\d+\.\d\d s\)$"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def two_errors() -> str:
    """The example with a bad category (8:11) and a bad language (9:11) (and a
    code of its own, so it is no duplicate of the example)."""
    text = replace_field(example_text(), "category", 'category: "opinion"')
    text = replace_field(text, "code", 'code: "ART2410171545HNYP98"')
    return replace_field(text, "language", 'language: "english"')


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small site: errors in two folders, a clean article, warnings."""
    write(tmp_path / "posts" / "b.md", two_errors())
    write(tmp_path / "posts" / "a.md", example_text())  # warnings only
    write(tmp_path / "posts" / "z" / "c.markdown", "no front matter\n")
    write(tmp_path / "posts-old.md", "---\ntitle: [\n---\n")
    write(tmp_path / "notes.txt", "not markdown\n")
    return tmp_path


def parse(stdout: str) -> tuple[list[dict[str, str]], str]:
    lines = stdout.splitlines()
    matches = [LINE_RE.match(line) for line in lines[:-1]]
    assert all(matches), lines
    return [m.groupdict() for m in matches if m], lines[-1]


# ------------------------------------------------------------------ check


def test_check_defaults_to_the_current_folder(site: Path, cli: Cli) -> None:
    done = cli("check", "--no-cache")
    assert done.returncode == 1, done.stderr
    findings, summary = parse(done.stdout)
    assert {f["path"] for f in findings} == {
        "posts-old.md",
        "posts/a.md",
        "posts/b.md",
        "posts/z/c.markdown",
    }
    keys = [(f["path"], int(f["line"]), int(f["column"])) for f in findings]
    assert keys == sorted(keys)  # by path, then line and column as numbers
    assert ("posts/b.md", 8, 11) in keys and ("posts/b.md", 9, 11) in keys
    assert SUMMARY_RE.match(summary), summary
    assert summary.startswith("6 errors, 4 warnings in 4 of 4 files checked")
    assert done.stderr == ""


def test_text_lines_exactly(site: Path, cli: Cli) -> None:
    done = cli("check", "--no-cache", "posts/b.md")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (
        'posts/b.md:8:11: FM207 [error] `category`: "opinion" is not one of OPINION, NATIONAL, '
        'BUSINESS, SPORT, WORLD, LIFESTYLE; did you mean "OPINION"?'
    )
    assert lines[1].startswith('posts/b.md:9:11: FM207 [error] `language`: "english"')
    assert lines[2].startswith("posts/b.md:15:1: FM406 [warning] ")
    assert lines[3].startswith("posts/b.md:29:1: FM306 [warning] ")
    assert lines[4].startswith("2 errors, 2 warnings in 1 of 1 file checked (")


def test_files_are_taken_as_given(site: Path, cli: Cli) -> None:
    done = cli("check", "--no-cache", "-q", "--select", "FM1", "notes.txt", "posts/z/c.markdown")
    assert done.returncode == 1
    assert [line.split(" [")[0] for line in done.stdout.splitlines()] == [
        "notes.txt:1:1: FM104",
        "posts/z/c.markdown:1:1: FM104",
    ]


def test_paths_are_relative_to_the_working_directory(site: Path, cli: Cli) -> None:
    done = cli(
        "check",
        "--no-cache",
        "-q",
        "../../posts/z",
        str(site / "posts-old.md"),
        cwd=site / "posts" / "z",
    )
    assert done.returncode == 1, done.stderr
    assert sorted({line.split(":")[0] for line in done.stdout.splitlines()}) == [
        "../../posts-old.md",
        "c.markdown",
    ]


def test_json_format_shape(site: Path, cli: Cli) -> None:
    done = cli("check", "--no-cache", "--format", "json", "posts")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert set(report) == {"version", "files_checked", "findings", "summary"}
    assert report["version"] == linter.__version__
    assert report["files_checked"] == 3
    first = report["findings"][0]
    assert first == {
        "path": "posts/a.md",
        "line": 15,
        "column": 1,
        "end_line": 15,
        "end_column": 1,
        "rule": "FM406",
        "name": "image-alt-missing",
        "severity": "warning",
        "message": first["message"],
    }
    for finding in report["findings"]:
        assert list(finding) == [
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "rule",
            "name",
            "severity",
            "message",
        ]
        assert isinstance(finding["line"], int) and isinstance(finding["end_column"], int)
        assert (finding["end_line"], finding["end_column"]) >= (finding["line"], finding["column"])
        assert finding["severity"] in ("error", "warning")
    b = [
        (f["line"], f["column"], f["rule"]) for f in report["findings"] if f["path"] == "posts/b.md"
    ]
    assert b[:2] == [(8, 11, "FM207"), (9, 11, "FM207")]
    assert report["summary"]["errors"] == 4 and report["summary"]["warnings"] == 4
    assert report["summary"]["files_with_findings"] == 3


def test_exit_0_when_only_warnings_and_1_with_strict(site: Path, cli: Cli) -> None:
    done = cli("check", "--no-cache", "posts/a.md")
    assert done.returncode == 0
    assert "0 errors, 2 warnings" in done.stdout
    strict = cli("check", "--no-cache", "--strict", "posts/a.md")
    assert strict.returncode == 1
    assert strict.stdout.splitlines()[:-1] == done.stdout.splitlines()[:-1]


def test_exit_zero_and_quiet(site: Path, cli: Cli) -> None:
    done = cli("check", "--no-cache", "--exit-zero", "--quiet", "posts/b.md")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert len(lines) == 4 and all(LINE_RE.match(line) for line in lines)  # no summary


def test_select_and_ignore(site: Path, cli: Cli) -> None:
    done = cli("check", "--no-cache", "-q", "--select", "FM2,FM3", "--ignore", "FM306", "posts")
    rules = {line.split()[1] for line in done.stdout.splitlines()}
    assert rules == {"FM207", "FM301"}
    assert done.returncode == 1
    done = cli("check", "--no-cache", "--select", "FM4", "posts/b.md")
    assert done.returncode == 0  # FM406 is a warning
    assert {line.split()[1] for line in done.stdout.splitlines()[:-1]} == {"FM406"}
    done = cli("check", "--no-cache", "-q", "--select", "FM9", "posts/b.md")
    assert done.returncode == 0 and done.stdout == ""
    assert "`FM9` matches no rule code, prefix or name" in done.stderr


def test_a_missing_path_exits_2(site: Path, cli: Cli) -> None:
    done = cli("check", "--no-cache", "posts", "nope.md")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "nope.md: no such file or directory" in done.stderr


def test_an_invalid_schema_exits_2_naming_where(site: Path, cli: Cli) -> None:
    write(site / "schema.json", '{"type": "object", "properties": {"title": {"type": "text"}}}')
    write(site / ".fmlint.toml", 'schema = "schema.json"\n')
    done = cli("check", "--no-cache", "posts")
    assert done.returncode == 2
    assert str(site / "schema.json") in done.stderr
    assert "$.properties.title.type" in done.stderr
    assert "Traceback" not in done.stderr


def test_invalid_json_schema_exits_2_with_line_and_column(site: Path, cli: Cli) -> None:
    write(site / "schema.json", '{\n  "type": "object",\n}\n')
    write(site / ".fmlint.toml", 'schema = "schema.json"\n')
    done = cli("check", "--no-cache", "posts")
    assert done.returncode == 2
    assert f"{site / 'schema.json'}:3:1: invalid JSON" in done.stderr


def test_a_remote_ref_exits_2(site: Path, cli: Cli) -> None:
    write(
        site / "schema.json",
        '{"type": "object", "properties": {"title": {"$ref": "https://example.com/t.json"}}}',
    )
    write(site / ".fmlint.toml", 'schema = "schema.json"\n')
    done = cli("check", "--no-cache", "posts")
    assert done.returncode == 2
    assert "https://example.com/t.json" in done.stderr
    assert "allow-remote-refs" in done.stderr
    assert str(site / "schema.json") in done.stderr


def test_unknown_format_exits_2(site: Path) -> None:
    from linter.cli import main

    assert main(["check", "--no-cache", "--format", "yaml", str(site / "posts")]) == 2


# ------------------------------------------------------------------ other commands


def test_version(cli: Cli) -> None:
    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"fmlint {linter.__version__}"


def test_rules_lists_every_rule(cli: Cli) -> None:
    done = cli("rules")
    assert done.returncode == 0, done.stderr
    registry = load_registry()
    listed = [line.split()[:3] for line in done.stdout.splitlines()]
    assert [code for code, _, _ in listed] == list(registry.rules)
    for code, name, severity in listed:
        assert registry.rules[code].name == name
        assert registry.rules[code].severity.value == severity
    as_json = json.loads(cli("rules", "--format", "json").stdout)
    assert [r["code"] for r in as_json] == list(registry.rules)
    assert set(as_json[0]) == {"code", "name", "severity", "summary", "origin"}


def test_explain_prints_the_four_sections(cli: Cli) -> None:
    done = cli("explain", "FM201")
    assert done.returncode == 0
    assert done.stdout.startswith("# FM201 missing-required-field\n")
    positions = [done.stdout.index(f"## {title}\n") for title in DOC_SECTIONS]
    assert positions == sorted(positions)
    assert "Default severity: error" in done.stdout
    by_name = cli("explain", "missing-required-field")
    assert by_name.stdout == done.stdout
    assert cli("explain", "fm201").stdout == done.stdout


def test_explain_lists_options(cli: Cli) -> None:
    done = cli("explain", "FM306")
    assert "Options:" in done.stdout and "max-words (int, default 12)" in done.stdout


def test_explain_unknown_rule_exits_2_with_a_suggestion(cli: Cli) -> None:
    done = cli("explain", "FM2011")
    assert done.returncode == 2
    assert "no rule 'FM2011'" in done.stderr
    assert "did you mean FM201?" in done.stderr
    done = cli("explain", "missing-h")
    assert done.returncode == 2 and "did you mean missing-h1?" in done.stderr


def test_no_command_prints_help_and_exits_2(cli: Cli) -> None:
    done = cli()
    assert done.returncode == 2
    assert "check" in done.stdout and "explain" in done.stdout


def test_console_script_and_module_behave_the_same(site: Path) -> None:
    script = Path(sys.executable).parent / "fmlint"
    if not script.exists():
        pytest.skip(f"the fmlint console script is not installed next to {sys.executable}")
    args = ["check", "--no-cache", "--format", "json", "posts"]
    as_script = subprocess.run(
        [str(script), *args], cwd=site, capture_output=True, text=True, timeout=120, check=False
    )
    as_module = run_cli(args, cwd=site)
    assert as_script.returncode == as_module.returncode == 1
    drop = [json.loads(out) for out in (as_script.stdout, as_module.stdout)]
    for report in drop:
        report["summary"].pop("duration")
    assert drop[0] == drop[1]
    assert as_script.stderr == as_module.stderr == ""


# ------------------------------------------------------------------ baseline


def test_baseline_round_trip(site: Path, cli: Cli) -> None:
    baseline = site / "fmlint-baseline.json"
    created = cli("check", "--no-cache", "--baseline", baseline.name, "posts")
    assert created.returncode == 0, created.stderr
    assert baseline.exists()
    recorded = json.loads(baseline.read_text(encoding="utf-8"))
    count = len(recorded["findings"])
    assert count == 8
    assert f"wrote {count} finding(s) to the baseline" in created.stderr
    assert created.stdout == ""

    old = cli("check", "--no-cache", "--baseline", baseline.name, "posts")
    assert old.returncode == 0, old.stdout
    assert old.stdout.startswith("All 3 files passed") or "no findings" in old.stdout

    # a new error fails; the old ones stay hidden, even after lines move
    text = "\n" + two_errors().replace('title: "What', 'author: ""\ntitle: "What', 1)
    write(site / "posts" / "b.md", text.lstrip("\n"))
    new = cli("check", "--no-cache", "--baseline", baseline.name, "posts")
    assert new.returncode == 1
    findings, _ = parse(new.stdout)
    assert [(f["path"], f["rule"]) for f in findings] == [("posts/b.md", "FM208")]
