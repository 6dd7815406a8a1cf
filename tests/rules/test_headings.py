"""FM305-FM308: heading levels, pseudo-headings, empty headings and heading
punctuation; and a recall test of every FM3xx rule over a generated corpus."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import example_text, lint, where

from linter.findings import Severity

STRATEGIC = "Strategic Collaboration for Maintaining Stability in the Region"


def article(body: str) -> str:
    """Front matter on lines 1-3, a blank line, the body from line 5."""
    return '---\ntitle: "A title"\n---\n\n' + body


def codes(text: str, *select: str, **rules: dict[str, object]) -> list[tuple[int, int, str]]:
    return where(lint(text, select=list(select), rules=rules or None))


# ------------------------------------------------------------------ FM305


def test_level_skip_h1_to_h3() -> None:
    body = "# A title\n\n### Details\n\nText.\n"
    findings = lint(article(body), select=["FM305"])
    assert where(findings) == [(7, 1, "FM305")]
    assert findings[0].message == "heading level jumps from H1 to H3; expected H2"
    assert findings[0].severity is Severity.ERROR
    assert findings[0].subject == "Details"
    assert (findings[0].end_line, findings[0].end_column) == (7, 12)


def test_level_skip_h2_to_h4_and_only_the_jump_is_reported() -> None:
    body = "# A title\n\n## One\n\n#### Deep\n\n##### Deeper\n\n## Two\n\n###### Far\n"
    findings = lint(article(body), select=["FM305"])
    assert where(findings) == [(9, 1, "FM305"), (15, 1, "FM305")]
    assert findings[0].message == "heading level jumps from H2 to H4; expected H3"
    assert findings[1].message == "heading level jumps from H2 to H6; expected H3"


def test_level_skip_passing() -> None:
    body = "# A title\n\n## One\n\n### Sub\n\n#### Subsub\n\n# Back up\n\n## Two\n"
    assert codes(article(body), "FM305") == []
    assert codes(example_text(), "FM305") == []
    # the first heading is not judged
    assert codes(article("### Starts deep\n\n#### Deeper\n"), "FM305") == []


def test_level_skip_setext() -> None:
    body = "A title\n=======\n\n### Details\n"
    assert codes(article(body), "FM305") == [(8, 1, "FM305")]
    body = "A title\n=======\n\nSection\n-------\n\n### Details\n"
    assert codes(article(body), "FM305") == []


def test_level_skip_ignores_code_and_comments() -> None:
    body = "# A title\n\n```\n## not a heading\n```\n\n<!--\n## nor this\n-->\n\n### Details\n"
    assert codes(article(body), "FM305") == [(15, 1, "FM305")]
    body = "# A title\n\n```\n### not a heading\n```\n\n## Section\n"
    assert codes(article(body), "FM305") == []


def test_level_skip_range_suppression() -> None:
    body = (
        "# A title\n\n<!-- fmlint-disable FM305 -->\n### Details\n\n#### More\n"
        "<!-- fmlint-enable FM305 -->\n\n# Again\n\n### Reported\n"
    )
    assert codes(article(body), "FM305", "FM002") == [(15, 1, "FM305")]
    unused = "# A title\n\n<!-- fmlint-disable FM305 -->\n## Fine\n<!-- fmlint-enable FM305 -->\n"
    assert codes(article(unused), "FM305", "FM002") == [(7, 1, "FM002")]


# ------------------------------------------------------------------ FM306


def test_emphasis_as_heading_in_the_example() -> None:
    findings = lint(example_text(), select=["FM306"])
    assert where(findings) == [(29, 1, "FM306")]
    finding = findings[0]
    assert finding.severity is Severity.WARNING
    assert finding.name == "emphasis-as-heading"
    assert finding.message == (
        f"bold paragraph used as a heading; use a heading instead: `## {STRATEGIC}`"
    )
    assert finding.subject == STRATEGIC
    assert (finding.end_line, finding.end_column) == (29, len(STRATEGIC) + 5)


def test_emphasis_as_heading_level_follows_the_previous_heading() -> None:
    body = "# A title\n\n## Section\n\n__Sub point__\n\nText.\n"
    findings = lint(article(body), select=["FM306"])
    assert where(findings) == [(9, 1, "FM306")]
    assert findings[0].message.endswith("`### Sub point`")
    body = "**Before any heading**\n\n# A title\n"
    assert lint(article(body), select=["FM306"])[0].message.endswith("`## Before any heading`")
    body = "# T\n\n## a\n\n### b\n\n#### c\n\n##### d\n\n###### e\n\n**Deepest**\n"
    assert lint(article(body), select=["FM306"])[0].message.endswith("`###### Deepest`")


def test_emphasis_as_heading_sentences_are_not_headings() -> None:
    body = (
        "# A title\n\n"
        "**This is an important sentence.**\n\n"
        "**Key points:**\n\n"
        "**One, two, three,**\n\n"
        "**A bold line that is far too long to be a heading by any reasonable measure**\n\n"
        "**A bold paragraph\nover two lines**\n\n"
        "Some **bold** in a sentence.\n\n"
        "_**Seun Sam is a policy analyst.** The views expressed are his own._\n"
    )
    assert codes(article(body), "FM306") == []


def test_emphasis_as_heading_questions_count() -> None:
    body = "# A title\n\n**What comes next?**\n"
    assert codes(article(body), "FM306") == [(7, 1, "FM306")]


def test_emphasis_as_heading_max_words_option() -> None:
    body = "# A title\n\n**One two three four five**\n"
    assert codes(article(body), "FM306") == [(7, 1, "FM306")]
    assert codes(article(body), "FM306", FM306={"max-words": 4}) == []
    assert codes(article(body), "FM306", FM306={"max-words": 5}) == [(7, 1, "FM306")]


def test_emphasis_as_heading_italic_option() -> None:
    body = "# A title\n\n*A quiet section*\n\n_Another one_\n"
    assert codes(article(body), "FM306") == []
    findings = lint(article(body), select=["FM306"], rules={"FM306": {"include-italic": True}})
    assert where(findings) == [(7, 1, "FM306"), (9, 1, "FM306")]
    assert findings[0].message == (
        "italic paragraph used as a heading; use a heading instead: `## A quiet section`"
    )


def test_emphasis_as_heading_not_in_code_or_comments() -> None:
    body = "# A title\n\n```\n**In code**\n```\n\n<!--\n**In a comment**\n-->\n"
    assert codes(article(body), "FM306") == []


def test_emphasis_as_heading_next_line_suppression() -> None:
    text = example_text().replace(
        f"**{STRATEGIC}**", f"<!-- fmlint-disable-next-line FM306 -->\n**{STRATEGIC}**"
    )
    assert codes(text, "FM306", "FM002") == []
    text = example_text().replace(
        "\n_**Seun Sam", "\n<!-- fmlint-disable-next-line FM306 -->\n_**Seun Sam"
    )
    assert codes(text, "FM306", "FM002") == [(29, 1, "FM306"), (47, 1, "FM002")]


# ------------------------------------------------------------------ FM307


def test_empty_heading() -> None:
    body = "# A title\n\n##\n\nText.\n\n## \n\nMore.\n\n###  ###\n\n## Fine\n"
    findings = lint(article(body), select=["FM307"])
    assert where(findings) == [(7, 1, "FM307"), (11, 1, "FM307"), (15, 1, "FM307")]
    assert findings[0].message == "empty H2 heading: expected text after `##`, or remove the line"
    assert findings[2].message.startswith("empty H3 heading")
    assert findings[0].severity is Severity.ERROR


def test_empty_heading_passing() -> None:
    body = "# A title\n\n## C#\n\n## #hashtag\n\n```\n##\n```\n\n#hashtag is a paragraph\n"
    assert codes(article(body), "FM307") == []
    assert codes(example_text(), "FM307") == []


def test_empty_heading_indented_and_suppressed() -> None:
    body = "# A title\n\n   #\n"
    assert codes(article(body), "FM307") == [(7, 4, "FM307")]
    body = "# A title\n\n<!-- fmlint-disable-next-line empty-heading -->\n##\n"
    assert codes(article(body), "FM307", "FM002") == []


# ------------------------------------------------------------------ FM308


def test_trailing_punctuation() -> None:
    body = "# A title\n\n## Economic ties.\n\n## Why it matters?\n\n## Wow!\n\n## **Note:**\n"
    findings = lint(article(body), select=["FM308"])
    assert where(findings) == [(7, 1, "FM308"), (13, 1, "FM308")]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].message.startswith('heading "Economic ties." ends with "."')
    assert findings[0].subject == "Economic ties."
    assert '"Note:" ends with ":"' in findings[1].message


def test_trailing_punctuation_option() -> None:
    body = "# A title?\n\n## Economic ties.\n\n## Wow!\n"
    assert codes(article(body), "FM308", FM308={"punctuation": "?!"}) == [
        (5, 1, "FM308"),
        (9, 1, "FM308"),
    ]
    assert codes(article(body), "FM308", FM308={"punctuation": ""}) == []


def test_trailing_punctuation_setext_and_closing_sequence() -> None:
    body = "A title:\n========\n\n## Section; ##\n\n## Fine ##\n"
    assert codes(article(body), "FM308") == [(5, 1, "FM308"), (8, 1, "FM308")]


def test_trailing_punctuation_seed_and_empty() -> None:
    assert codes(example_text(), "FM308") == []
    assert codes(article("# A title\n\n##\n"), "FM308") == []


# ------------------------------------------------------------------ all of them


def test_rules_are_documented() -> None:
    from linter.rules.headings import (
        EmphasisAsHeading,
        EmptyHeading,
        HeadingLevelSkip,
        HeadingTrailingPunctuation,
    )

    for rule in (HeadingLevelSkip, EmphasisAsHeading, EmptyHeading, HeadingTrailingPunctuation):
        docs = rule.docs()
        assert list(docs.sections) == ["What it does", "Why is this bad?", "Example", "Use instead"]
        assert docs.summary
        assert rule.declaration_errors() == []


def test_registered() -> None:
    from linter.registry import load_registry

    registry = load_registry()
    names = {code: registry.rules[code].name for code in registry.rules if code.startswith("FM3")}
    assert names == {
        "FM301": "missing-h1",
        "FM302": "multiple-h1",
        "FM303": "h1-not-first",
        "FM304": "h1-title-mismatch",
        "FM305": "heading-level-skip",
        "FM306": "emphasis-as-heading",
        "FM307": "empty-heading",
        "FM308": "heading-trailing-punctuation",
    }


RECALL = {
    "h1_missing": "FM301",
    "h1_mismatch": "FM304",
    "two_h1": "FM302",
    "skipped_heading_level": "FM305",
}


def test_recall_and_precision_over_a_generated_corpus(corpus: Path) -> None:
    from linter.config import Config
    from linter.runner import run

    truth = json.loads((corpus / "defects.json").read_text(encoding="utf-8"))["defects"]
    config = Config(root=corpus, select=("FM3", "FM001"))
    result = run(["_posts"], config, jobs=1, use_cache=False, cwd=corpus)
    assert result.files_checked == 600
    found: dict[str, set[tuple[int, str]]] = {}
    for finding in result.findings:
        found.setdefault(finding.path, set()).add((finding.line, finding.rule))

    expected = [d for d in truth if d["kind"] in RECALL]
    assert len(expected) >= 20  # every kind is represented several times
    missed = [
        d for d in expected if (d["line"], RECALL[d["kind"]]) not in found.get(d["path"], set())
    ]
    assert missed == []

    defective = {d["path"] for d in truth}
    false_errors = [
        f for f in result.findings if f.path not in defective and f.severity is Severity.ERROR
    ]
    assert false_errors == []
    assert [f for f in result.findings if f.rule == "FM001"] == []  # no rule crashed
    # the pseudo-headings the generator writes are found as warnings
    assert any(f.rule == "FM306" and f.path not in defective for f in result.findings)
