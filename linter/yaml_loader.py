"""Safe, positioned, duplicate-aware and bounded loading of one YAML front-matter block.

:func:`load_front_matter` turns the text between the fences into plain JSON-like
data (dict/list/str/int/float/bool/None), a :data:`PositionMap` (where every
value and key is written, in file coordinates) and a list of FM1xx
:class:`~linter.findings.Problem` records (see docs/CODES.md).

How it works
------------
The text is read as a stream of *parser events* (PyYAML's libyaml-based
``CParser`` when available, else the pure-Python reader/scanner/parser).  The
events are turned into data by a small, iterative constructor in this module;
PyYAML's composer and constructors are never used for whole documents and
``yaml.load`` & co. are never called, so:

* nothing is constructed from a tag: ``!!python/...``, ``!custom``, ``!!binary``,
  ``!!set``/``!!omap``/``!!pairs`` are reported (FM110) and read as ``None``;
* the walk is iterative and stops *while parsing*, as soon as a limit is crossed
  (nesting depth, alias uses, nodes counted with aliases expanded): the parser
  is lazy, so a 10,000-deep ``[[[[`` or a billion-laughs bomb costs only the few
  events read before the limit (FM111).  Neither libyaml's nor PyYAML's parser
  recurses, and aliases are never expanded by copying data (an alias reuses the
  anchored Python object, as PyYAML does), so nothing can blow up;
* anchors may be redefined (a later ``&a`` replaces an earlier one, as the
  YAML spec and Ruby's Psych - Jekyll - allow; PyYAML's composer refuses);
  an alias used inside the collection it names (``&a [*a]``) is FM111.

Scalars are resolved with PyYAML's YAML 1.1 implicit resolvers, like Jekyll
reads them: ``no``/``yes``/``on``/``off`` are booleans, ``0123`` is the octal
int 83, ``1:20`` is the sexagesimal int 80, ``~``/``null``/empty are null.
Every :class:`NodePosition` keeps ``plain``, ``source`` and ``tag`` so the
schema step can say "YAML read `no` as the boolean false; quote it".
Timestamps are *not* converted: their data value is the text as written.
The implicit ``=`` ("value") tag is read as the string ``"="`` (PyYAML's safe
loader would fail on it; Psych reads a string).

Merge keys (``<<: *defaults`` or ``<<: [*a, *b]`` or an inline mapping) are
supported with PyYAML's semantics: keys written in the mapping win over merged
ones, an earlier mapping in a ``<<`` list wins over a later one, and a later
``<<`` key wins over an earlier one.  Merged keys get the positions of where
they are written (in the anchored mapping).

Positions
---------
Paths are tuples of keys and list indexes; ``()`` is the root.  Spans are file
coordinates: 1-based lines/columns, ``end_column`` one past the last character.
Block collections end at their last child's end; block scalars (``|``, ``>``)
end at their last content character (trailing line breaks excluded).  A value
reached through an alias (``b: *a``) is positioned at the alias token
(``source`` is ``"*a"``, ``plain`` False, ``tag`` the anchored node's tag); the
paths *under* an aliased collection get the positions of the anchored
definition.  For a scalar written with an anchor or tag (``&a no``,
``!!str 12``) the value span starts at the property but ``source`` is the
scalar alone.  Mapping keys that are not strings in YAML (``1: a``,
``true: x``, ``null: y``) become the string written (``"1"``, ``"true"``,
``"null"``); a list or mapping used as a key is FM107 and the entry is left
out.  If a key is repeated (FM109) the data and the positions keep the last
value, as YAML does.

When the document cannot be used at all - a syntax error (FM107), a limit
crossed (FM111), a top level that is not a mapping (FM108) or nothing at all
(FM106) - ``data`` is None, ``positions`` is empty and ``problems`` holds just
that one problem (an unsupported tag on the whole front matter gives its FM110
instead).  Other problems (FM107 for a bad key/alias/merge/tagged value, FM109,
FM110) leave the rest of the document usable.  Nothing raises: even a bug in
this module becomes an FM107 ("internal error ... please report it").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Final

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from linter.findings import Problem, Span

__all__ = [
    "NodePosition",
    "PositionMap",
    "YamlLimits",
    "YamlResult",
    "load_front_matter",
]


@dataclass(frozen=True)
class YamlLimits:
    """Bounds that keep hostile front matter cheap (config: ``limits.max-*``)."""

    max_aliases: int = 100  # alias *uses*, counted over the whole document
    max_depth: int = 50  # nesting depth of collections (the top-level mapping is 1)
    max_nodes: int = 10_000  # nodes (keys, values, collections), aliases expanded


@dataclass(frozen=True)
class NodePosition:
    """Where a value (and its key) is written, and how YAML read it."""

    value: Span  # the value node, file coordinates
    key: Span | None  # the key node of a mapping entry; None for list items and the root
    plain: bool  # the value is an unquoted plain scalar
    source: str  # the scalar as written, quotes included; "" for collections
    tag: str  # the resolved tag, e.g. "tag:yaml.org,2002:bool"


PositionMap = dict[tuple[str | int, ...], NodePosition]


@dataclass
class YamlResult:
    data: Any  # dict/list/str/int/float/bool/None; None if the document is unusable
    positions: PositionMap
    problems: list[Problem]


# --------------------------------------------------------------------------- tags

_P: Final = "tag:yaml.org,2002:"
STR_TAG: Final = _P + "str"
INT_TAG: Final = _P + "int"
FLOAT_TAG: Final = _P + "float"
BOOL_TAG: Final = _P + "bool"
NULL_TAG: Final = _P + "null"
TIMESTAMP_TAG: Final = _P + "timestamp"
MAP_TAG: Final = _P + "map"
SEQ_TAG: Final = _P + "seq"
_MERGE_TAG: Final = _P + "merge"

_SCALAR_TAGS: Final = frozenset({STR_TAG, INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG, TIMESTAMP_TAG})
_NOT_JSON_TAGS: Final = {
    _P + "set": "a set",
    _P + "omap": "an ordered mapping",
    _P + "pairs": "a list of pairs",
}

# PyYAML's YAML 1.1 implicit resolvers, by first character ('' for the empty
# scalar), keeping only the tags fmlint reads; "merge" ('<<') and "value" ('=')
# are handled by hand (merge only as a key; '=' is a string).
_KEPT_IMPLICIT: Final = frozenset({INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG, TIMESTAMP_TAG})
_RESOLVERS: dict[str, tuple[tuple[str, Callable[[str], object]], ...]] = {}
for _first, _entries in Resolver.yaml_implicit_resolvers.items():
    if _first is None:  # pragma: no cover - PyYAML registers no wildcard resolvers
        continue
    _kept = tuple((tag, regexp.match) for tag, regexp in _entries if tag in _KEPT_IMPLICIT)
    if _kept:
        _RESOLVERS[_first] = _kept
del _first, _entries, _kept

_CONSTRUCTOR: Final = SafeConstructor()
_BOOL_VALUES: Final[dict[str, bool]] = dict(SafeConstructor.bool_values)


def _convert(tag: str, value: str) -> Any:
    """The data for a scalar of a resolved core tag; raises on a bad value."""
    if tag == NULL_TAG:
        return None
    if tag == BOOL_TAG:
        return _BOOL_VALUES[value.lower()]
    if tag == INT_TAG:
        if value.isdigit() and (value[0] != "0" or value == "0"):
            return int(value)  # plain decimal (not octal): the common case
        return _CONSTRUCTOR.construct_yaml_int(ScalarNode(tag, value))
    if tag == FLOAT_TAG:
        return _CONSTRUCTOR.construct_yaml_float(ScalarNode(tag, value))
    return value  # str and timestamp (kept as written)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_P) :] if tag.startswith(_P) else tag


# ------------------------------------------------------------------------ parser


class _PyParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python event parser (used when libyaml is missing)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


def _py_parser(text: str) -> Any:
    return _PyParser(text)


try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    WITH_LIBYAML = False
else:
    WITH_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))


def _c_parser(text: str) -> Any:
    return _CParser(text)


# A function of the text returning an object with ``get_event()``; tests swap it.
_new_parser: Callable[[str], Any] = _c_parser if WITH_LIBYAML else _py_parser


# ------------------------------------------------------------------------ walk

_NO_KEY: Final = object()  # a mapping waiting for its next key
_DROP: Final = object()  # the pending key is unusable: drop the entry
_MERGE: Final = object()  # the pending key is '<<'; also marks merge-only paths

_PROPERTIES: Final = re.compile(r"(?:[&!]\S*(?:\s+#[^\r\n]*)?\s*)+")


class _Fatal(Exception):
    """The document is unusable; carries the one problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _Frame:
    """An open mapping or sequence."""

    __slots__ = (
        "anchor",
        "bad",
        "column",
        "container",
        "flow",
        "height",
        "is_key",
        "key",
        "key_lines",
        "key_span",
        "line",
        "merge_items",
        "merges",
        "nodes_before",
        "own_key_span",
        "own_path",
        "path",
        "pos_index",
        "tag",
    )

    def __init__(
        self,
        is_map: bool,
        line: int,
        column: int,
        flow: bool,
        nodes_before: int,
        anchor: str | None,
    ) -> None:
        self.container: Any = {} if is_map else []
        # key: _NO_KEY (a mapping waiting for a key), a str, _DROP or _MERGE; None for a list
        self.key: object = _NO_KEY if is_map else None
        self.key_span: Span | None = None
        self.key_lines: dict[str, int] = {}
        self.line = line
        self.column = column
        self.flow = flow
        self.nodes_before = nodes_before
        self.anchor = anchor
        self.is_key = False  # a list or mapping used as a mapping key
        self.bad = False  # an unsupported tag: the value is None
        self.tag = ""
        self.height = 0  # nesting depth of the deepest child (aliases expanded)
        self.path: tuple[Any, ...] | None = None  # the path of children; None: not positioned
        self.own_path: tuple[Any, ...] | None = None  # where the collection itself goes
        self.own_key_span: Span | None = None
        self.pos_index = 0
        # merge sources: (mapping, first entry index, end index, len(path) or -1)
        self.merges: list[list[tuple[Any, int, int, int]]] | None = None
        self.merge_items: list[tuple[Any, int, int, int]] | None = None  # a `<<: [...]` list


class _Anchor:
    __slots__ = ("base", "end", "height", "key_text", "size", "start", "tag", "value")

    def __init__(
        self,
        value: Any,
        key_text: str | None,
        tag: str,
        size: int,
        height: int,
        start: int = 0,
        end: int = 0,
        base: int = -1,
    ) -> None:
        self.value = value
        self.key_text = key_text  # the key when the alias is used as a mapping key
        self.tag = tag
        self.size = size  # nodes, aliases expanded
        self.height = height  # collection levels, the node's own included (0: a scalar)
        self.start = start  # the node's entries in the position list are in [start, end)
        self.end = end
        self.base = base  # len(path) of the node; -1 if not positioned


_DEFAULT_LIMITS: Final = YamlLimits()

# Fast constructors for the two frozen records made per node.  A frozen
# dataclass's __init__ sets each field through object.__setattr__; filling the
# instance dict in one step makes the same object (same fields, ==, hash, repr)
# in about 60% of the time.  Checked at import, falling back to the classes.
_object_new = object.__new__
_object_setattr = object.__setattr__


def _fast_span(line: int, column: int, end_line: int, end_column: int) -> Span:
    span = _object_new(Span)
    _object_setattr(
        span,
        "__dict__",
        {"line": line, "column": column, "end_line": end_line, "end_column": end_column},
    )
    return span


def _fast_position(
    value: Span, key: Span | None, plain: bool, source: str, tag: str
) -> NodePosition:
    position = _object_new(NodePosition)
    _object_setattr(
        position,
        "__dict__",
        {"value": value, "key": key, "plain": plain, "source": source, "tag": tag},
    )
    return position


def _fast_constructors_work() -> bool:
    try:
        span = _fast_span(1, 2, 3, 4)
        position = _fast_position(span, None, True, "x", STR_TAG)
    except (AttributeError, TypeError):  # pragma: no cover - e.g. slots=True
        return False
    return (
        span == Span(1, 2, 3, 4)
        and position == NodePosition(Span(1, 2, 3, 4), None, True, "x", STR_TAG)
        and [f.name for f in fields(Span)] == ["line", "column", "end_line", "end_column"]
        and [f.name for f in fields(NodePosition)] == ["value", "key", "plain", "source", "tag"]
    )


_new_span: Callable[[int, int, int, int], Span] = _fast_span
_new_position: Callable[[Span, Span | None, bool, str, str], NodePosition] = _fast_position
if not _fast_constructors_work():  # pragma: no cover
    _new_span = Span
    _new_position = NodePosition


def load_front_matter(
    text: str, first_line: int, limits: YamlLimits = _DEFAULT_LIMITS
) -> YamlResult:
    """`text` is the YAML between the fences; its first line is file line `first_line`."""
    try:
        return _load(text, first_line, limits)
    except _Fatal as stop:
        return YamlResult(None, {}, [stop.problem])
    except yaml.MarkedYAMLError as error:
        if "maximum nesting depth" in (error.problem or ""):
            # PyYAML 6.0.4 and later stop deep nesting themselves, sometimes before
            # fmlint's own count sees it: the same limit, the same finding
            mark = error.problem_mark
            problem = Problem(
                first_line + (mark.line if mark else 0),
                (mark.column if mark else 0) + 1,
                _depth_message(limits),
                code="FM111",
                subject="limits.max-depth",
            )
            return YamlResult(None, {}, [problem])
        return YamlResult(None, {}, [_syntax_problem(error, text, first_line)])
    except yaml.reader.ReaderError as error:
        return YamlResult(None, {}, [_reader_problem(error, text, first_line)])
    except RecursionError:  # pragma: no cover - nothing here recurses; belt and braces
        problem = Problem(
            first_line, 1, _depth_message(limits), code="FM111", subject="limits.max-depth"
        )
        return YamlResult(None, {}, [problem])
    except (yaml.YAMLError, ValueError, UnicodeError) as error:  # pragma: no cover
        message = " ".join(f"YAML syntax error: {error}".split())
        return YamlResult(None, {}, [Problem(first_line, 1, message, code="FM107")])
    except Exception as error:  # noqa: BLE001  # pragma: no cover - a bug must not stop a run
        message = (
            "fmlint could not read this front matter (internal error in the YAML loader: "
            f"{type(error).__name__}: {error}); please report it"
        )
        return YamlResult(None, {}, [Problem(first_line, 1, message, code="FM107")])


def _load(text: str, first_line: int, limits: YamlLimits) -> YamlResult:
    return _Walk(text, first_line, limits).run()


class _Walk:
    """One document: the event loop (:meth:`run`, kept tight: state in locals)
    and the rarely used cases (methods)."""

    def __init__(self, text: str, first_line: int, limits: YamlLimits) -> None:
        self.text = text
        self.off = first_line  # file line = mark.line + off; file column = mark.column + 1
        self.limits = limits
        self.problems: list[Problem] = []
        self.pos_list: list[Any] = []  # (path, NodePosition); None for a placeholder
        self.merge_used = False
        self.root: Any = None
        self.root_span: Span | None = None

    # ------------------------------------------------------------ rare cases

    def fatal_limit(self, mark: Any, what: str) -> _Fatal:
        limits = self.limits
        if what == "aliases":
            message = (
                f"YAML aliases are used more than {limits.max_aliases} times "
                f"(limits.max-aliases = {limits.max_aliases}); fmlint stops reading here"
            )
        elif what == "depth":
            message = _depth_message(limits)
        else:
            message = (
                f"the front matter has more than {limits.max_nodes} YAML nodes once aliases "
                f"are expanded (limits.max-nodes = {limits.max_nodes}); fmlint stops reading here"
            )
        problem = Problem(
            mark.line + self.off,
            mark.column + 1,
            message,
            code="FM111",
            subject=f"limits.max-{what}",
        )
        return _Fatal(problem)

    def span_of(self, start: Any, end: Any) -> Span:
        off = self.off
        return _new_span(start.line + off, start.column + 1, end.line + off, end.column + 1)

    def take_key(self, top: _Frame, key: Any, key_span: Span) -> None:
        """A scalar key (a str, _DROP or _MERGE) for the mapping on top."""
        if key.__class__ is str and top.path is not None:
            key_lines = top.key_lines
            first = key_lines.get(key)
            if first is None:
                key_lines[key] = key_span.line
            else:
                self.duplicate_key(key, key_span, first)
        top.key = key
        top.key_span = key_span

    def duplicate_key(self, key: str, key_span: Span, first: int) -> None:
        message = (
            f"duplicate key `{key}` (first defined on line {first}); YAML keeps only the last value"
        )
        self.problems.append(Problem.at(key_span, message, code="FM109", subject=key))

    def complex_key(self, top: _Frame, span: Span) -> None:
        message = (
            "a mapping key must be a plain value, not a list or mapping; "
            "fmlint leaves this entry out"
        )
        self.problems.append(Problem.at(span, message, code="FM107"))
        top.key = _DROP
        top.key_span = span

    def bad_merge(self, span: Span) -> None:
        message = (
            "a merge key `<<` needs a mapping or a list of mappings as its value; fmlint ignores it"
        )
        self.problems.append(Problem.at(span, message, code="FM107", subject="<<"))

    def attach(
        self, top: _Frame | None, value: Any, source: tuple[Any, int, int, int], span: Span
    ) -> None:
        """Put a completed value (not a key) into its parent."""
        if top is None:
            self.root = value
            self.root_span = span
            return
        key = top.key
        if key is None:  # a list
            top.container.append(value)
            if top.merge_items is not None:
                if value.__class__ is dict:
                    top.merge_items.append(source)
                else:
                    self.bad_merge(span)
            return
        top.key = _NO_KEY
        if key.__class__ is str:
            top.container[key] = value
        elif key is _MERGE:
            if value.__class__ is dict:
                if top.merges is None:
                    top.merges = []
                top.merges.append([source])
            elif value.__class__ is not list or top.merges is None:
                self.bad_merge(span)  # (a good `<<: [...]` list added its items at its end)
        # else _DROP: leave the entry out

    def apply_merges(self, frame: _Frame, merges: list[list[tuple[Any, int, int, int]]]) -> None:
        """Merge `<<` sources into a finished mapping, as PyYAML does."""
        self.merge_used = True
        pos_list = self.pos_list
        own = frame.container
        path = frame.path
        for group in reversed(merges):  # a later `<<` wins over an earlier one
            for value, start, end, base in group:  # an earlier list item wins
                added = [key for key in value if key not in own]
                for key in added:
                    own[key] = value[key]
                if path is None or base < 0 or not added:
                    continue
                wanted = set(added)
                for index in range(start, end):
                    entry = pos_list[index]
                    if entry is not None and len(entry[0]) > base and entry[0][base] in wanted:
                        pos_list.append(((*path, *entry[0][base:]), entry[1]))

    def tag_problem(self, span: Span, tag: str, kind: str | None) -> None:
        shown = _show_tag(tag)
        if tag in _NOT_JSON_TAGS:
            message = (
                f"unsupported YAML tag `{shown}`: it builds {_NOT_JSON_TAGS[tag]}, which is "
                "not JSON data; use a plain mapping or list"
            )
        elif kind is not None:
            message = f"YAML tag `{shown}` cannot be used on {kind}; remove the tag"
        else:
            message = (
                f"unsupported YAML tag `{shown}`: fmlint never constructs objects "
                "from tags; remove the tag"
            )
        self.problems.append(Problem.at(span, message, code="FM110", subject=shown))

    def scalar_value(self, event: Any) -> tuple[Any, str]:
        """Data and resolved tag of a plain or tagged scalar."""
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            if tag is None and event.implicit[0]:
                for candidate, matches in _RESOLVERS.get(value[:1], ()):
                    if matches(value):
                        return _convert(candidate, value), candidate
            return value, STR_TAG
        span = self.span_of(event.start_mark, event.end_mark)
        if tag not in _SCALAR_TAGS:
            self.tag_problem(span, tag, "a scalar" if tag in (MAP_TAG, SEQ_TAG) else None)
            return None, tag
        try:
            return _convert(tag, value), tag
        except (ValueError, KeyError, TypeError, ArithmeticError):
            message = (
                f"YAML tag `{_show_tag(tag)}` does not fit the value `{value}`; "
                "remove the tag or fix the value"
            )
            self.problems.append(Problem.at(span, message, code="FM107"))
            return None, tag

    # ------------------------------------------------------------ the loop

    def run(self) -> YamlResult:
        text = self.text
        off = self.off
        max_depth = self.limits.max_depth
        max_nodes = self.limits.max_nodes
        max_aliases = self.limits.max_aliases
        new_span = _new_span
        new_position = _new_position
        resolvers = _RESOLVERS
        pos_list = self.pos_list
        append_pos = pos_list.append
        anchors: dict[str, _Anchor] = {}
        open_anchors: set[str] = set()
        stack: list[_Frame] = []
        top: _Frame | None = None  # stack[-1]
        nodes = 0
        aliases = 0
        last_line = last_col = 0  # file end of the node completed last

        get_event = _new_parser(text).get_event
        get_event()  # StreamStartEvent
        if get_event().__class__ is StreamEndEvent:  # else a DocumentStartEvent
            raise _Fatal(Problem(off, 1, "front matter is empty", off, 1, code="FM106"))

        while True:
            event = get_event()
            cls = event.__class__

            if cls is ScalarEvent:
                nodes += 1
                start = event.start_mark
                if nodes > max_nodes:
                    raise self.fatal_limit(start, "nodes")
                end = event.end_mark
                if top is not None and top.key is _NO_KEY:
                    # ---- a mapping key
                    last_line = end.line + off
                    last_col = end.column + 1
                    key_span = new_span(start.line + off, start.column + 1, last_line, last_col)
                    key: Any = event.value
                    tag = event.tag
                    if tag is None and event.anchor is None and key != "<<":
                        # the common case, inlined: a plain or quoted key
                        if top.path is not None:
                            first = top.key_lines.get(key)
                            if first is None:
                                top.key_lines[key] = start.line + off
                            else:
                                self.duplicate_key(key, key_span, first)
                        top.key = key
                        top.key_span = key_span
                        continue
                    if tag is None:
                        if key == "<<" and event.implicit[0]:
                            key = _MERGE
                    elif tag != "!" and tag not in _SCALAR_TAGS:
                        self.tag_problem(key_span, tag, None)
                        key = _DROP
                    if event.anchor is not None:
                        if key is _DROP:
                            anchors[event.anchor] = _Anchor(None, None, tag, 1, 0)
                        else:
                            value, tag = self.scalar_value(event)
                            anchors[event.anchor] = _Anchor(value, event.value, tag, 1, 0)
                    self.take_key(top, key, key_span)
                    continue

                # ---- a scalar value
                explicit = event.tag
                value = event.value
                if explicit is not None:
                    value, tag = self.scalar_value(event)
                elif event.implicit[0]:  # plain: YAML 1.1 implicit types
                    tag = STR_TAG
                    for candidate, matches in resolvers.get(value[:1], ()):
                        if matches(value):
                            value = _convert(candidate, value)  # cannot fail once matched
                            tag = candidate
                            break
                else:  # quoted
                    tag = STR_TAG
                style = event.style
                if style and style in "|>":
                    end_line, end_col, end_index = _block_scalar_end(text, start, end)
                    last_line = end_line + off
                    last_col = end_col + 1
                else:
                    end_index = end.index
                    last_line = end.line + off
                    last_col = end.column + 1
                span = new_span(start.line + off, start.column + 1, last_line, last_col)
                anchor_name = event.anchor
                if anchor_name is not None:
                    anchors[anchor_name] = _Anchor(value, event.value, tag, 1, 0)
                if top is None:
                    path: tuple[Any, ...] | None = ()
                    parent_key_span: Span | None = None
                else:
                    key = top.key
                    path = top.path
                    if key.__class__ is str:  # the common case: a mapping value
                        top.container[key] = value
                        top.key = _NO_KEY
                        if path is not None:
                            source = text[start.index : end_index]
                            if anchor_name is not None or explicit is not None:
                                source = _without_properties(source)
                            position = new_position(span, top.key_span, not style, source, tag)
                            append_pos(((*path, key), position))
                        continue
                    parent_key_span = top.key_span
                    if path is None:
                        pass
                    elif key is None:
                        path = (*path, len(top.container))
                    else:
                        path = None
                if path is not None:
                    source = text[start.index : end_index]
                    if anchor_name is not None or explicit is not None:
                        source = _without_properties(source)
                    append_pos((path, new_position(span, parent_key_span, not style, source, tag)))
                if top is not None and top.key is None and top.merge_items is None:
                    top.container.append(value)  # the other common case: a list item
                else:
                    self.attach(top, value, (value, 0, 0, -1), span)
                continue

            if cls is MappingStartEvent or cls is SequenceStartEvent:
                nodes += 1
                start = event.start_mark
                if nodes > max_nodes:
                    raise self.fatal_limit(start, "nodes")
                if len(stack) >= max_depth:
                    raise self.fatal_limit(start, "depth")
                is_map = cls is MappingStartEvent
                frame = _Frame(
                    is_map,
                    start.line + off,
                    start.column + 1,
                    bool(event.flow_style),
                    nodes - 1,
                    event.anchor,
                )
                tag = event.tag
                own_tag = MAP_TAG if is_map else SEQ_TAG
                if tag is None or tag == "!":
                    tag = own_tag
                elif tag != own_tag:
                    kind = None
                    if tag in _SCALAR_TAGS or tag in (MAP_TAG, SEQ_TAG):
                        kind = "a mapping" if is_map else "a list"
                    self.tag_problem(self.span_of(start, event.end_mark), tag, kind)
                    frame.bad = True
                frame.tag = tag
                own_path: tuple[Any, ...] | None = None
                if top is None:
                    own_path = ()
                elif top.key is _NO_KEY:  # a list or mapping used as a key
                    self.complex_key(top, self.span_of(start, event.end_mark))
                    frame.is_key = True
                else:
                    key = top.key
                    parent_path = top.path
                    if key is _MERGE:
                        if not frame.bad:
                            if parent_path is not None:
                                frame.path = (*parent_path, _MERGE)
                            if not is_map:
                                frame.merge_items = []
                    elif parent_path is None:
                        pass
                    elif key is None:
                        own_path = (*parent_path, len(top.container))
                    elif key.__class__ is str:
                        own_path = (*parent_path, key)
                        frame.own_key_span = top.key_span
                frame.own_path = own_path
                if own_path is not None and not frame.bad:
                    frame.path = own_path
                frame.pos_index = len(pos_list)
                if own_path is not None:
                    append_pos(None)  # filled in at the end event
                if frame.anchor is not None:
                    open_anchors.add(frame.anchor)
                stack.append(frame)
                top = frame
                continue

            if cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                top = stack[-1] if stack else None
                if frame.flow:
                    end = event.end_mark
                    last_line = end.line + off
                    last_col = end.column + 1
                # else a block collection ends where its last child ended
                span = new_span(frame.line, frame.column, last_line, last_col)
                if frame.merges is not None:
                    self.apply_merges(frame, frame.merges)
                value = None if frame.bad else frame.container
                end_index = len(pos_list)
                if frame.own_path is not None:
                    position = new_position(span, frame.own_key_span, False, "", frame.tag)
                    pos_list[frame.pos_index] = (frame.own_path, position)
                height = frame.height + 1
                if top is not None and height > top.height:
                    top.height = height
                base = len(frame.path) if frame.path is not None else -1
                if frame.anchor is not None:
                    anchors[frame.anchor] = _Anchor(
                        value,
                        None,
                        frame.tag,
                        nodes - frame.nodes_before,
                        height,
                        frame.pos_index,
                        end_index,
                        base,
                    )
                    open_anchors.discard(frame.anchor)
                if frame.is_key:
                    continue  # its value comes next and is left out (the key is _DROP)
                if frame.merge_items is not None and top is not None:
                    if top.merges is None:
                        top.merges = []
                    top.merges.append(frame.merge_items)
                self.attach(top, value, (value, frame.pos_index, end_index, base), span)
                continue

            if cls is AliasEvent:
                start = event.start_mark
                name = event.anchor
                span = self.span_of(start, event.end_mark)
                last_line = span.end_line
                last_col = span.end_column
                anchor = anchors.get(name)
                if anchor is None:
                    if name in open_anchors:
                        message = (
                            f"alias `*{name}` is used inside the collection `&{name}` it "
                            "names, which would repeat forever"
                        )
                        raise _Fatal(Problem.at(span, message, code="FM111", subject=name))
                    message = f"alias `*{name}` refers to no anchor `&{name}` defined before it"
                    self.problems.append(Problem.at(span, message, code="FM107", subject=name))
                    if top is not None and top.key is _NO_KEY:
                        top.key = _DROP
                        top.key_span = span
                        continue
                    anchor = _Anchor(None, None, NULL_TAG, 1, 0)
                aliases += 1
                if aliases > max_aliases:
                    raise self.fatal_limit(start, "aliases")
                nodes += anchor.size
                if nodes > max_nodes:
                    raise self.fatal_limit(start, "nodes")
                if len(stack) + anchor.height > max_depth:
                    raise self.fatal_limit(start, "depth")
                if top is not None and anchor.height > top.height:
                    top.height = anchor.height
                if top is not None and top.key is _NO_KEY:
                    if anchor.key_text is None:
                        self.complex_key(top, span)
                    else:
                        self.take_key(top, anchor.key_text, span)
                    continue
                if top is None:
                    path = ()
                    parent_key_span = None
                else:
                    path = top.path
                    key = top.key
                    parent_key_span = top.key_span
                    if path is None:
                        pass
                    elif key is None:
                        path = (*path, len(top.container))
                    elif key.__class__ is str:
                        path = (*path, key)
                    else:
                        path = None
                if path is not None:
                    position = new_position(span, parent_key_span, False, "*" + name, anchor.tag)
                    append_pos((path, position))
                    base = anchor.base
                    if base >= 0:  # the paths under an aliased collection
                        for index in range(anchor.start, anchor.end):
                            entry = pos_list[index]
                            if entry is not None and len(entry[0]) > base:
                                append_pos(((*path, *entry[0][base:]), entry[1]))
                merge_source = (anchor.value, anchor.start, anchor.end, anchor.base)
                self.attach(top, anchor.value, merge_source, span)
                continue

            if cls is DocumentEndEvent:
                break

        event = get_event()
        if event.__class__ is DocumentStartEvent:
            doc_mark: Any = event.start_mark
            message = (
                "YAML syntax error: the front matter holds more than one YAML document "
                "(a `---` or `...` line inside it?)"
            )
            raise _Fatal(Problem(doc_mark.line + off, doc_mark.column + 1, message, code="FM107"))

        root = self.root
        if root.__class__ is not dict:
            if root is None and self.problems:  # an unsupported tag on the whole front matter
                return YamlResult(None, {}, self.problems)
            entry = pos_list[0] if pos_list else None
            raise _Fatal(_not_a_mapping(root, entry[1] if entry else None, self.root_span, off))

        if self.merge_used:
            positions: PositionMap = {
                entry[0]: entry[1]
                for entry in pos_list
                if entry is not None and _MERGE not in entry[0]
            }
        else:
            positions = dict(pos_list)
        return YamlResult(root, positions, self.problems)


def _not_a_mapping(
    root: Any, position: NodePosition | None, span: Span | None, off: int
) -> Problem:
    where = span or Span.point(off)
    if position is not None and position.plain and position.source == "":
        return Problem.at(where, "front matter is empty", code="FM106")
    if isinstance(root, list):
        found = "a list"
    elif root is None:
        found = "null"
    elif isinstance(root, bool):
        found = f"the boolean {str(root).lower()}"
    elif isinstance(root, (int, float)):
        found = f"the number {position.source if position else root}"
    else:
        found = "a string"
    message = f"front matter must be a mapping of keys to values; found {found}"
    return Problem.at(where, message, code="FM108")


def _without_properties(source: str) -> str:
    """A scalar's source without its anchor and tag (``&a !!str x`` -> ``x``)."""
    match = _PROPERTIES.match(source)
    return source[match.end() :] if match is not None else source


def _block_scalar_end(text: str, start: Any, end: Any) -> tuple[int, int, int]:
    """0-based line, column and index just past the last content character of a
    block scalar (its end mark lies after the trailing line breaks)."""
    index = end.index
    floor = start.index
    while index > floor and text[index - 1] in " \t\r\n":
        index -= 1
    if index == end.index:
        return end.line, end.column, index
    breaks = text.count("\n", index, end.index) + text.count("\r", index, end.index)
    breaks -= text.count("\r\n", index, end.index)
    line_start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
    return end.line - breaks, index - line_start, index


def _depth_message(limits: YamlLimits) -> str:
    return (
        f"YAML nesting is deeper than {limits.max_depth} levels "
        f"(limits.max-depth = {limits.max_depth}); fmlint stops reading here"
    )


_LEADING_SPACE: Final = re.compile(r"[ \t]*")
_UNQUOTED_START: Final = {
    "@": "a value cannot start with `@` unless it is quoted",
    "`": "a value cannot start with a backtick unless it is quoted",
    "%": "a value cannot start with `%` unless it is quoted",
}


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, first_line: int) -> Problem:
    """One FM107 problem, in plain words, from a PyYAML or libyaml error."""
    mark = error.problem_mark or error.context_mark
    line = column = index = 0
    if mark is not None:
        line, column, index = mark.line, mark.column, mark.index
    problem = " ".join((error.problem or "invalid YAML").split())
    char = text[index] if 0 <= index < len(text) else ""
    context = error.context
    if "cannot start any token" in problem:
        shown = "a tab" if char == "\t" else f"`{char}`" if char.strip() else "a character"
        problem = f"found {shown}, which cannot start any YAML token"
        context = None  # "while scanning for the next token" says nothing more
    message = f"YAML syntax error: {problem}"
    if context:
        message += " " + " ".join(context.split())
        context_mark = error.context_mark
        if (
            context_mark is not None
            and error.problem_mark is not None
            and (
                context_mark.line,
                context_mark.column,
            )
            != (line, column)
        ):
            message += f" (started on line {context_mark.line + first_line})"
    hints: list[str] = []
    line_start = text.rfind("\n", 0, index) + 1
    indent = _LEADING_SPACE.match(text, line_start)
    if "tab" in problem or char == "\t" or (indent is not None and "\t" in indent.group()):
        hints.append("YAML does not allow tabs for indentation; indent with spaces")
    if "end of stream" in problem and context and "quoted scalar" in context:
        hints.append("the closing quote is missing")
    if "mapping values are not allowed" in problem:
        hints.append("a value that contains `: ` must be quoted")
    if char in _UNQUOTED_START and "cannot start any YAML token" in problem:
        hints.append(_UNQUOTED_START[char])
    if hints:
        message += "; " + "; ".join(hints)
    # the parser notices an unclosed quote or bracket only lines later: point at its start
    opened = _unclosed_quote(text, index)
    if opened is not None:
        quote_line, quote_column = opened
        return Problem(
            quote_line + first_line,
            quote_column + 1,
            "YAML syntax error: this quoted value is not closed on its line, so YAML read on "
            f"and failed on line {line + first_line} ({problem}); add the closing quote",
            code="FM107",
        )
    context_mark = error.context_mark
    if context and "flow" in context and context_mark is not None and context_mark.line < line:
        return Problem(
            context_mark.line + first_line,
            context_mark.column + 1,
            f"YAML syntax error: the `{text[context_mark.index : context_mark.index + 1]}` "
            f"opened here is never closed ({problem}, line {line + first_line}); "
            "close it on this line",
            code="FM107",
        )
    return Problem(line + first_line, column + 1, message, code="FM107")


_QUOTED_VALUE: Final = re.compile(
    r"^[ \t]*(?:- +)?[^\s\"'#][^:\n]*:[ \t]+([\"'])(.*)$", re.MULTILINE
)


def _unclosed_quote(text: str, until: int) -> tuple[int, int] | None:
    """The (line, column), 0-based, of the first ``key: "value`` before
    ``until`` whose quote is not closed on its own line (multi-line quoted
    scalars are legal YAML, so this is only asked once parsing failed)."""
    for match in _QUOTED_VALUE.finditer(text, 0, max(until, 0) + 1):
        if match.start() > until:
            break
        quote, rest = match.group(1), match.group(2)
        closed = (
            re.search(r'(?<!\\)(?:\\\\)*"', rest)
            if quote == '"'
            else re.search(r"'(?!')", rest.replace("''", ""))
        )
        if closed is None:
            line = text.count("\n", 0, match.start(1))
            column = match.start(1) - (text.rfind("\n", 0, match.start(1)) + 1)
            return line, column
    return None


def _reader_problem(error: yaml.reader.ReaderError, text: str, first_line: int) -> Problem:
    """FM107 for a character YAML does not accept (libyaml counts bytes: re-find it)."""
    found = Reader.NON_PRINTABLE.search(text)
    index = found.start() if found is not None else max(0, min(error.position, len(text)))
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    character = text[index] if index < len(text) else ""
    message = (
        f"YAML syntax error: YAML does not accept the character U+{ord(character):04X}"
        if character
        else f"YAML syntax error: {error.reason}"
    )
    return Problem(line + first_line, column + 1, message, code="FM107")
