"""The jsonschema-free quick validator: it may say "not sure", never "valid"
when the full validator would report a problem."""

from __future__ import annotations

import datetime
import json
import random
import string
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema.validators
import pytest

from linter.schema import SchemaError, SchemaValidator, make_format_checker
from linter.schema_fast import (
    _METASCHEMA_KEYWORDS,
    KNOWN_ASSERTION_KEYWORDS,
    QUICK_FORMATS,
    QuickValidator,
    iri_as_uri,
    is_date_time,
    is_uri,
    quick_uri_reference,
)
from linter.yaml_loader import load_front_matter

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
EXAMPLE = REPO / "examples" / "seed-article.md"
BENCH_SCHEMA = REPO.parent / "shared" / "bench" / "article.schema.json"


def front_matter(text: str) -> tuple[str, int]:
    """The YAML between the fences of a Markdown file and its first line."""
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    return "\n".join(lines[1:end]) + "\n", 2


def example_data() -> dict[str, Any]:
    data = load_front_matter(*front_matter(EXAMPLE.read_text(encoding="utf-8"))).data
    assert isinstance(data, dict)
    return data


def write_schema(folder: Path, schema: Any, name: str = "schema.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


# ---------------------------------------------------------------- no jsonschema on import


def test_import_and_use_without_jsonschema() -> None:
    code = f"""
import sys
from pathlib import Path
from linter.schema_fast import QuickValidator
quick = QuickValidator.load(Path({str(SCHEMAS / "article.schema.json")!r}))
assert quick is not None and not quick.certainly_valid({{"title": 1}})
heavy = ("jsonschema", "referencing", "attrs", "attr", "rfc3986_validator",
         "rfc3339_validator", "webcolors", "urllib.request")
print(sorted(name for name in heavy if name in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


# ---------------------------------------------------------------- keyword sets


def test_known_assertion_keywords_are_jsonschemas() -> None:
    known = set(jsonschema.validators.Draft202012Validator.VALIDATORS) | set(
        jsonschema.validators.Draft201909Validator.VALIDATORS
    )
    assert known == KNOWN_ASSERTION_KEYWORDS


def test_every_keyword_the_meta_schemas_constrain_is_known() -> None:
    from jsonschema_specifications import REGISTRY

    constrained: set[str] = set()
    for uri in REGISTRY:
        if "/draft/2019-09/" in uri or "/draft/2020-12/" in uri:
            constrained |= set(REGISTRY.contents(uri).get("properties", {}))
    assert constrained, "no meta-schema found"
    assert constrained <= _METASCHEMA_KEYWORDS, constrained - _METASCHEMA_KEYWORDS


# ---------------------------------------------------------------- formats

VALID_FORMAT_VALUES = {
    "date-time": [
        "2024-10-25T08:24:49.057Z",
        "2024-10-25T08:24:49Z",
        "2024-10-25T08:24:49+07:00",
        "2024-10-25t08:24:49z",
        "2024-02-29T23:59:59.999999-12:30",
        "2000-02-29T00:00:00Z",
    ],
    "date": ["2024-10-25", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31"],
    "uri": [
        "https://www.khmertimeskh.com/501582306/some-slug/",
        "https://www.phnompenhpost.com/opinion/what-makes-south-korea-a-great-partner-of-asean-",
        "https://github.com/user-attachments/assets/c6796fb2-eb29-4d1d-93a3-b42f699b0c98",
        "http://example.com",
        "http://example.com:8080/a/b?q=1&r=%20#top",
        "https://cambodianess.com/article/a-b_c~d.html?x=(1)",
        "urn:isbn:0451450523",
        "mailto:name@example.com",
        "file:///tmp/a.json",
        "https://example.com/a//b",
    ],
    "uri-reference": ["/national/x", "../a.json#/$defs/b", "#top", "", "a.json", "https://a.b/"],
    "iri": ["https://例え.jp/パス", "https://km.wikipedia.org/wiki/កម្ពុជា"],
    "iri-reference": ["/パス", "#/$defs/名前"],
    "email": ["name@example.com", "x.y+z@mail.example.org", "name@[192.0.2.1]"],
    "idn-email": ["name@example.com"],
    "duration": ["P1D", "PT1H", "P1Y2M3DT4H5M6S", "P3W"],
    "uuid": ["c6796fb2-eb29-4d1d-93a3-b42f699b0c98", "C6796FB2-EB29-4D1D-93A3-B42F699B0C98"],
    "ipv4": ["192.0.2.1", "0.0.0.0", "255.255.255.255"],
    "regex": ["^[a-z]+$", "", "(a|b)*"],
}
# values the quick checks leave to the full checker: invalid ones, and valid
# ones in rarer shapes (an IP literal, userinfo, a non-ASCII email address)
UNSURE_FORMAT_VALUES = {
    "date-time": [
        "2024-10-25 08:24:49Z",
        "2024-10-25T08:24:49",
        "2024-10-25T24:00:00Z",
        "2024-10-25T23:59:60Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2024-10-25T08:24:49+0700",
        "2024-10-25T08:24:49+24:00",
        "2024-10-25T08:24:49.Z",
        "2024-10-25T08:24:49Z\n",
        "\uff12\uff10\uff12\uff14-10-25T08:24:49Z",  # fullwidth digits
        "2024-10-2\u0665T08:24:49Z",
        " 2024-10-25T08:24:49Z",
        "2024-10-25 08:30:00 +0700",
    ],
    "date": [
        "2024-02-30",
        "2024-1-5",
        "0000-01-01",
        "2024-10-25T00:00:00Z",
        "2024-13-01",
        "2024/10/25",
    ],
    "uri": [
        "www.example.com/x",
        "/national/x",
        "https//www.example.com/x",
        "http://exa mple.com/",
        "https://example.com/%zz",
        "https://example.com/a b",
        "https://例え.jp/",
        "https://[::1]:8080/a",
        "https://user:pw@example.com/",
        "https://example.com/\n",
        "https://example.com/<a>",
        "1http://example.com",
        "N/A",
        "",
    ],
    "uri-reference": ["a b", "%zz", ":a", "#a b"],
    "iri": ["no scheme", "https://example.com/a b"],
    "iri-reference": ["a b"],
    "email": ["a@", "@example.com", "a b@example.com", "name@example", "x..y@example.org"],
    "idn-email": ["name@", "名前@例え.jp"],
    "duration": ["P", "PT", "P1", "1D", "P1H", "P1W2D", "P1.5D", "p1d", "P\u0661D"],
    "uuid": ["c6796fb2eb294d1d93a3b42f699b0c98", "{c6796fb2-eb29-4d1d-93a3-b42f699b0c98}"],
    "ipv4": ["192.0.2.01", "256.0.0.1", "1.2.3", "1.2.3.4.5", "\u0661.2.3.4"],
    "regex": ["(", "[a-", "*"],
}
# what edits make near-valid values from valid ones
EDIT_CHARS = (
    string.digits
    + "tTzZ:+-.%/?#@[] \n\t_~!$&'()*,;=<>\"{}|\\^`"
    + "\u0661\uff12\u00e9\u4f8b\u200b\U0001f600"
    + "aAgGxX"
)


def edits(value: str, rng: random.Random, count: int) -> Iterator[str]:
    """``count`` strings one to three character edits away from ``value``."""
    for _ in range(count):
        text = value
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(text))
            op = rng.randrange(4)
            if op == 0:  # insert
                text = text[:at] + rng.choice(EDIT_CHARS) + text[at:]
            elif op == 1 and text:  # delete
                text = text[:at] + text[at + 1 :]
            elif op == 2 and at < len(text):  # replace
                text = text[:at] + rng.choice(EDIT_CHARS) + text[at + 1 :]
            elif text[at : at + 1].isdigit():  # another digit: leap days, hour 24, second 60
                text = text[:at] + rng.choice(string.digits) + text[at + 1 :]
        yield text


def format_values(fmt: str, rng: random.Random) -> list[str]:
    seeds = VALID_FORMAT_VALUES[fmt] + UNSURE_FORMAT_VALUES[fmt]
    return seeds + [next(edits(rng.choice(seeds), rng, 1)) for _ in range(400)]


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")  # regexes like "[[a]"
@pytest.mark.parametrize("fmt", sorted(QUICK_FORMATS))
def test_quick_format_is_conservative(fmt: str) -> None:
    quick, full = QUICK_FORMATS[fmt], make_format_checker()
    values = format_values(fmt, random.Random(fmt))
    assert len(values) > 200
    accepted = 0
    for value in values:
        if quick(value):
            accepted += 1
            assert full.conforms(value, fmt), value
    assert accepted >= len(VALID_FORMAT_VALUES[fmt])


@pytest.mark.parametrize(
    ("fmt", "value"), [(fmt, v) for fmt, values in VALID_FORMAT_VALUES.items() for v in values]
)
def test_quick_format_accepts_common_values(fmt: str, value: str) -> None:
    assert QUICK_FORMATS[fmt](value)
    assert make_format_checker().conforms(value, fmt)


@pytest.mark.parametrize(
    ("fmt", "value"), [(fmt, v) for fmt, values in UNSURE_FORMAT_VALUES.items() for v in values]
)
def test_quick_format_is_unsure_about_invalid_values(fmt: str, value: str) -> None:
    assert not QUICK_FORMATS[fmt](value)


@pytest.mark.parametrize(
    ("fmt", "fallback"),
    [
        ("date-time", is_date_time),
        ("uri", is_uri),
        ("iri", lambda value: iri_as_uri(value, is_uri)),
    ],
)
def test_quick_format_is_within_fmlints_fallbacks(
    fmt: str, fallback: Callable[[object], bool]
) -> None:
    # without rfc3339-validator or rfc3986-validator, fmlint's own checks decide
    for value in format_values(fmt, random.Random(fmt + "fallback")):
        if QUICK_FORMATS[fmt](value):
            assert fallback(value), value


@pytest.mark.parametrize("fmt", sorted(QUICK_FORMATS))
def test_quick_formats_accept_non_strings_like_the_full_checker(fmt: str) -> None:
    full = make_format_checker()
    for value in (None, True, 1, 2.5, [], {}, datetime.date(2024, 10, 25)):
        assert QUICK_FORMATS[fmt](value) and full.conforms(value, fmt)


# ---------------------------------------------------------------- instances: never wrong

SCHEMA_CASES: dict[str, tuple[dict[str, Any], list[Any]]] = {
    "types": (
        {
            "type": "object",
            "properties": {
                "s": {"type": "string"},
                "i": {"type": "integer"},
                "n": {"type": "number"},
                "b": {"type": "boolean"},
                "z": {"type": "null"},
                "multi": {"type": ["string", "null"]},
                "arr": {"type": "array"},
                "obj": {"type": "object"},
                "never": False,
                "any": True,
            },
        },
        [
            {"s": "x", "i": 1, "n": 1.5, "b": True, "z": None, "multi": None, "arr": [], "obj": {}},
            {"i": 2.0, "n": 3, "multi": "m", "any": [1]},
            {},
        ],
    ),
    "values": (
        {
            "required": ["kind", "code"],
            "properties": {
                "kind": {"enum": ["a", "b", 1, None, True]},
                "fixed": {"const": "yes"},
                "flag": {"const": True},
                "nothing": {"const": None},
                "num": {"const": 1.0},
                "code": {
                    "type": "string",
                    "pattern": "^[A-Z]{3}[0-9]+$",
                    "minLength": 4,
                    "maxLength": 8,
                },
            },
            "additionalProperties": False,
        },
        [
            {"kind": "a", "code": "ABC1"},
            {"kind": "b", "code": "ABC12345", "fixed": "yes", "flag": True, "nothing": None},
        ],
    ),
    "arrays": (
        {
            "type": "object",
            "properties": {
                "tags": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "uniqueItems": True,
                    "minItems": 1,
                    "maxItems": 3,
                },
                "matrix": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "integer"}},
                },
                "empty": {"items": False},
                "loose": {"uniqueItems": False},
            },
            "additionalProperties": {"type": ["string", "array"]},
        },
        [
            {"tags": ["a", "b"], "matrix": [[1, 2], []], "empty": [], "extra": "x"},
            {"tags": ["a"], "loose": [1, 1], "other": ["x"]},
        ],
    ),
    "references": (
        {
            "$defs": {
                "slug": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                "person": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"$ref": "#/$defs/slug"},
                        "email": {"type": "string", "format": "email"},
                    },
                    "additionalProperties": False,
                },
                "unused": {"type": "integer", "format": "hostname"},
            },
            "definitions": {
                "a~b": {"type": "integer"},
                "c/d": {"type": "string"},
                "e f": {"type": "boolean"},
            },
            "properties": {
                "author": {"$ref": "#/$defs/person", "description": "who wrote it"},
                "editors": {"type": "array", "items": {"$ref": "#/$defs/person"}},
                "tilde": {"$ref": "#/definitions/a~0b"},
                "slash": {"$ref": "#/definitions/c~1d"},
                "space": {"$ref": "#/definitions/e%20f"},
            },
            "additionalProperties": {"$ref": "#/$defs/slug"},
        },
        [
            {"author": {"name": "sok-chea", "email": "sok@example.com"}, "tilde": 1},
            {"editors": [{"name": "a"}, {"name": "b"}], "slash": "x", "space": False, "x": "y"},
        ],
    ),
    "formats": (
        {
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "properties": {
                "when": {"type": "string", "format": "date-time"},
                "day": {"type": "string", "format": "date"},
                "url": {"type": "string", "format": "uri"},
                "ref": {"type": "string", "format": "uri-reference"},
                "iri": {"type": "string", "format": "iri"},
                "mail": {"type": "string", "format": "email"},
                "span": {"type": "string", "format": "duration"},
                "id": {"type": "string", "format": "uuid"},
                "ip": {"type": "string", "format": "ipv4"},
                "re": {"type": "string", "format": "regex"},
                "untyped_day": {"format": "date"},
                "untyped_code": {"pattern": "^[A-Z]+$"},
                "maybe_when": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        [
            {
                "when": "2024-10-25T08:24:49.057Z",
                "day": "2024-10-25",
                "url": "https://www.khmertimeskh.com/501582306/some-slug/",
                "ref": "/a/b",
                "iri": "https://例え.jp/",
                "mail": "name@example.com",
                "span": "P1D",
                "id": "c6796fb2-eb29-4d1d-93a3-b42f699b0c98",
                "ip": "192.0.2.1",
                "re": "^a$",
                "untyped_day": "2024-02-29",
                "untyped_code": "ABC",
                "maybe_when": None,
            }
        ],
    ),
    "annotations": (
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://example.invalid/schemas/annotated.json",
            "$comment": "for people",
            "title": "Annotated",
            "description": "keywords that assert nothing",
            "examples": [{}],
            "default": {},
            "x-editor": {"anyOf": "not a keyword here", "$id": 5},
            "markdownDescription": "*hi*",
            "properties": {
                "title": {"type": "string", "deprecated": False, "readOnly": True, "default": "x"},
                "old": {"writeOnly": False, "examples": [1]},
            },
        },
        [{"title": "x"}, {"old": 5}],
    ),
}
YAML_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -3,
    1.0,
    2.5,
    float("nan"),
    float("inf"),
    "",
    " ",
    "1",  # quoted scalars that look like the non-string values of an enum
    "1.0",
    "True",
    "true",
    "None",
    "null",
    "x",
    "post",
    "OPINION",
    "opinion",
    "en",
    "EN",
    "kh",
    "ABC1",
    "ART2410171545HNYP99",
    "art2410171545hnyp99",
    "sok-chea",
    "2024-10-25T08:24:49Z",
    "2024-10-25T08:24:49.057Z",
    "2024-10-25t08:24:49z",
    "2024-10-25 08:24:49Z",
    "2024-10-25T08:24:49",
    "2024-02-29T00:00:00+07:00",
    "2023-02-29T00:00:00Z",
    "2024-10-25T24:00:00Z",
    "2024-10-25T23:59:60Z",
    "2024-10-25T08:24:49+0700",
    "2024-10-25 08:30:00 +0700",
    "2024-10-25",
    "2024-02-30",
    "https://www.khmertimeskh.com/501582306/some-slug/",
    "http://exa mple.com/",
    "www.example.com/x",
    "/national/x",
    "https://[::1]:8080/a",
    "https://example.com/%zz",
    "https://例え.jp/",
    "name@example.com",
    "a@",
    "x..y@example.org",
    "P1D",
    "PT",
    "192.0.2.01",
    "(",
    datetime.datetime(2024, 10, 25, 8, 24, 49, tzinfo=datetime.timezone.utc),
    datetime.date(2024, 10, 25),
    [],
    ["a"],
    ["a", "a"],
    ["a", ""],
    ["a", 1],
    [None],
    [["a"]],
    [[1, 2], [3.0]],
    [1, 1.0],
    [True, 1],
    [{"name": "a"}, {"name": "a"}],
    {},
    {"a": 1},
    {"name": "x"},
    {"name": "sok-chea", "email": "a@"},
]


def mutated(seed: Any, keys: list[str], rng: random.Random) -> Any:
    """``seed`` with one to three changes: a key set, dropped or added, a
    string edited, a list grown."""
    if isinstance(seed, str):
        return next(edits(seed, rng, 1))
    if not isinstance(seed, dict):
        return rng.choice(YAML_VALUES)
    data = dict(seed)
    for _ in range(rng.randint(1, 3)):
        key = rng.choice([*keys, "x"])
        op = rng.randrange(5)
        if op == 0:
            data.pop(key, None)
        elif op == 1 and isinstance(data.get(key), str):
            data[key] = next(edits(data[key], rng, 1))
        elif op == 2 and isinstance(data.get(key), list):
            data[key] = [*data[key], rng.choice([*data[key], *YAML_VALUES[:20]] or [None])]
        else:
            data[key] = rng.choice(YAML_VALUES)
    return data


def instances(schema: dict[str, Any], seeds: list[Any], rng: random.Random) -> Iterator[Any]:
    """The seeds, every seed with one key set to each pool value, and random
    mutations of several changes."""
    keys = sorted({*schema.get("properties", {}), *schema.get("required", []), "unknown"})
    yield from seeds
    yield from YAML_VALUES
    for seed in seeds:
        if isinstance(seed, dict):
            for key in keys:
                yield from ({**seed, key: value} for value in YAML_VALUES)
    for _ in range(400):
        yield mutated(rng.choice(seeds), keys, rng)


def quick_and_full(path: Path) -> tuple[QuickValidator, SchemaValidator]:
    quick = QuickValidator.load(path)
    assert quick is not None, path
    return quick, SchemaValidator(path)


def valid_for_jsonschema(full: SchemaValidator, data: Any) -> bool:
    # validate() trusts the compiled fast check, which shares its compiler
    # with the quick validator: jsonschema itself is the independent judge
    return bool(full._validator.is_valid(data))


def assert_never_wrong(path: Path, data: Iterable[Any]) -> int:
    """Every document the quick validator accepts gets no problem; returns how many it accepted."""
    quick, full = quick_and_full(path)
    accepted = 0
    for each in data:
        if quick.certainly_valid(each):
            accepted += 1
            assert valid_for_jsonschema(full, each), each
            assert full.validate(each, {}, 1) == [], each
    return accepted


@pytest.mark.parametrize("name", sorted(SCHEMA_CASES))
def test_never_wrong_on_hand_written_schemas(name: str, tmp_path: Path) -> None:
    schema, seeds = SCHEMA_CASES[name]
    path = write_schema(tmp_path, schema)
    quick = QuickValidator.load(path)
    assert quick is not None
    for seed in seeds:  # the valid documents are accepted quickly
        assert quick.certainly_valid(seed), seed
        assert SchemaValidator(path).validate(seed, {}, 1) == []
    accepted = assert_never_wrong(path, instances(schema, seeds, random.Random(name)))
    assert accepted > len(seeds)  # the mutations were not all rejected


BUNDLED = sorted(SCHEMAS.glob("*.schema.json"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_never_wrong_on_bundled_schemas(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    seeds: list[Any] = [example_data()]
    if schema.get("type") == "string":  # iso639-1
        seeds = ["en", "km"]
    elif "jekyll" in path.name:
        seeds = [
            {"title": "T", "date": "2024-10-25 08:30:00 +0700", "tags": "a b", "published": True},
            {"title": "T", "categories": ["a", "b"], "author": {"name": "x"}, "lang": "pt-BR"},
        ]
    quick, full = quick_and_full(path)
    for seed in seeds:
        assert quick.certainly_valid(seed), seed
        assert full.validate(seed, {}, 1) == []
    assert assert_never_wrong(path, instances(schema, seeds, random.Random(path.name))) > 10


@pytest.mark.skipif(not BENCH_SCHEMA.exists(), reason="the shared bench schema is missing")
def test_never_wrong_on_the_bench_schema() -> None:
    schema = json.loads(BENCH_SCHEMA.read_text(encoding="utf-8"))
    seeds = [example_data()]
    quick, _ = quick_and_full(BENCH_SCHEMA)
    assert quick.certainly_valid(seeds[0])
    assert assert_never_wrong(BENCH_SCHEMA, instances(schema, seeds, random.Random(2))) > 10


YAML_SCALARS = [
    "yes",
    "no",
    "on",
    "12",
    "012",
    "0x1F",
    "1_000",
    "1.5",
    ".inf",
    "~",
    "null",
    "",
    "2024-10-25",
    "2024-10-25T08:24:49Z",
    "2024-10-25 08:24:49 +07:00",
    "https://example.com/a",
    "hello",
    "ABC",
    '"12"',
    "'yes'",
    "[a, b]",
    "{a: 1}",
]


def test_never_wrong_with_yaml_positions(tmp_path: Path) -> None:
    """Unquoted YAML scalars, with positions: an untyped string property
    holding a coerced number is reported (FM204), so it is not accepted."""
    schema, _ = SCHEMA_CASES["formats"]
    path = write_schema(tmp_path, schema)
    quick, full = quick_and_full(path)
    rng = random.Random(7)
    valid = {
        "untyped_day": "2024-10-25",
        "untyped_code": "ABC",
        "day": "2024-02-29",
        "maybe_when": "2024-10-25T08:24:49Z",
    }
    accepted = 0
    for _ in range(400):
        lines = [
            f"{key}: {valid[key] if rng.random() < 0.5 else rng.choice(YAML_SCALARS)}"
            for key in rng.sample(sorted(valid), 2)
        ]
        loaded = load_front_matter("\n".join(lines) + "\n", 2)
        if loaded.data is None or not quick.certainly_valid(loaded.data):
            continue
        accepted += 1
        assert valid_for_jsonschema(full, loaded.data), lines
        assert full.validate(loaded.data, loaded.positions, 1) == [], lines
    assert accepted > 10
    loaded = load_front_matter("untyped_code: 12\n", 2)
    assert not quick.certainly_valid(loaded.data)
    assert [p.code for p in full.validate(loaded.data, loaded.positions, 1)] == ["FM204"]


def test_corpus_valid_articles_are_accepted_quickly(corpus: Path) -> None:
    """On the generated corpus the quick answer is exact: every article the
    full validator finds nothing in is accepted, every other one is not."""
    path = SCHEMAS / "article.schema.json"
    quick, full = quick_and_full(path)
    valid = 0
    for article in sorted(corpus.glob("_posts/**/*.md")):
        text = article.read_text(encoding="utf-8")
        try:
            loaded = load_front_matter(*front_matter(text))
        except ValueError:  # no closing fence
            continue
        if loaded.data is None:
            continue
        problems = full.validate(loaded.data, loaded.positions, 1)
        assert quick.certainly_valid(loaded.data) is (problems == []), (article, problems)
        assert valid_for_jsonschema(full, loaded.data) is (problems == []), article
        valid += problems == []
    assert valid > 400


# ---------------------------------------------------------------- references to other files


def test_references_to_local_schema_files(tmp_path: Path) -> None:
    shared = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/schemas/shared.json",
        "$defs": {
            "slug": {"type": "string", "pattern": "^[a-z-]+$"},
            "tag": {"$ref": "#/$defs/slug", "maxLength": 5},
        },
    }
    write_schema(tmp_path, shared, "shared.json")
    plain = {"type": "string", "enum": ["a", "b"]}
    write_schema(tmp_path, plain, "plain.json")
    by_id = {
        "$id": "https://example.invalid/schemas/root.json",
        "properties": {
            "slug": {"$ref": "shared.json#/$defs/slug"},
            "tags": {"items": {"$ref": "https://example.invalid/schemas/shared.json#/$defs/tag"}},
        },
    }
    by_path = {"properties": {"letter": {"$ref": "plain.json"}, "slug": {"$ref": "shared.json"}}}
    seeds_by_id = [{"slug": "a-b", "tags": ["ab", "c"]}]
    seeds_by_path = [{"letter": "a", "slug": 5}]
    for name, schema, seeds in (("by-id", by_id, seeds_by_id), ("by-path", by_path, seeds_by_path)):
        path = write_schema(tmp_path, schema, f"{name}.json")
        quick, _ = quick_and_full(path)
        assert all(quick.certainly_valid(seed) for seed in seeds)
        data = instances(schema, seeds, random.Random(name))
        assert assert_never_wrong(path, data) > 1
    quick = QuickValidator.load(tmp_path / "by-id.json")
    assert quick is not None and not quick.certainly_valid({"tags": ["toolong"]})


# ---------------------------------------------------------------- schemas without a quick validator


def nested(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"properties": {"a": schema}}
    return schema


# Schemas the full validator uses but the quick one does not implement.
UNSUPPORTED: dict[str, Any] = {
    "draft-07": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"},
    "remote $ref": {"properties": {"a": {"$ref": "https://example.com/s.json"}}},
    "anchor $ref": {"$defs": {"a": {"$anchor": "a", "type": "string"}}, "$ref": "#a"},
    "recursive $ref": {"properties": {"child": {"$ref": "#"}}},
    "subschema $id": {"properties": {"a": {"$id": "https://example.invalid/a", "type": "string"}}},
    "$dynamicRef": {"$dynamicAnchor": "meta", "properties": {"a": {"$dynamicRef": "#meta"}}},
    "$recursiveRef": {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$recursiveAnchor": True,
        "properties": {"a": {"$recursiveRef": "#"}},
    },
    "meta-schema $ref": {"$ref": "https://json-schema.org/draft/2020-12/schema"},
    "anyOf": {"properties": {"a": {"anyOf": [{"type": "string"}]}}},
    "minimum": {"properties": {"a": {"type": "integer", "minimum": 1}}},
    "patternProperties": {"patternProperties": {"^x-": {"type": "string"}}},
    "if/then": {"if": {"required": ["a"]}, "then": {"required": ["b"]}},
    "prefixItems": {"prefixItems": [{"type": "string"}]},
    "items array": {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "items": [{"type": "string"}],
    },
    "unsupported format": {"properties": {"host": {"type": "string", "format": "hostname"}}},
    "time format": {"properties": {"at": {"type": "string", "format": "time"}}},
    "pointer into an array": {"x-list": [{"type": "string"}], "$ref": "#/x-list/0"},
    "pointer to a non-schema": {"properties": {"a": {"type": "string"}}, "$ref": "#/properties"},
    "float minLength": {"properties": {"a": {"minLength": 1.0}}},
    "contentMediaType": {"properties": {"a": {"contentMediaType": "text/html"}}},
    "nested too deep": nested(40),  # jsonschema's own check overflows at ~100
}
# Schemas the full validator refuses (SchemaError); no quick validator either.
UNUSABLE: dict[str, Any] = {
    "not an object": [{"type": "string"}],
    "unknown dialect": {"$schema": "https://example.com/my-dialect"},
    "missing pointer": {"properties": {"a": {"$ref": "#/$defs/nope"}}},
    "missing file": {"properties": {"a": {"$ref": "nope.json"}}},
    "unknown type": {"properties": {"a": {"type": "strng"}}},
    "negative length": {"properties": {"a": {"minLength": -1}}},
    "duplicate required": {"required": ["a", "a"]},
    "bad pattern": {"properties": {"a": {"pattern": "("}}},
    "enum not a list": {"properties": {"a": {"enum": "a"}}},
    "bad $ref in unused $defs": {"$defs": {"unused": {"$ref": "nope.json"}}},
    "bad keyword in unused $defs": {"$defs": {"unused": {"type": 5}}},
    "title not a string": {"title": 5},
    "$ref with a space": {"$defs": {"a b": {}}, "$ref": "#/$defs/a b"},
    "fragment in $id": {"$id": "https://example.invalid/a.json#x"},
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_no_quick_validator_for_unsupported_schemas(name: str, tmp_path: Path) -> None:
    path = write_schema(tmp_path, UNSUPPORTED[name])
    assert QuickValidator.load(path) is None
    if name not in ("remote $ref", "meta-schema $ref"):  # fmlint fetches nothing by default
        SchemaValidator(path)  # the full validator does use it


@pytest.mark.parametrize("name", sorted(UNUSABLE))
def test_no_quick_validator_for_unusable_schemas(name: str, tmp_path: Path) -> None:
    path = write_schema(tmp_path, UNUSABLE[name])
    assert QuickValidator.load(path) is None
    with pytest.raises(SchemaError):
        SchemaValidator(path)


def test_no_quick_validator_for_unreadable_files(tmp_path: Path) -> None:
    assert QuickValidator.load(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert QuickValidator.load(tmp_path / "bad.json") is None
    (tmp_path / "latin1.json").write_bytes(b'{"title": "caf\xe9"}')
    assert QuickValidator.load(tmp_path / "latin1.json") is None
    assert QuickValidator.load(tmp_path) is None  # a folder


def test_no_quick_validator_for_onward_references(tmp_path: Path) -> None:
    # inside a referenced file, references resolve against the URI it was reached by
    write_schema(tmp_path, {"type": "string"}, "leaf.json")
    write_schema(tmp_path, {"$ref": "leaf.json"}, "middle.json")
    path = write_schema(tmp_path, {"properties": {"a": {"$ref": "middle.json"}}})
    SchemaValidator(path)
    assert QuickValidator.load(path) is None


def test_no_quick_validator_for_local_files_named_by_remote_schemas(tmp_path: Path) -> None:
    leaf = write_schema(tmp_path, {"type": "string"}, "leaf.json")
    schema = {
        "$id": "https://example.invalid/root.json",
        "properties": {"a": {"$ref": leaf.as_uri()}},
    }
    path = write_schema(tmp_path, schema)
    with pytest.raises(SchemaError, match="may not refer to a local file"):
        SchemaValidator(path)
    assert QuickValidator.load(path) is None
    # the same reference from a local schema is fine for both
    path = write_schema(tmp_path, {"properties": {"a": {"$ref": leaf.as_uri()}}}, "local.json")
    quick, _ = quick_and_full(path)
    assert quick.certainly_valid({"a": "x"}) and not quick.certainly_valid({"a": 1})


def test_uri_reference_check_covers_schema_references() -> None:
    for ref in ("#", "#/$defs/x", "#/definitions/a~0b~1c", "#/$defs/a%20b", "other.json#/$defs/x"):
        assert quick_uri_reference(ref), ref


# ---------------------------------------------------------------- schemas: never wrong


def schema_variants(rng: random.Random) -> Iterator[dict[str, Any]]:
    """The hand-written schemas with one keyword set to a random value, right or wrong."""
    odd_values: list[Any] = [
        None,
        True,
        False,
        -1,
        0,
        2,
        1.5,
        "",
        "string",
        "strng",
        "(",
        "^a",
        "date",
        "#",
        "#/$defs/slug",
        "#/nope",
        "https://example.com/x.json",
        [],
        ["a"],
        ["a", "a"],
        ["string", "null"],
        [{"type": "string"}],
        {},
        {"type": "string"},
        {"type": 5},
        {"a": {"type": "string"}},
        {"a": 1},
    ]
    keywords = [
        "type",
        "enum",
        "const",
        "pattern",
        "format",
        "minLength",
        "maxItems",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "uniqueItems",
        "$ref",
        "$defs",
        "definitions",
        "title",
        "examples",
        "deprecated",
        "$id",
        "$schema",
        "not",
        "then",
        "x-extra",
    ]
    for _ in range(300):
        name = rng.choice(sorted(SCHEMA_CASES))
        schema = json.loads(json.dumps(SCHEMA_CASES[name][0]))
        target = schema
        props = schema.get("properties")
        if props and rng.random() < 0.5:
            sub = props[rng.choice(sorted(props))]
            target = sub if isinstance(sub, dict) else schema
        target[rng.choice(keywords)] = rng.choice(odd_values)
        yield schema


def test_quick_validator_never_accepts_a_schema_the_full_one_refuses(tmp_path: Path) -> None:
    loaded = 0
    for i, schema in enumerate(schema_variants(random.Random(11))):
        path = write_schema(tmp_path, schema, f"variant-{i}.json")
        if QuickValidator.load(path) is None:
            continue
        loaded += 1
        try:
            SchemaValidator(path)
        except SchemaError as exc:
            pytest.fail(f"quick validator for a schema the full one refuses: {schema}: {exc}")
    assert loaded > 50
