"""Suppression comments: ranges, next line, whole file, and their own findings
(FM002 unused, FM003 unknown code)."""

from __future__ import annotations

from conftest import example_text, lint, replace_field, where

from linter.document import parse_document
from linter.suppressions import Suppression, find_suppressions

EXAMPLE = example_text()
# the example as linted: FM406 (warning) at 15:1 and FM306 (warning) at 29:1
IMAGE = "![](https://github.com/user-attachments/assets/4881ba3a"
BOLD = "**Strategic Collaboration"


def before(text: str, anchor: str, comment: str) -> str:
    assert text.count(anchor) == 1, anchor
    return text.replace(anchor, comment + anchor)


def codes(text: str, **kwargs: object) -> list[tuple[int, int, str]]:
    return where(lint(text, **kwargs))


def test_the_example_has_two_warnings() -> None:
    assert codes(EXAMPLE) == [(15, 1, "FM406"), (29, 1, "FM306")]


def test_disable_next_line() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line FM406 -->\n")
    assert codes(text) == [(30, 1, "FM306")]


def test_disable_next_line_by_name_and_prefix() -> None:
    for selector in ("image-alt-missing", "FM4", "FM40", "FM406, FM306", "FM306,FM406"):
        text = before(EXAMPLE, IMAGE, f"<!-- fmlint-disable-next-line {selector} -->\n")
        assert codes(text) == [(30, 1, "FM306")], selector


def test_next_line_means_only_the_next_line() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line FM406 -->\n\n")
    assert codes(text) == [(15, 1, "FM002"), (17, 1, "FM406"), (31, 1, "FM306")]


def test_disable_enable_range() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable FM406 FM306 -->\n\n")
    text = before(text, "The ROK\u2019s collaboration", "<!-- fmlint-enable FM406 FM306 -->\n\n")
    assert codes(text) == []
    # after the enable the rules report again
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable FM406 -->\n\n")
    text = before(text, "Prime minister", "<!-- fmlint-enable FM406 -->\n\n")
    text = text.replace("**Strategic", "![](https://example.com/x.jpg)\n\n**Strategic")
    assert codes(text) == [(33, 1, "FM406"), (35, 1, "FM306")]


def test_an_unclosed_range_runs_to_the_end() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable FM3 -->\n\n")
    assert codes(text) == [(17, 1, "FM406")]


def test_disable_every_rule() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable -->\n\n")
    assert codes(text) == []
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable -->\n\n")
    text = before(text, "Prime minister", "<!-- fmlint-enable -->\n\n")
    assert codes(text) == [(33, 1, "FM306")]


def test_front_matter_disables_for_the_whole_file() -> None:
    text = EXAMPLE.replace("layout: post\n", "layout: post\n# fmlint: disable FM406 FM306\n")
    assert codes(text) == []
    # schema findings live in the front matter; a prefix disables the family
    broken = replace_field(EXAMPLE, "code", None)
    broken = replace_field(broken, "category", 'category: "opinion"')
    assert [c for _, _, c in codes(broken)] == ["FM201", "FM207", "FM406", "FM306"]
    quiet = broken.replace("layout: post\n", "layout: post  # fmlint: disable FM2\n")
    assert codes(quiet) == [(14, 1, "FM406"), (28, 1, "FM306")]


def test_front_matter_disable_everything() -> None:
    text = replace_field(EXAMPLE, "code", None).replace("---\n", "---\n# fmlint: disable\n", 1)
    assert codes(text) == []


def test_unused_suppression_is_a_warning() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line FM305 -->\n")
    findings = lint(text)
    assert where(findings) == [(15, 1, "FM002"), (16, 1, "FM406"), (30, 1, "FM306")]
    (unused,) = [f for f in findings if f.rule == "FM002"]
    assert unused.severity.value == "warning"
    assert "FM305" in unused.message
    front = EXAMPLE.replace("layout: post\n", "layout: post\n# fmlint: disable FM305\n")
    assert where(lint(front), "FM0") == [(3, 1, "FM002")]
    every = EXAMPLE + "\n<!-- fmlint-disable -->\n"
    assert where(lint(every), "FM0") == [(every.count("\n"), 1, "FM002")]


def test_unknown_code_is_reported() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line FM4O6 -->\n")
    findings = lint(text)
    assert where(findings) == [(15, 1, "FM003"), (16, 1, "FM406"), (30, 1, "FM306")]
    (unknown,) = [f for f in findings if f.rule == "FM003"]
    assert "FM4O6" in unknown.message
    front = EXAMPLE.replace("layout: post\n", "layout: post\n# fmlint: disable no-such-rule\n")
    assert where(lint(front), "FM0") == [(3, 1, "FM003")]


def test_a_suppression_for_a_rule_not_selected_is_not_unused() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line FM305 -->\n")
    assert where(lint(text, select=["FM0", "FM4"])) == [(16, 1, "FM406")]
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line heading-level-skip -->\n")
    assert where(lint(text, ignore=["FM305"])) == [(16, 1, "FM406"), (30, 1, "FM306")]
    # a prefix counts as judged only when every rule it covers ran
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line FM3 -->\n")
    assert where(lint(text, ignore=["FM306"])) == [(16, 1, "FM406")]
    # but an unknown code is reported whatever runs
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line FM999 -->\n")
    assert where(lint(text, select=["FM0", "FM4"])) == [(15, 1, "FM003"), (16, 1, "FM406")]


def test_suppression_findings_can_be_turned_off() -> None:
    text = before(EXAMPLE, IMAGE, "<!-- fmlint-disable-next-line FM305 FM9999 -->\n")
    assert where(lint(text, ignore=["FM002", "FM003"]), "FM0") == []


def test_comments_in_code_blocks_are_not_suppressions() -> None:
    text = before(EXAMPLE, IMAGE, "```html\n<!-- fmlint-disable -->\n```\n\n")
    assert [c for _, _, c in codes(text)] == ["FM406", "FM306"]


def test_find_suppressions_positions() -> None:
    text = (
        "---\ntitle: x\n# fmlint: disable FM2, FM3\n---\n\n"
        "<!-- fmlint-disable FM406 -->\ntext\n<!-- fmlint-enable FM406 -->\n"
        "  <!-- fmlint-disable-next-line missing-h1 -->\nline\n"
    )
    doc = parse_document(text, "post.md")
    assert find_suppressions(doc) == [
        Suppression("file", ("FM2", "FM3"), 1, 11, 3, 1),
        Suppression("range", ("FM406",), 6, 8, 6, 1),
        Suppression("next-line", ("missing-h1",), 10, 10, 9, 3),
    ]


def test_text_inside_a_yaml_string_is_not_a_suppression() -> None:
    bad = replace_field(EXAMPLE, "category", 'category: "opinion"')
    quoted = replace_field(bad, "description", 'description: "Hide it with # fmlint: disable FM2"')
    assert where(lint(quoted), "FM") == [(8, 11, "FM207"), (15, 1, "FM406"), (29, 1, "FM306")]
    block = replace_field(bad, "description", "description: |\n  Tips:\n  # fmlint: disable FM2")
    assert where(lint(block), "FM2") == [(10, 11, "FM207")]
    # a real comment after a value still counts
    comment = replace_field(bad, "description", 'description: "x"  # fmlint: disable FM2')
    assert where(lint(comment), "FM2") == []
