"""The Markdown body reduced to what rules need: headings, images, reference
definitions, emphasis-only paragraphs and HTML comments, each with its position
in the file.

Two producers fill :class:`BodyStructure`: the fast scanner
(:mod:`linter.markdown_scan`) and the reference parser built on markdown-it-py
(:mod:`linter.markdown_ref`).  A differential test keeps them in agreement.
All lines and columns are 1-based positions in the *file* (the producers are
given the line on which the body starts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal[
    "heading", "paragraph", "code", "html", "list", "blockquote", "table", "hr", "other"
]
ImageKind = Literal["inline", "reference", "html"]

#: the default of ``limits.max-body-constructs``: how many Markdown constructs
#: (block-marker lines, inline markup) a body may hold before the rest of it is
#: left unexamined (see :class:`Cut`)
MAX_CONSTRUCTS = 10_000


@dataclass(frozen=True)
class Heading:
    level: int  # 1..6
    text: str  # the inline source of the heading, stripped (e.g. "What *is* it")
    line: int  # line of the heading text (for setext: the text line, not the underline)
    column: int  # column of the first character of the heading marker or text
    end_line: int  # for setext: the underline's line
    setext: bool = False


@dataclass(frozen=True)
class Image:
    url: str  # as written, after CommonMark backslash-escape/entity decoding of the destination
    alt: str  # the alt text (inline source of the brackets' content, stripped)
    line: int  # line of the "!" (or of "<img")
    column: int  # column of the "!" (or of "<img")
    kind: ImageKind
    title: str | None = None
    reference: str | None = None  # normalised label for reference-style images
    defined: bool = True  # False for a reference-style image whose definition is missing
    url_line: int = 0  # line and column of the URL itself, 0 when unknown
    url_column: int = 0


@dataclass(frozen=True)
class ReferenceDefinition:
    label: str  # normalised (case-folded, whitespace collapsed)
    url: str
    line: int
    column: int


@dataclass(frozen=True)
class EmphasisParagraph:
    """A paragraph whose whole content is one strong or emphasis span, as
    people write pseudo-headings: ``**Strategic Collaboration**``."""

    text: str  # the text inside the emphasis markers
    line: int
    column: int
    strong: bool


@dataclass(frozen=True)
class Comment:
    """An HTML comment (block-level or inline); suppressions live in them."""

    text: str  # the content between "<!--" and "-->", stripped
    line: int
    column: int
    end_line: int


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    line: int


@dataclass(frozen=True)
class Cut:
    """Where examining the body stopped: it holds more constructs than
    ``limits.max-body-constructs``.  The scanner examines at most that many
    lines that start with a block marker (headings, fences, definitions...)
    and, separately, that many steps of inline markup (``[``, ``![``, ``<``,
    backticks, backslashes, emphasis paragraphs, HTML comments and images);
    the reference parser, which is slower, is given the body up to the line
    holding its ``limit + 1``-th line break or markup character.  The
    structure then holds what starts before this position, except reference
    images left undefined when definitions after it were not seen."""

    line: int
    column: int


@dataclass
class BodyStructure:
    headings: list[Heading] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    definitions: list[ReferenceDefinition] = field(default_factory=list)
    emphasis_paragraphs: list[EmphasisParagraph] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    first_block: Block | None = None  # the first block of content, None for an empty body
    cut: Cut | None = None  # where examining stopped, None when the whole body was


def cut_structure(structure: BodyStructure, cut: Cut, definitions_seen: bool) -> BodyStructure:
    """``structure`` reduced to what starts before ``cut``.  Unless every
    definition of the body was seen, a reference image whose label is not
    defined is dropped too: its definition may lie beyond the cut."""
    at = (cut.line, cut.column)
    structure.headings = [h for h in structure.headings if (h.line, h.column) < at]
    structure.images = [
        i for i in structure.images if (i.line, i.column) < at and (i.defined or definitions_seen)
    ]
    structure.definitions = [d for d in structure.definitions if (d.line, d.column) < at]
    structure.emphasis_paragraphs = [
        p for p in structure.emphasis_paragraphs if (p.line, p.column) < at
    ]
    structure.comments = [c for c in structure.comments if (c.line, c.column) < at]
    structure.cut = cut
    return structure
