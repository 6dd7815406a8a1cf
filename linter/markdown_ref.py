"""The reference Markdown body parser, built on markdown-it-py (CommonMark preset).

:func:`parse` turns an article body into a :class:`~linter.body.BodyStructure`.
It is the source of truth: the fast scanner (:mod:`linter.markdown_scan`) must
give the same result on every body it handles itself, and hands every other
body to :func:`parse`.  A differential test enforces that.

How the parser is set up
------------------------
One module-level ``MarkdownIt("commonmark")`` instance with these changes, none
of which alters which blocks and inlines markdown-it finds except the first:

* ``validateLink`` accepts every URL.  Stock markdown-it refuses
  ``javascript:``/``vbscript:``/``file:``/most ``data:`` destinations, and the
  image or definition then silently stays literal text; a linter wants to see
  (and flag) them, and Jekyll's kramdown would render them anyway.
* The ``reference`` block rule is wrapped to record every link reference
  definition (duplicates too) with the lines it consumed.
* The ``image`` and ``html_inline`` inline rules are wrapped to remember the
  offset at which each token starts (markdown-it keeps positions for blocks
  only), and the ``image`` wrapper notes reference-style images whose label is
  not defined (markdown-it leaves those as literal text).
* The core ``inline`` rule is replaced by an equivalent loop that gives each
  inline token its own list for those notes.

Positions
---------
All lines and columns are 1-based positions in the file: ``first_line`` is the
file line of the body's first line.  Columns count characters (code points) of
the source line; a tab counts as one.  Line endings are normalised the way
markdown-it does (``\\r\\n`` and a lone ``\\r`` end a line, NUL becomes U+FFFD)
before anything else, so a CRLF file gets the same columns as an LF one.

markdown-it gives lines only (``token.map``).  Columns are computed like this:

* block starts: ATX heading -> its first ``#`` in the source line; setext
  heading, paragraph -> the first character of the content.
* inline constructs: the wrapped rules record the offset in the inline token's
  content.  A content line is the source line minus a prefix (container
  markers and indentation, which markdown-it strips) and minus trimmed
  whitespace at either end of the block, so the content line, stripped, is
  found at the *end* of the stripped source line; the offset in the content
  line is added to that base.  An ATX heading's content starts after its
  ``#`` run and the following whitespace instead (a closing sequence may
  follow it).  Only a tab that markdown-it half-expands into spaces inside a
  container makes a leading-space offset inexact; it then maps to the first
  visible character.
* definitions and their URLs: from markdown-it's own line markers
  (``bMarks``/``tShift``), exact.

Semantics of the records
------------------------
``Heading.text``
    ATX: markdown-it's inline content -- the text after the opening ``#``s,
    closing ``#`` sequence removed, trimmed.  Setext: the content lines (the
    underline excluded), each trimmed, joined by ``"\\n"``.  ``column`` is the
    first ``#`` (ATX) or the first text character (setext); ``end_line`` is
    the underline's line for setext.  Headings inside block quotes and lists
    are headings; inside code, HTML blocks or comments they are not.
``Image``
    ``kind="inline"``: ``![alt](dest "title")``.  ``kind="reference"``:
    ``![alt][label]``, ``![alt][]``, ``![alt]`` -- ``reference`` is the
    normalised label (:func:`label_name`); when the label has no definition
    the image is still reported, with ``defined=False``, ``url=""`` and
    ``url_line=url_column=0``.  (Only top-level inline content is searched:
    an image nested in another image's alt text is part of that alt.)
    ``kind="html"``: an ``<img>`` tag in an HTML block or inline HTML.
    ``alt``: the raw source between ``![`` and its ``]``, trimmed (for
    ``<img>``: the ``alt`` attribute, entity-decoded, trimmed; ``""`` when
    missing).  ``url``: the destination as written, with CommonMark backslash
    escapes and entity references decoded (markdown-it's ``unescapeAll``) but
    *not* percent-encoded or otherwise normalised; for ``<img>`` the ``src``
    attribute decoded with :func:`html.unescape`.  ``url_line``/``url_column``
    point at the first character of the URL (after ``<`` for ``<dest>``, after
    the quote for a quoted attribute; for an empty destination, where it would
    start); a reference image points at its definition's URL; 0/0 when there
    is no URL at all (undefined reference, ``<img>`` without ``src`` value).
    ``title``: decoded title, ``None`` when absent or empty.
``ReferenceDefinition``
    every definition in document order, duplicates included (the first one
    wins for images, as in CommonMark).  ``label``: :func:`label_name`;
    ``url`` decoded like an image URL; position of the ``[``.
``EmphasisParagraph``
    a *top-level* paragraph (not in a list or block quote) whose inline content
    is one ``strong`` (``**``/``__``) or ``em`` (``*``/``_``) span from its first
    to its last character, single- or multi-line.  ``text``: the source between
    the outer markers, trimmed -- ``_**A** b._`` gives ``strong=False`` and
    text ``**A** b.``; ``***x***`` is ``em`` around ``strong`` (text ``**x**``).
``Comment``
    every ``<!-- ... -->`` outside code: inline HTML comments (as markdown-it
    recognises them) and every comment inside an HTML block (found by
    :func:`html_items`: ``<!--`` up to the next ``-->``, where ``<!-->`` and
    ``<!--->`` are empty comments; an unterminated ``<!--`` yields nothing).
    ``text`` is the content between the markers, stripped; ``end_line`` is the
    line of the closing ``>``.  Comments inside an image's alt text are not
    reported.
``first_block``
    kind and line of the first top-level block; link reference definitions
    are not blocks; an HTML block (a comment too) is ``"html"``, fenced and
    indented code are ``"code"``, a thematic break is ``"hr"``.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.html_re import attribute as _HTML_ATTRIBUTE
from markdown_it.common.utils import MD_TRIM_CHARS, mdTrim, normalizeReference
from markdown_it.helpers import parseLinkDestination, parseLinkLabel
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import reference as _reference_rule
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import html_inline as _html_inline_rule
from markdown_it.rules_inline import image as _image_rule
from markdown_it.token import Token

from .body import (
    Block,
    BlockKind,
    BodyStructure,
    Comment,
    EmphasisParagraph,
    Heading,
    Image,
    ReferenceDefinition,
)

__all__ = [
    "HtmlComment",
    "HtmlImage",
    "comment_text",
    "html_items",
    "inline_html_item",
    "label_key",
    "label_name",
    "normalize_source",
    "parse",
    "setext_text",
]

# --------------------------------------------------------------- shared helpers
# (markdown_scan uses these too, so both producers agree by construction)

_NEWLINES_RE = re.compile(r"\r\n?")


def normalize_source(body: str) -> str:
    """Normalise line endings and NUL exactly as markdown-it's ``normalize`` rule."""
    if "\r" in body:
        body = _NEWLINES_RE.sub("\n", body)
    if "\0" in body:
        body = body.replace("\0", "\ufffd")
    return body


def label_key(raw: str) -> str:
    """markdown-it's reference key (how labels are matched to definitions)."""
    return normalizeReference(raw)


def label_name(raw: str) -> str:
    """The label as reported: whitespace collapsed, trimmed, case-folded."""
    return normalizeReference(raw).casefold()


def setext_text(content: str) -> str:
    """Heading.text of a setext heading from markdown-it's inline content."""
    return "\n".join(mdTrim(line) for line in content.split("\n"))


def comment_text(inner: str) -> str:
    return inner.strip()


@dataclass(frozen=True)
class HtmlComment:
    start: int  # offset of "<!--"
    end: int  # offset just past "-->"
    text: str


@dataclass(frozen=True)
class HtmlImage:
    start: int  # offset of "<img"
    url: str
    url_start: int  # offset of the src value's first character, -1 without a value
    alt: str
    title: str | None


_HTML_ITEM_RE = re.compile(r"<!--|<img(?=[\s/>])", re.IGNORECASE)
_IMG_TAG_RE = re.compile("<img" + _HTML_ATTRIBUTE + "*\\s*/?>", re.IGNORECASE)
_IMG_START_RE = re.compile(r"<img(?=[\s/>])", re.IGNORECASE)
_ATTR_RE = re.compile(
    r"\s+([a-zA-Z_:][a-zA-Z0-9:._-]*)"
    r"(?:\s*=\s*(?:([^\"'=<>`\x00-\x20]+)|'([^']*)'|\"([^\"]*)\"))?"
)


def _img_tag(tag: str, start: int) -> HtmlImage:
    """An ``<img ...>`` tag (already known to match the CommonMark open-tag
    grammar) at offset ``start``; the first of repeated attributes wins."""
    attrs: dict[str, tuple[str, int]] = {}
    pos = 4
    while (m := _ATTR_RE.match(tag, pos)) is not None:
        pos = m.end()
        name = m.group(1).lower()
        if name in attrs:
            continue
        for group in (2, 3, 4):
            if m.group(group) is not None:
                attrs[name] = (m.group(group), m.start(group))
                break
        else:
            attrs[name] = ("", -1)
    src, src_at = attrs.get("src", ("", -1))
    alt = attrs.get("alt", ("", -1))[0]
    title = attrs.get("title", ("", -1))[0]
    return HtmlImage(
        start=start,
        url=html.unescape(src),
        url_start=start + src_at if src_at >= 0 else -1,
        alt=html.unescape(alt).strip(),
        title=html.unescape(title) or None,
    )


def html_items(text: str, limit: int | None = None) -> list[HtmlComment | HtmlImage]:
    """Comments and ``<img>`` tags in the content of an HTML block, in order
    (the first ``limit`` of them when a limit is given).

    A comment runs from ``<!--`` to the next ``-->`` (searched from the third
    character, so ``<!-->`` and ``<!--->`` are empty comments); an unterminated
    one swallows the rest and is not reported.  An ``<img`` must form a
    complete CommonMark open tag.  Everything else is skipped.
    """
    items: list[HtmlComment | HtmlImage] = []
    pos = 0
    while (m := _HTML_ITEM_RE.search(text, pos)) is not None and len(items) != limit:
        start = m.start()
        if text[start + 1] == "!":
            end = text.find("-->", start + 2)
            if end < 0:
                break
            items.append(HtmlComment(start, end + 3, comment_text(text[start + 4 : end])))
            pos = end + 3
            continue
        tag = _IMG_TAG_RE.match(text, start)
        if tag is None:
            pos = start + 4
            continue
        items.append(_img_tag(tag.group(0), start))
        pos = tag.end()
    return items


def inline_html_item(content: str) -> HtmlComment | HtmlImage | None:
    """The comment or ``<img>`` that an ``html_inline`` token is, if any."""
    if content.startswith("<!--"):
        inner = content[4:-3] if len(content) >= 7 else ""
        return HtmlComment(0, len(content), comment_text(inner))
    if _IMG_START_RE.match(content):
        return _img_tag(content, 0)
    return None


# --------------------------------------------------------------- the parser

_DEFS = "fmlint_definitions"
_UNDEFINED = "fmlint_undefined"
_DEPTH = "fmlint_image_depth"
_POS = "fmlint_pos"
_IMAGE = "fmlint_image"


@dataclass(frozen=True)
class _Definition:
    key: str
    label: str
    url: str
    start: int  # src offset of "["
    url_start: int  # src offset of the URL's first character


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        """Accept every URL: rules, not the parser, judge ``javascript:``."""
        return True


def _record_definition(state: StateBlock, start_line: int, end_line: int) -> None:
    """Re-read the definition markdown-it just accepted on lines
    [start_line, end_line) the way its ``reference`` rule reads it."""
    src = state.src
    text = ""
    pieces: list[tuple[int, int]] = []  # (offset in text, offset in src)
    for line in range(start_line, end_line):
        begin = state.bMarks[line] + state.tShift[line]
        pieces.append((len(text), begin))
        text += src[begin : state.eMarks[line] + 1]
    label_end = 1
    while label_end < len(text) and text[label_end] != "]":
        label_end += 2 if text[label_end] == "\\" else 1
    pos = label_end + 2
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    dest = parseLinkDestination(text, pos, len(text))
    url_at = pos + 1 if text.startswith("<", pos) else pos
    piece = bisect_right(pieces, (url_at, len(src) + 1)) - 1
    raw = text[1:label_end]
    definitions: list[_Definition] = state.env.setdefault(_DEFS, [])
    definitions.append(
        _Definition(
            key=label_key(raw),
            label=label_name(raw),
            url=dest.str,
            start=pieces[0][1],
            url_start=pieces[piece][1] + url_at - pieces[piece][0],
        )
    )


def _reference(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    ok = _reference_rule(state, start_line, end_line, silent)
    if ok and not silent:
        _record_definition(state, start_line, state.line)
    return ok


def _skip_spaces(src: str, pos: int, maximum: int) -> int:
    while pos < maximum and src[pos] in " \t\n":
        pos += 1
    return pos


def _image(state: StateInline, silent: bool) -> bool:
    if silent:
        return _image_rule(state, silent)
    env = state.env
    start = state.pos
    env[_DEPTH] = env.get(_DEPTH, 0) + 1
    try:
        ok = _image_rule(state, silent)
    finally:
        env[_DEPTH] -= 1
    src, maximum = state.src, state.posMax
    if ok:
        token = state.tokens[-1]
        label_end = parseLinkLabel(state, start + 1, False)
        pos = label_end + 1
        info: dict[str, Any] = {"pos": start, "label_end": label_end}
        if pos < maximum and src[pos] == "(":
            dest_at = _skip_spaces(src, pos + 1, maximum)
            dest = parseLinkDestination(src, dest_at, maximum)
            info["url"] = dest.str if dest.ok else ""
            info["url_at"] = dest_at + 1 if dest.ok and src[dest_at] == "<" else dest_at
        else:
            info["key"] = token.meta["label"]
        token.meta[_IMAGE] = info
        return ok
    if env[_DEPTH] == 0 and src.startswith("![", start):
        label_end = parseLinkLabel(state, start + 1, False)
        if label_end < 0:
            return ok
        pos = label_end + 1
        if pos < maximum and src[pos] == "(":
            return ok  # a broken inline image, not a reference
        label = None
        if pos < maximum and src[pos] == "[":
            end2 = parseLinkLabel(state, pos, False)
            if end2 >= 0:
                label = src[pos + 1 : end2]
        if not label:
            label = src[start + 2 : label_end]
        if label_key(label):
            undefined: list[tuple[int, int, str]] = env[_UNDEFINED]
            undefined.append((start, label_end, label))
    return ok


def _html_inline(state: StateInline, silent: bool) -> bool:
    start = state.pos
    ok = _html_inline_rule(state, silent)
    if ok and not silent:
        state.tokens[-1].meta[_POS] = start
    return ok


def _core_inline(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            undefined: list[tuple[int, int, str]] = []
            state.env[_UNDEFINED] = undefined
            state.env[_DEPTH] = 0
            state.md.inline.parse(token.content, state.md, state.env, token.children)
            if undefined:
                token.meta[_UNDEFINED] = undefined


def _make_parser() -> MarkdownIt:
    md = _Parser("commonmark", {"store_labels": True})
    md.block.ruler.at("reference", _reference)
    md.inline.ruler.at("image", _image)
    md.inline.ruler.at("html_inline", _html_inline)
    md.core.ruler.at("inline", _core_inline)
    return md


_MD = _make_parser()

_BLOCK_KINDS: dict[str, BlockKind] = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "fence": "code",
    "code_block": "code",
    "html_block": "html",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "blockquote_open": "blockquote",
    "table_open": "table",
    "hr": "hr",
}


class _Source:
    """The normalised source split in lines, with offset -> (line, column)."""

    def __init__(self, src: str, first_line: int) -> None:
        self.src = src
        self.lines = src.split("\n")
        self.first_line = first_line
        starts = [0]
        for line in self.lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self.starts = starts

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return self.first_line + index, offset - self.starts[index] + 1


class _Content:
    """Maps offsets in a block token's content to file (line, column)."""

    def __init__(self, source: _Source, content: str, first_index: int, last_index: int) -> None:
        self.source = source
        self.content = content
        self.starts = [0] + [m.end() for m in re.finditer("\n", content)]
        # mdTrim may have dropped whole leading lines (e.g. "\u3000" alone)
        first = self._core(0)
        index = first_index
        while index < last_index - 1 and first and not self._fits(index, first):
            index += 1
        self.first_index = index
        self.bases: dict[int, int] = {}

    def _line(self, i: int) -> str:
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.content)
        return self.content[self.starts[i] : end]

    def _core(self, i: int) -> str:
        return self._line(i).rstrip(MD_TRIM_CHARS).lstrip(" \t")

    def _fits(self, index: int, core: str) -> bool:
        return self.source.lines[index].rstrip(MD_TRIM_CHARS).endswith(core)

    def at(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.starts, offset) - 1
        base = self.bases.get(i)
        line = self._line(i).rstrip(MD_TRIM_CHARS)
        core = line.lstrip(" \t")
        lead = len(line) - len(core)
        if base is None:
            src_line = self.source.lines[self.first_index + i].rstrip(MD_TRIM_CHARS)
            base = self.bases[i] = len(src_line) - len(core)
        column = base + max(offset - self.starts[i] - lead, 0)
        return self.source.first_line + self.first_index + i, column + 1


def _emphasis(inline: Token) -> tuple[bool, str] | None:
    # emphasis processing leaves empty text tokens where the delimiters were
    children = [c for c in inline.children or [] if c.type != "text" or c.content]
    if not children or children[0].type not in ("strong_open", "em_open"):
        return None
    depth = 0
    for index, child in enumerate(children):
        depth += child.nesting
        if depth == 0 and index != len(children) - 1:
            return None
    if children[-1].type != children[0].type.replace("_open", "_close"):
        return None
    n = len(children[0].markup)
    return children[0].type == "strong_open", mdTrim(inline.content[n:-n])


def add_undefined_reference(
    result: BodyStructure,
    text: str,
    start: int,
    label_end: int,
    label: str,
    at: Any,  # Callable[[int], tuple[int, int]]
) -> None:
    """``![alt][label]`` whose label has no definition (text[start] is the `!`)."""
    line, column = at(start)
    result.images.append(
        Image(
            url="",
            alt=mdTrim(text[start + 2 : label_end]),
            line=line,
            column=column,
            kind="reference",
            reference=label_name(label),
            defined=False,
        )
    )


def add_html(
    result: BodyStructure,
    item: HtmlComment | HtmlImage,
    at: Any,  # Callable[[int], tuple[int, int]]
    offset: int,
) -> None:
    line, column = at(offset + item.start)
    if isinstance(item, HtmlComment):
        end_line = at(offset + item.end - 1)[0]
        result.comments.append(Comment(item.text, line, column, end_line))
        return
    url_line = url_column = 0
    if item.url_start >= 0:
        url_line, url_column = at(offset + item.url_start)
    result.images.append(
        Image(
            url=item.url,
            alt=item.alt,
            line=line,
            column=column,
            kind="html",
            title=item.title,
            url_line=url_line,
            url_column=url_column,
        )
    )


def _inline(
    result: BodyStructure,
    token: Token,
    content: _Content,
    definitions: dict[str, _Definition],
    source: _Source,
) -> None:
    text = token.content
    for child in token.children or []:
        if child.type == "image":
            info = child.meta[_IMAGE]
            line, column = content.at(info["pos"])
            alt = mdTrim(text[info["pos"] + 2 : info["label_end"]])
            title = child.attrGet("title")
            title = str(title) if title else None
            if "key" in info:
                definition = definitions[info["key"]]
                url_line, url_column = source.at(definition.url_start)
                result.images.append(
                    Image(
                        url=definition.url,
                        alt=alt,
                        line=line,
                        column=column,
                        kind="reference",
                        title=title,
                        reference=definition.label,
                        url_line=url_line,
                        url_column=url_column,
                    )
                )
            else:
                url_line, url_column = content.at(info["url_at"])
                result.images.append(
                    Image(
                        url=info["url"],
                        alt=alt,
                        line=line,
                        column=column,
                        kind="inline",
                        title=title,
                        url_line=url_line,
                        url_column=url_column,
                    )
                )
        elif child.type == "html_inline":
            item = inline_html_item(child.content)
            if item is not None:
                add_html(result, item, content.at, child.meta[_POS])
    for start, label_end, label in token.meta.get(_UNDEFINED, ()):
        add_undefined_reference(result, text, start, label_end, label, content.at)


def parse(body: str, first_line: int) -> BodyStructure:
    """Parse ``body`` (whose first line is line ``first_line`` of the file)."""
    src = normalize_source(body)
    env: dict[str, Any] = {}
    tokens = _MD.parse(src, env)
    source = _Source(src, first_line)
    result = BodyStructure()

    definitions: dict[str, _Definition] = {}
    for definition in env.get(_DEFS, []):
        definitions.setdefault(definition.key, definition)
        line, column = source.at(definition.start)
        result.definitions.append(
            ReferenceDefinition(definition.label, definition.url, line, column)
        )

    for index, token in enumerate(tokens):
        if result.first_block is None and token.level == 0 and token.nesting >= 0:
            kind = _BLOCK_KINDS.get(token.type, "other")
            assert token.map is not None
            result.first_block = Block(kind, first_line + token.map[0])
        if token.type == "inline":
            assert token.map is not None
            content = _Content(source, token.content, token.map[0], token.map[1])
            opener = tokens[index - 1]
            if opener.type == "heading_open":
                if opener.markup.startswith("#"):
                    # the source line ends with the closing sequence, not the content
                    text = source.lines[token.map[0]]
                    after = text.find("#") + len(opener.markup)
                    rest = text[after:]
                    content.bases[0] = after + len(rest) - len(rest.lstrip(MD_TRIM_CHARS))
                _heading(result, opener, token, content, source)
            elif opener.type == "paragraph_open" and opener.level == 0:
                emphasis = _emphasis(token)
                if emphasis is not None:
                    line, column = content.at(0)
                    result.emphasis_paragraphs.append(
                        EmphasisParagraph(emphasis[1], line, column, emphasis[0])
                    )
            _inline(result, token, content, definitions, source)
        elif token.type == "html_block":
            assert token.map is not None
            content = _Content(source, token.content, token.map[0], token.map[1])
            for item in html_items(token.content):
                add_html(result, item, content.at, 0)

    result.images.sort(key=lambda image: (image.line, image.column))
    result.comments.sort(key=lambda comment: (comment.line, comment.column))
    return result


def _heading(
    result: BodyStructure, opener: Token, inline: Token, content: _Content, source: _Source
) -> None:
    assert opener.map is not None
    level = int(opener.tag[1])
    start, end = opener.map
    if opener.markup.startswith("#"):
        column = source.lines[start].find("#") + 1
        line = source.first_line + start
        result.headings.append(Heading(level, inline.content, line, column, line))
        return
    line, column = content.at(0)
    result.headings.append(
        Heading(
            level,
            setext_text(inline.content),
            line,
            column,
            source.first_line + end - 1,
            setext=True,
        )
    )
