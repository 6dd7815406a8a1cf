"""FM503 code-timestamp-invalid: ART + yyMMddHHmm must be a real moment."""

from __future__ import annotations

import pytest
from conftest import example_text, lint, replace_field, where

from linter.rules.code_timestamp import timestamp_errors

CODE_LINE = 3  # `code:` in the example, value at column 7


def with_code(value: str, key: str = "code") -> str:
    return replace_field(example_text(), key, f"{key}: {value}")


def fm503(text: str, **options: str) -> list[tuple[int, int, str]]:
    rules: dict[str, dict[str, object]] | None = {"FM503": dict(options)} if options else None
    return where(lint(text, select=["FM503"], rules=rules))


def test_the_example_passes() -> None:
    assert fm503(example_text()) == []


def test_february_30_is_reported_at_the_value() -> None:
    findings = lint(with_code('"ART2402301545HNYP99"'), select=["FM503"])
    assert where(findings) == [(CODE_LINE, 7, "FM503")]
    (finding,) = findings
    assert finding.name == "code-timestamp-invalid"
    assert finding.severity == "error"
    assert finding.end_column == 7 + len('"ART2402301545HNYP99"')
    assert finding.message == (
        'code "ART2402301545HNYP99" embeds the timestamp 2402301545 (yyMMddHHmm: '
        "24-02-30 15:45), which is not a real date and time: February 2024 has 29 days, not 30"
    )


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("ART2402291545HNYP99", True),  # 2024 is a leap year
        ("ART2302291545HNYP99", False),  # 2023 is not
        ("ART0002291545HNYP99", True),  # 2000 is
        ("ART2404311545HNYP99", False),  # April has 30 days
        ("ART2412312359HNYP99", True),
        ("ART2401010000HNYP99", True),
        ("ART2413011545HNYP99", False),  # month 13
        ("ART2400011545HNYP99", False),  # month 00
        ("ART2401001545HNYP99", False),  # day 00
        ("ART2401322400HNYP99", False),  # day 32 and hour 24
        ("ART2401012400HNYP99", False),  # hour 24
        ("ART2401011260HNYP99", False),  # minute 60
    ],
)
def test_calendar(code: str, ok: bool) -> None:
    assert fm503(with_code(f'"{code}"')) == ([] if ok else [(CODE_LINE, 7, "FM503")])
    assert fm503(with_code(code)) == ([] if ok else [(CODE_LINE, 7, "FM503")])  # plain


def test_every_problem_is_named() -> None:
    assert timestamp_errors("2413322460") == [
        "month 13 does not exist",
        "hour 24 does not exist (00-23)",
        "minute 60 does not exist (00-59)",
    ]
    assert timestamp_errors("2400001200") == ["month 00 does not exist"]
    assert timestamp_errors("2402000000") == ["day 00 does not exist"]
    assert timestamp_errors("2504310000") == ["April 2025 has 30 days, not 31"]
    assert timestamp_errors("9912312359") == []


FULL_WIDTH = "".join(chr(0xFF10 + int(d)) for d in "2402301545")  # looks like digits


@pytest.mark.parametrize(
    "value",
    [
        '"ART24023015"',
        '"ARC2402301545HNYP99"',
        '"art2402301545HNYP99"',
        '"ART24O2301545HNYP99"',
        f'"ART{FULL_WIDTH}HNYP99"',
        "12345",
        "true",
        "[ART2402301545HNYP99]",
        '""',
        "~",
    ],
)
def test_codes_of_another_shape_are_left_to_the_schema(value: str) -> None:
    assert fm503(with_code(value)) == []


def test_surrounding_spaces_are_ignored() -> None:
    assert fm503(with_code('"  ART2402301545HNYP99 "')) == [(CODE_LINE, 7, "FM503")]


def test_field_and_prefix_options() -> None:
    text = with_code('"ID-2402301545"').replace("layout: post", 'ref: "NEWS2402301545X"')
    assert fm503(text) == []
    assert fm503(text, prefix="ID-") == [(CODE_LINE, 7, "FM503")]
    assert fm503(text, field="ref", prefix="NEWS") == [(2, 6, "FM503")]
    assert fm503(text, field="missing") == []


def test_no_front_matter_is_not_this_rules_business() -> None:
    assert fm503("# just a body\n") == []
    assert fm503("---\ncode: [\n---\n") == []
