"""The schema step: bundled schemas, SchemaValidator's findings, SchemaError."""

from __future__ import annotations

import io
import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema.validators
import pytest

from linter.findings import Problem, Span
from linter.schema import (
    SchemaError,
    SchemaValidator,
    bundled_schema_path,
    date_time_hint,
    is_date_time,
    is_email,
    is_uri,
    make_format_checker,
    suggest_key,
    suggest_value,
)
from linter.yaml_loader import load_front_matter

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "seed-article.md"
SCHEMAS = REPO / "schemas"
FM_LINE = 1  # where validate() is told the front matter starts


@pytest.fixture(scope="module")
def validator() -> SchemaValidator:
    return SchemaValidator(bundled_schema_path())


def split(text: str) -> tuple[str, int]:
    """The YAML between the fences and the file line it starts on."""
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    return "\n".join(lines[1:end]) + "\n", 2


def example(**fields: str | None) -> str:
    """The example article with front-matter lines replaced (``key="key: value"``),
    removed (``key=None``) or appended (keys not in the example)."""
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)
    head, rest = lines[1:end], lines[end:]
    for key, line in fields.items():
        at = next((i for i, text in enumerate(head) if text.startswith(f"{key}:")), None)
        if at is None:
            assert line is not None
            head.append(line)
        elif line is None:
            del head[at]
        else:
            head[at] = line
    return "\n".join(["---", *head, *rest])


def check(text: str, validator: SchemaValidator) -> list[Problem]:
    yaml_text, first = split(text)
    loaded = load_front_matter(yaml_text, first)
    assert loaded.data is not None, loaded.problems
    return validator.validate(loaded.data, loaded.positions, FM_LINE)


def one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def span(p: Problem) -> Span:
    assert p.end_line is not None and p.end_column is not None
    return Span(p.line, p.column, p.end_line, p.end_column)


def line_of(text: str, prefix: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith(prefix))


# ---------------------------------------------------------------- the bundled schemas


def test_bundled_schemas_are_valid_2020_12_and_documented() -> None:
    article = json.loads((SCHEMAS / "article.schema.json").read_text(encoding="utf-8"))
    iso = json.loads((SCHEMAS / "iso639-1.schema.json").read_text(encoding="utf-8"))
    for schema in (article, iso):
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.validators.Draft202012Validator.check_schema(schema)
    assert bundled_schema_path() == SCHEMAS / "article.schema.json"
    assert article["additionalProperties"] is False
    assert set(article["required"]) == {
        "layout",
        "code",
        "origin_url",
        "title",
        "category",
        "language",
        "date",
    }
    for name, prop in article["properties"].items():
        assert prop.get("description"), name
    assert article["properties"]["language"]["$ref"] == "iso639-1.schema.json"
    # $ids share a base, so the relative $ref names the sibling's $id
    assert iso["$id"] == article["$id"].replace("article.schema.json", "iso639-1.schema.json")


def test_iso_639_1_list_is_the_real_one() -> None:
    codes = json.loads((SCHEMAS / "iso639-1.schema.json").read_text(encoding="utf-8"))["enum"]
    assert len(codes) == len(set(codes)) == 184  # the 183 current codes and the deprecated bh
    assert codes == sorted(codes)
    assert all(re.fullmatch("[a-z]{2}", c) for c in codes)
    assert {"km", "en", "zh", "ja", "ko", "vi", "th", "fr", "de", "no", "bh"} <= set(codes)
    assert not {"kh", "jp", "cn", "gr", "dk", "cz", "ua", "vn"} & set(codes)
    # cross-check with Debian's iso-codes when it is installed
    xml = Path("/usr/share/xml/iso-codes/iso_639-2.xml")
    if xml.exists():
        found = set(re.findall(r'iso_639_1_code="([a-z]{2})"', xml.read_text(encoding="utf-8")))
        assert found == set(codes)


def test_example_article_is_clean(validator: SchemaValidator) -> None:
    assert check(EXAMPLE.read_text(encoding="utf-8"), validator) == []


def test_example_with_tags_and_author_is_clean(validator: SchemaValidator) -> None:
    text = example(tags='tags: ["politics", "trade"]', author="author: Sok Chea")
    assert check(text, validator) == []
    text = example(tags="tags:\n  - politics\n  - trade")
    assert check(text, validator) == []


# ---------------------------------------------------------------- one test per FM2xx


def test_fm201_missing_required_field(validator: SchemaValidator) -> None:
    p = one(check(example(code=None), validator))
    assert p.code == "FM201"
    assert p.subject == "code"
    assert (p.line, p.column) == (FM_LINE, 1)
    assert p.message == (
        "missing required field `code` (expected: ART + yyMMddHHmm + 6 uppercase letters or digits)"
    )


def test_fm201_one_problem_per_missing_field(validator: SchemaValidator) -> None:
    problems = check(example(code=None, date=None, title=None), validator)
    assert [(p.code, p.subject) for p in problems] == [
        ("FM201", "code"),
        ("FM201", "date"),
        ("FM201", "title"),
    ]


def test_fm202_unknown_field_did_you_mean(validator: SchemaValidator) -> None:
    text = example(title=None, tilte='tilte: "What makes South Korea a great partner?"')
    problems = check(text, validator)
    unknown = [p for p in problems if p.code == "FM202"]
    p = one(unknown)
    assert p.message == "`tilte`: unknown field; did you mean `title`?"
    assert p.subject == "tilte"
    n = line_of(text, "tilte:")
    assert span(p) == Span(n, 1, n, 6)  # the key, not the value
    assert [q.code for q in problems if q is not p] == ["FM201"]  # title is missing too


def test_fm202_unknown_field_lists_allowed_fields(validator: SchemaValidator) -> None:
    p = one(check(example(zzz="zzz: 1"), validator))
    assert p.code == "FM202"
    assert p.message.startswith("`zzz`: unknown field; allowed fields: layout, code, origin_url")
    assert "author" in p.message


def test_fm203_wrong_type(validator: SchemaValidator) -> None:
    text = example(tags='tags: "politics"')
    p = one(check(text, validator))
    assert p.code == "FM203"
    assert p.subject == "tags"
    assert p.message == '`tags` should be an array, found a string ("politics")'
    n = line_of(text, "tags:")
    assert span(p) == Span(n, 7, n, 17)


def test_fm203_one_finding_for_enum_and_type(validator: SchemaValidator) -> None:
    p = one(check(example(category='category: ["OPINION", "WORLD"]'), validator))
    assert p.code == "FM203"
    assert p.message == (
        '`category` should be a string, found an array of 2 items (["OPINION", "WORLD"])'
    )


def test_fm203_no_value(validator: SchemaValidator) -> None:
    p = one(check(example(language="language:"), validator))
    assert p.code == "FM203"
    assert p.message == (
        "`language` has no value (expected: an ISO 639-1 language code such as en or km)"
    )


def test_fm204_yaml_bool(validator: SchemaValidator) -> None:
    text = example(language="language: no")
    p = one(check(text, validator))  # not also FM203 (type) and FM207 (enum)
    assert p.code == "FM204"
    assert p.subject == "language"
    assert p.message == (
        '`language`: YAML read the unquoted `no` as the boolean false; quote it: language: "no"'
    )
    n = line_of(text, "language:")
    assert span(p) == Span(n, 11, n, 13)


@pytest.mark.parametrize(
    ("line", "read"),
    [
        ("title: 0123", "the integer 83 (an octal number)"),
        ("title: 1:20", "the integer 80 (a base-60 number)"),
        ("title: 0x1F", "the integer 31 (a hexadecimal number)"),
        ("title: 12345", "the integer 12345"),
        ("title: 1.5", "the number 1.5"),
        ("title: .inf", "the number infinity"),
        ("title: null", "null (no value)"),
        ("title: ~", None),  # no value at all is not a quoting matter
        ("description: yes", "the boolean true"),
        ("description: Off", "the boolean false"),
    ],
)
def test_fm204_yaml_scalars(validator: SchemaValidator, line: str, read: str | None) -> None:
    key, source = line.split(": ")
    p = one(check(example(**{key: line}), validator))
    if read is None:
        assert p.code == "FM203"
        return
    assert p.code == "FM204"
    assert p.message == (
        f'`{key}`: YAML read the unquoted `{source}` as {read}; quote it: {key}: "{source}"'
    )


def test_fm204_when_quoting_would_not_be_enough(validator: SchemaValidator) -> None:
    p = one(check(example(category="category: yes"), validator))
    assert p.code == "FM204"
    assert p.message == (
        "`category`: YAML read the unquoted `yes` as the boolean true; a string is expected "
        "(the section: OPINION, NATIONAL, BUSINESS, SPORT, WORLD or LIFESTYLE)"
    )


def test_fm204_list_item(validator: SchemaValidator) -> None:
    text = example(tags="tags: [politics, yes]")
    p = one(check(text, validator))
    assert p.code == "FM204"
    assert p.subject == "tags.1"
    assert (
        p.message == '`tags[1]`: YAML read the unquoted `yes` as the boolean true; quote it: "yes"'
    )
    n = line_of(text, "tags:")
    assert span(p) == Span(n, 18, n, 21)


def test_fm204_quoted_value_is_a_type_error(validator: SchemaValidator) -> None:
    # a list with a quoted string is not a YAML coercion: FM203
    p = one(check(example(title='title: ["12345"]'), validator))
    assert p.code == "FM203"


def test_fm204_without_type_in_the_schema(tmp_path: Path) -> None:
    # jsonschema ignores a bool under "pattern"; fmlint still says what YAML did
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"properties": {"language": {"pattern": "^[a-z]{2}$"}}}))
    loaded = load_front_matter("language: no\n", 2)
    p = one(SchemaValidator(schema).validate(loaded.data, loaded.positions, 1))
    assert p.code == "FM204"
    assert p.message == (
        '`language`: YAML read the unquoted `no` as the boolean false; quote it: language: "no"'
    )
    assert (p.line, p.column) == (2, 11)


def test_fm205_date_time(validator: SchemaValidator) -> None:
    text = example(date="date: 2024-13-45T08:24:49Z")
    p = one(check(text, validator))
    assert p.code == "FM205"
    assert p.subject == "date"
    assert p.message == (
        '`date`: "2024-13-45T08:24:49Z" is not a valid RFC 3339 date-time: there is no month 13 '
        "(expected e.g. 2024-10-25T08:24:49Z)"
    )
    n = line_of(text, "date:")
    assert span(p) == Span(n, 7, n, 27)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ('"2024-02-30T00:00:00Z"', "February 2024 has no day 30"),
        ("25/10/2024 08:24", "write the date as year-month-day (YYYY-MM-DD)"),
        ('"October 25, 2024"', "write the date in digits, year-month-day"),
        ("2024-10-25T08:24:49.000+0700", "write the offset as +07:00"),
        (
            "2024-10-25T08:24:49",
            "the time zone is missing (Z for UTC, or an offset such as +07:00)",
        ),
        ("2024-10-25", "the time and the time zone are missing"),
        ("2024-10-25T25:00:00Z", "25:00:00 is not a time of day"),
    ],
)
def test_fm205_date_time_hints(validator: SchemaValidator, value: str, hint: str) -> None:
    p = one(check(example(date=f"date: {value}"), validator))
    assert p.code == "FM205"
    assert f"is not a valid RFC 3339 date-time: {hint} (expected e.g." in p.message


def test_fm205_uri(validator: SchemaValidator) -> None:
    p = one(check(example(origin_url='origin_url: "www.phnompenhpost.com/national/x"'), validator))
    assert p.code == "FM205"
    assert p.message == (
        '`origin_url`: "www.phnompenhpost.com/national/x" is not a valid URI: the scheme is '
        "missing (https://) (expected e.g. https://example.com/page)"
    )


def test_fm206_pattern_uses_the_description(validator: SchemaValidator) -> None:
    text = example(code='code: "ARC2410171545HNYP99"')
    p = one(check(text, validator))
    assert p.code == "FM206"
    assert p.subject == "code"
    assert p.message == (
        '`code`: "ARC2410171545HNYP99" does not have the expected form: '
        "ART + yyMMddHHmm + 6 uppercase letters or digits"
    )
    assert "[0-9]" not in p.message
    n = line_of(text, "code:")
    assert span(p) == Span(n, 7, n, 28)


def test_fm206_pattern_hints(validator: SchemaValidator) -> None:
    p = one(check(example(code='code: "art2410171545hnyp99"'), validator))
    assert p.message.endswith("; it would match in uppercase")
    p = one(check(example(code='code: " ART2410171545HNYP99"'), validator))
    assert p.message.endswith("; remove the spaces around it")


def test_fm206_pattern_falls_back_to_the_regex(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"properties": {"slug": {"pattern": "^[a-z-]+$"}}}))
    v = SchemaValidator(schema)
    p = one(v.validate({"slug": "Hello World"}, {}, 3))
    assert (p.code, p.line, p.column) == ("FM206", 3, 1)  # no position known: the front matter
    assert p.message == '`slug`: "Hello World" does not have the pattern ^[a-z-]+$'


def test_fm206_image_must_be_https(validator: SchemaValidator) -> None:
    p = one(check(example(image='image: "http://example.com/a.jpg"'), validator))
    assert p.code == "FM206"
    assert "starting with https://" in p.message


def test_fm207_enum_did_you_mean(validator: SchemaValidator) -> None:
    text = example(category='category: "opinion"')
    p = one(check(text, validator))
    assert p.code == "FM207"
    assert p.subject == "category"
    assert p.message == (
        '`category`: "opinion" is not one of OPINION, NATIONAL, BUSINESS, SPORT, WORLD, '
        'LIFESTYLE; did you mean "OPINION"?'
    )
    n = line_of(text, "category:")
    assert span(p) == Span(n, 11, n, 20)


def test_fm207_enum_without_a_guess(validator: SchemaValidator) -> None:
    p = one(check(example(category='category: "GOSSIP"'), validator))
    assert p.message == (
        '`category`: "GOSSIP" is not one of OPINION, NATIONAL, BUSINESS, SPORT, WORLD, LIFESTYLE'
    )


@pytest.mark.parametrize(
    ("value", "guess"),
    [
        ("kh", "km"),
        ("jp", "ja"),
        ("cn", "zh"),
        ("gr", "el"),
        ("dk", "da"),
        ("cz", "cs"),
        ("ua", "uk"),
        ("vn", "vi"),
        ("EN", "en"),
        ("english", "en"),
        ("Khmer", "km"),
        ("eng", "en"),
        ("en-US", "en"),
        ("zh_CN", "zh"),
    ],
)
def test_fm207_language_did_you_mean(validator: SchemaValidator, value: str, guess: str) -> None:
    p = one(check(example(language=f'language: "{value}"'), validator))
    assert p.code == "FM207"
    assert p.message == (
        f'`language`: "{value}" is not an ISO 639-1 language code; did you mean "{guess}"?'
    )


def test_fm207_long_enum_is_not_listed(validator: SchemaValidator) -> None:
    p = one(check(example(language='language: "xx"'), validator))
    assert p.message == '`language`: "xx" is not an ISO 639-1 language code'


def test_fm207_const_and_single_value_enum(validator: SchemaValidator, tmp_path: Path) -> None:
    p = one(check(example(layout="layout: page"), validator))
    assert (p.code, p.message) == ("FM207", '`layout`: "page" should be "post"')
    schema = tmp_path / "c.json"
    schema.write_text(json.dumps({"properties": {"kind": {"const": "news"}}}))
    p = one(SchemaValidator(schema).validate({"kind": "blog"}, {}, 1))
    assert (p.code, p.message) == ("FM207", '`kind`: "blog" should be "news"')


def test_fm208_empty_string(validator: SchemaValidator) -> None:
    p = one(check(example(title='title: ""'), validator))
    assert (p.code, p.subject, p.message) == ("FM208", "title", "`title` must not be empty")


def test_fm208_duplicate_item_points_at_the_duplicate(validator: SchemaValidator) -> None:
    text = example(tags="tags:\n  - trade\n  - politics\n  - trade")
    p = one(check(text, validator))
    assert p.code == "FM208"
    assert p.message == '`tags` has a duplicate item "trade"'
    n = text.split("\n").index("  - politics") + 2
    assert span(p) == Span(n, 5, n, 10)


def test_fm208_other_keywords(tmp_path: Path) -> None:
    schema = tmp_path / "n.json"
    schema.write_text(
        json.dumps(
            {
                "properties": {
                    "n": {"type": "integer", "minimum": 1},
                    "xs": {"type": "array", "minItems": 1, "maxItems": 2},
                    "s": {"type": "string", "maxLength": 3},
                }
            }
        )
    )
    v = SchemaValidator(schema)
    problems = v.validate({"n": 0, "xs": [], "s": "abcd"}, {}, 1)
    assert sorted((p.code, p.message) for p in problems) == [
        ("FM208", "`n` is 0; it must be at least 1"),
        ("FM208", "`s` is too long: 4 characters, at most 3 allowed"),
        ("FM208", "`xs` must not be an empty list"),
    ]


def test_any_of_reports_the_most_relevant_branch(tmp_path: Path) -> None:
    schema = tmp_path / "a.json"
    schema.write_text(
        json.dumps(
            {
                "properties": {
                    "when": {
                        "anyOf": [
                            {"type": "string", "format": "date-time"},
                            {"type": "string", "format": "date"},
                        ]
                    },
                    "size": {
                        "oneOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+px$"}]
                    },
                }
            }
        )
    )
    v = SchemaValidator(schema)
    problems = v.validate({"when": "25/10/2024", "size": "12em"}, {}, 1)
    assert [(p.code, p.subject) for p in problems] == [("FM205", "when"), ("FM206", "size")]
    assert all("\n" not in p.message and "anyOf" not in p.message for p in problems)
    assert problems[1].message == '`size`: "12em" does not have the pattern ^[0-9]+px$'


def test_problems_are_sorted_and_all_have_codes(validator: SchemaValidator) -> None:
    text = example(
        code=None,
        category='category: "opinion"',
        language="language: no",
        tags='tags: "x"',
        foo="foo: 1",
    )
    problems = check(text, validator)
    assert [p.code for p in problems] == ["FM201", "FM207", "FM204", "FM203", "FM202"]
    assert problems == sorted(problems, key=lambda p: (p.line, p.column))


# ---------------------------------------------------------------- the fast path

VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    1.5,
    -3,
    "",
    " ",
    "x",
    "OPINION",
    "opinion",
    "en",
    "km",
    "kh",
    "no",
    "post",
    "page",
    "ART2410171545HNYP99",
    "art2410171545hnyp99",
    "https://example.com/a",
    "http://example.com/a",
    "www.example.com",
    "2024-10-25T08:24:49Z",
    "2024-02-30T00:00:00Z",
    [],
    ["a"],
    ["a", "a"],
    ["a", ""],
    ["a", 1],
    [None],
    [["a"]],
    {},
    {"a": 1},
]


def test_fast_check_agrees_with_jsonschema(validator: SchemaValidator) -> None:
    fast = validator.fast_check
    assert fast is not None  # the bundled schema is compiled
    loaded = load_front_matter(split(EXAMPLE.read_text(encoding="utf-8"))[0], 2)
    base: dict[str, Any] = loaded.data
    variants: list[Any] = [base, {}, [], None, "x", {**base, "extra": 1}]
    for key in [*base, "tags", "author", "extra"]:
        variants.append({k: v for k, v in base.items() if k != key})
        variants.extend({**base, key: value} for value in VALUES)
    for data in variants:
        assert fast(data) == validator._validator.is_valid(data), data
        if fast(data):
            assert validator.validate(data, {}, 1) == []
        else:
            assert validator.validate(data, {}, 1) != []


def test_fast_check_is_never_wrong_about_validity(tmp_path: Path) -> None:
    # values that the fast check cannot decide exactly must go to jsonschema
    schema = tmp_path / "mixed.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {
                    "n": {"enum": [1, "one", None, True]},
                    "c": {"const": 1.0},
                    "u": {"type": "array", "uniqueItems": True},
                    "i": {"type": "integer"},
                    "t": {"type": ["string", "null"], "maxLength": 2},
                },
                "additionalProperties": {"type": "string"},
            }
        )
    )
    v = SchemaValidator(schema)
    fast = v.fast_check
    assert fast is not None
    for key in ("n", "c", "u", "i", "t", "other"):
        for value in [*VALUES, [1, 1.0], [1, True], [{"a": 1}, {"a": 1}], 2.0]:
            data = {key: value}
            valid = v._validator.is_valid(data)
            assert not fast(data) or valid, data
            assert (v.validate(data, {}, 1) == []) is valid, data
    assert fast({"n": "one", "t": None, "i": 3, "other": "x", "u": ["a", "b"]})


def test_no_fast_check_for_other_keywords(tmp_path: Path) -> None:
    schema = tmp_path / "any.json"
    schema.write_text(json.dumps({"properties": {"a": {"anyOf": [{"type": "string"}]}}}))
    v = SchemaValidator(schema)
    assert v.fast_check is None
    assert v.validate({"a": "x"}, {}, 1) == []
    assert one(v.validate({"a": 1}, {}, 1)).code == "FM203"
    recursive = tmp_path / "rec.json"
    recursive.write_text(json.dumps({"properties": {"child": {"$ref": "#"}}}))
    v = SchemaValidator(recursive)
    assert v.fast_check is None
    assert v.validate({"child": {"child": {}}}, {}, 1) == []


# ---------------------------------------------------------------- the corpus defects

SCHEMA_KINDS = {
    "missing_required_field": {"FM201"},
    "wrong_type": {"FM203", "FM204"},
    "malformed_date": {"FM205"},
    "bad_origin_url": {"FM205", "FM206"},
    "bad_language": {"FM207"},
    "bad_category": {"FM207"},
    "bad_code": {"FM206"},
    "yaml_bool_coercion": {"FM204"},
}


def test_corpus_defects(corpus: Path, validator: SchemaValidator) -> None:
    truth = json.loads((corpus / "defects.json").read_text(encoding="utf-8"))
    defects = {d["path"]: d for d in truth["defects"]}
    seen: set[str] = set()
    checked = 0
    for path in sorted(corpus.glob("_posts/**/*.md")):
        rel = path.relative_to(corpus).as_posix()
        defect = defects.get(rel)
        kind = defect["kind"] if defect else None
        if kind in ("yaml_syntax_error", "unclosed_front_matter"):
            continue
        text = path.read_text(encoding="utf-8")
        problems = check(text, validator)
        checked += 1
        data = load_front_matter(*split(text)).data
        assert validator.fast_check is not None
        assert validator.fast_check(data) is (problems == []), rel
        if kind in SCHEMA_KINDS:
            assert defect is not None
            seen.add(kind)
            p = one(problems)
            assert p.code in SCHEMA_KINDS[kind], (rel, defect, p)
            if kind == "wrong_type":  # a bare number for the title is a YAML coercion
                assert p.code == ("FM204" if defect["detail"].startswith("title:") else "FM203")
            assert p.subject == defect["field"], (rel, p)
            assert p.line == (defect["line"] or FM_LINE), (rel, defect, p)
        elif kind == "bad_image_url" and defect is not None and defect["field"] == "image":
            assert [q.code for q in problems] in (["FM205"], ["FM206"]), (rel, problems)
        else:
            assert problems == [], (rel, kind, problems)
    assert seen == set(SCHEMA_KINDS)
    assert checked > 500


# ---------------------------------------------------------------- schema errors


def test_invalid_schema_says_where(tmp_path: Path) -> None:
    schema = tmp_path / "bad.schema.json"
    schema.write_text(json.dumps({"properties": {"a": {"type": "strng"}}}))
    with pytest.raises(SchemaError) as info:
        SchemaValidator(schema)
    message = str(info.value)
    assert message.startswith(f"{schema}: invalid schema at $.properties.a.type: ")
    assert "'strng' is not one of" in message


def test_invalid_regex_in_schema(tmp_path: Path) -> None:
    schema = tmp_path / "re.json"
    schema.write_text(json.dumps({"properties": {"a": {"pattern": "("}}}))
    with pytest.raises(
        SchemaError, match=r"re\.json: invalid schema at \$\.properties\.a\.pattern"
    ):
        SchemaValidator(schema)


def test_invalid_json_says_line_and_column(tmp_path: Path) -> None:
    schema = tmp_path / "broken.json"
    schema.write_text('{"type": "object",\n "properties": {,}}')
    with pytest.raises(SchemaError, match=r"broken\.json:2:17: invalid JSON: "):
        SchemaValidator(schema)


def test_unusable_schema_files(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="schema file not found"):
        SchemaValidator(tmp_path / "missing.json")
    (tmp_path / "list.json").write_text("[1]")
    with pytest.raises(SchemaError, match="must hold a JSON object, found an array"):
        SchemaValidator(tmp_path / "list.json")
    (tmp_path / "dialect.json").write_text(json.dumps({"$schema": "https://example.com/mine"}))
    with pytest.raises(SchemaError, match=r"\$\.\$schema: unknown JSON Schema dialect"):
        SchemaValidator(tmp_path / "dialect.json")


def test_draft_comes_from_dollar_schema(tmp_path: Path) -> None:
    schema = tmp_path / "d7.json"
    schema.write_text(
        json.dumps(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "properties": {"n": {"type": "integer", "exclusiveMinimum": 0}},
            }
        )
    )
    v = SchemaValidator(schema)
    assert type(v._validator).__name__ == "Draft7Validator"
    assert one(v.validate({"n": 0}, {}, 1)).message == "`n` is 0; it must be greater than 0"


# ---------------------------------------------------------------- $ref


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("fmlint tried to use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_local_ref_across_files_offline(tmp_path: Path, no_network: None) -> None:
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "common.json").write_text(
        json.dumps(
            {"$defs": {"slug": {"type": "string", "pattern": "^[a-z-]+$", "description": "a slug"}}}
        )
    )
    (tmp_path / "main.json").write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {"slug": {"$ref": "defs/common.json#/$defs/slug"}},
            }
        )
    )
    v = SchemaValidator(tmp_path / "main.json")
    assert v.validate({"slug": "ok-slug"}, {}, 1) == []
    p = one(v.validate({"slug": "Not OK"}, {}, 1))
    assert p.message == '`slug`: "Not OK" does not have the expected form: a slug'


def test_local_ref_by_id(tmp_path: Path, no_network: None) -> None:
    # the referenced file is found by its $id, whatever its file name
    (tmp_path / "languages.json").write_text(
        json.dumps(
            {
                "$id": "https://example.test/schemas/lang.json",
                "title": "language",
                "enum": ["en", "km"],
            }
        )
    )
    (tmp_path / "main.json").write_text(
        json.dumps(
            {
                "$id": "https://example.test/schemas/main.json",
                "properties": {"language": {"$ref": "lang.json"}},
            }
        )
    )
    v = SchemaValidator(tmp_path / "main.json")
    assert v.validate({"language": "km"}, {}, 1) == []
    p = one(v.validate({"language": "kh"}, {}, 1))
    assert p.message == '`language`: "kh" is not one of en, km; did you mean "km"?'


def test_bundled_iso_schema_is_available_by_id(tmp_path: Path, no_network: None) -> None:
    (tmp_path / "mine.json").write_text(
        json.dumps(
            {
                "properties": {
                    "lang": {"$ref": "https://fmlint.invalid/schemas/iso639-1.schema.json"}
                }
            }
        )
    )
    v = SchemaValidator(tmp_path / "mine.json")
    assert v.validate({"lang": "km"}, {}, 1) == []
    assert one(v.validate({"lang": "kh"}, {}, 1)).code == "FM207"


def test_copied_bundled_schemas_work_offline(tmp_path: Path, no_network: None) -> None:
    for name in ("article.schema.json", "iso639-1.schema.json"):
        (tmp_path / name).write_text((SCHEMAS / name).read_text(encoding="utf-8"))
    v = SchemaValidator(tmp_path / "article.schema.json")
    assert check(EXAMPLE.read_text(encoding="utf-8"), v) == []


def test_unresolvable_local_ref(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text(json.dumps({"$defs": {}}))
    (tmp_path / "main.json").write_text(
        json.dumps(
            {"properties": {"a": {"$ref": "other.json#/$defs/nope"}, "b": {"$ref": "gone.json"}}}
        )
    )
    with pytest.raises(SchemaError) as info:
        SchemaValidator(tmp_path / "main.json")
    message = str(info.value)
    assert message.startswith(str(tmp_path / "main.json"))
    assert "$.properties." in message


def test_invalid_referenced_schema_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text(json.dumps({"type": 12}))
    (tmp_path / "main.json").write_text(json.dumps({"$ref": "other.json"}))
    with pytest.raises(SchemaError, match=r"other\.json: invalid schema at \$\.type"):
        SchemaValidator(tmp_path / "main.json")


def test_remote_ref_is_refused(tmp_path: Path, no_network: None) -> None:
    (tmp_path / "main.json").write_text(
        json.dumps({"properties": {"a": {"$ref": "https://example.com/schemas/a.json"}}})
    )
    with pytest.raises(SchemaError) as info:
        SchemaValidator(tmp_path / "main.json")
    assert str(info.value) == (
        f"{tmp_path / 'main.json'}: $.properties.a.$ref refers to "
        "https://example.com/schemas/a.json; fmlint does not fetch remote schemas unless "
        "`allow-remote-refs = true`"
    )


def test_remote_ref_when_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[tuple[str, float]] = []

    def fake_urlopen(request: urllib.request.Request, timeout: float) -> Any:
        fetched.append((request.full_url, timeout))
        return io.BytesIO(json.dumps({"type": "string", "minLength": 2}).encode())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    (tmp_path / "main.json").write_text(
        json.dumps({"properties": {"a": {"$ref": "https://example.com/schemas/a.json"}}})
    )
    v = SchemaValidator(tmp_path / "main.json", allow_remote_refs=True)
    assert fetched == [("https://example.com/schemas/a.json", 10.0)]
    assert v.validate({"a": "ok"}, {}, 1) == []
    assert one(v.validate({"a": "x"}, {}, 1)).code == "FM208"
    assert len(fetched) == 1  # fetched once, at construction


def test_remote_schema_may_not_read_local_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_urlopen(request: urllib.request.Request, timeout: float) -> Any:
        return io.BytesIO(json.dumps({"$ref": "file:///etc/passwd"}).encode())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    (tmp_path / "main.json").write_text(json.dumps({"$ref": "https://example.com/a.json"}))
    with pytest.raises(SchemaError, match="a remote schema may not refer to a local file"):
        SchemaValidator(tmp_path / "main.json", allow_remote_refs=True)


def test_remote_fetch_failure_is_a_schema_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(request: urllib.request.Request, timeout: float) -> Any:
        raise OSError("timed out")

    monkeypatch.setattr(urllib.request, "urlopen", failing)
    (tmp_path / "main.json").write_text(json.dumps({"$ref": "https://example.com/a.json"}))
    with pytest.raises(SchemaError, match=r"cannot fetch https://example\.com/a\.json: timed out"):
        SchemaValidator(tmp_path / "main.json", allow_remote_refs=True)


# ---------------------------------------------------------------- formats are really checked


@pytest.mark.parametrize(
    ("fmt", "value", "ok"),
    [
        ("uri", "https://www.phnompenhpost.com/opinion/a-b-", True),
        ("uri", "www.phnompenhpost.com/national/x", False),  # no scheme
        ("uri", "/national/x", False),
        ("uri", "https//www.phnompenhpost.com/x", False),
        ("uri", "phnompenhpost opinion article", False),
        ("uri", "http://exa mple.com/", False),
        ("date-time", "2024-10-25T08:24:49.057Z", True),
        ("date-time", "2024-10-25T08:24:49+07:00", True),
        ("date-time", "2024-02-30T00:00:00Z", False),
        ("date-time", "2024-13-45T08:24:49Z", False),
        ("date-time", "2024-10-25T08:24:49.000+0700", False),
        ("date-time", "2024-10-25T08:24:49", False),
        ("date", "2024-02-29", True),
        ("date", "2023-02-29", False),
        ("email", "name@example.com", True),
        ("email", "a@", False),
        ("email", "@example.com", False),
        ("email", "a b@example.com", False),
        ("email", "name@example", False),
        ("email", "name@[192.0.2.1]", True),
    ],
)
def test_formats_are_really_checked(fmt: str, value: str, ok: bool) -> None:
    assert make_format_checker().conforms(value, fmt) is ok


def test_format_fallbacks_reject_bad_values() -> None:
    # used when the jsonschema format extras are not installed
    assert is_uri("https://example.com/a") and is_uri("urn:isbn:123")
    assert not is_uri("www.example.com") and not is_uri("/a/b") and not is_uri("a b:c")
    assert not is_uri("https://example.com/%zz")
    assert is_date_time("2024-10-25T08:24:49.057Z") and is_date_time("2024-02-29T00:00:00+07:00")
    assert not is_date_time("2024-02-30T00:00:00Z") and not is_date_time("2024-10-25 08:24:49Z")
    assert not is_date_time("2024-10-25T24:00:00Z")
    assert is_email("x.y+z@mail.example.org") and not is_email("x..y@example.org")


def test_email_format_through_the_validator(tmp_path: Path) -> None:
    schema = tmp_path / "e.json"
    schema.write_text(
        json.dumps({"properties": {"contact": {"type": "string", "format": "email"}}})
    )
    p = one(SchemaValidator(schema).validate({"contact": "a@"}, {}, 1))
    assert (p.code, p.message) == (
        "FM205",
        '`contact`: "a@" is not a valid email address (expected e.g. name@example.com)',
    )


def test_date_time_hint_is_empty_for_unknown_shapes() -> None:
    assert date_time_hint("soon") == ""


# ---------------------------------------------------------------- did you mean


def test_suggest_key() -> None:
    allowed = ["layout", "code", "origin_url", "title", "description", "date"]
    assert suggest_key("tilte", allowed) == "title"
    assert suggest_key("Title", allowed) == "title"
    assert suggest_key("origin-url", allowed) == "origin_url"
    assert suggest_key("descripton", allowed) == "description"
    assert suggest_key("colour", allowed) is None
    # a field already present is a worse guess than one that is missing
    assert suggest_key("dat", ["data", "date"], present=["data"]) == "date"


def test_suggest_value() -> None:
    categories = ["OPINION", "NATIONAL", "BUSINESS", "SPORT", "WORLD", "LIFESTYLE"]
    assert suggest_value("opinion", categories) == "OPINION"
    assert suggest_value("Sports", categories) == "SPORT"
    assert suggest_value("Nationl", categories) == "NATIONAL"
    assert suggest_value("TECH", categories) is None
    assert suggest_value(12, categories) is None
    assert suggest_value("kh", ["km", "en"]) == "km"
    assert suggest_value("kh", ["OPINION"]) is None  # an alias only if it is allowed


def test_iri_formats_are_checked_without_rfc3987_syntax() -> None:
    """fmlint keeps rfc3987-syntax (1.7 s to import) out of jsonschema and
    checks the IRI formats through their URI mapping instead."""
    import sys

    from linter.schema import make_format_checker

    checker = make_format_checker()
    assert checker.conforms("https://例え.jp/パス", "iri")
    assert not checker.conforms("https://example.com/a b", "iri")
    assert not checker.conforms("no scheme", "iri")
    assert checker.conforms("/relative/パス", "iri-reference")
    # the block is lifted after jsonschema loaded: no None placeholder is left behind
    assert sys.modules.get("rfc3987_syntax", "absent") is not None


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("P1D", True),
        ("PT1H", True),
        ("P1Y2M3DT4H5M6S", True),
        ("P3W", True),
        ("PT36H", True),
        ("P1M", True),
        ("PT1M", True),
        ("P", False),
        ("PT", False),
        ("P1", False),
        ("1D", False),
        ("P1H", False),  # hours need the T
        ("PT1D", False),
        ("P1W2D", False),  # weeks stand alone
        ("P1.5D", False),
        ("P1DT", False),
        ("p1d", False),
        ("P1D ", False),
        ("P\u0661D", False),  # an Arabic-Indic digit is not a digit here
    ],
)
def test_duration_format_follows_rfc3339_appendix_a(value: str, valid: bool) -> None:
    """isoduration (and arrow) are kept out of jsonschema's import; fmlint
    checks the `duration` format itself, by the grammar JSON Schema names."""
    import sys

    from linter.schema import make_format_checker

    assert make_format_checker().conforms(value, "duration") is valid
    assert sys.modules.get("isoduration", "absent") is not None  # no placeholder left
