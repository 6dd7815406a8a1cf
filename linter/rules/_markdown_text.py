"""Helpers the heading rules (FM3xx) share: the visible text of inline
Markdown, and the span of a heading.

Not a rule module (the leading underscore keeps the registry out of it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from linter.findings import Span

if TYPE_CHECKING:
    from linter.body import Heading
    from linter.document import Document

# characters that may start inline markup; text without any of them is plain
_MARKUP = re.compile(r"[\\`*_\[\]<>&!]")
# a kramdown attribute list closing a heading: "# Title {#custom-id}"
_KRAMDOWN_IAL = re.compile(r"[ \t]*\{:?[ \t]*[#.][^{}]*\}[ \t]*$")

_parser: Any = None


def _markdown() -> Any:
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("commonmark")
    return _parser


def collapse(text: str) -> str:
    """NFC-normalised text with every run of whitespace (newlines, tabs,
    no-break spaces) made one space, stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def inline_text(source: str, references: Mapping[str, str] | None = None) -> str:
    """The text a reader sees for the inline Markdown ``source``, collapsed:
    emphasis markers dropped, code spans kept without backticks, links
    ``[text](url)`` as their text, images as their alt text, autolinks as
    their URL, inline HTML tags dropped, backslash escapes and HTML entities
    (``&amp;``, ``&#39;``) decoded.  ``references`` (label -> URL) lets
    reference-style links ``[text][label]`` resolve to their text."""
    if not _MARKUP.search(source):
        return collapse(source)
    env: dict[str, Any] = {}
    if references:
        env["references"] = {
            " ".join(label.split()).lower().upper(): {"href": url, "title": None}
            for label, url in references.items()
        }
    tokens = _markdown().parseInline(source, env)
    parts: list[str] = []
    for token in tokens:
        _collect(token.children or (), parts)
    return collapse("".join(parts))


def _collect(tokens: Iterable[Any], parts: list[str]) -> None:
    for token in tokens:
        kind = token.type
        if kind in ("text", "code_inline", "text_special"):
            parts.append(token.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "image":
            _collect(token.children or (), parts)
        # link_open/close, em/strong open/close, html_inline: no visible text


def heading_text(doc: Document, heading: Heading) -> str:
    """The visible text of a heading (see :func:`inline_text`), without a
    trailing kramdown attribute list such as ``{#custom-id}``."""
    source = _KRAMDOWN_IAL.sub("", heading.text)
    references = None
    if "]" in source and doc.structure.definitions:
        references = {d.label: d.url for d in doc.structure.definitions}
    return inline_text(source, references)


def line_end_column(doc: Document, line: int) -> int:
    """The column just past the last character of ``line`` (1-based)."""
    lines = doc.lines
    if 1 <= line <= len(lines):
        return len(lines[line - 1]) + 1
    return 1


def heading_span(doc: Document, heading: Heading) -> Span:
    """From the heading's marker (or text) to the end of its last line (the
    underline of a setext heading)."""
    return Span(
        heading.line,
        heading.column,
        heading.end_line,
        max(line_end_column(doc, heading.end_line), 1),
    )


def quote(text: str, limit: int = 100) -> str:
    """``text`` in double quotes for a message, shortened past ``limit``."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'
