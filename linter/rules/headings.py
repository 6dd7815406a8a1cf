"""FM305-FM308: the outline below the H1 — levels, pseudo-headings, empty
headings and heading punctuation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from linter.findings import Problem, Severity, Span
from linter.rules._markdown_text import (
    heading_span,
    heading_text,
    inline_text,
    line_end_column,
    quote,
)
from linter.rules.base import Option, Rule

if TYPE_CHECKING:
    from linter.document import Document

#: what ends a sentence (or a lead-in) rather than a heading
_SENTENCE_END = (".", ",", ";", ":", "…", "。", "។")


class HeadingLevelSkip(Rule):
    """A heading is more than one level deeper than the heading before it.

    ## What it does
    Reports a heading whose level is more than one below the previous
    heading's: an H3 right after the H1, an H4 right after an H2.  Going
    back up any number of levels is fine, and the first heading of the body
    is not judged (a missing H1 is FM301's).  Headings inside fenced code
    blocks and HTML comments do not count.

    ## Why is this bad?
    Headings form the article's outline.  A skipped level leaves a hole in
    it: screen readers announce a level that has no parent, tables of
    contents indent oddly, and the skipped level is often a typo (`###` for
    `##`).

    ## Example
    ```markdown
    # What makes South Korea a great partner of ASEAN?

    ### Economic ties
    ```

    ## Use instead
    Go down one level at a time:
     ```markdown
     # What makes South Korea a great partner of ASEAN?

     ## Economic ties
     ```
    """

    code = "FM305"
    name = "heading-level-skip"

    def check(self, doc: Document) -> Iterable[Problem]:
        previous = None
        for heading in doc.structure.headings:
            if previous is not None and heading.level > previous.level + 1:
                yield Problem.at(
                    heading_span(doc, heading),
                    f"heading level jumps from H{previous.level} to H{heading.level}; "
                    f"expected H{previous.level + 1}",
                    subject=heading_text(doc, heading),
                )
            previous = heading


class EmphasisAsHeading(Rule):
    """A bold line is used as a heading.

    ## What it does
    Reports a paragraph that is nothing but one bold span — such as
    `**Strategic Collaboration for Maintaining Stability in the Region**` —
    and suggests the heading to write instead, one level below the heading
    before it (at least H2).

    To tell a pseudo-heading from an emphasised sentence, the paragraph must
    be a single line, hold at most `max-words` words (default 12) and must
    not end with sentence punctuation (`.` `,` `;` `:`, also `…`, `。` and
    Khmer `។`); a bold question or exclamation is still a heading.  So the
    closing line `_**Seun Sam is a policy analyst.** The views expressed are
    his own._` is not reported.

    Options: `max-words` (default 12); `include-italic` (default false) —
    italic-only lines (`_Photo: Reuters_`, `*Updated at noon*`) are far more
    often captions, credits and notes than headings, so they are reported
    only when this is true.

    ## Why is this bad?
    Bold text looks like a heading but is not one: it is missing from the
    outline, from the table of contents and from screen readers' heading
    navigation, and it cannot be linked to.

    ## Example
    ```markdown
    **Strategic Collaboration for Maintaining Stability in the Region**

    In addition to the cultural connections ...
    ```

    ## Use instead
    A real heading, one level below the heading before it:
     ```markdown
     ## Strategic Collaboration for Maintaining Stability in the Region

     In addition to the cultural connections ...
     ```
    """

    code = "FM306"
    name = "emphasis-as-heading"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Option]] = {
        "max-words": Option("int", 12, "longest text (in words) still taken for a heading"),
        "include-italic": Option(
            "bool", False, "also report italic-only lines (`*Section*`), not only bold ones"
        ),
    }

    def check(self, doc: Document) -> Iterable[Problem]:
        max_words: int = self.config["max-words"]
        include_italic: bool = self.config["include-italic"]
        structure = doc.structure
        headings = structure.headings
        for paragraph in structure.emphasis_paragraphs:
            if not paragraph.strong and not include_italic:
                continue
            if "\n" in paragraph.text.strip():
                continue
            text = inline_text(paragraph.text)
            if not any(c.isalnum() for c in text) or text.endswith(_SENTENCE_END):
                continue
            if len(text.split()) > max_words:
                continue
            before = [h.level for h in headings if h.line < paragraph.line]
            level = min(max(before[-1] + 1 if before else 2, 2), 6)
            kind = "bold" if paragraph.strong else "italic"
            line = paragraph.line
            yield Problem.at(
                Span(line, paragraph.column, line, line_end_column(doc, line)),
                f"{kind} paragraph used as a heading; use a heading instead: "
                f"`{'#' * level} {text}`",
                subject=text,
            )


class EmptyHeading(Rule):
    """A heading has no text.

    ## What it does
    Reports headings with nothing after the marker: `#`, `## ` or `##  ##`
    (the closing `#`s are not text).

    ## Why is this bad?
    An empty heading renders as an empty, oddly spaced block, appears as a
    blank entry in the outline and the table of contents, and is usually a
    leftover of an edit.

    ## Example
    ```markdown
    ##

    The ROK's collaboration with ASEAN ...
    ```

    ## Use instead
    A heading with text:
     ```markdown
     ## Security cooperation

     The ROK's collaboration with ASEAN ...
     ```
    """

    code = "FM307"
    name = "empty-heading"

    def check(self, doc: Document) -> Iterable[Problem]:
        for heading in doc.structure.headings:
            if heading.text.strip():
                continue
            yield Problem.at(
                heading_span(doc, heading),
                f"empty H{heading.level} heading: expected text after "
                f"`{'#' * heading.level}`, or remove the line",
                subject=f"H{heading.level}",
            )


class HeadingTrailingPunctuation(Rule):
    """A heading ends with punctuation.

    ## What it does
    Reports headings whose text ends with one of the characters of the
    `punctuation` option (default `.,;:`).  Question and exclamation marks
    are allowed by default: `# What makes South Korea a great partner of
    ASEAN?` is fine.  The text is judged as it renders, so `## **Note:**`
    ends with `:`.

    Option: `punctuation` (default `".,;:"`), the characters that may not end
    a heading; add `?!` to forbid those too, or `。` for full-width text.

    ## Why is this bad?
    A heading is a title, not a sentence: a trailing full stop or colon
    usually means a sentence or a lead-in was formatted as a heading, and it
    looks inconsistent next to the other headings.

    ## Example
    A heading ending with a full stop:
     ```markdown
     ## Economic ties.
     ```

    ## Use instead
    The heading without it:
     ```markdown
     ## Economic ties
     ```
    """

    code = "FM308"
    name = "heading-trailing-punctuation"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Option]] = {
        "punctuation": Option("str", ".,;:", "characters that may not end a heading"),
    }

    def check(self, doc: Document) -> Iterable[Problem]:
        flagged: str = self.config["punctuation"]
        if not flagged:
            return
        for heading in doc.structure.headings:
            text = heading_text(doc, heading)
            if not text or text[-1] not in flagged:
                continue
            yield Problem.at(
                heading_span(doc, heading),
                f"heading {quote(text)} ends with {quote(text[-1])}: expected no trailing "
                f"punctuation (one of {quote(flagged)} is flagged); remove it",
                subject=text,
            )
