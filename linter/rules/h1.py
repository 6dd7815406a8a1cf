"""FM301-FM304: the article's H1 — present, alone, first, and equal to the title.

An article renders its front-matter ``title`` as the page title and its
body's H1 as the visible headline; these rules keep the two in step and the
H1 where readers, feed readers and search engines expect it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from linter.findings import Problem, Span
from linter.rules._markdown_text import (
    collapse,
    heading_span,
    heading_text,
    inline_text,
    line_end_column,
    quote,
)
from linter.rules.base import Option, Rule

if TYPE_CHECKING:
    from linter.body import Heading
    from linter.document import Document

_KIND_WORDS = {
    "paragraph": "a paragraph",
    "code": "a code block",
    "html": "an HTML block",
    "list": "a list",
    "blockquote": "a block quote",
    "table": "a table",
    "hr": "a thematic break (`---`)",
}


def _h1s(doc: Document) -> list[Heading]:
    return [h for h in doc.structure.headings if h.level == 1]


def _has_no_body(doc: Document) -> bool:
    """True when there is no body to judge: the file was not read, is empty,
    or its front matter is never closed (so where the body starts is unknown)."""
    if doc.text is None or not doc.text.strip():
        return True
    return any(p.code == "FM105" for p in doc.core_problems)


def _ignorable_lines(doc: Document) -> set[int]:
    """Body lines that render nothing: whole-line HTML comments (suppression
    comments live there) and link reference definitions."""
    lines = doc.lines
    skip: set[int] = set()
    for comment in doc.structure.comments:
        if not 1 <= comment.line <= len(lines) or not 1 <= comment.end_line <= len(lines):
            continue
        before = lines[comment.line - 1][: comment.column - 1]
        if before.strip() == "" and lines[comment.end_line - 1].rstrip().endswith("-->"):
            skip.update(range(comment.line, comment.end_line + 1))
    skip.update(d.line for d in doc.structure.definitions)
    return skip


def first_content_line(doc: Document, stop: int | None = None) -> int | None:
    """The first body line (before ``stop``) that holds rendered content."""
    first = doc.structure.first_block
    if first is None:
        return None
    lines = doc.lines
    last = min(len(lines), stop - 1 if stop is not None else len(lines))
    skip: set[int] | None = None
    for number in range(doc.body_line, last + 1):
        if not lines[number - 1].strip():
            continue
        if number == first.line and first.kind != "html":
            return number
        if skip is None:
            skip = _ignorable_lines(doc)
        if number not in skip:
            return number
    return None


def _describe(doc: Document, line: int) -> str:
    """What the content on ``line`` is, for a message: "a paragraph (line 14)"."""
    structure = doc.structure
    what = "content"
    heading = next((h for h in structure.headings if h.line == line), None)
    if heading is not None:
        what = f"an H{heading.level} heading"
    elif any(i.line == line for i in structure.images) and (
        doc.lines[line - 1].lstrip().startswith(("!", "<img", "<IMG"))
    ):
        what = "an image"
    elif structure.first_block is not None and structure.first_block.line == line:
        what = _KIND_WORDS.get(structure.first_block.kind, "content")
    return f"{what} (line {line})"


class MissingH1(Rule):
    """The body has no H1 heading.

    ## What it does
    Requires the Markdown body to contain a level-1 heading (`# Title` or a
    title underlined with `===`).  Headings inside fenced code blocks and
    HTML comments do not count.  A file whose front matter is never closed
    (FM105) or that is empty is not judged: its body is unknown.  An empty
    body after valid front matter is reported.

    The finding is placed on the first line of content in the body (where
    the H1 belongs), or on the line after the front matter when the body is
    empty.

    ## Why is this bad?
    The H1 is the article's visible headline.  Without it the page starts
    with a paragraph or an image, screen readers have no top heading to jump
    to, and layouts that do not print `title` show no headline at all.

    ## Example
    ```markdown
    ---
    title: "What makes South Korea a great partner of ASEAN?"
    ---

    The Republic of Korea has grown into a dependable ally of ASEAN.
    ```

    ## Use instead
    ```markdown
    ---
    title: "What makes South Korea a great partner of ASEAN?"
    ---

    # What makes South Korea a great partner of ASEAN?

    The Republic of Korea has grown into a dependable ally of ASEAN.
    ```
    """

    code = "FM301"
    name = "missing-h1"

    def check(self, doc: Document) -> Iterable[Problem]:
        if _has_no_body(doc) or _h1s(doc):
            return
        line = first_content_line(doc)
        if line is None:
            last = max(len(doc.lines), 1)
            line = min(doc.body_line, last)
            # a file ending in "---\n" has an empty last line: point at the fence instead
            if line > 1 and not doc.lines[line - 1] and line == last:
                line -= 1
            message = "the body is empty: expected an H1 with the article's headline"
        else:
            message = (
                "the body has no H1: expected a `# ` heading with the article's headline "
                "as its first line"
            )
        yield Problem.at(Span(line, 1, line, line_end_column(doc, line)), message)


class MultipleH1(Rule):
    """The body has more than one H1 heading.

    ## What it does
    Reports every level-1 heading after the first, naming the line of the
    first.  Setext headings (`===` underlines) count; headings in code
    blocks and HTML comments do not.

    ## Why is this bad?
    An article has one headline.  A second H1 is usually a section heading
    written with the wrong level, or a pasted headline from another article;
    it breaks the outline that screen readers and search engines use.

    ## Example
    ```markdown
    # What makes South Korea a great partner of ASEAN?

    # Strategic collaboration
    ```

    ## Use instead
    One H1, and `##` for the sections:
     ```markdown
     # What makes South Korea a great partner of ASEAN?

     ## Strategic collaboration
     ```
    """

    code = "FM302"
    name = "multiple-h1"

    def check(self, doc: Document) -> Iterable[Problem]:
        h1s = _h1s(doc)
        if len(h1s) < 2:
            return
        first = h1s[0]
        for heading in h1s[1:]:
            text = heading_text(doc, heading)
            yield Problem.at(
                heading_span(doc, heading),
                f"second H1 {quote(text)}: the article's H1 is on line {first.line}; "
                "use `##` for a section heading",
                subject=text,
            )


class H1NotFirst(Rule):
    """The H1 is not the first content of the body.

    ## What it does
    Reports the article's H1 when a paragraph, an image, a list or another
    heading comes before it.  Blank lines, HTML comments (such as fmlint
    suppression comments) and link reference definitions before the H1 are
    fine.  The finding is placed on the H1 and names what comes first.

    ## Why is this bad?
    Readers, feed readers and search engines take the first block as the
    start of the article; a photo or a stray paragraph above the headline
    is usually a paste in the wrong place, and excerpts built from the first
    paragraph show it instead of the lead.

    ## Example
    ```markdown
    ![](https://example.com/photo.jpg)

    # What makes South Korea a great partner of ASEAN?
    ```

    ## Use instead
    ```markdown
    # What makes South Korea a great partner of ASEAN?

    ![](https://example.com/photo.jpg)
    ```
    """

    code = "FM303"
    name = "h1-not-first"

    def check(self, doc: Document) -> Iterable[Problem]:
        h1s = _h1s(doc)
        if not h1s:
            return
        h1 = h1s[0]
        first = doc.structure.first_block
        if first is not None and first.kind == "heading" and first.line == h1.line:
            return
        line = first_content_line(doc, h1.line)
        if line is None:
            return
        text = heading_text(doc, h1)
        yield Problem.at(
            heading_span(doc, h1),
            f"the H1 is not the first content of the body: {_describe(doc, line)} comes "
            "before it; move the H1 to the top of the body",
            subject=text,
        )


def _first_difference(a: str, b: str, case_sensitive: bool) -> int:
    """The 0-based index of the first character where ``a`` and ``b`` differ."""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y and (case_sensitive or x.casefold() != y.casefold()):
            return index
    return min(len(a), len(b))


def _char(text: str, index: int) -> str:
    return quote(text[index]) if index < len(text) else "end of text"


class H1TitleMismatch(Rule):
    """The H1 differs from the front-matter title.

    ## What it does
    Compares the text of the body's first H1 with the front-matter `title`
    (or the field named by the `field` option) when that field is a string.
    Both are compared as a reader sees them: whitespace runs count as one
    space, inline Markdown in the H1 is reduced to its text (emphasis markers
    dropped, `` `code` `` kept without backticks, `[text](url)` as its text,
    images as their alt text, backslash escapes decoded), HTML entities such
    as `&amp;` and `&#39;` are decoded, and a kramdown attribute list
    (`{#id}`) is ignored.  The message shows both texts and the first
    character where they differ.

    Options: `case-sensitive` (default true) — set it to false to accept a
    headline written in different letter case; `field` (default `"title"`).

    ## Why is this bad?
    The title is what search results, feeds, social cards and the browser tab
    show; the H1 is what the reader sees on the page.  When they drift apart
    (an edited headline, a pasted headline from another article, a site-name
    suffix) one of them is wrong.

    ## Example
    ```markdown
    ---
    title: "What makes South Korea a great partner of ASEAN?"
    ---

    # What makes South Korea a good partner of ASEAN?
    ```

    ## Use instead
    ```markdown
    ---
    title: "What makes South Korea a great partner of ASEAN?"
    ---

    # What makes South Korea a great partner of ASEAN?
    ```
    """

    code = "FM304"
    name = "h1-title-mismatch"
    options: ClassVar[Mapping[str, Option]] = {
        "case-sensitive": Option(
            "bool", True, "compare letter case too (false: `ASEAN` equals `Asean`)"
        ),
        "field": Option("str", "title", "the front-matter field the H1 must equal"),
    }

    def check(self, doc: Document) -> Iterable[Problem]:
        key: str = self.config["field"]
        value = doc.data.get(key)
        if not isinstance(value, str):
            return
        h1s = _h1s(doc)
        if not h1s:
            return
        h1 = h1s[0]
        shown = heading_text(doc, h1)
        if not shown:
            return  # an empty heading is FM307's
        case_sensitive: bool = self.config["case-sensitive"]
        plain = collapse(html.unescape(value))
        candidates = [plain]
        if any(c in value for c in "\\`*_[<&"):
            candidates.append(inline_text(value))

        def same(a: str, b: str) -> bool:
            return a == b if case_sensitive else a.casefold() == b.casefold()

        if any(same(shown, candidate) for candidate in candidates):
            return
        index = _first_difference(shown, plain, case_sensitive)
        where = ""
        fm = doc.front_matter
        position = fm.positions.get((key,)) if fm is not None else None
        if position is not None:
            where = f" (line {position.value.line})"
        yield Problem.at(
            heading_span(doc, h1),
            f"H1 {quote(shown)} differs from {key}{where} {quote(plain)} at character "
            f"{index + 1} ({_char(shown, index)} vs {_char(plain, index)}); "
            f"make the H1 and the {key} the same",
            subject=shown,
        )
