"""Loading a document: bytes to text, front matter with positions, body (FM1xx)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import example_text, lint, replace_field, where

from linter.document import Limits, parse_document, read_document
from linter.findings import Severity, Span


def core(text: str | bytes) -> list[tuple[int, int, str | None]]:
    """(line, column, code) of what the loader itself reports."""
    doc = parse_document(text, "post.md")
    return [(p.line, p.column, p.code) for p in doc.core_problems]


def messages(text: str | bytes, code: str) -> list[str]:
    return [p.message for p in parse_document(text, "post.md").core_problems if p.code == code]


def fm1(text: str) -> list[tuple[int, int, str]]:
    """FM1xx findings of the whole engine."""
    return where(lint(text), "FM1")


# ------------------------------------------------------------------ good files


def test_the_example_loads_cleanly() -> None:
    doc = parse_document(example_text().encode("utf-8"), "post.md")
    assert doc.core_problems == []
    assert doc.front_matter is not None
    assert (doc.front_matter.start_line, doc.front_matter.end_line) == (1, 11)
    assert doc.data["layout"] == "post"
    assert doc.data["date"] == "2024-10-25T08:24:49.057Z"  # timestamps stay text
    assert doc.body_line == 12
    assert doc.body.startswith("\n# What makes South Korea")
    assert doc.front_matter.positions[("title",)].value.line == 6
    assert [f for f in lint(example_text()) if f.severity is Severity.ERROR] == []


def test_utf8_bom_is_accepted() -> None:
    text = example_text()
    with_bom = b"\xef\xbb\xbf" + text.encode("utf-8")
    doc = parse_document(with_bom, "post.md")
    assert doc.core_problems == []
    assert doc.data["layout"] == "post"  # the BOM is not part of the first key or fence
    assert where(lint("\ufeff" + text)) == where(lint(text))


def test_crlf_line_endings_keep_positions() -> None:
    broken = replace_field(example_text(), "language", 'language: "english"')
    lf = where(lint(broken))
    crlf = where(lint(broken.replace("\n", "\r\n")))
    assert crlf == lf
    assert (9, 11, "FM207") in crlf  # on the value, not shifted by the \r characters
    assert (15, 1, "FM406") in crlf and (29, 1, "FM306") in crlf  # body lines too
    doc = parse_document(broken.replace("\n", "\r\n").encode(), "post.md")
    assert "\r" not in doc.body and doc.data["layout"] == "post"


def test_crlf_positions_within_a_line() -> None:
    text = "---\r\ntitle: x\r\nlayout: post\r\nlayout: page\r\n---\r\n\r\n# x\r\n"
    assert core(text.encode()) == [(4, 1, "FM109")]
    doc = parse_document(text.encode(), "post.md")
    assert doc.front_matter is not None
    assert doc.front_matter.positions[("title",)].value == Span(2, 8, 2, 9)


def test_dots_close_the_front_matter() -> None:
    text = example_text().replace("\n---\n", "\n...\n", 1)
    assert text.count("\n...\n") == 1
    doc = parse_document(text, "post.md")
    assert doc.core_problems == []
    assert doc.front_matter is not None and doc.front_matter.end_line == 11
    assert doc.data["category"] == "OPINION"
    assert fm1(text) == []


@pytest.mark.parametrize("ending", ["---", "---\n", "---  \n"])
def test_front_matter_only_without_a_body(ending: str) -> None:
    text = '---\ntitle: "A title"\nlayout: post\n' + ending
    doc = parse_document(text, "post.md")
    assert doc.core_problems == []
    assert doc.body == ""
    assert doc.data == {"title": "A title", "layout": "post"}
    assert fm1(text) == []


# ------------------------------------------------------------------ FM102 not text


def test_invalid_utf8_points_at_the_first_bad_byte() -> None:
    data = b'---\ntitle: "Caf\xe9"\nlayout: post\n---\n'
    assert core(data) == [(2, 12, "FM102")]
    assert "0xe9" in messages(data, "FM102")[0]


def test_invalid_utf8_column_counts_characters_not_bytes() -> None:
    data = '---\ntitle: "日本'.encode() + b'\xff"\n---\n'
    assert core(data) == [(2, 11, "FM102")]  # `title: "日本` is 10 characters


def test_invalid_utf8_in_the_body(tmp_path: Path) -> None:
    file = tmp_path / "post.md"
    file.write_bytes(example_text().encode() + b"\n\nlast line \x80 here\n")
    doc = read_document(file, "post.md")
    line = example_text().count("\n") + 3
    assert [(p.line, p.column, p.code) for p in doc.core_problems] == [(line, 11, "FM102")]


def test_nul_bytes_are_binary() -> None:
    data = b"---\ntitle: x\x00y\n---\n"
    assert core(data) == [(2, 9, "FM102")]
    assert "NUL" in messages(data, "FM102")[0]


def test_utf16_is_not_text() -> None:
    data = example_text().encode("utf-16")
    assert [code for _, _, code in core(data)] == ["FM102"]


# ------------------------------------------------------------------ FM104 no front matter


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("# Just a title\n\nSome text.\n", "expected the file to start with a `---` line"),
        ('+++\ntitle = "A title"\n+++\n\n# A title\n', "found a TOML header (`+++`)"),
        ('{\n  "title": "A title"\n}\n\n# A title\n', "found a JSON header"),
        ("", "the file is empty"),
        ("\n\n  \n", "the file is empty"),
        ("  ---\ntitle: x\n---\n", "must be the very first line, without indentation"),
        ("\n---\ntitle: x\n---\n", "expected the file to start with a `---` line"),
    ],
    ids=["plain", "toml", "json", "empty", "blank", "indented", "blank-first-line"],
)
def test_missing_front_matter(text: str, sentence: str) -> None:
    assert core(text) == [(1, 1, "FM104")]
    (message,) = messages(text, "FM104")
    assert sentence in message
    assert fm1(text) == [(1, 1, "FM104")]
    assert where(lint(text), "FM2") == []  # no schema noise on a file without front matter


def test_missing_front_matter_keeps_the_body() -> None:
    doc = parse_document("# Title\n\ntext\n", "post.md")
    assert doc.front_matter is None
    assert doc.body == "# Title\n\ntext\n" and doc.body_line == 1


# ------------------------------------------------------------------ FM105 unclosed


@pytest.mark.parametrize(
    "text",
    ["---", "---\n", '---\ntitle: "A"\n\n# A\n', '---\ntitle: "A"\n--\n# A\n', "---\n----\n"],
)
def test_unclosed_front_matter(text: str) -> None:
    assert core(text) == [(1, 1, "FM105")]
    assert fm1(text) == [(1, 1, "FM105")]


def test_unclosed_example() -> None:
    text = example_text().replace("\n---\n", "\n\n", 1)
    assert fm1(text) == [(1, 1, "FM105")]


# ------------------------------------------------------------------ FM106 empty


@pytest.mark.parametrize(
    "text",
    ["---\n---\n", "---\n---", "---\n\n\n---\n\n# A\n", "---\n# only\n# comments\n---\n# A\n"],
    ids=["fences", "no-newline", "blank", "comments"],
)
def test_empty_front_matter(text: str) -> None:
    found = core(text)
    assert [code for _, _, code in found] == ["FM106"]
    assert fm1(text) == [(*found[0][:2], "FM106")]
    assert where(lint(text), "FM2") == []  # one finding, not one per required field


# ------------------------------------------------------------------ FM108 not a mapping


@pytest.mark.parametrize(
    ("yaml", "found"),
    [
        ("- title\n- date\n", "a list"),
        ("[a, b]\n", "a list"),
        ("just a sentence\n", "a string"),
        ("42\n", "the number 42"),
        ("true\n", "the boolean true"),
    ],
)
def test_front_matter_not_a_mapping(yaml: str, found: str) -> None:
    text = f"---\n{yaml}---\n\n# A\n"
    assert core(text) == [(2, 1, "FM108")]
    assert found in messages(text, "FM108")[0]
    assert where(lint(text), "FM2") == []


# ------------------------------------------------------------------ FM109 duplicate key


def test_duplicate_key_names_both_lines() -> None:
    text = example_text().replace('language: "en"', 'language: "en"\ntitle: "Untitled"')
    assert fm1(text) == [(10, 1, "FM109")]
    (message,) = messages(text, "FM109")
    assert "`title`" in message and "line 6" in message


def test_duplicate_key_in_a_nested_mapping() -> None:
    text = "---\ntitle: x\nmeta:\n  a: 1\n  b: 2\n  a: 3\n---\n"
    assert core(text) == [(6, 3, "FM109")]
    assert "line 4" in messages(text, "FM109")[0]


# ------------------------------------------------------------------ FM110 unsafe tags


def test_python_tags_are_never_executed(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    text = f'---\ntitle: !!python/object/apply:os.system ["touch {target}"]\nlayout: post\n---\n'
    findings = lint(text)
    assert (2, 8, "FM110") in where(findings, "FM1")
    assert not target.exists()
    # and through a real file, as the CLI reads it
    file = tmp_path / "post.md"
    file.write_text(text, encoding="utf-8")
    doc = read_document(file, "post.md")
    assert [(p.line, p.code) for p in doc.core_problems] == [(2, "FM110")]
    assert doc.data == {"title": None, "layout": "post"}  # the rest stays usable
    assert not target.exists()


@pytest.mark.parametrize(
    "value",
    [
        "!!python/name:os.system",
        "!!python/object/new:subprocess.Popen [[ls]]",
        '!!binary "aGVsbG8="',
        "!!set {a, b}",
        "!include secrets.yml",
    ],
)
def test_other_unsafe_tags(value: str) -> None:
    text = f"---\ntitle: {value}\n---\n"
    assert [code for _, _, code in core(text)] == ["FM110"]


# ------------------------------------------------------------------ reading files


def test_read_document_from_disk(tmp_path: Path) -> None:
    file = tmp_path / "post.md"
    file.write_bytes(example_text().replace("\n", "\r\n").encode("utf-8-sig"))
    doc = read_document(file, "post.md")
    assert doc.core_problems == []
    assert doc.data["language"] == "en"


def test_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    file = tmp_path / "post.md"
    file.write_text(example_text(), encoding="utf-8")
    doc = read_document(file, "post.md", Limits(max_file_size=100))
    assert [(p.line, p.column, p.code) for p in doc.core_problems] == [(1, 1, "FM103")]
    assert doc.text is None
    assert "limits.max-file-size" in doc.core_problems[0].message


def test_directory_and_broken_link(tmp_path: Path) -> None:
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "broken.md").symlink_to(tmp_path / "nowhere.md")
    for name, words in [("folder.md", "directory"), ("broken.md", "broken symbolic link")]:
        doc = read_document(tmp_path / name, name)
        assert [(p.line, p.column, p.code) for p in doc.core_problems] == [(1, 1, "FM101")]
        assert words in doc.core_problems[0].message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path: Path) -> None:
    file = tmp_path / "secret.md"
    file.write_text(example_text(), encoding="utf-8")
    file.chmod(0)
    try:
        doc = read_document(file, "secret.md")
    finally:
        file.chmod(0o644)
    assert [p.code for p in doc.core_problems] == ["FM101"]
    assert "permission denied" in doc.core_problems[0].message
