"""FM502 filename-date-mismatch: a post's file name date is its `date` in the
site's time zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import example_text, lint, replace_field, run_cli, where

from linter.config import Config
from linter.rules.filename_date import load_timezone, parse_date
from linter.runner import Linter, UsageError

POST = "_posts/2024/2024-10-25-what-makes-south-korea.md"
DATE_LINE = 10  # `date:` in the example, value at column 7


def with_date(value: str | None) -> str:
    return replace_field(example_text(), "date", None if value is None else f"date: {value}")


def fm502(text: str, path: str = POST, timezone: str | None = None) -> list[tuple[int, int, str]]:
    rules: dict[str, dict[str, object]] | None = (
        {"FM502": {"timezone": timezone}} if timezone else None
    )
    return where(lint(text, path=path, select=["FM502"], rules=rules))


def message(text: str, path: str = POST, timezone: str | None = None) -> str:
    rules: dict[str, dict[str, object]] | None = (
        {"FM502": {"timezone": timezone}} if timezone else None
    )
    (finding,) = lint(text, path=path, select=["FM502"], rules=rules)
    return str(finding.message)


def test_the_example_under_its_date_passes() -> None:
    assert fm502(example_text()) == []
    assert fm502(example_text(), path="2024-10-25-x.markdown") == []


def test_another_date_in_the_name_is_reported_at_the_date_value() -> None:
    findings = lint(example_text(), path="_posts/2024-10-24-korea.md", select=["FM502"])
    assert where(findings) == [(DATE_LINE, 7, "FM502")]
    (finding,) = findings
    assert finding.name == "filename-date-mismatch"
    assert finding.severity == "error"
    assert finding.end_column == 7 + len("2024-10-25T08:24:49.057Z")
    assert finding.message == (
        "date 2024-10-25T08:24:49.057Z falls on 2024-10-25 in UTC, but the file name says "
        "2024-10-24: rename the file to start with 2024-10-25 or fix the date"
    )


def test_files_not_named_like_posts_are_not_checked() -> None:
    for path in (
        "post.md",
        "_posts/korea.md",
        "2024-10-24.md",
        "24-10-24-x.md",
        "2024-10-24-x.txt",
        "_drafts/2024-1-24-x.md",
    ):
        assert fm502(example_text(), path=path) == [], path


@pytest.mark.parametrize(
    ("written", "zone", "ok"),
    [
        # with an offset: converted to the time zone
        ('"2024-10-25T23:30:00-05:00"', None, False),  # 2024-10-26 04:30 UTC
        ('"2024-10-25T23:30:00-05:00"', "America/Chicago", True),  # CDT is -05:00
        ('"2024-10-25T23:30:00-05:00"', "America/New_York", False),  # 00:30 EDT on the 26th
        ("2024-10-24T20:00:00Z", "Asia/Phnom_Penh", True),  # 03:00 the next day
        ("2024-10-25T20:00:00Z", "Asia/Phnom_Penh", False),
        ("2024-10-25 08:24:49 +0700", None, True),  # Jekyll's format
        ("2024-10-25 02:00:00 +0700", None, False),  # 2024-10-24 19:00 UTC
        ("2024-10-25 2:00:00 +07:00", "Asia/Bangkok", True),
        ("2024-10-25t08:24:49.1234567z", None, True),
        ("2024-10-25 08:24:49.10 -5", None, True),  # YAML 1.1's example shape
        # without an offset: local time in the time zone, as written
        ("2024-10-25 23:59:59", "Pacific/Kiritimati", True),
        ("2024-10-25 00:00", None, True),
        ('"2024-10-25"', "Pacific/Pago_Pago", True),
        ("2024-10-25", None, True),
        ("2024-10-26", None, False),
    ],
)
def test_dates_and_time_zones(written: str, zone: str | None, ok: bool) -> None:
    found = fm502(with_date(written), timezone=zone)
    assert found == ([] if ok else [(DATE_LINE, 7, "FM502")])


def test_conversion_is_explained() -> None:
    text = with_date('"2024-10-25T23:30:00-05:00"')
    assert message(text).startswith(
        'date "2024-10-25T23:30:00-05:00" falls on 2024-10-26 in UTC, but the file name says '
        "2024-10-25"
    )
    assert "falls on 2024-10-26 (UTC local time)" in message(with_date("2024-10-26 01:00"))
    assert message(with_date("2024-10-26")).startswith("date 2024-10-26 is 2024-10-26, but")


@pytest.mark.parametrize(
    "written",
    [
        "10/01/2019 16:30",
        '"February 2, 2019"',
        "2023-13-45T08:24:49Z",
        "2024-02-30",
        "2024-10-25T25:00:00Z",
        "2024-10-25T10:00:00+25:00",
        "[2024-10-24]",
        "20241024",
        "~",
        "2024-10-24T10:00:00 UTC",
    ],
)
def test_unreadable_dates_are_left_to_the_schema(written: str) -> None:
    assert fm502(with_date(written), path="_posts/2000-01-01-x.md") == []


def test_missing_date_or_front_matter_is_not_this_rules_business() -> None:
    assert fm502(with_date(None), path="_posts/2000-01-01-x.md") == []
    assert fm502("# no front matter\n", path="_posts/2000-01-01-x.md") == []
    assert fm502("---\ndate: [\n---\n", path="_posts/2000-01-01-x.md") == []


def test_an_impossible_date_in_the_name_is_reported() -> None:
    text = message(example_text(), path="_posts/2024-02-30-x.md")
    assert "the file name starts with 2024-02-30, which is not a real date" in text


def test_parse_date() -> None:
    utc = dt.timezone.utc
    assert parse_date("2024-10-25") == dt.date(2024, 10, 25)
    assert parse_date("2024-1-5") == dt.date(2024, 1, 5)
    assert parse_date("2024-10-25T08:24:49.057Z") == dt.datetime(
        2024, 10, 25, 8, 24, 49, 57000, tzinfo=utc
    )
    assert parse_date("2024-10-25 08:24 -0130") == dt.datetime(
        2024, 10, 25, 8, 24, tzinfo=dt.timezone(dt.timedelta(hours=-1, minutes=-30))
    )
    assert parse_date(dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)
    for bad in (
        "",
        "2024",
        "2024-10",
        "x2024-10-25",
        "2024-10-25T",
        "2024-10-25T8",
        "2024-10-25T08:24:49ZZ",
        20241025,
        None,
        True,
    ):
        assert parse_date(bad) is None, bad


def test_timezone_lookup() -> None:
    assert load_timezone("UTC") is dt.timezone.utc
    assert str(load_timezone("Asia/Phnom_Penh")) == "Asia/Phnom_Penh"
    for bad in ("utc", "Asia/Phnom_Pen", "America", "../etc/passwd", "/etc/localtime", ""):
        with pytest.raises(ValueError, match="time zone"):
            load_timezone(bad)
    with pytest.raises(ValueError, match="did you mean 'Asia/Phnom_Penh'"):
        load_timezone("Asia/Phnom_Pen")


def test_an_unknown_timezone_is_a_usage_error_before_any_file(tmp_path: Path) -> None:
    config = Config(root=tmp_path, rules={"FM502": {"timezone": "Mars/Olympus"}})
    with pytest.raises(UsageError, match=r"rules\.FM502\.timezone.*Mars/Olympus"):
        Linter(config, cwd=tmp_path)
    # not when the rule is off
    Linter(
        Config(root=tmp_path, rules={"FM502": {"timezone": "Mars/Olympus", "severity": "off"}}),
        cwd=tmp_path,
    )


def test_cli_reports_an_unknown_timezone_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".fmlint.toml").write_text(
        '[rules.filename-date-mismatch]\ntimezone = "Asia/Phnom_Pen"\n', encoding="utf-8"
    )
    (tmp_path / "2024-10-25-x.md").write_text(example_text(), encoding="utf-8")
    done = run_cli(["check", "--no-cache", "."], cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown time zone 'Asia/Phnom_Pen'" in done.stderr
    assert "did you mean 'Asia/Phnom_Penh'" in done.stderr
    assert "Traceback" not in done.stderr
