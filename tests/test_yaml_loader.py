"""linter.yaml_loader: safe, positioned, duplicate-aware, bounded front-matter YAML."""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import linter.yaml_loader as yaml_loader
from linter.findings import Problem, Span
from linter.yaml_loader import (
    NodePosition,
    YamlLimits,
    YamlResult,
    load_front_matter,
)

SEED = Path(__file__).resolve().parents[1] / "examples" / "seed-article.md"

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"

PARSERS = ["c", "python"] if yaml_loader.WITH_LIBYAML else ["python"]


@pytest.fixture(params=PARSERS)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's parser and with PyYAML's pure-Python one."""
    factory = yaml_loader._c_parser if request.param == "c" else yaml_loader._py_parser
    monkeypatch.setattr(yaml_loader, "_new_parser", factory)
    return str(request.param)


def load(text: str, first_line: int = 2, **limits: int) -> YamlResult:
    result = load_front_matter(text, first_line, YamlLimits(**limits))
    for problem in result.problems:
        assert_positioned(problem)
    return result


def assert_positioned(problem: Problem) -> None:
    assert problem.code is not None and problem.code.startswith("FM1"), problem
    assert problem.line >= 1 and problem.column >= 1, problem
    assert problem.message and "internal error" not in problem.message, problem


def codes(result: YamlResult) -> list[str]:
    return [problem.code or "" for problem in result.problems]


def only(result: YamlResult, code: str) -> Problem:
    assert codes(result) == [code], result.problems
    return result.problems[0]


def cpu_time() -> float:
    """Seconds of CPU used by this process: time limits that a busy machine cannot break."""
    return time.process_time()


def seed_front_matter() -> str:
    text = SEED.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return text[4 : text.index("\n---\n", 4) + 1]


# --------------------------------------------------------------------- the seed


def test_seed_article(parser: str) -> None:
    result = load(seed_front_matter(), 2)
    assert result.problems == []
    assert result.data == {
        "layout": "post",
        "code": "ART2410171545HNYP99",
        "origin_url": "https://www.phnompenhpost.com/opinion/"
        "what-makes-south-korea-a-great-partner-of-asean-",
        "image": "https://github.com/user-attachments/assets/c6796fb2-eb29-4d1d-93a3-b42f699b0c98",
        "title": "What makes South Korea a great partner of ASEAN?",
        "description": "What makes South Korea a great partner of ASEAN?",
        "category": "OPINION",
        "language": "en",
        "date": "2024-10-25T08:24:49.057Z",
    }
    # `code: "ART2410171545HNYP99"` is file line 3
    assert result.positions[("code",)] == NodePosition(
        value=Span(3, 7, 3, 28),
        key=Span(3, 1, 3, 5),
        plain=False,
        source='"ART2410171545HNYP99"',
        tag=STR,
    )
    assert result.positions[("layout",)] == NodePosition(
        Span(2, 9, 2, 13), Span(2, 1, 2, 7), True, "post", STR
    )
    date = result.positions[("date",)]
    assert (date.value, date.plain, date.source, date.tag) == (
        Span(10, 7, 10, 31),
        True,
        "2024-10-25T08:24:49.057Z",
        TIMESTAMP,
    )
    assert result.positions[()] == NodePosition(Span(2, 1, 10, 31), None, False, "", MAP)
    assert set(result.positions) == {()} | {(key,) for key in result.data}


def test_positions_are_ordinary_records() -> None:
    position = load("title: x\n").positions[("title",)]
    expected = NodePosition(Span(2, 8, 2, 9), Span(2, 1, 2, 6), True, "x", STR)
    assert position == expected
    assert hash(position) == hash(expected)
    assert hash(position.value) == hash(Span(2, 8, 2, 9))
    assert repr(position) == repr(expected)
    assert dataclasses.replace(position, plain=False).plain is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        position.value.line = 3  # type: ignore[misc]


def test_first_line_offsets_every_position() -> None:
    result = load("a: 1\nb: [x]\n", 40)
    assert result.positions[("a",)].value == Span(40, 4, 40, 5)
    assert result.positions[("b", 0)].value == Span(41, 5, 41, 6)
    assert result.positions[("b",)].key == Span(41, 1, 41, 2)


# ------------------------------------------------------- YAML 1.1 scalar rules


@pytest.mark.parametrize(
    ("line", "value", "tag"),
    [
        ("language: no", False, BOOL),
        ("language: No", False, BOOL),
        ("draft: yes", True, BOOL),
        ("draft: on", True, BOOL),
        ("draft: off", False, BOOL),
        ("draft: true", True, BOOL),
        ("code: 0123", 83, INT),  # octal!
        ("code: 0x1F", 31, INT),
        ("code: 1_000", 1000, INT),
        ("code: -12", -12, INT),
        ("time: 1:20", 80, INT),  # sexagesimal
        ("time: 1:20.5", 80.5, FLOAT),
        ("price: 6.8523015e+5", 685230.15, FLOAT),
        ("ratio: .5", 0.5, FLOAT),
        ("big: .inf", float("inf"), FLOAT),
        ("title: null", None, NULL),
        ("title: Null", None, NULL),
        ("title: ~", None, NULL),
        ("title: 1e3", "1e3", STR),  # YAML 1.1 floats need a dot
        ("code: 08", "08", STR),  # not octal, not decimal: a string
        ("title: nothing", "nothing", STR),
        ("title: =", "=", STR),  # PyYAML's 'value' tag: read as a string
        ("title: <<", "<<", STR),  # a merge key only as a key
    ],
)
def test_yaml_1_1_scalars_keep_how_they_were_read(
    parser: str, line: str, value: Any, tag: str
) -> None:
    result = load(line + "\n")
    key = line.split(":")[0]
    assert result.problems == []
    assert result.data == {key: value}
    assert type(result.data[key]) is type(value)
    position = result.positions[(key,)]
    source = line.split(": ", 1)[1]
    assert (position.plain, position.source, position.tag) == (True, source, tag)
    assert position.value == Span(2, len(key) + 3, 2, len(line) + 1)


def test_empty_value_is_null() -> None:
    result = load("title:\nnext: 1\n")
    assert result.data == {"title": None, "next": 1}
    position = result.positions[("title",)]
    assert (position.plain, position.source, position.tag) == (True, "", NULL)
    assert position.value == Span(2, 7, 2, 7)


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ('language: "no"', '"no"'),
        ("language: 'no'", "'no'"),
        ('code: "0123"', '"0123"'),
        ("time: '1:20'", "'1:20'"),
        ('title: "null"', '"null"'),
        ("date: '2024-10-25'", "'2024-10-25'"),
    ],
)
def test_quoted_scalars_are_strings(parser: str, line: str, source: str) -> None:
    result = load(line + "\n")
    key = line.split(":")[0]
    assert result.data == {key: source[1:-1]}
    position = result.positions[(key,)]
    assert (position.plain, position.source, position.tag) == (False, source, STR)
    assert position.value == Span(2, len(key) + 3, 2, len(line) + 1)


def test_explicit_core_tags() -> None:
    text = 'a: !!str 12\nb: ! 12\nc: !!int "12"\nd: !!float "1.5"\ne: !!null x\nf: !!str\n'
    result = load(text)
    assert result.problems == []
    assert result.data == {"a": "12", "b": "12", "c": 12, "d": 1.5, "e": None, "f": ""}
    a = result.positions[("a",)]
    assert (a.tag, a.source, a.plain) == (STR, "12", True)
    assert a.value == Span(2, 4, 2, 12)  # the span starts at the tag
    assert result.positions[("c",)].tag == INT
    assert result.positions[("c",)].source == '"12"'


def test_explicit_tag_that_does_not_fit_the_value() -> None:
    result = load("a: !!int abc\nb: !!bool maybe\nc: ok\n")
    assert result.data == {"a": None, "b": None, "c": "ok"}
    assert codes(result) == ["FM107", "FM107"]
    first = result.problems[0]
    assert (first.line, first.column) == (2, 4)
    assert "`!!int` does not fit the value `abc`" in first.message


# ------------------------------------------------------------------ timestamps


@pytest.mark.parametrize(
    "written",
    [
        "2024-10-25T08:24:49.057Z",
        "2024-10-25",
        "2024-02-30",  # no such day: PyYAML's constructor would raise
        "2024-13-45",
        "0000-00-00",
        "2024-10-25 08:24:49 +07:00",
        "2024-10-25t08:24:49.123456789-05:30",
        "2024-1-5 1:02:03",
        "9999-99-99T99:99:99Z",
    ],
)
def test_timestamps_stay_as_written(parser: str, written: str) -> None:
    result = load(f"date: {written}\n")
    assert result.problems == []
    assert result.data == {"date": written}
    position = result.positions[("date",)]
    assert (position.tag, position.source, position.plain) == (TIMESTAMP, written, True)


def test_explicit_timestamp_tag_keeps_text() -> None:
    result = load("date: !!timestamp not-a-date\n")
    assert result.problems == []
    assert result.data == {"date": "not-a-date"}
    assert result.positions[("date",)].tag == TIMESTAMP


def test_timestamps_inside_lists_and_as_keys() -> None:
    result = load("dates: [2024-02-30, 2024-01-01]\n2024-01-01: x\n")
    assert result.data == {"dates": ["2024-02-30", "2024-01-01"], "2024-01-01": "x"}


# ---------------------------------------------------------------- duplicates


def test_duplicate_key_reported_at_the_second_with_both_lines(parser: str) -> None:
    text = "layout: post\ntitle: One\ndate: 2024-01-01\ntitle: Two\n"
    result = load(text, 4)
    problem = only(result, "FM109")
    assert (problem.line, problem.column, problem.end_line, problem.end_column) == (7, 1, 7, 6)
    assert problem.message == (
        "duplicate key `title` (first defined on line 5); YAML keeps only the last value"
    )
    assert problem.subject == "title"
    assert result.data == {"layout": "post", "title": "Two", "date": "2024-01-01"}
    assert result.positions[("title",)].value == Span(7, 8, 7, 11)
    assert result.positions[("title",)].key == Span(7, 1, 7, 6)


def test_duplicate_keys_nested_flow_and_thrice() -> None:
    text = "author:\n  name: A\n  name: B\nx: {a: 1, a: 2}\nk: 1\nk: 2\nk: 3\n"
    result = load(text)
    assert codes(result) == ["FM109"] * 4
    lines = [(p.line, p.column) for p in result.problems]
    assert lines == [(4, 3), (5, 11), (7, 1), (8, 1)]
    assert "first defined on line 3" in result.problems[0].message
    assert all("first defined on line 6" in p.message for p in result.problems[2:])
    assert result.data == {"author": {"name": "B"}, "x": {"a": 2}, "k": 3}


def test_same_key_in_different_mappings_is_fine() -> None:
    result = load("a:\n  name: x\nb:\n  name: y\nlist:\n  - name: 1\n  - name: 2\n")
    assert result.problems == []


def test_keys_differing_only_by_quoting_are_duplicates() -> None:
    result = load("title: a\n'title': b\n")
    assert codes(result) == ["FM109"]
    assert result.data == {"title": "b"}


# ----------------------------------------------------------------- unsafe tags


def test_python_object_apply_is_reported_and_never_run(parser: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (
        "title: ok\n"
        f'cmd: !!python/object/apply:os.system ["touch {marker}"]\n'
        f"obj: !!python/object/new:os.system [touch {marker}]\n"
        "name: !!python/name:os.system\n"
        f"mod: !!python/object/apply:subprocess.call [[touch, {marker}]]\n"
        "after: kept\n"
    )
    result = load(text)
    assert not marker.exists()
    assert codes(result) == ["FM110"] * 4
    first = result.problems[0]
    assert (first.line, first.column) == (3, 6)
    assert first.message == (
        "unsupported YAML tag `!!python/object/apply:os.system`: fmlint never constructs "
        "objects from tags; remove the tag"
    )
    assert result.data == {
        "title": "ok",
        "cmd": None,
        "obj": None,
        "name": None,
        "mod": None,
        "after": "kept",
    }
    assert result.positions[("cmd",)].tag == "tag:yaml.org,2002:python/object/apply:os.system"
    assert ("cmd", 0) not in result.positions


def test_loader_never_uses_pyyaml_load_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a PyYAML load function was called")

    for name in ("load", "unsafe_load", "full_load", "safe_load", "load_all", "compose"):
        monkeypatch.setattr(yaml, name, forbidden)
    result = load('a: !!python/object/apply:os.system ["true"]\nb: [1, {c: d}]\n')
    assert result.data == {"a": None, "b": [1, {"c": "d"}]}


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("x: !custom 3", "!custom"),
        ("x: !custom {a: 1}", "!custom"),
        ("x: !<tag:example.com,2024:thing> 3", "tag:example.com,2024:thing"),
        ("x: !!binary aGVsbG8=", "!!binary"),
        ("x: !!python/tuple [1, 2]", "!!python/tuple"),
    ],
)
def test_tags_outside_the_json_set(parser: str, line: str, shown: str) -> None:
    result = load(line + "\nother: 1\n")
    problem = only(result, "FM110")
    assert f"unsupported YAML tag `{shown}`" in problem.message
    assert (problem.line, problem.column) == (2, 4)
    assert problem.subject == shown
    assert result.data == {"x": None, "other": 1}


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("x: !!set {a, b}", "a set"),
        ("x: !!omap [a: 1, b: 2]", "an ordered mapping"),
        ("x: !!pairs [a: 1, a: 2]", "a list of pairs"),
    ],
)
def test_set_omap_pairs_are_not_json(line: str, what: str) -> None:
    result = load(line + "\n")
    problem = only(result, "FM110")
    assert f"it builds {what}, which is not JSON data" in problem.message
    assert result.data == {"x": None}


def test_core_tag_on_the_wrong_kind_of_node() -> None:
    result = load("a: !!str {b: 1}\nc: !!map x\n")
    assert codes(result) == ["FM110", "FM110"]
    assert "`!!str` cannot be used on a mapping" in result.problems[0].message
    assert "`!!map` cannot be used on a scalar" in result.problems[1].message
    assert result.data == {"a": None, "c": None}


def test_tagged_key_and_tagged_root() -> None:
    result = load("!!python/name:os.system : x\nok: 1\n")
    assert codes(result) == ["FM110"]
    assert result.data == {"ok": 1}

    root = load('!!python/object/apply:os.system ["true"]\n')
    assert codes(root) == ["FM110"]
    assert root.data is None and root.positions == {}


# --------------------------------------------------------------- syntax errors


def test_unterminated_quote(parser: str) -> None:
    text = 'layout: post\ntitle: "What makes\ncode: x\n'
    result = load(text, 5)
    problem = only(result, "FM107")
    assert result.data is None and result.positions == {}
    # the parser fails at the end of the text; the finding points at the open quote
    assert (problem.line, problem.column) == (6, 8)
    assert problem.message == (
        "YAML syntax error: this quoted value is not closed on its line, so YAML read on and "
        "failed on line 8 (found unexpected end of stream); add the closing quote"
    )


def test_tab_indentation_mentions_tabs(parser: str) -> None:
    result = load("author:\n\tname: x\n", 2)
    problem = only(result, "FM107")
    assert (problem.line, problem.column) == (3, 1)
    assert "tabs" in problem.message and "indent with spaces" in problem.message


def test_tab_after_a_value_line(parser: str) -> None:
    problem = only(load("a: b\n\tc: d\n"), "FM107")
    assert problem.line == 3
    assert "tabs" in problem.message


def test_unclosed_flow_sequence(parser: str) -> None:
    result = load("tags: [news, asia\ndate: 2024-01-01\n", 2)
    problem = only(result, "FM107")
    assert (problem.line, problem.column) == (2, 7)  # the `[` that is never closed
    assert problem.message.startswith("YAML syntax error: the `[` opened here is never closed")
    assert "']'" in problem.message and "line 3" in problem.message


def test_colon_space_in_plain_value(parser: str) -> None:
    result = load("title: ok\ndescription: Breaking: text\n", 2)
    problem = only(result, "FM107")
    assert (problem.line, problem.column) == (3, 22)
    assert problem.message.startswith("YAML syntax error: mapping values are not allowed")
    assert "must be quoted" in problem.message


def test_value_starting_with_at_sign(parser: str) -> None:
    problem = only(load("author: @someone\n"), "FM107")
    assert (problem.line, problem.column) == (2, 9)
    assert "`@`" in problem.message


def test_control_character_position(parser: str) -> None:
    # libyaml reports a byte offset: the loader finds the character itself
    problem = only(load("tïtle: ok\nnote: a\x01b\n"), "FM107")
    assert (problem.line, problem.column) == (3, 8)
    assert "U+0001" in problem.message


def test_two_documents_are_a_syntax_error(parser: str) -> None:
    problem = only(load("a: 1\n---\nb: 2\n"), "FM107")
    assert problem.line == 3
    assert "more than one YAML document" in problem.message


# --------------------------------------------------- empty and non-mapping tops


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "# a\n\n# b\n", "   \n"])
def test_empty_front_matter(parser: str, text: str) -> None:
    result = load(text, 7)
    problem = only(result, "FM106")
    assert (problem.line, problem.column) == (7, 1)
    assert problem.message == "front matter is empty"
    assert result.data is None and result.positions == {}


@pytest.mark.parametrize(
    ("text", "found", "where"),
    [
        ("- a\n- b\n", "a list", (2, 1)),
        ("[a, b]\n", "a list", (2, 1)),
        ("just a sentence\n", "a string", (2, 1)),
        ('"quoted"\n', "a string", (2, 1)),
        ("# intro\n42\n", "the number 42", (3, 1)),
        ("0123\n", "the number 0123", (2, 1)),
        ("yes\n", "the boolean true", (2, 1)),
        ("~\n", "null", (2, 1)),
    ],
)
def test_top_level_not_a_mapping(
    parser: str, text: str, found: str, where: tuple[int, int]
) -> None:
    result = load(text, 2)
    problem = only(result, "FM108")
    assert problem.message == f"front matter must be a mapping of keys to values; found {found}"
    assert (problem.line, problem.column) == where
    assert result.data is None and result.positions == {}


# ------------------------------------------------------------- hostile input

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize("text", [BILLION_LAUGHS, BILLION_LAUGHS.replace("lol", "{x: y}")])
def test_alias_bomb_is_stopped_cheaply(parser: str, text: str) -> None:
    started = cpu_time()
    result = load(text)
    assert cpu_time() - started < 1.0
    problem = only(result, "FM111")
    assert "limits.max-nodes = 10000" in problem.message
    assert problem.subject == "limits.max-nodes"
    assert result.data is None and result.positions == {}


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "[" * 10_000,  # and never closed
        "a: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
        "- " * 10_000 + "x\n",  # block sequences, one line
        "".join(" " * depth + "k:\n" for depth in range(300)) + " " * 300 + "k: v\n",
    ],
    ids=["flow-seq", "flow-unclosed", "flow-map", "block-seq", "block-map"],
)
def test_deep_nesting_is_stopped_cheaply(parser: str, text: str) -> None:
    started = cpu_time()
    result = load(text)
    elapsed = cpu_time() - started
    problem = only(result, "FM111")
    assert "limits.max-depth = 50" in problem.message
    assert problem.subject == "limits.max-depth"
    assert result.data is None
    assert elapsed < 1.0


def test_depth_limit_position_and_exact_boundary() -> None:
    inside = "a: " + "[" * 49 + "]" * 49 + "\n"  # the top-level mapping + 49 lists = 50
    assert load(inside).problems == []
    over = "a: " + "[" * 50 + "]" * 50 + "\n"
    problem = only(load(over), "FM111")
    assert (problem.line, problem.column) == (2, 53)  # the 50th '['


def test_depth_counts_aliases_expanded() -> None:
    deep = "[" * 30 + "]" * 30
    text = f"a: &a {deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]\n"
    problem = only(load(text), "FM111")
    assert problem.subject == "limits.max-depth"


def test_many_aliases_below_the_limit_are_fine(parser: str) -> None:
    text = "name: &n Jane\nauthors: [" + ", ".join(["*n"] * 100) + "]\n"
    result = load(text)
    assert result.problems == []
    assert result.data == {"name": "Jane", "authors": ["Jane"] * 100}
    assert result.positions[("authors", 99)].source == "*n"


def test_alias_uses_over_the_limit() -> None:
    text = "name: &n Jane\nauthors: [" + ", ".join(["*n"] * 101) + "]\n"
    problem = only(load(text), "FM111")
    assert "used more than 100 times (limits.max-aliases = 100)" in problem.message
    assert problem.subject == "limits.max-aliases"
    assert (problem.line, problem.column) == (3, 11 + 100 * 4)  # the 101st alias


def test_many_nodes(parser: str) -> None:
    text = "".join(f"k{index}: v\n" for index in range(20_000))
    started = cpu_time()
    problem = only(load(text), "FM111")
    assert cpu_time() - started < 1.0
    assert "limits.max-nodes = 10000" in problem.message
    # node 10001: the root, then two per line: the value on the 5000th line (file line 5001)
    assert (problem.line, problem.column) == (5001, 8)
    fine = "".join(f"k{index}: v\n" for index in range(4_999))
    assert load(fine).problems == []


def test_recursive_alias() -> None:
    problem = only(load("a: &a [1, *a]\n"), "FM111")
    assert "`*a` is used inside the collection `&a`" in problem.message
    assert (problem.line, problem.column) == (2, 11)


def test_huge_scalar_is_fine() -> None:
    result = load("body: " + "x" * 1_000_000 + "\n")
    assert result.problems == []
    assert len(result.data["body"]) == 1_000_000


# ------------------------------------------------------------------- limits


def test_limits_are_configurable() -> None:
    assert load("a: {b: 1}\n", max_depth=2).problems == []
    problem = only(load("a: {b: {c: 1}}\n", max_depth=2), "FM111")
    assert "deeper than 2 levels (limits.max-depth = 2)" in problem.message

    assert load("a: 1\nb: 2\n", max_nodes=5).problems == []
    problem = only(load("a: 1\nb: 2\nc: 3\n", max_nodes=5), "FM111")
    assert "more than 5 YAML nodes" in problem.message
    assert "limits.max-nodes = 5" in problem.message

    assert load("a: &x 1\nb: *x\n", max_aliases=1).problems == []
    problem = only(load("a: &x 1\nb: *x\nc: *x\n", max_aliases=1), "FM111")
    assert "(limits.max-aliases = 1)" in problem.message
    assert problem.line == 4


def test_default_limits() -> None:
    assert YamlLimits() == YamlLimits(max_aliases=100, max_depth=50, max_nodes=10_000)


# --------------------------------------------------------------- positions


def test_crlf_positions_match_lf(parser: str) -> None:
    lf = (
        "title: plain\n"
        'quoted: "a\n  b"\n'
        "block: |\n  one\n  two\n\n"
        "tags:\n  - x\n  - y\n"
        "last: 0123\n"
    )
    crlf = lf.replace("\n", "\r\n")
    a, b = load(lf), load(crlf)
    assert a.problems == b.problems == []
    assert (
        a.data
        == b.data
        == {
            "title": "plain",
            "quoted": "a b",
            "block": "one\ntwo\n",
            "tags": ["x", "y"],
            "last": 83,
        }
    )
    for path, position in a.positions.items():
        other = b.positions[path]
        assert (other.value, other.key, other.plain, other.tag) == (
            position.value,
            position.key,
            position.plain,
            position.tag,
        ), path
        assert other.source.replace("\r\n", "\n") == position.source
    assert b.positions[("block",)].value == Span(5, 8, 7, 6)
    assert b.positions[("last",)].value == Span(12, 7, 12, 11)


def test_crlf_errors_have_the_right_line(parser: str) -> None:
    problem = only(load('a: 1\r\nb: "open\r\nc: 2\r\n', 2), "FM107")
    assert (problem.line, problem.column) == (3, 4)  # the open quote, CRLF or not
    assert "failed on line 5" in problem.message


def test_multi_line_value_spans(parser: str) -> None:
    text = (
        "title: plain\n"  # 2
        "  continued here\n"  # 3
        "desc: >\n"  # 4
        "  folded\n"  # 5
        "  text\n"  # 6
        "\n"  # 7
        'quote: "multi\n'  # 8
        '  line"\n'  # 9
        "keep: |+\n"  # 10
        "  kept\n"  # 11
        "\n"  # 12
        "tags:\n"  # 13
        "  - a\n"  # 14
        "  - b: 1\n"  # 15
        "    c: [1,\n"  # 16
        "      2]\n"  # 17
        "# trailing comment\n"  # 18
    )
    result = load(text)
    assert result.problems == []
    positions = result.positions
    assert result.data["title"] == "plain continued here"
    assert positions[("title",)].value == Span(2, 8, 3, 17)
    assert positions[("title",)].source == "plain\n  continued here"
    assert positions[("desc",)].value == Span(4, 7, 6, 7)
    assert positions[("desc",)].source == ">\n  folded\n  text"
    assert positions[("quote",)].value == Span(8, 8, 9, 8)
    assert positions[("keep",)].value == Span(10, 7, 11, 7)
    assert result.data["keep"] == "kept\n\n"
    assert positions[("tags",)].value == Span(14, 3, 17, 9)
    assert positions[("tags",)].key == Span(13, 1, 13, 5)
    assert positions[("tags", 0)] == NodePosition(Span(14, 5, 14, 6), None, True, "a", STR)
    assert positions[("tags", 1)].value == Span(15, 5, 17, 9)
    assert positions[("tags", 1, "c")].value == Span(16, 8, 17, 9)
    assert positions[("tags", 1, "c", 1)].value == Span(17, 7, 17, 8)
    assert positions[()].value == Span(2, 1, 17, 9)


def test_block_scalar_span_ends_at_its_last_character() -> None:
    result = load("a: |\n  x\n  \n\nb: |\nc: >-\n  y   \n")
    assert result.data == {"a": "x\n", "b": "", "c": "y   "}
    assert result.positions[("a",)].value == Span(2, 4, 3, 4)
    assert result.positions[("a",)].source == "|\n  x"
    assert result.positions[("b",)].value == Span(6, 4, 6, 5)
    assert result.positions[("c",)].value == Span(7, 4, 8, 4)


def test_non_ascii_columns_count_characters(parser: str) -> None:
    result = load('tïtle: "Ça va"\nnäme: 日本語\n')
    assert result.positions[("tïtle",)].value == Span(2, 8, 2, 15)
    assert result.positions[("näme",)].value == Span(3, 7, 3, 10)
    assert result.positions[("näme",)].source == "日本語"


def test_anchor_and_alias_positions() -> None:
    text = "a: &x no\nb: *x\nc: &l [1, 2]\nd: *l\n"
    result = load(text)
    assert result.problems == []
    assert result.data == {"a": False, "b": False, "c": [1, 2], "d": [1, 2]}
    a = result.positions[("a",)]
    assert (a.value, a.source, a.plain, a.tag) == (Span(2, 4, 2, 9), "no", True, BOOL)
    assert result.positions[("b",)] == NodePosition(
        Span(3, 4, 3, 6), Span(3, 1, 3, 2), False, "*x", BOOL
    )
    assert result.positions[("d",)].source == "*l"
    assert result.positions[("d",)].tag == SEQ
    # paths under an aliased collection point at the anchored definition
    assert result.positions[("d", 1)] == result.positions[("c", 1)]
    assert result.positions[("d", 1)].value == Span(4, 11, 4, 12)


def test_undefined_alias() -> None:
    result = load("a: *nope\nb: 1\n*nokey : 2\n")
    assert codes(result) == ["FM107", "FM107"]
    assert "alias `*nope` refers to no anchor `&nope`" in result.problems[0].message
    assert (result.problems[0].line, result.problems[0].column) == (2, 4)
    assert result.data == {"a": None, "b": 1}


def test_anchor_redefinition_uses_the_latest() -> None:
    result = load("a: &x 1\nb: *x\nc: &x 2\nd: *x\n")
    assert result.problems == []
    assert result.data == {"a": 1, "b": 1, "c": 2, "d": 2}


# ----------------------------------------------------------------- merge keys


def test_merge_keys_like_pyyaml(parser: str) -> None:
    text = (
        "base: &b {x: 1, y: 2}\n"  # 2
        "other: &o {y: 3, z: 4}\n"  # 3
        "m:\n"  # 4
        "  <<: [*b, *o]\n"  # 5
        "  x: 0\n"  # 6
        "n:\n"  # 7
        "  <<: {p: 1}\n"  # 8
        "  q: 2\n"  # 9
        "o:\n"  # 10
        "  <<: *b\n"  # 11
    )
    result = load(text)
    assert result.problems == []
    assert result.data == yaml.safe_load(text)
    assert result.data["m"] == {"x": 0, "y": 2, "z": 4}
    positions = result.positions
    assert positions[("m", "x")].value == Span(6, 6, 6, 7)
    assert positions[("m", "y")] == positions[("base", "y")]
    assert positions[("m", "z")] == positions[("other", "z")]
    assert positions[("n", "p")].value == Span(8, 11, 8, 12)
    assert positions[("o", "x")] == positions[("base", "x")]
    assert not any(
        part == "<<" or not isinstance(part, (str, int)) for path in positions for part in path
    )
    assert set(positions) == {()} | set(_paths(result.data))


def test_bad_merge_value() -> None:
    result = load("a:\n  <<: 5\n  b: 1\n")
    problem = only(result, "FM107")
    assert "merge key `<<` needs a mapping" in problem.message
    assert (problem.line, problem.column) == (3, 7)
    assert result.data == {"a": {"b": 1}}


def test_quoted_merge_key_is_a_plain_key() -> None:
    result = load('"<<": x\n')
    assert result.data == {"<<": "x"}
    assert result.positions[("<<",)].source == "x"


# ------------------------------------------------------------------- keys


def test_non_string_keys_become_their_source(parser: str) -> None:
    text = "1: a\ntrue: b\nnull: c\n~: d\n1.5: e\n0123: f\n2024-01-01: g\n'7': h\n"
    result = load(text)
    assert result.problems == []
    assert result.data == {
        "1": "a",
        "true": "b",
        "null": "c",
        "~": "d",
        "1.5": "e",
        "0123": "f",
        "2024-01-01": "g",
        "7": "h",
    }
    assert result.positions[("true",)].key == Span(3, 1, 3, 5)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("? [a, b]\n: x\nok: 1\n", (2, 3)),
        ("[a]: x\nok: 1\n", (2, 1)),
        ("{a: 1}: x\nok: 1\n", (2, 1)),
        ("? - a\n  - b\n: x\nok: 1\n", (2, 3)),
        ("l: &l [1]\n*l : x\nok: 1\n", (3, 1)),
    ],
)
def test_complex_keys_are_left_out(parser: str, text: str, where: tuple[int, int]) -> None:
    result = load(text)
    problem = only(result, "FM107")
    assert (problem.line, problem.column) == where
    assert "a mapping key must be a plain value" in problem.message
    assert result.data.get("ok") == 1
    assert all(isinstance(key, str) for key in result.data)


def test_alias_to_scalar_as_key() -> None:
    result = load("k: &k title\n*k : value\n")
    assert result.problems == []
    assert result.data == {"k": "title", "title": "value"}


# ------------------------------------------------------- agreement and fuzz

PARITY_DOCS = [
    "a: 1\nb: [1, 2.5, -3, 0o7, 0x1F, 1:20, .inf]\nc: {d: null, e: ~, f: ''}\n",
    "t: yes\nf: Off\nq: 'yes'\nlist:\n- a\n- b:\n    c: d\n",
    "text: |\n  line one\n  line two\nfold: >-\n  a\n  b\n\nplain: a\n  b\n",
    "s: &s hello\nr: *s\nm: &m {a: 1}\nn:\n  <<: *m\n  b: 2\n",
    "x: !!str 12\ny: !!float 3\nz: '1:20'\nw: \"esc\\taped \\u00e9\"\n",
    seed_front_matter().replace("date: 2024-10-25T08:24:49.057Z\n", ""),
]


@pytest.mark.parametrize("text", PARITY_DOCS)
def test_data_agrees_with_pyyaml_safe_load(parser: str, text: str) -> None:
    result = load(text)
    assert result.problems == []
    assert result.data == yaml.safe_load(text)


def _paths(data: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def test_every_data_path_has_a_position() -> None:
    for text in [*PARITY_DOCS, "a: &a [1, {b: 2}]\nc: *a\nd: [*a, *a]\n"]:
        result = load(text)
        expected = {()} | set(_paths(result.data))
        assert set(result.positions) == expected, text


def test_both_parsers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    if not yaml_loader.WITH_LIBYAML:
        pytest.skip("libyaml is not available")
    documents = [*PARITY_DOCS, seed_front_matter(), "a: &x [1, *x]\n", "a: 1\na: 2\n"]
    for text in documents:
        monkeypatch.setattr(yaml_loader, "_new_parser", yaml_loader._c_parser)
        c = load(text)
        monkeypatch.setattr(yaml_loader, "_new_parser", yaml_loader._py_parser)
        python = load(text)
        assert c.data == python.data, text
        assert c.positions == python.positions, text
        assert codes(c) == codes(python), text


def test_fuzzed_front_matter_never_raises(parser: str) -> None:
    rng = random.Random(20241025)
    base = seed_front_matter() + "tags:\n  - a\n  - {b: [1, 2]}\nref: &r x\nuse: *r\n"
    alphabet = [*"\"'[]{}:,-?&*!|>#%@`\t\n\r ~<=", "!!python/x ", "<<: ", "\r\n", "é"]
    for _ in range(300):
        chars = list(base)
        for _ in range(rng.randint(1, 6)):
            position = rng.randrange(len(chars) + 1)
            if rng.random() < 0.3 and chars:
                del chars[min(position, len(chars) - 1)]
            else:
                chars.insert(position, rng.choice(alphabet))
        text = "".join(chars)
        result = load(text, 2)
        if result.data is None:
            assert len(result.problems) >= 1
        else:
            assert isinstance(result.data, dict)
            assert () in result.positions
        for problem in result.problems:
            assert problem.line >= 2, (text, problem)


def test_speed_of_a_typical_front_matter() -> None:
    """A loose guard against pathological slowdowns (a typical call is ~50 µs)."""
    text = seed_front_matter()
    started = cpu_time()
    for _ in range(1000):
        load_front_matter(text, 2)
    assert cpu_time() - started < 2.0
