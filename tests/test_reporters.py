"""Every output format, fed one shared set of findings and parsed back."""

from __future__ import annotations

import dataclasses
import io
import json
import pickle
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest

from linter.findings import (
    Finding,
    Fix,
    Problem,
    RuleInfo,
    RunResult,
    Severity,
    Span,
    Totals,
    new_finding,
)
from linter.reporters import (
    REPORTERS,
    Reporter,
    ReportOptions,
    default_format,
    get_reporter,
)
from linter.reporters import gitlab as gitlab_reporter
from linter.reporters import json as json_reporter
from linter.reporters import sarif as sarif_reporter
from linter.reporters.github import escape_data, escape_property, unescape
from linter.reporters.gitlab import gitlab_issues
from linter.reporters.json import finding_json, json_document
from linter.reporters.junit import junit_tree
from linter.reporters.sarif import sarif_document
from linter.reporters.text import caret_line, printable

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared/schemas/sarif-schema-2.1.0.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def finding(
    path: str,
    line: int,
    column: int,
    rule: str,
    name: str,
    severity: Severity,
    message: str,
    *,
    end_line: int | None = None,
    end_column: int | None = None,
    subject: str = "",
) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=column,
        end_line=line if end_line is None else end_line,
        end_column=column if end_column is None else end_column,
        rule=rule,
        name=name,
        severity=severity,
        message=message,
        subject=subject,
    )


E, W = Severity.ERROR, Severity.WARNING

# One set for every reporter: errors and warnings in several files, messages
# with %, :, ",", newlines, <&>, a control character and non-ASCII text, a
# multi-line span, two identical findings, a path with a space.
FINDINGS = sorted(
    [
        finding(
            "content/a.md",
            2,
            8,
            "FM203",
            "wrong-type",
            E,
            "title: expected a string, got 1 (100% sure)",
            end_column=9,
            subject="title",
        ),
        finding(
            "content/a.md",
            3,
            2,
            "FM202",
            "unknown-field",
            W,
            "unknown field 'draft', did you mean 'drafts'?",
            end_column=7,
            subject="draft",
        ),
        finding(
            "content/a.md",
            4,
            9,
            "FM206",
            "pattern-mismatch",
            E,
            "author 'Zoë <&> 日本' does not match ^[a-z]+$",
            end_column=12,
        ),
        finding(
            "content/a.md",
            6,
            1,
            "FM109",
            "duplicate-key",
            E,
            "duplicate key 'tags' (first defined on line 5)",
        ),
        finding(
            "content/b c.md",
            1,
            1,
            "FM104",
            "missing-front-matter",
            E,
            "no front matter:\nthe file starts with '+++'\r\n(TOML)",
        ),
        finding(
            "content/b c.md",
            7,
            3,
            "FM301",
            "heading-increment",
            W,
            "heading level jumps from 1 to 3 \x07 bell",
            end_line=9,
            end_column=4,
        ),
        finding("content/c.md", 3, 1, "FM401", "image-alt", W, "image has no alt text"),
        finding("content/c.md", 3, 1, "FM401", "image-alt", W, "image has no alt text"),
        finding(
            "content/c.md",
            10,
            5,
            "FM001",
            "rule-error",
            E,
            "rule FM999 raised KeyError: 'x' \x1b[31mred",
        ),
    ],
    key=lambda f: f.sort_key,
)

RULES = {
    "FM203": RuleInfo(
        "FM203",
        "wrong-type",
        "A value has the wrong type",
        E,
        "## What it does\nChecks the type of each field.\n\n"
        "## Why is this bad?\nTemplates break.\n",
    ),
    "FM202": RuleInfo("FM202", "unknown-field", "A field the schema does not know", W, ""),
    "FM999": RuleInfo("FM999", "unused-rule", "Ran but found nothing", W, "## What it does\nX"),
}


def make_result(findings: list[Finding] | None = None, **overrides: Any) -> RunResult:
    values: dict[str, Any] = {
        "findings": list(FINDINGS if findings is None else findings),
        "files_checked": 5,
        "duration": 0.4217,
        "version": "0.1.0",
        "rules": dict(RULES),
    }
    values.update(overrides)
    return RunResult(**values)


def render(name: str, result: RunResult | None = None, **options: Any) -> str:
    stream = io.StringIO()
    get_reporter(name)(stream, ReportOptions(**options)).report(
        make_result() if result is None else result
    )
    return stream.getvalue()


def shifted(findings: list[Finding], by: int) -> list[Finding]:
    """The same findings after ``by`` lines were inserted above all of them."""
    return [
        dataclasses.replace(
            f,
            line=f.line + by,
            end_line=f.end_line + by,
            message=re.sub(r"line (\d+)", lambda m: f"line {int(m.group(1)) + by}", f.message),
        )
        for f in findings
    ]


# -- registry ---------------------------------------------------------------


def test_registry_names() -> None:
    assert set(REPORTERS) == {"text", "json", "github", "sarif", "gitlab", "junit"}
    for name, cls in REPORTERS.items():
        assert cls.name == name
        assert cls.description
        assert issubclass(cls, Reporter)
        assert get_reporter(name) is cls


def test_unknown_format_is_a_value_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'") as info:
        get_reporter("xml")
    for name in REPORTERS:
        assert name in str(info.value)
    assert get_reporter(" SARIF ") is REPORTERS["sarif"]


def test_default_format() -> None:
    assert default_format({"GITHUB_ACTIONS": "true"}) == "github"
    assert default_format({"GITHUB_ACTIONS": "false"}) == "text"
    assert default_format({}) == "text"


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_reporter_handles_an_empty_result(name: str) -> None:
    output = render(name, make_result([], files_checked=0, rules={}))
    assert output.endswith("\n")
    assert output.strip()
    if name in ("json", "sarif", "gitlab"):
        json.loads(output)
    if name == "junit":
        root = ET.fromstring(output)
        assert root.get("tests") == "0"
        assert root.get("failures") == "0"


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_reporter_handles_the_shared_findings(name: str) -> None:
    assert render(name).endswith("\n")


# -- json -------------------------------------------------------------------


def test_json_shape() -> None:
    document = json.loads(render("json"))
    assert set(document) == {"version", "files_checked", "findings", "summary"}
    assert document["version"] == "0.1.0"
    assert document["files_checked"] == 5
    assert document["findings"] == [f.to_dict() for f in FINDINGS]
    assert document["summary"] == {
        "errors": 5,
        "warnings": 4,
        "files_with_findings": 3,
        "duration": 0.422,
    }


def test_json_is_ascii() -> None:
    output = render("json")
    assert output.isascii()
    assert "\x1b" not in output


# -- github -----------------------------------------------------------------

# A property value may not contain a raw ",", ":" or line break; the message no line break.
_VALUE = r"[^,:\r\n]*"
GITHUB_LINE = re.compile(
    rf"::(?P<level>error|warning) "
    rf"file=(?P<file>{_VALUE}),line=(?P<line>[1-9]\d*)"
    rf"(?:,col=(?P<col>[1-9]\d*))?,endLine=(?P<end_line>[1-9]\d*)"
    rf"(?:,endColumn=(?P<end_col>[1-9]\d*))?,title=(?P<title>{_VALUE})"
    rf"::(?P<message>[^\r\n]*)"
)


def test_github_annotations_match_the_grammar_and_round_trip() -> None:
    lines = render("github").splitlines()
    annotations, summary = lines[:-1], lines[-1]
    assert len(annotations) == len(FINDINGS)
    assert summary == "5 errors, 4 warnings in 3 of 5 files checked (0.42 s)"
    for line, f in zip(annotations, FINDINGS, strict=True):
        match = GITHUB_LINE.fullmatch(line)
        assert match, line
        assert match["level"] == f.severity.value
        assert unescape(match["file"]) == f.path
        assert unescape(match["title"]) == f"{f.rule} {f.name}"
        assert unescape(match["message"]) == f.message
        assert int(match["line"]) == f.line
        assert int(match["end_line"]) == f.end_line
        if f.end_line == f.line:
            assert int(match["col"]) == f.column
            assert int(match["end_col"]) == f.end_column
        else:  # GitHub refuses columns on multi-line annotations
            assert match["col"] is None
            assert match["end_col"] is None


def test_github_escaping_matches_the_toolkit() -> None:
    assert escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    for text in ("%25", "%0A", "a%3A:b", "%%2C,"):
        assert unescape(escape_property(text)) == text
        assert unescape(escape_data(text)) == text


def test_github_quiet_has_no_summary() -> None:
    lines = render("github", quiet=True).splitlines()
    assert len(lines) == len(FINDINGS)
    assert all(line.startswith("::") for line in lines)


# -- sarif ------------------------------------------------------------------

LEVELS = {"none", "note", "warning", "error"}


def _sarif() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render("sarif", cwd=Path("/srv/site")))
    return document


def test_sarif_validates_against_the_official_schema() -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (CI provides it)")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    # The official file declares draft-04; validator_for honours that (draft-07 otherwise).
    validator_class = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft7Validator
    )
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    for result in (make_result(), make_result([], files_checked=0, rules={})):
        document = json.loads(render("sarif", result))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_sarif_has_what_github_code_scanning_requires() -> None:
    output = render("sarif", cwd=Path("/srv/site"))
    assert len(output.encode()) < 10 * 1024 * 1024
    document = json.loads(output)
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "fmlint"
    assert driver["version"] == "0.1.0"
    rules = driver["rules"]
    rule_ids = [rule["id"] for rule in rules]
    assert rule_ids == sorted({f.rule for f in FINDINGS})  # only rules with results, sorted
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in LEVELS
    results = run["results"]
    assert 0 < len(results) <= 25_000
    assert len(results) == len(FINDINGS)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///srv/site/"
    fingerprints = []
    for result, f in zip(results, FINDINGS, strict=True):
        assert result["ruleId"] in rule_ids
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == f.rule
        assert result["level"] == f.severity.value
        assert result["message"]["text"] == f.message
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith("/") and "://" not in uri and "\\" not in uri
        assert uri == f.path.replace(" ", "%20")
        region = location["region"]
        assert region["startLine"] == f.line >= 1
        assert region["startColumn"] == f.column >= 1
        assert region["endLine"] >= region["startLine"]
        fingerprints.append(result["partialFingerprints"]["fmlintFingerprint/v1"])
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_rule_metadata_comes_from_rule_info() -> None:
    rules = {r["id"]: r for r in _sarif()["runs"][0]["tool"]["driver"]["rules"]}
    wrong_type = rules["FM203"]
    assert wrong_type["name"] == "wrong-type"
    assert wrong_type["shortDescription"]["text"] == "A value has the wrong type"
    assert wrong_type["fullDescription"]["text"] == "Checks the type of each field."
    assert wrong_type["help"]["markdown"].startswith("## What it does")
    assert wrong_type["help"]["text"]
    assert wrong_type["defaultConfiguration"]["level"] == "error"
    # a rule the run did not describe still gets a descriptor from its finding
    assert rules["FM104"]["name"] == "missing-front-matter"
    assert "FM999" not in rules  # described but without results


# -- gitlab -----------------------------------------------------------------


def test_gitlab_code_quality_shape() -> None:
    issues = json.loads(render("gitlab"))
    assert isinstance(issues, list)
    assert len(issues) == len(FINDINGS)
    for issue, f in zip(issues, FINDINGS, strict=True):
        assert issue["description"] == f"{f.rule}: {f.message}"
        assert issue["check_name"] == f.rule
        assert issue["severity"] == {"error": "major", "warning": "minor"}[f.severity.value]
        assert issue["location"]["path"] == f.path
        assert issue["location"]["lines"]["begin"] == f.line
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])


def test_gitlab_fingerprints_are_unique_and_stable() -> None:
    first = [i["fingerprint"] for i in json.loads(render("gitlab"))]
    second = [i["fingerprint"] for i in json.loads(render("gitlab"))]
    assert first == second
    assert len(set(first)) == len(first)  # even for the two identical findings
    moved = make_result(sorted(shifted(FINDINGS, 3), key=lambda f: f.sort_key))
    assert [i["fingerprint"] for i in json.loads(render("gitlab", moved))] == first


# -- junit ------------------------------------------------------------------


def test_junit_parses_and_counts_match() -> None:
    output = render("junit")
    assert output.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert output.isascii()
    root = ET.fromstring(output)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    failing = [c for c in cases if c.find("failure") is not None]
    paths = sorted({f.path for f in FINDINGS})
    assert [c.get("name") for c in failing] == paths
    assert [c.get("file") for c in failing] == paths
    # 3 files with findings + one case standing for the 2 clean files
    assert [c.get("name") for c in cases if c.find("failure") is None] == [
        "2 files without findings"
    ]
    for element in (root, suite):
        assert element.get("tests") == str(len(cases)) == "4"
        assert element.get("failures") == "3"
        assert element.get("errors") == "0"
        assert element.get("time") == "0.422"
    for case in failing:
        failure = case.find("failure")
        assert failure is not None
        mine = [f for f in FINDINGS if f.path == case.get("name")]
        assert failure.get("type") == ",".join(sorted({f.rule for f in mine}))
        text = failure.text or ""
        assert len(text.splitlines()) == len(mine)
        for f in mine:
            assert f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity.value}]" in text
    everything = ET.tostring(root, encoding="unicode")
    assert "<&> 日本" in "".join(root.itertext())
    assert "\x07" not in everything and "\x1b" not in everything


def test_junit_uses_checked_paths_when_the_run_has_them() -> None:
    @dataclasses.dataclass
    class ResultWithPaths(RunResult):
        paths: list[str] = dataclasses.field(default_factory=list)

    base = make_result()
    result = ResultWithPaths(
        base.findings,
        5,
        base.duration,
        base.version,
        base.rules,
        paths=["content/a.md", "content/b c.md", "content/c.md", "content/d.md", "content/e.md"],
    )
    root = ET.fromstring(render("junit", result))
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases if c.find("failure") is None] == [
        "content/d.md",
        "content/e.md",
    ]
    assert root.get("tests") == "5"
    assert root.get("failures") == "3"


# -- text -------------------------------------------------------------------


def test_text_lines_start_with_an_editor_location() -> None:
    lines = render("text").splitlines()
    assert len(lines) == len(FINDINGS) + 1
    for line, f in zip(lines[:-1], FINDINGS, strict=True):
        assert line.startswith(f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity.value}] ")
    assert lines[-1] == "5 errors, 4 warnings in 3 of 5 files checked (0.42 s)"


def test_text_without_colour_has_no_escape_sequences() -> None:
    output = render("text", statistics=True)
    assert "\x1b" not in output
    assert "\x07" not in output
    assert "\\x1b[31mred" in output  # the control character in the message is made visible
    assert "\\n" in output  # so is the newline: one finding, one line


def test_text_with_colour() -> None:
    output = render("text", color=True, statistics=True)
    assert ANSI.search(output)
    assert "\x1b[31m" in output  # errors are red
    assert "\x1b[33m" in output  # warnings are yellow
    plain = ANSI.sub("", output)
    assert plain == render("text", statistics=True)


def test_text_summary_variants() -> None:
    assert render("text", make_result([])) == "All 5 files passed (0.42 s)\n"
    assert render("text", make_result([], files_checked=1)).startswith("1 file checked")
    assert render("text", make_result([], files_checked=0)).startswith("No files checked")
    assert render("text", make_result([]), quiet=True) == ""
    quiet = render("text", quiet=True).splitlines()
    assert len(quiet) == len(FINDINGS)
    one = render("text", make_result(FINDINGS[:1], files_checked=1))
    assert one.splitlines()[-1] == "1 error, 0 warnings in 1 of 1 file checked (0.42 s)"


def test_text_statistics_counts_per_code() -> None:
    lines = render("text", statistics=True, quiet=True).splitlines()[len(FINDINGS) :]
    header, rows = lines[0], lines[1:]
    assert header.split() == ["count", "code", "name"]
    counts = Counter(f.rule for f in FINDINGS)
    parsed = [row.split() for row in rows]
    assert {code: int(count) for count, code, _ in parsed} == dict(counts)
    assert [int(count) for count, _, _ in parsed] == sorted(counts.values(), reverse=True)
    assert parsed[0][1:] == ["FM401", "image-alt"]
    assert dict((code, name) for _, code, name in parsed)["FM203"] == "wrong-type"


def test_text_show_source(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(
        "---\ntitle: 1\n\tdraft: yes\nauthor: 日本語 x\n---\n", encoding="utf-8"
    )
    findings = [f for f in FINDINGS if f.path == "content/a.md"][:3]
    missing = finding("content/gone.md", 1, 1, "FM101", "unreadable-file", E, "gone")
    result = make_result([*findings, missing], files_checked=2)
    output = render("text", result, show_source=True, cwd=tmp_path)
    assert output.split("\n\n")[:3] == [
        "content/a.md:2:8: FM203 [error] title: expected a string, got 1 (100% sure)\n"
        "  2 | title: 1\n"
        "    |        ^",
        "content/a.md:3:2: FM202 [warning] unknown field 'draft', did you mean 'drafts'?\n"
        "  3 |     draft: yes\n"  # the tab is expanded to the next tab stop (4)
        "    |     ^~~~~",
        "content/a.md:4:9: FM206 [error] author 'Zoë <&> 日本' does not match ^[a-z]+$\n"
        "  4 | author: 日本語 x\n"  # wide characters take two columns
        "    |         ^~~~~~",
    ]
    # an unreadable file just has no snippet
    assert "content/gone.md:1:1: FM101 [error] gone\n3 errors" in output
    coloured = render("text", result, show_source=True, cwd=tmp_path, color=True)
    assert ANSI.sub("", coloured) == output


def test_caret_line_edge_cases() -> None:
    point = finding("x.md", 1, 50, "FM1", "n", E, "m")
    assert caret_line("short", point) == ("short", "     ^")  # past the end: at the end
    multi = finding("x.md", 1, 2, "FM1", "n", E, "m", end_line=3, end_column=1)
    assert caret_line("abc", multi) == ("abc", " ^")
    ctrl = finding("x.md", 1, 3, "FM1", "n", E, "m", end_column=5)
    assert caret_line("a\x1bbcd", ctrl) == ("a\ufffdbcd", "  ^~")


# -- large runs: streamed output is byte-identical to the document encoders ---

# Strings json escapes: non-ASCII (Khmer, an astral emoji, U+2028), control
# characters, quotes, backslashes, lone surrogates ('\udcff' is what
# os.fsdecode makes of an undecodable byte in a path).
TRICKY = sorted(
    [
        finding(
            '_posts/2020/\udcff-ក្រុង "q" \\b.md',
            3,
            5,
            "FM202",
            "unknown-field",
            E,
            '`ចំណងជើង`: "quoted" \\ back\\slash\n\r\t\b\f 😀 \u2028\u2029 </script> %',
            end_column=9,
        ),
        finding("_posts/2020/x.md", 1, 1, "FM104", "", W, "\x00\x01\x1f\x7f\x80\x9f\ud800"),
        finding("_posts/2020/x.md", 0, 0, "", "", W, "", end_line=0, end_column=0),
        finding(
            "/abs/p%ath,x:y.md", 10**6, 12, "FM1", "n\u202eme", E, "multi", end_line=2, end_column=1
        ),
        finding("C:/win/a b.md", 2, 1, "FM301", "heading-increment", E, "\r\n%0A::,", end_line=4),
        finding("", 1, 1, "FM999", "x", W, "empty path"),
    ],
    key=lambda f: f.sort_key,
)

CASES = {
    "empty": make_result([], files_checked=0, rules={}),
    "empty-of-3": make_result([], files_checked=3),
    "one": make_result(TRICKY[:1], files_checked=1),
    "shared": make_result(),
    "tricky": make_result(TRICKY, files_checked=7, duration=12.3456),
}


def json_reference(result: RunResult) -> str:
    """What the JSON reporter wrote before it streamed: json.dumps per finding dict."""
    parts = [
        f'{{"version": {json.dumps(result.version)}, '
        f'"files_checked": {result.files_checked},\n "findings": ['
    ]
    for index, f in enumerate(result.findings):
        parts.append(("\n  " if index == 0 else ",\n  ") + json.dumps(f.to_dict()))
    parts.append("\n ]," if result.findings else "],")
    summary = {
        "errors": result.errors,
        "warnings": result.warnings,
        "files_with_findings": result.files_with_findings,
        "duration": round(result.duration, 3),
    }
    parts.append(f'\n "summary": {json.dumps(summary)}}}\n')
    return "".join(parts)


def junit_reference(result: RunResult) -> str:
    root = junit_tree(result)
    ET.indent(root)
    body = ET.tostring(root, encoding="us-ascii", xml_declaration=False).decode("ascii")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_json_streamed_equals_json_dumps_byte_for_byte(case: str) -> None:
    result = CASES[case]
    output = render("json", result)
    assert output == json_reference(result)
    assert output.isascii()
    document = json.loads(output)
    assert document == json_document(result)
    assert document["findings"] == [f.to_dict() for f in result.findings]


def test_finding_json_is_json_dumps_of_to_dict() -> None:
    for f in [*TRICKY, *FINDINGS]:
        assert finding_json(f) == json.dumps(f.to_dict())
        assert json.loads(finding_json(f)) == f.to_dict()
    # values of an unexpected type go through json.dumps itself
    odd = dataclasses.replace(FINDINGS[0], line=cast(Any, 2.5), name=cast(Any, None))
    assert finding_json(odd) == json.dumps(odd.to_dict())
    assert '"line": 2.5' in finding_json(odd) and '"name": null' in finding_json(odd)


@pytest.mark.parametrize("case", sorted(CASES))
def test_sarif_streamed_equals_json_dumps_byte_for_byte(case: str) -> None:
    result = CASES[case]
    cwd = Path("/srv/site")
    expected = json.dumps(sarif_document(result, cwd), indent=2) + "\n"
    assert render("sarif", result, cwd=cwd) == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_gitlab_streamed_equals_json_dumps_byte_for_byte(case: str) -> None:
    result = CASES[case]
    assert render("gitlab", result) == json.dumps(gitlab_issues(result), indent=2) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_junit_written_as_serialised_equals_tostring(case: str) -> None:
    result = CASES[case]
    output = render("junit", result)
    assert output == junit_reference(result)
    ET.fromstring(output)


def test_streamed_formats_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    findings = sorted([*FINDINGS, *TRICKY], key=lambda f: f.sort_key)  # 15
    result = make_result(findings)
    for module in (json_reporter, sarif_reporter, gitlab_reporter):
        monkeypatch.setattr(module, "CHUNK", 4)
    assert render("json", result) == json_reference(result)
    cwd = Path("/srv/site")
    assert render("sarif", result, cwd=cwd) == (
        json.dumps(sarif_document(result, cwd), indent=2) + "\n"
    )
    assert render("gitlab", result) == json.dumps(gitlab_issues(result), indent=2) + "\n"


def test_sarif_and_gitlab_fall_back_to_json_for_values_of_an_unexpected_type() -> None:
    odd = dataclasses.replace(FINDINGS[0], line=cast(Any, 2.5), end_line=cast(Any, 3.5))
    result = make_result([odd, *FINDINGS[1:]])
    cwd = Path("/srv/site")
    sarif = render("sarif", result, cwd=cwd)
    assert sarif == json.dumps(sarif_document(result, cwd), indent=2) + "\n"
    assert '"startLine": 2.5' in sarif
    gitlab = render("gitlab", result)
    assert gitlab == json.dumps(gitlab_issues(result), indent=2) + "\n"
    assert '"begin": 2.5' in gitlab


def test_printable_escapes_exactly_the_unsafe_characters() -> None:
    bidi = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    for code in [*range(0x2100), *map(ord, bidi), 0xD800, 0xDCFF, 0xFEFF, 0x1F600]:
        char = chr(code)
        unsafe = (code < 0x20 and char != "\t") or 0x7F <= code <= 0x9F or char in bidi
        if not unsafe:
            expected = char
        elif char in "\n\r":
            expected = {"\n": "\\n", "\r": "\\r"}[char]
        elif code <= 0xFF:
            expected = f"\\x{code:02x}"
        else:
            expected = f"\\u{code:04x}"
        assert printable(f"a{char}b{char}") == f"a{expected}b{expected}", hex(code)
    plain = "nothing to escape: ក្រុង\t😀"
    assert printable(plain) is plain


def test_totals_match_the_properties() -> None:
    for result in CASES.values():
        assert result.totals() == (
            result.errors,
            result.warnings,
            result.files_with_findings,
        )
    assert make_result().totals() == Totals(errors=5, warnings=4, files_with_findings=3)


def test_findings_and_problems_are_slotted_and_still_pickle() -> None:
    f = FINDINGS[0]
    problem = Problem(1, 2, "m", subject="s", fix=Fix(Span.point(1), "x"))
    for record in (f, problem, problem.fix):
        assert not hasattr(record, "__dict__")
        assert pickle.loads(pickle.dumps(record)) == record  # parallel runs pickle them
        field = dataclasses.fields(record)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, field, 3)
        # no room for other attributes either (TypeError from CPythons without
        # the fix for python/cpython#105936, FrozenInstanceError after it)
        with pytest.raises((AttributeError, TypeError)):
            record.extra = 3  # type: ignore[union-attr]
    assert dataclasses.replace(f, line=9).sort_key == ("content/a.md", 9, 8, "FM203", f.message)
    # Span keeps its __dict__: the YAML loader makes spans by filling it directly
    assert Span.point(1).__dict__ == {"line": 1, "column": 1, "end_line": 1, "end_column": 1}


def test_new_finding_makes_a_finding_in_every_way() -> None:
    for f in FINDINGS:
        made = new_finding(*(getattr(f, name) for name in Finding.__slots__ if name != "fix"))
        assert type(made) is Finding and made == f and hash(made) == hash(f)
        assert repr(made) == repr(dataclasses.replace(f, fix=None))
        assert made.fix is None and made.sort_key == f.sort_key
        assert pickle.loads(pickle.dumps(made)) == made
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.line = 3  # type: ignore[misc]
        assert dataclasses.replace(made, line=9).line == 9
