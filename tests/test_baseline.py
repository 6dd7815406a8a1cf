"""Baselines: record findings, report only new ones, survive line moves."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from linter.baseline import (
    Baseline,
    BaselineError,
    fingerprint,
    load_baseline,
    occurrence_fingerprints,
    write_baseline,
)
from linter.findings import Finding, Severity


def make(
    path: str = "content/a.md",
    line: int = 3,
    rule: str = "FM202",
    message: str = "unknown field 'draft'",
    subject: str = "",
    column: int = 1,
) -> Finding:
    return Finding(
        path, line, column, line, column + 1, rule, "some-rule", Severity.ERROR, message, subject
    )


OLD = [
    make(subject="draft"),
    make(line=6, rule="FM109", message="duplicate key 'tags' (first defined on line 5)"),
    make(path="content/b.md", line=1, rule="FM104", message="no front matter"),
]


def test_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "fmlint-baseline.json"
    write_baseline(target, OLD)
    baseline = load_baseline(target)
    assert len(baseline) == len(OLD)
    assert baseline.filter_new(OLD) == []
    assert baseline.unmatched(OLD) == []
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["version"] == 1
    entries = document["findings"]
    assert [set(e) for e in entries] == [{"path", "rule", "fingerprint", "message"}] * 3
    keys = [(e["path"], e["rule"], e["fingerprint"], e["message"]) for e in entries]
    assert keys == sorted(keys)
    assert {e["fingerprint"] for e in entries} == {fingerprint(f) for f in OLD}
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left


def test_write_replaces_an_existing_baseline(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    write_baseline(target, OLD)
    write_baseline(target, OLD[:1])
    assert len(load_baseline(target)) == 1
    assert len(list(tmp_path.iterdir())) == 1


def test_a_new_finding_is_reported(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    write_baseline(target, OLD)
    new = make(path="content/c.md", rule="FM201", message="missing required field 'title'")
    same_rule_other_subject = make(subject="drafts", message="unknown field 'drafts'")
    assert load_baseline(target).filter_new([*OLD, new, same_rule_other_subject]) == [
        new,
        same_rule_other_subject,
    ]


def test_an_old_finding_moved_to_another_line_still_matches(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    write_baseline(target, OLD)
    moved = [
        dataclasses.replace(OLD[0], line=13, end_line=13, column=4, end_column=9),
        make(line=16, rule="FM109", message="duplicate key 'tags' (first defined on line 15)"),
        dataclasses.replace(OLD[2], line=2, end_line=2),
    ]
    assert [fingerprint(f) for f in moved] == [fingerprint(f) for f in OLD]
    assert load_baseline(target).filter_new(moved) == []


def test_fingerprint_ignores_positions_written_in_messages() -> None:
    def fp(message: str) -> str:
        return fingerprint(make(message=message))

    assert fp("x (lines 3 and 7)") == fp("x (lines 12 and 19)")
    assert fp("x, see column 4") == fp("x, see column 40")
    assert fp("also in other.md:3:5") == fp("also in other.md:30:1")
    assert fp("length 120 > 100") != fp("length 12 > 10")  # values are not positions
    assert fingerprint(make(path="a.md")) != fingerprint(make(path="b.md"))
    assert fingerprint(make(rule="FM201")) != fingerprint(make(rule="FM202"))
    # with a subject the message does not matter
    assert fingerprint(make(subject="k", message="a")) == fingerprint(
        make(subject="k", message="b")
    )


def test_identical_findings_are_matched_as_a_multiset(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    twin = make(rule="FM401", message="image has no alt text")
    write_baseline(target, [twin])
    baseline = load_baseline(target)
    assert baseline.filter_new([twin, twin]) == [twin]
    assert baseline.filter_new([twin, twin]) == [twin]  # filter_new does not consume
    write_baseline(target, [twin, twin])
    assert len(json.loads(target.read_text())["findings"]) == 2
    assert load_baseline(target).filter_new([twin, twin]) == []
    assert load_baseline(target).filter_new([twin, twin, twin]) == [twin]


def test_unmatched_lists_fixed_findings() -> None:
    baseline = Baseline.from_findings(OLD)
    assert [e.fingerprint for e in baseline.unmatched(OLD[1:])] == [fingerprint(OLD[0])]


def test_occurrence_fingerprints_tell_twins_apart() -> None:
    twin = make()
    values = occurrence_fingerprints([twin, twin, OLD[2]])
    assert len(set(values)) == 3
    assert occurrence_fingerprints([twin, twin, OLD[2]]) == values


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("[]", "the top level is a list"),
        ('{"findings": []}', "unsupported version None"),
        ('{"version": 2, "findings": []}', "unsupported version 2"),
        ('{"version": true, "findings": []}', "unsupported version True"),
        ('{"version": 1}', '"findings" is missing or not a list'),
        ('{"version": 1, "findings": {}}', '"findings" is missing or not a list'),
        ('{"version": 1, "findings": [3]}', r"findings\[0\] is a int"),
        (
            '{"version": 1, "findings": [{"path": "a.md", "rule": "FM1"}]}',
            r"findings\[0\]\.fingerprint is missing",
        ),
        (
            '{"version": 1, "findings": [{"path": "a", "rule": "R", "fingerprint": "f", '
            '"message": 1}]}',
            r"findings\[0\]\.message is not a string",
        ),
    ],
)
def test_a_corrupt_baseline_is_a_baseline_error(tmp_path: Path, content: str, detail: str) -> None:
    target = tmp_path / "baseline.json"
    target.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=detail) as info:
        load_baseline(target)
    assert str(target) in str(info.value)


def test_a_missing_or_undecodable_baseline_is_a_baseline_error(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="not found"):
        load_baseline(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe{")
    with pytest.raises(BaselineError, match="cannot read"):
        load_baseline(bad)
