"""Validate front matter against a JSON Schema and explain each violation.

:class:`SchemaValidator` loads a schema file once (its draft comes from
``$schema``, 2020-12 when absent), checks it against its meta-schema, resolves
every ``$ref`` up front (local files only, unless remote references are
allowed) and builds one jsonschema validator with a format checker that really
checks ``uri``, ``date-time``, ``date`` and ``email``.

:meth:`SchemaValidator.validate` turns each validation error into one
:class:`~linter.findings.Problem` with its FM2xx code (see docs/CODES.md),
placed on the offending value (the key, for an unknown field) and worded for
people: which key, what was found, what is expected.  One value gets one
problem: a wrong type hides the enum, pattern and format errors of the same
value.

Speed: the schema is also compiled into a "certainly valid" check for the
keywords typical front-matter schemas use (type, enum, const, pattern,
format, lengths, required, properties, additionalProperties, items,
uniqueItems, $ref).  A document it accepts gets no jsonschema pass at all
(~15 us instead of ~115 us for the example article); anything it is unsure
about, and every schema with other keywords, goes through jsonschema.  The
compiler lives in :mod:`linter.schema_fast`, which also builds the same check
without jsonschema (:class:`~linter.schema_fast.QuickValidator`, for runs
that should not pay for importing it); here it follows references with
``referencing`` and checks formats with the full format checker.

References between schema files resolve offline: a relative ``$ref`` is read
from the referring file's folder, an absolute one is looked up among the
``$id`` values of the ``*.json`` files in the schema's folder and in the
bundled ``schemas/`` folder.  Anything on ``http(s)`` is fetched only with
``allow_remote_refs``.
"""

from __future__ import annotations

import calendar
import difflib
import functools
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urldefrag, urljoin, urlsplit

from linter.bundled import bundled_schema_path
from linter.findings import Problem, Span
from linter.schema_fast import (
    QUICK_FORMATS,
    RefResolver,
    UnsupportedSchema,
    compile_fast_check,
    iri_as_uri,
    is_date_time,
    is_duration,
    is_email,
    is_uri,
    local_schema_file,
    schema_ids,
    untyped_string_keys,
)

# jsonschema imports rfc3987-syntax, when it is installed, for the "iri" formats only; that
# package builds 39 parser grammars at import time (1.7 s of CPU on every run, pre-commit
# included).  isoduration, for "duration" only, brings arrow and costs 20-30 ms more.  Both
# are kept out while jsonschema loads, and fmlint checks those formats itself below.
_KEEP_OUT = [name for name in ("rfc3987_syntax", "isoduration") if name not in sys.modules]
for _name in _KEEP_OUT:
    sys.modules[_name] = None  # type: ignore[assignment]
try:
    import jsonschema.validators
    import referencing.jsonschema
    from jsonschema import FormatChecker
    from jsonschema.exceptions import SchemaError as _MetaSchemaError
    from jsonschema.exceptions import ValidationError, best_match, relevance
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable
finally:
    for _name in _KEEP_OUT:
        del sys.modules[_name]


__all__ = [
    "SchemaError",
    "SchemaValidator",
    "bundled_schema_path",
    "is_date_time",
    "is_duration",
    "is_email",
    "is_uri",
]


class SchemaError(Exception):
    """A schema that cannot be used (unreadable, invalid JSON, invalid schema,
    remote $ref not allowed); str() says which file and where it is wrong."""


class NodePositionLike(Protocol):
    """What this module reads from ``linter.yaml_loader.NodePosition``."""

    @property
    def value(self) -> Span: ...

    @property
    def key(self) -> Span | None: ...

    @property
    def plain(self) -> bool: ...

    @property
    def source(self) -> str: ...

    @property
    def tag(self) -> str: ...


#: ``linter.yaml_loader.PositionMap`` satisfies this (a dict is a Mapping and
#: ``NodePosition`` has these attributes).
Positions = Mapping[tuple[str | int, ...], NodePositionLike]
KeyPath = tuple[str | int, ...]

_SCHEMAS_DIR = bundled_schema_path().parent
_REMOTE_TIMEOUT = 10.0  # seconds
_REMOTE_MAX_BYTES = 5_000_000
_SHORT_LIST = 12  # enums and field lists up to this length are spelled out in messages


# ---------------------------------------------------------------- formats


def make_format_checker() -> FormatChecker:
    """jsonschema's checker with a real ``email`` check, and fallbacks for
    ``uri`` and ``date-time`` when the format extras are missing (without
    them jsonschema silently accepts any value for those formats)."""
    checker = FormatChecker()
    checker.checks("email")(is_email)
    if "date-time" not in checker.checkers:
        checker.checks("date-time")(is_date_time)
    if "uri" not in checker.checkers:
        checker.checks("uri")(is_uri)
    uri_check = checker.checkers["uri"][0]
    reference_check = checker.checkers.get("uri-reference", (None,))[0]
    checker.checks("iri")(lambda value: iri_as_uri(value, uri_check))
    if reference_check is not None:
        checker.checks("iri-reference")(lambda value: iri_as_uri(value, reference_check))
    checker.checks("duration")(is_duration)
    return checker


# ---------------------------------------------------------------- loading schemas


def _load_json(path: Path, label: str | None = None) -> Any:
    name = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemaError(f"{name}: schema file not found") from None
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SchemaError(f"{name}: cannot read schema: {exc.strerror or exc}") from None
    return _parse_json(text, name)


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None


def _validator_class(contents: Mapping[str, Any], name: str) -> Any:
    dialect = contents.get("$schema")
    if dialect is None:
        return jsonschema.validators.Draft202012Validator
    cls = jsonschema.validators.validator_for(contents, default=None)
    if cls is None:
        raise SchemaError(
            f"{name}: $.$schema: unknown JSON Schema dialect {dialect!r} "
            "(fmlint knows drafts 3, 4, 6, 7, 2019-09 and 2020-12)"
        )
    return cls


def _check_schema(cls: Any, contents: Any, name: str) -> None:
    try:
        cls.check_schema(contents)
    except _MetaSchemaError as exc:
        error: Any = exc
        while error.context:  # "not valid under any of the given schemas": say which part
            error = min(error.context, key=relevance)
        raise SchemaError(
            f"{name}: invalid schema at {_json_path(exc.absolute_path)}: {error.message}"
        ) from None


def _json_path(path: Iterable[Any]) -> str:
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$][\w$-]*", str(part)):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


# Keywords whose value is a schema, a list of schemas or a map of schemas.
_SCHEMA_KEYWORDS = frozenset(
    {
        "items",
        "additionalItems",
        "additionalProperties",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contains",
        "propertyNames",
        "not",
        "if",
        "then",
        "else",
        "contentSchema",
    }
)
_SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_SCHEMA_MAP_KEYWORDS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "dependencies",
    }
)


def _subschemas(
    node: Mapping[str, Any], where: tuple[Any, ...]
) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    for keyword, value in node.items():
        if keyword in _SCHEMA_KEYWORDS and isinstance(value, dict):
            yield value, (*where, keyword)
        elif keyword in _SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            for i, item in enumerate(value):
                yield item, (*where, keyword, i)
        elif keyword in _SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            for name, item in value.items():
                yield item, (*where, keyword, name)


# ---------------------------------------------------------------- the validator


class SchemaValidator:
    """A schema loaded, checked and compiled once; :meth:`validate` per document."""

    def __init__(self, path: Path, *, allow_remote_refs: bool = False) -> None:
        self.path = path
        self.allow_remote_refs = allow_remote_refs
        self._folder = path.resolve().parent
        self._ids: dict[str, Path] | None = None
        contents = _load_json(path)
        if not isinstance(contents, dict):
            raise SchemaError(
                f"{path}: a schema file must hold a JSON object, found {_json_type(contents)}"
            )
        cls = _validator_class(contents, str(path))
        _check_schema(cls, contents, str(path))
        self._cls = cls
        dialect = contents.get("$schema")
        self._spec = (
            referencing.jsonschema.specification_with(dialect)
            if isinstance(dialect, str)
            else referencing.jsonschema.DRAFT202012
        )

        # Give the root an absolute base URI (its $id against its file URI) so
        # relative references resolve against the file's folder.
        file_uri = path.resolve().as_uri()
        root_id = self._spec.id_of(contents)
        base = urldefrag(urljoin(file_uri, root_id))[0] if root_id else file_uri
        if root_id != base:
            id_keyword = "id" if cls in _LEGACY_ID_DRAFTS else "$id"
            contents = {**contents, id_keyword: base}
        self.schema: dict[str, Any] = contents
        root = self._spec.create_resource(contents)
        resources = {base: root, file_uri: root}
        labels = {base: str(path), file_uri: str(path)}
        registry = self._resolve_refs(contents, base, resources, labels)
        self._registry = registry

        checker = make_format_checker()
        self._validator = cls(contents, registry=registry, format_checker=checker)
        #: True only for documents jsonschema would accept; None if the schema
        #: uses keywords outside the compiled subset.
        self.fast_check = (
            compile_fast_check(
                contents,
                _ReferencingResolver(registry.resolver(base), self._spec),
                known_keywords=frozenset(cls.VALIDATORS),
                format_check=functools.partial(_conforming, checker.conforms),
            )
            if cls in _FAST_DIALECTS
            else None
        )
        self._properties: dict[str, Any] = (
            contents.get("properties", {}) if isinstance(contents.get("properties"), dict) else {}
        )
        # Top-level properties that want a string without saying "type": a
        # YAML-coerced scalar gets no jsonschema error there, so look for it.
        self._untyped_string_keys = untyped_string_keys(contents)

    # ------------------------------------------------------------ references

    def _resolve_refs(
        self,
        root: dict[str, Any],
        base: str,
        resources: dict[str, Resource],
        labels: dict[str, str],
    ) -> Registry:
        """Load every resource that a ``$ref`` reaches (transitively), check
        each against its meta-schema, and make sure every reference resolves:
        a schema that cannot be used fails here, not in the middle of a run."""
        refs: list[tuple[str, str, str, str]] = []  # (target, ref, label, where)
        stack: list[tuple[Any, str, str, tuple[Any, ...]]] = [(root, base, labels[base], ())]
        while stack:
            node, node_base, label, where = stack.pop()
            if not isinstance(node, dict):
                continue
            node_id = self._spec.id_of(node)
            if isinstance(node_id, str) and node is not root:
                node_base = urldefrag(urljoin(node_base, node_id))[0]
            for keyword in ("$ref", "$dynamicRef"):
                ref = node.get(keyword)
                if not isinstance(ref, str):
                    continue
                target = urljoin(node_base, ref)
                uri = urldefrag(target)[0]
                remote = urlsplit(node_base).scheme in ("http", "https")
                if remote and urlsplit(uri).scheme in ("file", ""):
                    raise SchemaError(
                        f"{label}: {_json_path((*where, keyword))}: a remote schema may not "
                        f"refer to a local file ({ref})"
                    )
                if uri not in resources:
                    resource, file_label, doc_base = self._retrieve_for(
                        uri, f"{label}: {_json_path((*where, keyword))}"
                    )
                    resources[uri] = resources[doc_base] = resource
                    labels[uri] = labels[doc_base] = file_label
                    stack.append((resource.contents, doc_base, file_label, ()))
                if keyword == "$ref":
                    refs.append((target, ref, label, _json_path((*where, keyword))))
            stack.extend(
                (sub, node_base, label, sub_where) for sub, sub_where in _subschemas(node, where)
            )
        registry: Registry = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        registry = registry.with_resources(resources.items()).crawl()
        resolver = registry.resolver()
        for target, ref, ref_label, ref_where in refs:
            try:
                resolver.lookup(target)
            except Unresolvable as exc:
                reason = _unresolvable_reason(exc)
                raise SchemaError(
                    f"{ref_label}: {ref_where}: cannot resolve $ref {ref!r} ({reason})"
                ) from None
        return registry

    def _retrieve(self, uri: str) -> Resource:
        """The ``retrieve`` of the registry: a last resort for references the
        up-front walk did not see (it raises the same errors)."""
        return self._retrieve_for(uri, f"{self.path}: $ref")[0]

    def _retrieve_for(self, uri: str, where: str) -> tuple[Resource, str, str]:
        """Load the schema named by ``uri``: by ``$id`` among the local schema
        files, from a ``file:`` URI or a relative path, or (if allowed) over
        HTTP.  Returns the resource, a label for messages and its base URI."""
        scheme = urlsplit(uri).scheme.lower()
        local = local_schema_file(uri, self._folder, self._id_index())
        if local is not None:
            try:
                contents = _load_json(local)
            except SchemaError as exc:
                raise SchemaError(f"{where} refers to {uri}, which cannot be used: {exc}") from None
            label = str(local)
            base = local.resolve().as_uri()
        elif scheme in ("http", "https"):
            if not self.allow_remote_refs:
                raise SchemaError(
                    f"{where} refers to {uri}; fmlint does not fetch remote schemas "
                    "unless `allow-remote-refs = true`"
                )
            contents = self._fetch(uri, where)
            label = base = uri
        else:
            raise SchemaError(
                f"{where} refers to {uri}, which is no schema file in {self._folder} "
                f"(by file name or $id) nor in {_SCHEMAS_DIR}"
            )
        if not isinstance(contents, (dict, bool)):
            found = _json_type(contents)
            raise SchemaError(f"{label}: a schema must be a JSON object, found {found}")
        if isinstance(contents, dict):
            cls = self._cls if "$schema" not in contents else _validator_class(contents, label)
            _check_schema(cls, contents, label)
        resource = Resource.from_contents(contents, default_specification=self._spec)
        doc_id = resource.id()
        if isinstance(doc_id, str):
            base = urldefrag(urljoin(base, doc_id))[0]
        return resource, label, base

    def _fetch(self, uri: str, where: str) -> Any:
        request = urllib.request.Request(
            uri,
            headers={"Accept": "application/schema+json, application/json", "User-Agent": "fmlint"},
        )
        try:
            with urllib.request.urlopen(request, timeout=_REMOTE_TIMEOUT) as response:
                body = response.read(_REMOTE_MAX_BYTES + 1)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SchemaError(f"{where}: cannot fetch {uri}: {exc}") from None
        if len(body) > _REMOTE_MAX_BYTES:
            raise SchemaError(f"{where}: {uri} is larger than {_REMOTE_MAX_BYTES} bytes")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise SchemaError(f"{uri}: not UTF-8 text") from None
        return _parse_json(text, uri)

    def _id_index(self) -> dict[str, Path]:
        """``$id`` (absolute, without fragment) → file, for the ``*.json`` files
        in the bundled schemas folder and the schema's folder (which wins).
        Read once, and only when a reference needs it."""
        if self._ids is None:
            self._ids = schema_ids((_SCHEMAS_DIR, self._folder))
        return self._ids

    # ------------------------------------------------------------ validation

    def validate(self, data: Any, positions: Positions, front_matter_line: int) -> list[Problem]:
        """One problem per schema violation, sorted by position.

        ``positions`` maps key paths to where their nodes are (see
        ``linter.yaml_loader.PositionMap``); ``front_matter_line`` is where a
        missing required field is reported.  Raises :class:`SchemaError` only
        if a reference could not be resolved (which construction prevents).
        """
        fast = self.fast_check
        try:
            errors = (
                [] if fast is not None and fast(data) else list(self._validator.iter_errors(data))
            )
        except Unresolvable as exc:
            raise SchemaError(f"{self.path}: {_unresolvable_reason(exc)}") from None
        if not errors and not self._untyped_string_keys:
            return []
        report = _Report(self, positions, front_matter_line)
        for error in errors:
            report.add(error)
        if self._untyped_string_keys and isinstance(data, dict):
            for key in self._untyped_string_keys:
                report.untyped_coercion(key, data)
        return report.problems()

    # ------------------------------------------------------------ helpers for _Report

    def property_schema(self, path: KeyPath, schema: Mapping[str, Any] | None) -> Any:
        """The schema of the property at the end of ``path``: from ``schema``
        (the object's schema) when given, else from the root's properties."""
        if not path or not isinstance(path[-1], str):
            return None
        props = schema.get("properties") if schema is not None else None
        if not isinstance(props, dict):
            props = self._properties if len(path) == 1 else {}
        return props.get(path[-1])

    def description(self, sub: Any) -> str | None:
        """A subschema's description, following a bare ``$ref`` once."""
        if not isinstance(sub, dict):
            return None
        text = sub.get("description")
        if isinstance(text, str) and text.strip():
            return text.strip().rstrip(".")
        ref = sub.get("$ref")
        if isinstance(ref, str):
            try:
                target = self._registry.resolver(self._spec.id_of(self.schema) or "").lookup(ref)
            except Unresolvable:
                return None
            return self.description(target.contents) if target.contents is not sub else None
        return None

    def is_valid_against(self, schema: Any, instance: Any) -> bool:
        try:
            return bool(self._validator.evolve(schema=schema).is_valid(instance))
        except Unresolvable:
            return True


_LEGACY_ID_DRAFTS = (jsonschema.validators.Draft3Validator, jsonschema.validators.Draft4Validator)


def _unresolvable_reason(exc: Unresolvable) -> str:
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, SchemaError):
        return str(cause)
    return str(exc) or type(exc).__name__


# ---------------------------------------------------------------- the fast path

_FAST_DIALECTS = (
    jsonschema.validators.Draft201909Validator,
    jsonschema.validators.Draft202012Validator,
)


class _ReferencingResolver:
    """The fast compiler's :class:`~linter.schema_fast.RefResolver` over a
    ``referencing`` resolver: references resolve exactly as jsonschema
    resolves them, and a target in another dialect is not compiled."""

    __slots__ = ("_resolver", "_spec")

    def __init__(self, resolver: Any, spec: Any) -> None:
        self._resolver = resolver
        self._spec = spec

    def lookup(self, ref: str) -> tuple[Any, RefResolver]:
        try:
            resolved = self._resolver.lookup(ref)
        except Unresolvable:
            raise UnsupportedSchema(f"cannot resolve {ref}") from None
        contents = resolved.contents
        dialect = (
            jsonschema.validators.validator_for(contents, default=None)
            if isinstance(contents, dict) and "$schema" in contents
            else _FAST_DIALECTS[-1]
        )
        if dialect not in _FAST_DIALECTS:
            raise UnsupportedSchema("$ref to another dialect")
        return contents, _ReferencingResolver(resolved.resolver, self._spec)

    def in_subschema(self, schema: Mapping[str, Any]) -> RefResolver:
        if self._spec.id_of(schema) is None:
            return self
        subresource = self._spec.create_resource(schema)
        return _ReferencingResolver(self._resolver.in_subresource(subresource), self._spec)


def _conforming(conforms: Callable[[object, str], bool], fmt: str) -> Callable[[Any], bool]:
    """The full format checker's test for ``fmt`` (True for unknown formats),
    asked only when the quick check (which accepts nothing the full one
    refuses) is unsure: most values pass it, for a third of the cost."""
    quick = QUICK_FORMATS.get(fmt)
    if quick is None:
        return lambda x: bool(conforms(x, fmt))
    return lambda x: quick(x) or bool(conforms(x, fmt))


# ---------------------------------------------------------------- turning errors into problems

# One finding per value: the lowest rank wins.
_RANK = {"FM204": 0, "FM203": 1, "FM207": 2, "FM205": 3, "FM206": 4, "FM208": 5}
_COERCED_TAGS = {
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:null": "null",
}
_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "array": "an array",
    "object": "an object (a mapping)",
    "null": "null",
}

# Common mistakes for enum values that have a known right answer (used only
# when the answer is one of the enum's values).  `kr` (Kanuri) and `se`
# (Northern Sami) are valid ISO 639-1 codes themselves, so they never reach
# this table with the bundled schema.
_VALUE_ALIASES = {
    # country codes and retired codes used for languages
    "kh": "km",
    "jp": "ja",
    "cn": "zh",
    "gr": "el",
    "dk": "da",
    "se": "sv",
    "cz": "cs",
    "ua": "uk",
    "vn": "vi",
    "kr": "ko",
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "jw": "jv",
    "mo": "ro",
    "gb": "en",
    "uk": "en",
    "us": "en",
    # ISO 639-2/3 codes
    "eng": "en",
    "khm": "km",
    "fra": "fr",
    "fre": "fr",
    "zho": "zh",
    "chi": "zh",
    "cmn": "zh",
    "tha": "th",
    "vie": "vi",
    "kor": "ko",
    "jpn": "ja",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "ind": "id",
    "msa": "ms",
    "may": "ms",
    "zsm": "ms",
    "lao": "lo",
    "mya": "my",
    "bur": "my",
    "rus": "ru",
    "ara": "ar",
    "por": "pt",
    "ita": "it",
    "nld": "nl",
    "dut": "nl",
    "hin": "hi",
    "tgl": "tl",
    "fil": "tl",
    # English names
    "english": "en",
    "khmer": "km",
    "cambodian": "km",
    "french": "fr",
    "chinese": "zh",
    "mandarin": "zh",
    "thai": "th",
    "vietnamese": "vi",
    "korean": "ko",
    "japanese": "ja",
    "german": "de",
    "spanish": "es",
    "indonesian": "id",
    "malay": "ms",
    "laotian": "lo",
    "burmese": "my",
    "russian": "ru",
    "arabic": "ar",
    "portuguese": "pt",
    "italian": "it",
    "dutch": "nl",
    "hindi": "hi",
    "tagalog": "tl",
    "filipino": "tl",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: Any, limit: int = 80) -> str:
    """A value as JSON, shortened."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _found(value: Any) -> str:
    if value is None:
        return "null (no value)"
    if isinstance(value, bool):
        return f"the boolean {_show(value)}"
    if isinstance(value, list):
        n = len(value)
        if not n:
            return "an empty array"
        return f"an array of {n} item{'s' if n != 1 else ''} ({_show(value)})"
    if isinstance(value, dict):
        return f"an object ({_show(value)})" if value else "an empty object"
    return f"{_json_type(value)} ({_show(value)})"


def _where(path: KeyPath) -> str:
    """``tags[1]``, ``author.name``: how a key path is written in messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _subject(path: KeyPath) -> str:
    return ".".join(str(part) for part in path)


def _a_an(noun: str) -> str:
    first = noun.split(maxsplit=1)[0] if noun.strip() else noun
    if first.isupper() and first[:1].isalpha():  # an acronym: how its first letter sounds
        vowel = first[0] in "AEFHILMNORSX"
    else:
        vowel = first[:1].lower() in "aeiou"
    return f"{'an' if vowel else 'a'} {noun}"


def _type_list(types: Any) -> list[str]:
    return [types] if isinstance(types, str) else [t for t in types if isinstance(t, str)]


def _join_or(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


_BY_LOWER: dict[int, tuple[object, dict[str, str]]] = {}


def _by_lower(options: Iterable[Any]) -> dict[str, str]:
    """lowercase → option for the string options; cached per enum list (the
    ISO 639-1 list has 184 entries and a corpus may repeat the same mistake)."""
    entry = _BY_LOWER.get(id(options))
    if entry is not None and entry[0] is options:
        return entry[1]
    by_lower: dict[str, str] = {}
    for option in options:
        if isinstance(option, str):
            by_lower.setdefault(option.lower(), option)
    if isinstance(options, list):
        if len(_BY_LOWER) > 256:
            _BY_LOWER.clear()
        _BY_LOWER[id(options)] = (options, by_lower)
    return by_lower


def suggest_value(value: Any, allowed: Iterable[Any]) -> str | None:
    """The allowed string value that ``value`` was probably meant to be."""
    if not isinstance(value, str):
        return None
    by_lower = _by_lower(allowed)
    text = value.strip().lower()
    if not text or not by_lower:
        return None
    if text in by_lower:
        return by_lower[text]
    alias = _VALUE_ALIASES.get(text)
    if alias is not None and alias in by_lower:
        return by_lower[alias]
    head = re.split(r"[-_\s]", text, maxsplit=1)[0]  # en-US, en_GB, zh-Hant
    if head != text and head in by_lower:
        return by_lower[head]
    close = difflib.get_close_matches(text, list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def suggest_key(key: str, allowed: Sequence[str], present: Iterable[Any] = ()) -> str | None:
    """The schema property that an unknown ``key`` was probably meant to be;
    properties not already in the document are preferred."""
    present_set = present if isinstance(present, (set, frozenset, dict)) else set(present)
    preferred = tuple(k for k in allowed if k not in present_set)
    pools = [preferred] if len(preferred) == len(allowed) else [preferred, tuple(allowed)]
    wanted = _normal_key(key)
    # a field the document already has must look much more alike to be suggested
    for pool, cutoff in zip(pools, (0.6, 0.8), strict=False):  # one or two pools
        by_norm = _by_normal_key(pool)
        if wanted in by_norm:
            return by_norm[wanted]
        close = difflib.get_close_matches(wanted, list(by_norm), n=1, cutoff=cutoff)
        if close:
            return by_norm[close[0]]
    return None


def _normal_key(key: str) -> str:
    return key.lower().replace("-", "_").replace(" ", "_")


@functools.lru_cache(maxsize=64)
def _by_normal_key(keys: tuple[str, ...]) -> dict[str, str]:
    return {_normal_key(k): k for k in keys}


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_LOOSE_DATE_TIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt]|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(\.\d*)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)


def date_time_hint(value: str) -> str:
    """What is wrong with a would-be RFC 3339 date-time, in a few words ("" if unsure)."""
    text = value.strip()
    m = _LOOSE_DATE_TIME.fullmatch(text)
    if m is None:
        if re.match(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", text):
            return "write the date as year-month-day (YYYY-MM-DD)"
        if any(word in _MONTHS for word in re.findall(r"[a-z]+", text.lower())):
            return "write the date in digits, year-month-day"
        return ""
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"{calendar.month_name[month]} {year} has no day {day}"
    if m[4] is None:
        return "the time and the time zone are missing"
    hour, minute, second = int(m[5]), int(m[6]), int(m[7] or 0)
    if hour > 23 or minute > 59 or second > 60:
        return f"{m[5]}:{m[6]}{':' + m[7] if m[7] else ''} is not a time of day"
    issues = []
    if m[4] not in "Tt":
        issues.append("put a T between the date and the time")
    if m[7] is None:
        issues.append("the seconds are missing")
    if min(len(part) for part in (m[2], m[3], m[5], m[6], m[7] or "00")) < 2:
        issues.append("write months, days, hours, minutes and seconds with two digits")
    if m[8] == ".":
        issues.append("a decimal point needs digits after it")
    zone = m[9]
    if zone is None:
        issues.append("the time zone is missing (Z for UTC, or an offset such as +07:00)")
    elif len(zone) in (3, 5):  # +07, +0700
        issues.append(f"write the offset as {zone[:3]}:{zone[3:] or '00'}")
    return "; ".join(issues)


_FORMAT_NAMES = {
    "date-time": ("an RFC 3339 date-time", "2024-10-25T08:24:49Z"),
    "date": ("a date", "2024-10-25"),
    "time": ("an RFC 3339 time", "08:24:49Z"),
    "uri": ("a URI", "https://example.com/page"),
    "uri-reference": ("a URI reference", "/page or https://example.com/page"),
    "iri": ("an IRI", "https://example.com/page"),
    "iri-reference": ("an IRI reference", "/page"),
    "email": ("an email address", "name@example.com"),
    "idn-email": ("an email address", "name@example.com"),
    "hostname": ("a host name", "example.com"),
    "idn-hostname": ("a host name", "example.com"),
    "ipv4": ("an IPv4 address", "192.0.2.1"),
    "ipv6": ("an IPv6 address", "2001:db8::1"),
    "uuid": ("a UUID", "c6796fb2-eb29-4d1d-93a3-b42f699b0c98"),
    "duration": ("an ISO 8601 duration", "P1DT2H"),
    "regex": ("a regular expression", "^[a-z]+$"),
    "json-pointer": ("a JSON pointer", "/a/b"),
    "uri-template": ("a URI template", "https://example.com/{id}"),
    "color": ("a CSS color", "#ff0000"),
}


def _format_hint(fmt: str, value: str) -> str:
    if fmt == "date-time":
        return date_time_hint(value)
    if fmt == "date":
        hint = date_time_hint(value + "T00:00:00Z") if re.fullmatch(r"[\d-]+", value) else ""
        return hint if "time" not in hint else ""
    if fmt in ("uri", "iri"):
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*//", value):
            return "a colon is missing after the scheme"
        if value.startswith("/"):
            return "this is a path; a full URI starts with a scheme such as https://"
        if re.match(r"(www\.)?[A-Za-z0-9-]+\.[A-Za-z]", value):
            return "the scheme is missing (https://)"
        if re.search(r"\s", value.strip()):
            return "it contains spaces"
        return ""
    return ""


class _Report:
    """The problems of one document: at most one per value, plus one per
    missing or unknown field."""

    def __init__(
        self, owner: SchemaValidator, positions: Positions, front_matter_line: int
    ) -> None:
        self.owner = owner
        self.positions = positions
        self.front_matter_line = front_matter_line
        self.by_value: dict[KeyPath, tuple[int, Problem]] = {}
        self.others: list[Problem] = []
        self.seen: set[tuple[KeyPath, str, int]] = set()

    def problems(self) -> list[Problem]:
        out = self.others + [problem for _, problem in self.by_value.values()]
        out.sort(key=lambda p: (p.line, p.column, p.code or "", p.message))
        return out

    # ------------------------------------------------------------ positions

    def span(self, path: KeyPath) -> Span:
        """Where the value at ``path`` is (its nearest known ancestor's if unknown)."""
        for i in range(len(path), 0, -1):
            pos = self.positions.get(path[:i])
            if pos is not None:
                return pos.value
        return Span.point(self.front_matter_line, 1)

    def key_span(self, path: KeyPath) -> Span:
        pos = self.positions.get(path)
        if pos is not None and pos.key is not None:
            return pos.key
        return self.span(path)

    def put(self, path: KeyPath, code: str, message: str, span: Span | None = None) -> None:
        problem = Problem.at(span or self.span(path), message, code=code, subject=_subject(path))
        rank = _RANK[code]
        current = self.by_value.get(path)
        if current is None or rank < current[0]:
            self.by_value[path] = (rank, problem)

    def once(self, path: KeyPath, keyword: str, schema: Any) -> bool:
        marker = (path, keyword, id(schema))
        if marker in self.seen:
            return False
        self.seen.add(marker)
        return True

    # ------------------------------------------------------------ errors

    def add(self, error: ValidationError) -> None:
        if error.context:
            leaf = best_match([error])
            while leaf.context:  # a tie between branches: take the most relevant one
                leaf = min(leaf.context, key=relevance)
            error = leaf
        path: KeyPath = tuple(error.absolute_path)
        keyword = error.validator
        handler = getattr(self, f"on_{keyword}", None) if isinstance(keyword, str) else None
        if handler is not None:
            handler(error, path)
        elif error.validator is None and error.validator_value is None and error.schema is False:
            self.put(path, "FM208", f"`{_where(path)}` is not allowed here")
        else:
            self.generic(error, path)

    def expected(self, path: KeyPath, schema: Any) -> str | None:
        """What the value at ``path`` should be: the property's description,
        else the description of the (sub)schema that failed."""
        text = self.owner.description(self.owner.property_schema(path, None)) if path else None
        return text or self.owner.description(schema if isinstance(schema, dict) else None)

    def empty(self, path: KeyPath, error: ValidationError, code: str) -> bool:
        if error.instance != "":
            return False
        expected = self.expected(path, error.schema)
        tail = f" (expected: {expected})" if expected else ""
        self.put(path, code, f"`{_where(path)}` is empty{tail}")
        return True

    def on_required(self, error: ValidationError, path: KeyPath) -> None:
        if not self.once(path, "required", error.schema) or not isinstance(error.instance, dict):
            return
        required = error.validator_value if isinstance(error.validator_value, list) else []
        schema = error.schema if isinstance(error.schema, dict) else None
        for key in required:
            if key in error.instance:
                continue
            text = self.owner.description(self.owner.property_schema((*path, key), schema))
            tail = f" (expected: {text})" if text else ""
            where = f"`{_where((*path, key))}`"
            span = self.key_span(path) if path else Span.point(self.front_matter_line, 1)
            self.others.append(
                Problem.at(
                    span,
                    f"missing required field {where}{tail}",
                    code="FM201",
                    subject=_subject((*path, key)),
                )
            )

    def on_additionalProperties(self, error: ValidationError, path: KeyPath) -> None:
        self.unknown_keys(error, path)

    def on_unevaluatedProperties(self, error: ValidationError, path: KeyPath) -> None:
        if not self.unknown_keys(error, path):
            self.generic(error, path)

    def unknown_keys(self, error: ValidationError, path: KeyPath) -> bool:
        instance, schema = error.instance, error.schema
        if not isinstance(instance, dict) or not isinstance(schema, dict):
            return False
        if not self.once(path, "unknown", schema):
            return True
        props = schema.get("properties")
        if not isinstance(props, dict):
            props = {}
        patterns = list(schema.get("patternProperties") or ())
        allowed = [k for k in props if isinstance(k, str)]
        extras = [
            k
            for k in instance
            if k not in props and not any(re.search(p, str(k)) for p in patterns)
        ]
        for key in extras:
            name = str(key)
            guess = suggest_key(name, allowed, instance)  # a dict: `in` is O(1)
            if guess is not None:
                tail = f"; did you mean `{guess}`?"
            elif allowed and len(allowed) <= _SHORT_LIST:
                tail = "; allowed fields: " + ", ".join(allowed)
            else:
                tail = " (the schema does not define it)"
            key_path = (*path, key)
            self.others.append(
                Problem.at(
                    self.key_span(key_path),
                    f"`{_where(key_path)}`: unknown field{tail}",
                    code="FM202",
                    subject=_subject(key_path),
                )
            )
        return bool(extras)

    def coercion(self, path: KeyPath, value: Any, schema: Any) -> bool:
        """FM204 if the value at ``path`` is an unquoted YAML scalar that
        became a bool/int/float/null where a string is wanted."""
        pos = self.positions.get(path)
        if pos is None or not pos.plain or pos.tag not in _COERCED_TAGS:
            return False
        if value is not None and not isinstance(value, (bool, int, float)):
            return False
        where = f"`{_where(path)}`"
        if pos.source.strip() in ("", "~") and value is None:
            return False  # no value at all: not a quoting matter
        read = _describe_coerced(_COERCED_TAGS[pos.tag], pos.source, value)
        quoted = json.dumps(pos.source, ensure_ascii=False)
        if schema is None or self.owner.is_valid_against(schema, pos.source):
            snippet = f"{path[-1]}: {quoted}" if path and isinstance(path[-1], str) else quoted
            advice = f"quote it: {snippet}"
        else:
            expected = self.expected(path, schema)
            advice = "a string is expected" + (f" ({expected})" if expected else "")
        message = f"{where}: YAML read the unquoted `{pos.source}` as {read}; {advice}"
        self.put(path, "FM204", message, pos.value)
        return True

    def on_type(self, error: ValidationError, path: KeyPath) -> None:
        types = _type_list(error.validator_value)
        if "string" in types and self.coercion(path, error.instance, error.schema):
            return
        words = [_TYPE_WORDS.get(t, t) for t in types] or ["another type"]
        where = f"`{_where(path)}`"
        if error.instance is None:
            expected = self.expected(path, error.schema)
            tail = f" (expected: {expected})" if expected else f" (expected {_join_or(words)})"
            self.put(path, "FM203", f"{where} has no value{tail}")
            return
        found = _found(error.instance)
        self.put(path, "FM203", f"{where} should be {_join_or(words)}, found {found}")

    def on_enum(self, error: ValidationError, path: KeyPath) -> None:
        options = error.validator_value if isinstance(error.validator_value, list) else []
        wants_string = any(isinstance(o, str) for o in options)
        if wants_string and self.coercion(path, error.instance, error.schema):
            return
        if self.empty(path, error, "FM207"):
            return
        where, shown = f"`{_where(path)}`", _show(error.instance)
        guess = suggest_value(error.instance, options)
        tail = f"; did you mean {_show(guess)}?" if guess is not None else ""
        if len(options) == 1:
            message = f"{where}: {shown} should be {_show(options[0])}"
        elif len(options) <= _SHORT_LIST:
            listed = ", ".join(o if isinstance(o, str) else _show(o) for o in options)
            message = f"{where}: {shown} is not one of {listed}{tail}"
        else:
            title = error.schema.get("title") if isinstance(error.schema, dict) else None
            if isinstance(title, str) and title.strip():
                message = f"{where}: {shown} is not {_a_an(title.strip())}{tail}"
            else:
                message = f"{where}: {shown} is not one of the {len(options)} allowed values{tail}"
        self.put(path, "FM207", message)

    def on_const(self, error: ValidationError, path: KeyPath) -> None:
        wanted = error.validator_value
        if isinstance(wanted, str) and self.coercion(path, error.instance, error.schema):
            return
        shown = _show(error.instance)
        self.put(path, "FM207", f"`{_where(path)}`: {shown} should be {_show(wanted)}")

    def on_format(self, error: ValidationError, path: KeyPath) -> None:
        fmt = str(error.validator_value)
        if self.empty(path, error, "FM205"):
            return
        value = error.instance if isinstance(error.instance, str) else str(error.instance)
        name, example = _FORMAT_NAMES.get(fmt, (f"a valid {fmt}", ""))
        if name.startswith(("a valid", "an valid")):
            what = name
        else:
            what = _a_an("valid " + name.split(" ", 1)[1])
        hint = _format_hint(fmt, value)
        hint = f": {hint}" if hint else ""
        tail = f" (expected e.g. {example})" if example else ""
        self.put(path, "FM205", f"`{_where(path)}`: {_show(value)} is not {what}{hint}{tail}")

    def on_pattern(self, error: ValidationError, path: KeyPath) -> None:
        if self.empty(path, error, "FM206"):
            return
        value = error.instance if isinstance(error.instance, str) else ""
        pattern = str(error.validator_value)
        expected = self.expected(path, error.schema)
        expectation = f"the expected form: {expected}" if expected else f"the pattern {pattern}"
        hint = ""
        try:
            regex = re.compile(pattern)
            if value != value.strip() and regex.search(value.strip()):
                hint = "; remove the spaces around it"
            elif value != value.upper() and regex.search(value.upper()):
                hint = "; it would match in uppercase"
        except re.error:
            pass
        message = f"`{_where(path)}`: {_show(value)} does not have {expectation}{hint}"
        self.put(path, "FM206", message)

    def on_minLength(self, error: ValidationError, path: KeyPath) -> None:
        limit, value = error.validator_value, error.instance
        where = f"`{_where(path)}`"
        if value == "":
            self.put(path, "FM208", f"{where} must not be empty")
        else:
            self.put(
                path,
                "FM208",
                f"{where} is too short: {len(value)} characters, at least {limit} expected",
            )

    def on_maxLength(self, error: ValidationError, path: KeyPath) -> None:
        self.put(
            path,
            "FM208",
            f"`{_where(path)}` is too long: {len(error.instance)} characters, "
            f"at most {error.validator_value} allowed",
        )

    def on_minItems(self, error: ValidationError, path: KeyPath) -> None:
        n, limit = len(error.instance), error.validator_value
        where = f"`{_where(path)}`"
        if n == 0:
            self.put(path, "FM208", f"{where} must not be an empty list")
        else:
            self.put(
                path,
                "FM208",
                f"{where} has {n} item{'s' if n != 1 else ''}, at least {limit} expected",
            )

    def on_maxItems(self, error: ValidationError, path: KeyPath) -> None:
        self.put(
            path,
            "FM208",
            f"`{_where(path)}` has {len(error.instance)} items, "
            f"at most {error.validator_value} allowed",
        )

    def on_uniqueItems(self, error: ValidationError, path: KeyPath) -> None:
        seen: dict[str, int] = {}
        for index, item in enumerate(error.instance):
            marker = json.dumps(item, sort_keys=True, default=repr)
            if marker in seen:
                self.put(
                    path,
                    "FM208",
                    f"`{_where(path)}` has a duplicate item {_show(item)}",
                    self.span((*path, index)),
                )
                return
            seen[marker] = index
        self.generic(error, path)

    def _bound(self, error: ValidationError, path: KeyPath, words: str) -> None:
        self.put(
            path,
            "FM208",
            f"`{_where(path)}` is {_show(error.instance)}; it must be {words} "
            f"{_show(error.validator_value)}",
        )

    def on_minimum(self, error: ValidationError, path: KeyPath) -> None:
        self._bound(error, path, "at least")

    def on_maximum(self, error: ValidationError, path: KeyPath) -> None:
        self._bound(error, path, "at most")

    def on_exclusiveMinimum(self, error: ValidationError, path: KeyPath) -> None:
        self._bound(error, path, "greater than")

    def on_exclusiveMaximum(self, error: ValidationError, path: KeyPath) -> None:
        self._bound(error, path, "less than")

    def on_multipleOf(self, error: ValidationError, path: KeyPath) -> None:
        self._bound(error, path, "a multiple of")

    def on_dependentRequired(self, error: ValidationError, path: KeyPath) -> None:
        if not isinstance(error.instance, dict):
            return
        if not self.once(path, "dependentRequired", error.schema):
            return
        deps = error.validator_value if isinstance(error.validator_value, dict) else {}
        for key, needed in deps.items():
            if key not in error.instance:
                continue
            for other in needed:
                if other not in error.instance:
                    message = (
                        f"`{_where((*path, key))}` requires `{_where((*path, other))}`, "
                        "which is missing"
                    )
                    self.others.append(
                        Problem.at(
                            self.key_span((*path, key)),
                            message,
                            code="FM208",
                            subject=_subject((*path, other)),
                        )
                    )

    def on_not(self, error: ValidationError, path: KeyPath) -> None:
        self.put(path, "FM208", f"`{_where(path)}`: {_show(error.instance)} is not allowed here")

    def generic(self, error: ValidationError, path: KeyPath) -> None:
        label = f"`{_where(path)}`: " if path else "front matter: "
        self.put(path, "FM208", label + error.message)

    def untyped_coercion(self, key: str, data: dict[str, Any]) -> None:
        if key in data:
            self.coercion((key,), data[key], self.owner.property_schema((key,), None))


def _describe_coerced(kind: str, source: str, value: Any) -> str:
    """``the boolean false``, ``the integer 83 (an octal number)``, ..."""
    if kind == "bool" or isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if kind == "null" or value is None:
        return "null (no value)"
    digits = source.strip().lstrip("+-").replace("_", "").lower()
    if kind == "int":
        if ":" in digits:
            base = " (a base-60 number)"
        elif digits.startswith("0x"):
            base = " (a hexadecimal number)"
        elif digits.startswith("0b"):
            base = " (a binary number)"
        elif digits.startswith("0o") or (len(digits) > 1 and digits.startswith("0")):
            base = " (an octal number)"
        elif "_" in source:
            base = " (underscores are ignored)"
        else:
            base = ""
        return f"the integer {value}{base}"
    if isinstance(value, float) and value != value:
        return "the number NaN (not a number)"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return f"the number {'-' if value < 0 else ''}infinity"
    if ":" in digits:
        return f"the number {value} (a base-60 number)"
    return f"the number {value}"
