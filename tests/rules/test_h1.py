"""FM301-FM304: the H1 is present, alone, first and equal to the title."""

from __future__ import annotations

import json

import pytest
from conftest import example_text, lint, replace_field, where

from linter.findings import Severity

SEED_H1 = "# What makes South Korea a great partner of ASEAN?"


def article(body: str, title: str | None = "A title", extra: str = "") -> str:
    """Front matter on lines 1-3 (4 with `extra`), a blank line, the body."""
    head = ["---"]
    if title is not None:
        head.append(f"title: {json.dumps(title)}")
    if extra:
        head.append(extra)
    head.append("---")
    return "\n".join(head) + "\n\n" + body


def h1_codes(text: str) -> list[tuple[int, int, str]]:
    return where(lint(text, select=["FM301", "FM302", "FM303", "FM304"]), "FM3")


# ------------------------------------------------------------------ the example


def test_seed_article_has_a_good_h1() -> None:
    findings = lint(example_text())
    assert where(findings, "FM3") == [(29, 1, "FM306")]
    assert [f for f in findings if f.rule.startswith("FM3") and f.severity is Severity.ERROR] == []


# ------------------------------------------------------------------ FM301


def test_missing_h1_reported_on_first_content_line() -> None:
    text = example_text().replace(SEED_H1 + "\n", "\n")
    findings = lint(text, select=["FM301"])
    assert where(findings) == [(15, 1, "FM301")]  # the lead image, where the H1 belongs
    finding = findings[0]
    assert finding.severity is Severity.ERROR
    assert finding.name == "missing-h1"
    assert "no H1" in finding.message and "expected" in finding.message
    assert (finding.end_line, finding.end_column) == (15, len(text.split("\n")[14]) + 1)


def test_missing_h1_passing_and_setext() -> None:
    assert h1_codes(article("# A title\n\nText.\n")) == []
    assert h1_codes(article("A title\n=======\n\nText.\n")) == []
    # a setext H2 is not an H1
    assert h1_codes(article("A title\n-------\n\nText.\n")) == [(5, 1, "FM301")]


def test_missing_h1_only_h2() -> None:
    assert h1_codes(article("Intro.\n\n## Section\n")) == [(5, 1, "FM301")]


def test_missing_h1_headings_in_code_and_comments_do_not_count() -> None:
    body = "```markdown\n# A title\n```\n\n<!--\n# A title\n-->\n\nText.\n"
    assert h1_codes(article(body)) == [(5, 1, "FM301")]
    body = "    # indented code, not a heading\n\nText.\n"
    assert h1_codes(article(body)) == [(5, 1, "FM301")]


def test_missing_h1_skips_comment_lines_for_the_position() -> None:
    body = "<!-- a note for editors -->\n\nThe text.\n"
    assert h1_codes(article(body)) == [(7, 1, "FM301")]


def test_missing_h1_next_line_suppression_before_the_first_paragraph() -> None:
    body = "<!-- fmlint-disable-next-line FM301 -->\nText only.\n"
    assert where(lint(article(body), select=["FM301", "FM002"])) == []


def test_missing_h1_empty_body() -> None:
    findings = lint(article(""), select=["FM301"])
    assert where(findings) == [(4, 1, "FM301")]
    assert "empty" in findings[0].message
    # a file that ends with the closing fence: reported on the fence's line
    assert where(lint('---\ntitle: "A"\n---', select=["FM301"])) == [(3, 1, "FM301")]


def test_missing_h1_not_judged_without_a_body() -> None:
    unclosed = '---\ntitle: "A title"\n\nThe text, no H1.\n'
    findings = lint(unclosed, select=["FM105", "FM3"])
    assert where(findings) == [(1, 1, "FM105")]
    assert where(lint("", select=["FM3"])) == []


def test_missing_h1_without_front_matter_reads_the_whole_file() -> None:
    assert h1_codes("# A title\n\nText.\n") == []
    assert h1_codes("Text only.\n") == [(1, 1, "FM301")]


def test_missing_h1_suppressed_in_front_matter_and_unused_suppression() -> None:
    body = "Text only.\n"
    text = article(body, extra="# fmlint: disable FM301")
    assert where(lint(text, select=["FM301", "FM002"])) == []
    text = article("# A title\n\n" + body, extra="# fmlint: disable FM301")
    assert where(lint(text, select=["FM301", "FM002"])) == [(3, 1, "FM002")]


# ------------------------------------------------------------------ FM302


def test_multiple_h1_each_extra_one_reported() -> None:
    body = "# A title\n\nText.\n\n# Second\n\nMore.\n\nThird\n=====\n"
    findings = lint(article(body), select=["FM302"])
    assert where(findings) == [(9, 1, "FM302"), (13, 1, "FM302")]
    assert "line 5" in findings[0].message and '"Second"' in findings[0].message
    assert "##" in findings[0].message
    assert findings[0].subject == "Second"
    assert findings[1].subject == "Third"
    assert (findings[1].end_line, findings[1].end_column) == (14, 6)  # the underline


def test_multiple_h1_passing() -> None:
    body = "# A title\n\n## One\n\n## Two\n\n```\n# not a heading\n```\n\n<!-- # nor this -->\n"
    assert h1_codes(article(body)) == []


def test_multiple_h1_next_line_suppression() -> None:
    body = "# A title\n\n<!-- fmlint-disable-next-line FM302 -->\n# Second\n"
    assert where(lint(article(body), select=["FM302", "FM002"])) == []
    body = "# A title\n\n<!-- fmlint-disable-next-line FM302 -->\n## Second\n"
    assert where(lint(article(body), select=["FM302", "FM002"])) == [(7, 1, "FM002")]


def test_multiple_h1_by_name_in_suppression() -> None:
    body = "# A title\n\n<!-- fmlint-disable-next-line multiple-h1 -->\n# Second\n"
    assert where(lint(article(body), select=["FM302", "FM002"])) == []


# ------------------------------------------------------------------ FM303


def test_h1_not_first_image_before() -> None:
    body = "![](https://example.com/a.jpg)\n\n# A title\n\nText.\n"
    findings = lint(article(body), select=["FM303"])
    assert where(findings) == [(7, 1, "FM303")]
    message = findings[0].message
    assert "an image (line 5)" in message and "move the H1" in message


def test_h1_not_first_paragraph_and_heading_before() -> None:
    body = "A stray line.\n\n# A title\n"
    findings = lint(article(body), select=["FM303"])
    assert where(findings) == [(7, 1, "FM303")]
    assert "a paragraph (line 5)" in findings[0].message
    body = "## Section\n\n# A title\n"
    findings = lint(article(body), select=["FM303"])
    assert where(findings) == [(7, 1, "FM303")]
    assert "an H2 heading (line 5)" in findings[0].message


def test_h1_not_first_comments_and_blank_lines_are_fine() -> None:
    body = "\n\n<!-- editor: check the headline -->\n\n<!--\nmulti-line\n-->\n# A title\n"
    assert h1_codes(article(body)) == []
    assert h1_codes(example_text()) == []


def test_h1_not_first_setext() -> None:
    assert h1_codes(article("A title\n=======\n\nText.\n")) == []
    body = "Lead.\n\nA title\n=======\n"
    assert h1_codes(article(body)) == [(7, 1, "FM303")]


def test_h1_not_first_range_suppression() -> None:
    body = "<!-- fmlint-disable FM303 -->\nLead.\n\n# A title\n<!-- fmlint-enable FM303 -->\n"
    assert where(lint(article(body), select=["FM303", "FM002"])) == []


# ------------------------------------------------------------------ FM304


def test_title_mismatch_message_shows_both_and_where() -> None:
    text = example_text().replace(SEED_H1, "# What makes South korea a great partner of ASEAN?")
    findings = lint(text, select=["FM304"])
    assert where(findings) == [(13, 1, "FM304")]
    message = findings[0].message
    assert message.startswith(
        'H1 "What makes South korea a great partner of ASEAN?" differs from title (line 6) '
        '"What makes South Korea a great partner of ASEAN?" at character 18 ("k" vs "K")'
    )
    assert findings[0].severity is Severity.ERROR
    assert findings[0].subject == "What makes South korea a great partner of ASEAN?"


def test_title_mismatch_prefix_and_suffix() -> None:
    findings = lint(article("# A title - The Post\n"), select=["FM304"])
    assert where(findings) == [(5, 1, "FM304")]
    assert 'at character 8 (" " vs end of text)' in findings[0].message
    findings = lint(article("# A\n"), select=["FM304"])
    assert 'at character 2 (end of text vs " ")' in findings[0].message


@pytest.mark.parametrize(
    ("title", "h1"),
    [
        ("A title", "#   A   title   "),
        ("A title", "# A *title*"),
        ("A title", "# A __title__"),
        ("A title", "# **A** _title_"),
        ("The git command", "# The `git` command"),
        ("Read the report", "# Read the [report](https://example.com/r)"),
        ("Read the report", "# Read the [report][r]\n\n[r]: https://example.com/r"),
        ("A logo here", "# A ![logo](logo.png) here"),
        ("Cats & dogs", "# Cats &amp; dogs"),
        ("It's here", "# It&#39;s here"),
        ("2 * 3 = 6", "# 2 \\* 3 = 6"),
        ("Q&amp;A", "# Q&A"),
        ("A title", "# A title #"),
        ("A title", "# A title {#custom-id}"),
        ("Go", "# Go <em></em>"),
        ("A long\ttitle", "A long\ntitle\n======="),
        ("The `git` command", "# The `git` command"),
        ("What makes South Korea a great partner of ASEAN?", SEED_H1),
    ],
)
def test_title_match_after_normalising(title: str, h1: str) -> None:
    text = f"---\ntitle: {json.dumps(title)}\n---\n\n{h1}\n"
    assert where(lint(text, select=["FM304"])) == []


def test_title_mismatch_case_option() -> None:
    text = article("# A TITLE\n")
    assert where(lint(text, select=["FM304"])) == [(5, 1, "FM304")]
    relaxed: dict[str, dict[str, object]] = {"FM304": {"case-sensitive": False}}
    assert where(lint(text, select=["FM304"], rules=relaxed)) == []
    findings = lint(article("# A TITLES\n"), select=["FM304"], rules=relaxed)
    assert 'at character 8 ("S" vs end of text)' in findings[0].message


def test_title_mismatch_field_option() -> None:
    text = article("# The headline\n", extra='headline: "The headline"')
    assert where(lint(text, select=["FM304"])) == [(6, 1, "FM304")]
    findings = lint(text, select=["FM304"], rules={"FM304": {"field": "headline"}})
    assert where(findings) == []
    text = article("# Another\n", extra='headline: "The headline"')
    findings = lint(text, select=["FM304"], rules={"FM304": {"field": "headline"}})
    assert "differs from headline (line 3)" in findings[0].message
    assert "make the H1 and the headline the same" in findings[0].message


def test_title_mismatch_only_for_string_titles() -> None:
    assert where(lint("---\ntitle: 12345\n---\n\n# 12345\n", select=["FM304"])) == []
    assert where(lint("---\ntitle: 12345\n---\n\n# Other\n", select=["FM304"])) == []
    assert where(lint(article("# Other\n", title=None), select=["FM304"])) == []
    assert where(lint(replace_field(example_text(), "title", None), select=["FM304"])) == []


def test_title_mismatch_checks_only_the_first_h1() -> None:
    findings = lint(article("# A title\n\n# Other\n"), select=["FM302", "FM304"])
    assert where(findings) == [(7, 1, "FM302")]


def test_title_mismatch_ignores_empty_h1() -> None:
    findings = lint(article("#\n"), select=["FM304", "FM307"])
    assert where(findings) == [(5, 1, "FM307")]


def test_title_mismatch_front_matter_suppression() -> None:
    text = example_text().replace(SEED_H1, "# Another headline")
    assert where(lint(text, select=["FM304"])) == [(13, 1, "FM304")]
    suppressed = text.replace("layout: post", "layout: post\n# fmlint: disable FM304")
    assert where(lint(suppressed, select=["FM304", "FM002"])) == []
    unused = example_text().replace("layout: post", "layout: post\n# fmlint: disable FM304")
    assert where(lint(unused, select=["FM304", "FM002"])) == [(3, 1, "FM002")]


def test_rules_are_documented() -> None:
    from linter.rules.h1 import H1NotFirst, H1TitleMismatch, MissingH1, MultipleH1

    for rule in (MissingH1, MultipleH1, H1NotFirst, H1TitleMismatch):
        docs = rule.docs()
        assert list(docs.sections) == ["What it does", "Why is this bad?", "Example", "Use instead"]
        assert docs.summary
        assert rule.declaration_errors() == []
