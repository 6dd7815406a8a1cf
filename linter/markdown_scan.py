"""A fast line scanner for Markdown bodies, checked against markdown-it-py.

:func:`scan` returns the same :class:`~linter.body.BodyStructure` as
:func:`linter.markdown_ref.parse` (see that module for the meaning of every
field and position) at a fraction of the cost, or -- when the body contains
something it does not model faithfully -- simply returns ``parse(body, ...)``.
:func:`try_scan` is the same but returns ``None`` instead of falling back.

What the scanner models (CommonMark as markdown-it-py implements it)
---------------------------------------------------------------------
Top-level blocks only, one Python step per line, lines classified by their
first character (a line starting with a letter is paragraph text and costs
almost nothing; blank lines end paragraphs):

* indented code (4+ columns; a tab in the indentation always reaches 4) unless
  the line continues a paragraph;
* fenced code: backtick or tilde fences of 3+ characters with an info string
  (no backtick in a backtick fence's info), closed by a fence of the same
  character, at least as long, indented less than 4 columns and followed by
  spaces only; an unclosed fence runs to the end;
* HTML blocks: markdown-it's own seven start/end conditions (kind 7 cannot
  interrupt a paragraph); their comments and ``<img>`` tags are found by
  :func:`linter.markdown_ref.html_items`, as in the reference;
* ATX headings (1-6 ``#`` then space/tab/end, up to 3 spaces of indent,
  closing sequence removed as markdown-it does), setext headings (an ``=`` or
  ``-`` underline under paragraph lines; ``---`` after a blank line and
  ``***``, ``___``, ``- - -`` are thematic breaks), paragraphs and what
  interrupts them;
* link reference definitions that fit on one line, at the start of a
  paragraph.

Inline content is only examined in the paragraphs and headings that contain
``![`` or ``<`` (found with ``str.find`` over the whole body).  There the
scanner runs a port of the markdown-it inline rules that can hide or make an
image or a comment: backslash escapes, code spans, autolinks, inline HTML,
links (their text is scanned, their destination skipped) and images -- link
labels with nested brackets (``parseLinkLabel`` and its token skipping),
``<dest>`` and raw destinations with balanced parentheses (a regex fast path,
markdown-it's own helper otherwise), titles, full/collapsed/shortcut
references, and undefined reference images.  An emphasis-only paragraph is
recognised when it reads ``M X M`` with ``M`` one of ``*``, ``**``, ``_``,
``__`` and no ``M`` character inside ``X``: that span is unambiguous.

When it falls back to the reference parser (for the whole body)
---------------------------------------------------------------
block quotes; anything that looks like a list item (``-``, ``*``, ``+``,
``1.``, ``1)`` markers) -- both bring containers and lazy continuation lines;
a link reference definition that may continue on the next line (label,
destination or title left open, a title-like next line, a trailing
backslash); a paragraph that starts and ends with an emphasis character but is
not of the simple form above (``*a* b *c*``, ``***x***``, ``**a*``); link
labels nested more than ten levels deep.

On the generated corpus (3-12 KB articles) it falls back for well under 1 % of
the bodies and runs more than ten times faster than :func:`parse`.

Hostile bodies
--------------
Every step costs a bounded amount of work: runs of ordinary characters, of
spaces, of backticks, code and HTML block lines are jumped over with regexes;
``_skip`` remembers its results for the inline content being scanned, as
markdown-it's ``skipToken`` cache does (without it, nested brackets cost
exponential time); a label with no ``]`` after it fails at once.
On top of that ``limit`` (``limits.max-body-constructs``) bounds the work of
each pass: the block pass examines at most that many lines with a block
marker, the inline pass that many steps (a stop of the tokenizer, a step of a
label, a backtick run, a parenthesis or backslash of a destination, an
emphasis paragraph, an HTML comment or image).  When either runs out, the
structure is cut (:func:`~linter.body.cut_structure`) where it stopped.  The
reference parser, much slower, is given the body up to the line holding its
``limit + 1``-th line break or markup character.  So a 2 MB body costs a
fraction of a second whatever it holds, and an article never gets near the
limit.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.common.utils import MD_TRIM_CHARS, isWhiteSpace, mdTrim, unescapeAll
from markdown_it.rules_block.html_block import HTML_SEQUENCES
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE

from . import markdown_ref
from .body import (
    MAX_CONSTRUCTS,
    Block,
    BlockKind,
    BodyStructure,
    Cut,
    EmphasisParagraph,
    Heading,
    Image,
    ReferenceDefinition,
    cut_structure,
)
from .markdown_ref import (
    HtmlComment,
    HtmlImage,
    html_items,
    inline_html_item,
    label_key,
    label_name,
    normalize_source,
    setext_text,
)

__all__ = ["scan", "try_scan"]


class _Fallback(Exception):
    """The body holds something the scanner does not model."""


class _Exhausted(Exception):
    """The scanner has examined as many constructs as it may."""


class _Budget:
    """How many more constructs a pass of the scanner may examine."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _Exhausted


def scan(body: str, first_line: int, limit: int = MAX_CONSTRUCTS) -> BodyStructure:
    """The structure of ``body`` (its first line is file line ``first_line``),
    of its part before ``result.cut`` when it holds more than ``limit``
    constructs (see :class:`~linter.body.Cut`)."""
    src = normalize_source(body)
    result = _try_scan(src, first_line, limit)
    if result is None:
        result = _parse_prefix(src, first_line, limit)
    return result


def try_scan(body: str, first_line: int, limit: int = MAX_CONSTRUCTS) -> BodyStructure | None:
    """Like :func:`scan`, but ``None`` where :func:`scan` falls back."""
    return _try_scan(normalize_source(body), first_line, limit)


def _try_scan(src: str, first_line: int, limit: int) -> BodyStructure | None:
    try:
        return _Scanner(src, first_line, limit).run()
    except _Fallback:
        return None


def _parse_prefix(src: str, first_line: int, limit: int) -> BodyStructure:
    """The reference parser's structure of ``src``, or of its part before the
    line holding its ``limit + 1``-th construct.  For markdown-it a construct
    is any character where its inline parser stops (a line break, ``*``,
    ``_``, ``[``, ``<``, ``!``...) or that may end an ordered list marker
    (``.``, ``)``): it spends up to tens of microseconds on each of them in
    hostile lists, emphasis runs and nested brackets, and little on the plain
    text between them."""
    if sum(src.count(ch) for ch in _FALLBACK_UNITS) <= limit:
        return markdown_ref.parse(src, first_line)
    units = _FALLBACK_UNIT_RE.finditer(src)
    for _ in range(limit):
        next(units)
    offset = next(units).start()
    line_start = src.rfind("\n", 0, offset) + 1
    if line_start:  # a whole number of lines, unless the first line is that long
        offset = line_start
    result = markdown_ref.parse(src[:offset], first_line)
    line = first_line + src.count("\n", 0, offset)
    return cut_structure(result, Cut(line, offset - line_start + 1), definitions_seen=False)


# Characters that give a line (after up to 3 spaces) a meaning other than
# paragraph text; "" is an empty line.
_SPECIAL = frozenset(["", " ", "\t", "#", "`", "~", "<", ">", "-", "*", "_", "+", "=", "["]) | {
    str(d) for d in range(10)
}
# A paragraph starting with one of these may be an emphasis paragraph.
_EMPHASIS_START = frozenset("*_" + MD_TRIM_CHARS)

_ATX_RE = re.compile(r"#{1,6}(?=[ \t]|\Z)")
_SETEXT_RE = re.compile(r"(?:=+|-+)[ \t]*")
_NO_BLANKS = str.maketrans("", "", " \t")
_BLANK_LINE_RE = re.compile(r"^[ \t]*$", re.MULTILINE)
_IMAGE_START_RE = re.compile(r"!\[")
_ORDERED_RE = re.compile(r"[0-9]{1,9}[.)](?:[ \t]|\Z)")
_INLINE_STOP_RE = re.compile(r"[\\`<\[!]")
_LABEL_STOP_RE = re.compile(r"[\\`<\[\]!]")
_LABEL_TEXT_RE = re.compile(r"(?:[^\[\]\\]|\\.)*", re.DOTALL)  # up to a "[" or "]"
_MAX_PARENS = 32  # markdown-it's limit on nested parentheses in a destination
_RAW_DEST_STOP_RE = re.compile(r"[\x00-\x20\x7f()\\]")
_ANGLE_DEST_STOP_RE = re.compile(r"[\n<>\\]")
_TITLE_STOP_RE = {
    '"': re.compile(r'["\\]'),
    "'": re.compile(r"['\\]"),
    "(": re.compile(r"[()\\]"),
}
_ANGLE_RE = re.compile("[<>]")
_BACKTICKS_RE = re.compile("`+")
_SPACES_RE = re.compile("[ \t]*")
_SPACES_NEWLINES_RE = re.compile("[ \t\n]*")
# markdown-it's inline terminators, and what ends an ordered list marker
_FALLBACK_UNITS = "\n!#$%&*+-:<=>@[\\]^_`{}~.)"
_FALLBACK_UNIT_RE = re.compile("[" + re.escape(_FALLBACK_UNITS) + "]")
_MAX_DEPTH = 10


@dataclass(frozen=True)
class _Definition:
    label: str
    url: str
    title: str | None
    line: int
    column: int
    url_line: int
    url_column: int


def _skip_lines(
    rows: Iterator[tuple[int, str]],
    src: str,
    off: int,
    found: re.Match[str] | None,
    left: int,
    body_end: int,
) -> int:
    """Consume the ``rows`` (of the ``left`` still to come, the first of which
    starts at ``off``) that come before the line holding ``found``, or all of
    them; return the offset of the first row not consumed."""
    if found is None:
        deque(islice(rows, left), maxlen=0)
        return body_end
    line_start = src.rfind("\n", off, found.start()) + 1 or off
    deque(islice(rows, src.count("\n", off, line_start)), maxlen=0)
    return line_start


def _next_or_end(found: int, end: int) -> int:
    """A ``find`` result, with "none" (-1) as ``end``: what is looked for
    next lies past every position asked about."""
    return end if found < 0 else found


def _find_image(src: str, pos: int) -> int:
    """The offset of the first "![" at or after ``pos``, -1 if there is none.
    ``str.find`` of one character is fast, of "![" slow (20 us in 6 KB), and
    so is a regex: the regex only takes over from the first lone "!"."""
    pos = src.find("!", pos)
    if pos < 0 or src.startswith("[", pos + 1):
        return pos
    found = _IMAGE_START_RE.search(src, pos + 1)
    return -1 if found is None else found.start()


def _thematic_break(s: str) -> bool:
    """``s``, which starts with ``*``, ``-`` or ``_``, is a thematic break:
    three or more of that character and nothing else but spaces and tabs.
    (A regex with a repeated group needs memory for every repetition: 300 MB
    for a line of two million ``*``.)"""
    marks = s.translate(_NO_BLANKS)
    return len(marks) >= 3 and marks.count(s[0]) == len(marks)


def _continues(line: str | None) -> bool:
    return line is not None and bool(line.strip(" \t"))


def _definition(s: str, next_line: str | None, budget: _Budget) -> tuple[str, str, str, int] | None:
    """Port of markdown-it's ``reference`` rule for a definition on one line
    ``s`` (starting at its ``[``): (raw label, url, title, url offset in s),
    ``None`` when it is not a definition; raise when the next line could be
    part of it."""
    n = len(s)
    if s.endswith("\\"):
        raise _Fallback  # an escaped line break inside a definition
    i = _LABEL_TEXT_RE.match(s, 1).end()  # type: ignore[union-attr]
    if i < n and s[i] == "[":
        return None
    if i >= n:  # the label would go on on the next line
        if _continues(next_line):
            raise _Fallback
        return None
    label_end = i
    if label_end + 1 >= n or s[label_end + 1] != ":":
        return None
    pos = _SPACES_RE.match(s, label_end + 2).end()  # type: ignore[union-attr]
    if pos >= n:  # the destination would be on the next line
        if _continues(next_line):
            raise _Fallback
        return None
    ok, url, dest_end = _destination(s, pos, n, budget)
    if not ok:
        return None
    url_at = pos + 1 if s[pos] == "<" else pos
    end = _SPACES_RE.match(s, dest_end).end()  # type: ignore[union-attr]
    title = ""
    if end >= n:
        if next_line is not None and next_line.lstrip(" \t")[:1] in ("'", '"', "("):
            raise _Fallback  # maybe a title on the next line
    else:
        if end == dest_end:
            return None
        ok, found, title_end, can_continue = _title(s, end, n, budget)
        if ok:
            if _SPACES_RE.match(s, title_end).end() < n:  # type: ignore[union-attr]
                return None
            title = found
        elif can_continue and _continues(next_line):
            raise _Fallback
        else:
            return None
    raw = s[1:label_end]
    if not label_key(raw):
        return None
    return raw, url, title, url_at


def _destination(src: str, pos: int, maximum: int, budget: _Budget) -> tuple[bool, str, int]:
    """markdown-it's ``parseLinkDestination`` at ``pos``: (ok, url, end).  It
    jumps over ordinary characters with a regex; every parenthesis and
    backslash it stops at is spent from ``budget``, so a destination of
    a million ``(a)`` costs no more than the limit."""
    start = pos
    if src[pos] == "<":
        pos += 1
        while (m := _ANGLE_DEST_STOP_RE.search(src, pos, maximum)) is not None:
            pos = m.start()
            ch = src[pos]
            if ch == ">":
                return True, unescapeAll(src[start + 1 : pos]), pos + 1
            if ch != "\\":  # a line break or "<"
                break
            budget.spend()
            pos += 2
        return False, "", start
    level = 0
    while (m := _RAW_DEST_STOP_RE.search(src, pos, maximum)) is not None:
        pos = m.start()
        ch = src[pos]
        if ch == "(":
            level += 1
            if level > _MAX_PARENS:
                return False, "", start
        elif ch == ")":
            if level == 0:
                break
            level -= 1
        elif ch == "\\":
            if pos + 1 < maximum:
                if src[pos + 1] == " ":
                    break
                pos += 1
        else:  # a space or a control character
            break
        budget.spend()
        pos += 1
    else:
        pos = maximum
    if pos == start or level:
        return False, "", start
    return True, unescapeAll(src[start:pos]), pos


def _title(src: str, pos: int, maximum: int, budget: _Budget) -> tuple[bool, str, int, bool]:
    """markdown-it's ``parseLinkTitle`` at ``pos``: (ok, title, end, whether it
    may go on on the next line), spending each backslash from ``budget``."""
    if pos >= maximum or src[pos] not in "\"'(":
        return False, "", pos, False
    stops = _TITLE_STOP_RE[src[pos]]
    start = pos = pos + 1
    while (m := stops.search(src, pos, maximum)) is not None:
        pos = m.start()
        ch = src[pos]
        if ch == "\\":
            budget.spend()
            pos += 2
        elif ch == "(":  # "(" inside "(...)"
            return False, "", pos, False
        else:
            return True, unescapeAll(src[start:pos]), pos + 1, False
    return False, "", maximum, True


@dataclass
class _ImageMatch:
    label_start: int
    label_end: int
    end: int
    url: str
    url_at: int  # offset of the URL, -1 for a reference
    title: str | None
    definition: _Definition | None


class _Scanner:
    def __init__(self, src: str, first_line: int, limit: int = MAX_CONSTRUCTS) -> None:
        self.src = src
        self.first_line = first_line
        self.limit = limit
        # what the inline pass may still examine, and the offset of the
        # construct being examined (where the scan stops when it runs out)
        self.budget = _Budget(limit)
        self.stop = 0
        self.result = BodyStructure()
        self.refs: dict[str, _Definition] = {}
        self.depth = 0
        # the inline content being scanned (markdown-it's whole ``state.src``)
        self.cstart = self.cend = 0
        self.terminators: dict[str, int] = {}
        # what _skip found, by its arguments, in that content: markdown-it
        # caches skipToken too, without which nested brackets cost
        # exponential time
        self.skipped: dict[tuple[int, int], int] = {}
        self.backticks: dict[int, int] | None = None
        self.last_destination: tuple[int, int, tuple[bool, str, int]] = (-1, -1, (False, "", 0))
        # position cache of at(): the line index and start offset of the line
        # holding offset ``known``; at() is mostly called with growing offsets
        self.known_index = self.known_start = self.known = 0

    def anchor(self, index: int, offset: int) -> None:
        """Line ``index`` starts at ``offset`` (a hint for :meth:`at`)."""
        self.known_index, self.known_start, self.known = index, offset, offset

    def at(self, offset: int) -> tuple[int, int]:
        """File (line, column) of an offset of the normalised body."""
        src = self.src
        if offset < self.known:
            self.anchor(0, 0)
        newlines = src.count("\n", self.known, offset)
        if newlines:
            self.known_index += newlines
            self.known_start = src.rfind("\n", self.known, offset) + 1
        self.known = offset
        return self.first_line + self.known_index, offset - self.known_start + 1

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) without the whitespace markdown-it trims at both ends."""
        raw = self.src[start:end]
        content = raw.lstrip(MD_TRIM_CHARS)
        start += len(raw) - len(content)
        return start, start + len(content.rstrip(MD_TRIM_CHARS))

    # ------------------------------------------------------------ blocks

    def run(self) -> BodyStructure:
        src = self.src
        result = self.result
        lines = src.split("\n")
        body_end = len(src) + 1  # "off" after the last line
        if not lines[-1].strip(" \t"):
            body_end -= len(lines.pop()) + 1  # markdown-it has no line for a final blank
        nlines = len(lines)
        first_line = self.first_line
        headings = result.headings
        # paragraphs and headings in order: (first line, its offset, start, end of
        # the raw inline content, first character for a paragraph or "")
        blocks: list[tuple[int, int, int, int, str]] = []
        html_blocks: list[tuple[int, int, int]] = []  # (first line, start, end)
        first_kind: BlockKind = "other"
        first_index = -1  # line of the first block, -1 while there is none
        para = -1  # line where the open paragraph starts, -1 if none
        para_off = 0
        para_char = ""
        end_re = _ATX_RE  # the end condition of the last HTML block (set before use)
        off = 0  # offset of the line after the current one
        # the first "<" and "![" (the only ways into images and comments) at or
        # after the last paragraph looked at
        next_lt = next_img = -1
        nothing = len(src)
        # paragraphs that will cost the inline pass something: past limit + 1 of
        # them it has run out, so the others need not be remembered
        costly = self.limit + 1
        budget = _Budget(self.limit)  # lines with a block marker still to examine
        stop_at = -1  # the offset where the scan stopped, -1 while it has not
        rows = enumerate(lines)
        for i, ln in rows:
            off += len(ln) + 1
            c = ln[:1]
            if c not in _SPECIAL:  # paragraph text
                if para < 0:
                    para, para_off, para_char = i, off - len(ln) - 1, c
                    if first_index < 0:
                        first_kind, first_index = "paragraph", i
                continue
            if not ln:
                if para >= 0:
                    # only paragraphs that may hold an emphasis span or a hit matter
                    if next_lt < para_off:
                        next_lt = _next_or_end(src.find("<", para_off), nothing)
                    if next_img < para_off:
                        next_img = _next_or_end(_find_image(src, para_off), nothing)
                    hit = next_lt < off - 2 or next_img < off - 2
                    if (hit or para_char in _EMPHASIS_START) and costly:
                        blocks.append((para, para_off, para_off, off - 2, para_char))
                        costly -= 1
                    para = -1
                continue
            s = ln.lstrip(" \t")
            ws = len(ln) - len(s)
            if not s or (ws and (ws >= 4 or "\t" in ln[:ws])):
                if not s:  # blank line
                    if para >= 0:
                        blocks.append((para, para_off, para_off, off - len(ln) - 2, para_char))
                        para = -1
                elif para < 0 and first_index < 0:
                    first_kind, first_index = "code", i
                continue
            line_off = off - len(ln) - 1
            budget.left -= 1
            if budget.left < 0:  # the body is read as if it ended before this line
                off = stop_at = line_off
                break
            c = s[0]
            if para >= 0 and c in "=-" and _SETEXT_RE.fullmatch(s):
                start, end = self.trim(para_off, line_off - 1)
                self.anchor(para, para_off)
                line, column = self.at(start if start < end else para_off)
                text = setext_text(src[start:end])
                headings.append(
                    Heading(1 if c == "=" else 2, text, line, column, first_line + i, True)
                )
                blocks.append((para, para_off, start, end, ""))
                if first_index == para:
                    first_kind = "heading"
                para = -1
                continue
            kind = ""
            if c == "#":
                if _ATX_RE.match(s):
                    kind = "atx"
            elif c == "`" or c == "~":
                k = len(s) - len(s.lstrip(c))
                if k >= 3 and (c == "~" or "`" not in s[k:]):
                    kind = "fence"
            elif c == ">":
                raise _Fallback  # block quote
            elif c == "<":
                for start_re, html_end, can_interrupt in HTML_SEQUENCES:
                    if start_re.search(s):
                        if para < 0 or can_interrupt:
                            kind = "html"
                            end_re = html_end
                        break
            elif c in "*-_":
                if _thematic_break(s):
                    kind = "hr"
                elif c != "_" and (len(s) == 1 or s[1] in " \t"):
                    raise _Fallback  # list item
            elif c == "+":
                if len(s) == 1 or s[1] in " \t":
                    raise _Fallback  # list item
            elif c in "0123456789":
                if _ORDERED_RE.match(s):
                    raise _Fallback  # list item
            elif c == "[" and para < 0:
                try:
                    found = _definition(s, lines[i + 1] if i + 1 < nlines else None, budget)
                except _Exhausted:
                    off = stop_at = line_off
                    break
                if found is not None:
                    raw, url, title, url_at = found
                    line = first_line + i
                    definition = _Definition(
                        label_name(raw), url, title or None, line, ws + 1, line, ws + url_at + 1
                    )
                    self.refs.setdefault(label_key(raw), definition)
                    result.definitions.append(
                        ReferenceDefinition(definition.label, url, line, ws + 1)
                    )
                    continue
            if not kind:  # paragraph text
                if para < 0:
                    para, para_off, para_char = i, line_off, c
                    if first_index < 0:
                        first_kind, first_index = "paragraph", i
                continue
            # a block that interrupts any open paragraph
            if para >= 0:
                blocks.append((para, para_off, para_off, line_off - 1, para_char))
                para = -1
            if kind == "atx":
                level = len(s) - len(s.lstrip("#"))
                text = s[level:].rstrip(" \t")
                cut = text.rstrip("#")  # a closing sequence must follow a space
                if cut and len(cut) < len(text) and cut[-1] in " \t":
                    text = cut
                line = first_line + i
                headings.append(Heading(level, mdTrim(text), line, ws + 1, line))
                start = line_off + ws + level
                blocks.append((i, line_off, start, start + len(text), ""))
                if first_index < 0:
                    first_kind, first_index = "heading", i
            elif kind == "fence":
                if first_index < 0:
                    first_kind, first_index = "code", i
                size = len(s) - len(s.lstrip(c))
                # jump to the closing fence; the loop below checks it again
                closing = re.compile(f"^ {{0,3}}{re.escape(c)}{{{size},}}[ \t]*$", re.MULTILINE)
                off = _skip_lines(
                    rows, src, off, closing.search(src, off), nlines - i - 1, body_end
                )
                for _j, row in rows:  # the fence's lines, up to its closing fence
                    off += len(row) + 1
                    t = row.lstrip(" \t")
                    if t[:1] != c:
                        continue
                    indent = len(row) - len(t)
                    if indent >= 4 or "\t" in row[:indent]:
                        continue
                    rest = t.lstrip(c)
                    if len(t) - len(rest) >= size and not rest.strip(" \t"):
                        break
            elif kind == "html":
                if first_index < 0:
                    first_kind, first_index = "html", i
                end = off
                if not end_re.search(s):
                    # jump to the line that meets the end condition; the loop checks it again
                    closing = _BLANK_LINE_RE if end_re.pattern == "^$" else end_re
                    end = off = _skip_lines(
                        rows, src, off, closing.search(src, off), nlines - i - 1, body_end
                    )
                    for _j, row in rows:  # up to the end condition
                        off += len(row) + 1
                        t = row.lstrip(" \t")
                        if end_re.search(t):
                            if t:
                                end = off
                            break
                        end = off
                html_blocks.append((i, line_off, end))
            elif first_index < 0:  # hr
                first_kind, first_index = "hr", i
        if para >= 0:
            blocks.append((para, para_off, para_off, off - 1, para_char))

        if first_index >= 0:
            result.first_block = Block(first_kind, first_line + first_index)
        definitions_seen = stop_at < 0
        try:
            self._inline_pass(blocks, html_blocks)
        except _Exhausted:
            stop_at = self.stop if stop_at < 0 else min(stop_at, self.stop)
        if len(result.images) > 1:
            result.images.sort(key=lambda image: (image.line, image.column))
        if len(result.comments) > 1:
            result.comments.sort(key=lambda comment: (comment.line, comment.column))
        if stop_at >= 0:
            return cut_structure(result, Cut(*self.at(stop_at)), definitions_seen)
        return result

    def _inline_pass(
        self, blocks: list[tuple[int, int, int, int, str]], html_blocks: list[tuple[int, int, int]]
    ) -> None:
        """Emphasis paragraphs, images and comments, block by block in document
        order, until the budget runs out."""
        src = self.src
        html = iter(html_blocks)
        pending = next(html, None)
        next_lt = next_img = -1  # the first "<" and "![" at or after the block's start
        nothing = len(src)
        for index, line_off, start, end, char in blocks:
            while pending is not None and pending[1] < line_off:
                self._html_block(*pending)
                pending = next(html, None)
            if char in _EMPHASIS_START:
                self.stop = start
                self.budget.spend()
                self.anchor(index, line_off)
                self._emphasis(*self.trim(start, end))
            if next_lt < start:
                next_lt = _next_or_end(src.find("<", start), nothing)
            if next_img < start:
                next_img = _next_or_end(_find_image(src, start), nothing)
            if next_lt < end or next_img < end - 1:  # "![" ends before ``end``
                self.anchor(index, line_off)
                start, end = self.trim(start, end)
                self.cstart, self.cend = start, end
                self.terminators.clear()
                self.skipped.clear()
                self.backticks = None
                self._tokenize(start, end)
        while pending is not None:
            self._html_block(*pending)
            pending = next(html, None)

    def _html_block(self, index: int, start: int, end: int) -> None:
        self.anchor(index, start)
        for item in html_items(self.src[start:end], self.budget.left + 1):
            self.stop = start + item.start
            self.budget.spend()
            self._add_html(item, start)

    def _emphasis(self, start: int, end: int) -> None:
        """Record the paragraph content [start, end) if it is one emphasis span."""
        content = self.src[start:end]
        if len(content) < 3:
            return
        marker = content[0]
        if marker not in "*_" or content[-1] != marker:
            return
        n = len(content) - len(content.lstrip(marker))
        if n == len(content):
            return
        if n > 2 or len(content) - len(content.rstrip(marker)) != n:
            raise _Fallback
        inner = content[n:-n]
        if marker in inner:
            raise _Fallback
        if isWhiteSpace(ord(inner[0])) or isWhiteSpace(ord(inner[-1])):
            return  # the markers cannot open/close: no emphasis at all
        if inner[-1] == "\\":
            raise _Fallback
        line, column = self.at(start)
        self.result.emphasis_paragraphs.append(
            EmphasisParagraph(mdTrim(inner), line, column, n == 2)
        )

    # ------------------------------------------------------------ inline

    def _tokenize(self, pos: int, maximum: int) -> None:
        """markdown-it's inline tokenizer, reduced to the rules that matter."""
        src = self.src
        budget = self.budget
        while pos < maximum:
            m = _INLINE_STOP_RE.search(src, pos, maximum)
            if m is None:
                return
            pos = self.stop = m.start()
            budget.left -= 1
            if budget.left < 0:
                raise _Exhausted
            ch = src[pos]
            if ch == "\\":
                pos = self._escape(pos, maximum)
            elif ch == "`":
                pos = self._backtick(pos, maximum)
            elif ch == "[":
                link = self._link(pos, maximum)
                if link is None:
                    pos += 1
                else:
                    self._tokenize(link[0], link[1])
                    pos = link[2]
            elif ch == "!":
                image = self._image(pos, maximum)
                if image is None:
                    self._undefined(pos, maximum)
                    pos += 1
                else:
                    self._add_image(pos, image)
                    pos = image.end
            else:  # "<"
                end = self._autolink(pos, maximum)
                if end < 0:
                    tag = self._html(pos, maximum)
                    if tag is None:
                        end = pos + 1
                    else:
                        item = inline_html_item(tag.group(0))
                        if item is not None:
                            self._add_html(item, pos)
                        end = tag.end()
                pos = end

    def _skip(self, pos: int, maximum: int) -> int:
        """markdown-it's ``skipToken`` (validation mode) at ``pos``."""
        key = (pos, maximum)
        end = self.skipped.get(key)
        if end is None:
            end = self.skipped[key] = self._skip_token(pos, maximum)
        return end

    def _skip_token(self, pos: int, maximum: int) -> int:
        ch = self.src[pos]
        if ch == "\\":
            return self._escape(pos, maximum)
        if ch == "`":
            return self._backtick(pos, maximum)
        if ch == "[":
            link = self._link(pos, maximum)
            return pos + 1 if link is None else link[2]
        if ch == "!":
            image = self._image(pos, maximum)
            return pos + 1 if image is None else image.end
        if ch == "<":
            end = self._autolink(pos, maximum)
            if end < 0:
                tag = self._html(pos, maximum)
                end = pos + 1 if tag is None else tag.end()
            return end
        return pos + 1

    def _escape(self, pos: int, maximum: int) -> int:
        src = self.src
        pos += 1
        if pos >= maximum:
            return pos
        if src[pos] == "\n":
            return _SPACES_RE.match(src, pos + 1, maximum).end()  # type: ignore[union-attr]
        return pos + 1

    def _backtick(self, pos: int, maximum: int) -> int:
        """markdown-it's ``backtick`` rule: the end of the code span or of the
        unmatched backtick run at ``pos``."""
        src = self.src
        after = _BACKTICKS_RE.match(src, pos, maximum).end()  # type: ignore[union-attr]
        size = after - pos
        if self.backticks is None:  # last start of every run length, as markdown-it
            self.backticks = {}
            for run in _BACKTICKS_RE.finditer(src, self.cstart, self.cend):
                self.budget.spend()
                self.backticks[run.end() - run.start()] = run.start()
        if self.backticks.get(size, -1) >= after:
            for run in _BACKTICKS_RE.finditer(src, after, self.cend):
                self.budget.spend()
                if run.end() > maximum:
                    break
                if run.end() - run.start() == size:
                    return run.end()
        return after

    def _autolink(self, pos: int, maximum: int) -> int:
        """markdown-it's ``autolink`` rule: the end of ``<scheme:...>`` or
        ``<email>`` at ``pos``, -1 if there is none."""
        src = self.src
        m = _ANGLE_RE.search(src, pos + 1, maximum)
        if m is None or m.group() == "<":
            return -1
        url = src[pos + 1 : m.start()]
        if AUTOLINK_RE.search(url) is not None or EMAIL_RE.search(url) is not None:
            return m.end()
        return -1

    def _html(self, pos: int, maximum: int) -> re.Match[str] | None:
        """markdown-it's ``html_inline`` rule, with its quick rejections of
        openers whose terminator occurs nowhere after them."""
        src = self.src
        if pos + 2 >= maximum:
            return None
        ch = src[pos + 1]
        if ch not in "!?/" and not ("a" <= ch <= "z" or "A" <= ch <= "Z"):
            return None
        last = self._terminator
        if src.startswith("<!--", pos):
            if last(">") < pos + 4:
                return None
            if (
                not src.startswith("<!-->", pos)
                and not src.startswith("<!--->", pos)
                and last("-->") < pos + 4
            ):
                return None
        elif src.startswith("<![CDATA[", pos):
            if last("]]>") < pos + 9:
                return None
        elif ch == "?":
            if last("?>") < pos + 2:
                return None
        elif ch == "!":
            if last(">") < pos + 3:
                return None
        elif last(">") < pos + 2:
            return None
        return HTML_TAG_RE.match(src, pos, self.cend)

    def _terminator(self, term: str) -> int:
        """Offset of the last ``term`` in the inline content being scanned."""
        found = self.terminators.get(term)
        if found is None:
            found = self.terminators[term] = self.src.rfind(term, self.cstart, self.cend)
        return found

    def _label_end(self, start: int, maximum: int, disable_nested: bool) -> int:
        """markdown-it's ``parseLinkLabel``."""
        src = self.src
        if self._terminator("]") < start:
            return -1  # no "]" ahead: no label can close, however deep it nests
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Fallback
        budget = self.budget
        try:
            pos = start + 1
            level = 1
            while pos < maximum:
                budget.left -= 1
                if budget.left < 0:
                    raise _Exhausted
                ch = src[pos]
                if ch == "]":
                    level -= 1
                    if level == 0:
                        return pos
                    pos += 1
                elif ch == "[":
                    after = self._skip(pos, maximum)
                    if after == pos + 1:
                        level += 1
                    elif disable_nested:
                        return -1
                    pos = after
                elif ch in "\\`<!":
                    pos = self._skip(pos, maximum)
                else:
                    m = _LABEL_STOP_RE.search(src, pos + 1, maximum)
                    pos = maximum if m is None else m.start()
            return -1
        finally:
            self.depth -= 1

    def _dest(self, pos: int, maximum: int) -> tuple[bool, str, int]:
        """:func:`_destination`, remembering the last one: an image that fails
        at "![" is tried again as a link at "[", with the same destination."""
        if self.last_destination[0] == pos and self.last_destination[1] == maximum:
            return self.last_destination[2]
        found = _destination(self.src, pos, maximum, self.budget)
        self.last_destination = (pos, maximum, found)
        return found

    def _skip_space(self, pos: int, maximum: int) -> int:
        if pos >= maximum or self.src[pos] not in " \t\n":
            return pos
        return _SPACES_NEWLINES_RE.match(self.src, pos, maximum).end()  # type: ignore[union-attr]

    def _reference(
        self, pos: int, maximum: int, label_start: int, label_end: int
    ) -> tuple[str, int]:
        """The label and end of the reference part after ``[label]``."""
        src = self.src
        label = ""
        if pos < maximum and src[pos] == "[":
            end2 = self._label_end(pos, maximum, False)
            if end2 >= 0:
                label = src[pos + 1 : end2]
                pos = end2 + 1
            else:
                pos = label_end + 1
        else:
            pos = label_end + 1
        if not label:
            label = src[label_start:label_end]
        return label, pos

    def _link(self, pos: int, maximum: int) -> tuple[int, int, int] | None:
        """markdown-it's ``link`` rule: (label start, label end, end)."""
        src = self.src
        label_start = pos + 1
        label_end = self._label_end(pos, maximum, True)
        if label_end < 0:
            return None
        pos = label_end + 1
        parse_reference = True
        if pos < maximum and src[pos] == "(":
            parse_reference = False
            pos = self._skip_space(pos + 1, maximum)
            if pos >= maximum:
                return None
            ok, _url, dest_end = self._dest(pos, maximum)
            if ok:
                pos = dest_end
                start = pos
                pos = self._skip_space(pos, maximum)
                if pos < maximum and start != pos:
                    titled, _text, title_end, _more = _title(src, pos, maximum, self.budget)
                    if titled:
                        pos = self._skip_space(title_end, maximum)
            if pos >= maximum or src[pos] != ")":
                parse_reference = True
            pos += 1
        if parse_reference:
            if not self.refs:
                return None
            label, pos = self._reference(pos, maximum, label_start, label_end)
            if label_key(label) not in self.refs:
                return None
        return label_start, label_end, pos

    def _image(self, pos: int, maximum: int) -> _ImageMatch | None:
        """markdown-it's ``image`` rule."""
        src = self.src
        if pos + 1 < maximum and src[pos + 1] != "[":
            return None
        label_start = pos + 2
        label_end = self._label_end(pos + 1, maximum, False)
        if label_end < 0:
            return None
        pos = label_end + 1
        if pos < maximum and src[pos] == "(":
            pos = self._skip_space(pos + 1, maximum)
            if pos >= maximum:
                return None
            dest_at = pos
            ok, url, dest_end = self._dest(pos, maximum)
            if ok:
                pos = dest_end
            else:
                url = ""
            start = pos
            pos = self._skip_space(pos, maximum)
            title = ""
            if pos < maximum and start != pos:
                ok_title, found, title_end, _more = _title(src, pos, maximum, self.budget)
                if ok_title:
                    title = found
                    pos = self._skip_space(title_end, maximum)
            if pos >= maximum or src[pos] != ")":
                return None
            url_at = dest_at + 1 if ok and src[dest_at] == "<" else dest_at
            return _ImageMatch(label_start, label_end, pos + 1, url, url_at, title or None, None)
        if not self.refs:
            return None
        label, pos = self._reference(pos, maximum, label_start, label_end)
        definition = self.refs.get(label_key(label))
        if definition is None:
            return None
        return _ImageMatch(
            label_start, label_end, pos, definition.url, -1, definition.title, definition
        )

    def _undefined(self, pos: int, maximum: int) -> None:
        """Report ``![alt][ref]``/``![alt][]``/``![alt]`` left as text."""
        src = self.src
        if not src.startswith("![", pos):
            return
        label_end = self._label_end(pos + 1, maximum, False)
        if label_end < 0:
            return
        after = label_end + 1
        if after < maximum and src[after] == "(":
            return
        label, _ = self._reference(after, maximum, pos + 2, label_end)
        if not label_key(label):
            return
        markdown_ref.add_undefined_reference(self.result, src, pos, label_end, label, self.at)

    # ------------------------------------------------------------ records

    def _add_image(self, pos: int, image: _ImageMatch) -> None:
        line, column = self.at(pos)
        alt = mdTrim(self.src[image.label_start : image.label_end])
        definition = image.definition
        if definition is None:
            if self.src.find("\n", pos, image.url_at) < 0:  # on the same line
                url_line, url_column = line, column + image.url_at - pos
            else:
                url_line, url_column = self.at(image.url_at)
            record = Image(
                url=image.url,
                alt=alt,
                line=line,
                column=column,
                kind="inline",
                title=image.title,
                url_line=url_line,
                url_column=url_column,
            )
        else:
            record = Image(
                url=definition.url,
                alt=alt,
                line=line,
                column=column,
                kind="reference",
                title=definition.title,
                reference=definition.label,
                url_line=definition.url_line,
                url_column=definition.url_column,
            )
        self.result.images.append(record)

    def _add_html(self, item: HtmlComment | HtmlImage, offset: int) -> None:
        markdown_ref.add_html(self.result, item, self.at, offset)  # one record, one place
