"""Say "certainly valid" to a document without importing jsonschema.

Importing jsonschema and referencing (with attrs, rfc3986-validator, ...)
costs ~100 ms: more than linting the one file a pre-commit run changed.  This
module holds what decides validity for the keywords typical front-matter
schemas use, with the standard library only:

* :class:`FastCompiler` turns a schema into ``check(instance) -> bool`` that
  returns True only if jsonschema would find no error (False means "not
  sure").  :mod:`linter.schema` uses it with jsonschema's resolver and format
  checker; :class:`QuickValidator` with local ``$ref`` resolution and the
  conservative ``quick_*`` format checks below.
* :class:`QuickValidator` reads a schema file on its own and answers
  :meth:`~QuickValidator.certainly_valid`.  When it says True,
  ``SchemaValidator(path).validate(data, ...)`` reports no problem; when it
  says False, or there is no quick validator for the schema (``load`` gives
  None), the caller runs the full validator, which explains what is wrong.
* the format checks fmlint writes itself (``email``, ``duration`` and the
  fallbacks for ``date-time`` and ``uri``), which :mod:`linter.schema`
  registers with jsonschema's format checker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from linter.bundled import SCHEMAS_DIR

__all__ = [
    "COMPILED_KEYWORDS",
    "KNOWN_ASSERTION_KEYWORDS",
    "QUICK_FORMATS",
    "Check",
    "FastCompiler",
    "QuickValidator",
    "RefResolver",
    "UnsupportedSchema",
    "compile_fast_check",
    "iri_as_uri",
    "is_date_time",
    "is_duration",
    "is_email",
    "is_uri",
    "local_schema_file",
    "quick_date",
    "quick_date_time",
    "quick_ipv4",
    "quick_iri",
    "quick_iri_reference",
    "quick_regex",
    "quick_uri",
    "quick_uri_reference",
    "quick_uuid",
    "schema_ids",
    "untyped_string_keys",
]

Check = Callable[[Any], bool]
_FullMatch = Callable[[str], re.Match[str] | None]

_ID_SCAN_MAX_BYTES = 2_000_000  # sibling *.json files larger than this are not schemas we index


# ---------------------------------------------------------------- formats fmlint checks itself


def _fullmatch(source: str) -> _FullMatch:
    """``re.compile(source).fullmatch``, compiled on the first call: compiling
    every pattern here at import would cost ~3 ms, and a run needs few."""
    compiled: _FullMatch | None = None

    def fullmatch(text: str) -> re.Match[str] | None:
        nonlocal compiled
        if compiled is None:
            compiled = re.compile(source).fullmatch
        return compiled(text)

    return fullmatch


_EMAIL_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = _fullmatch(
    rf"(?P<local>{_EMAIL_LOCAL})@(?:(?P<host>(?:{_HOST_LABEL}\.)+"
    r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}))|\[(?P<ip>[^\]]+)\])"
)


def is_email(instance: object) -> bool:
    """An RFC 5321 mailbox in its common form: dot-atom local part, ``@``, a
    domain with a top-level label or a bracketed IP address.  (jsonschema's
    own check is only ``"@" in value``.)"""
    if not isinstance(instance, str):
        return True
    m = _EMAIL_RE(instance)
    if m is None or len(instance) > 254 or len(m["local"]) > 64:
        return False
    if m["ip"] is not None:
        import ipaddress  # only for the rare bracketed address

        address = m["ip"].removeprefix("IPv6:")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return False
    return True


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    # calendar.monthrange would do, but calendar imports datetime and locale (~5 ms)
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month]


_DATE_TIME_RE = _fullmatch(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))"
)


def is_date_time(instance: object) -> bool:
    """RFC 3339 date-time; used only if rfc3339-validator is not installed."""
    if not isinstance(instance, str):
        return True
    m = _DATE_TIME_RE(instance)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(m[i]) for i in range(1, 7))
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    return m[9] is None or (int(m[9]) <= 23 and int(m[10]) <= 59)


_URI_RE = _fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}]*")


def is_uri(instance: object) -> bool:
    """An absolute URI (scheme required); used only if rfc3986-validator is
    not installed."""
    if not isinstance(instance, str):
        return True
    return _URI_RE(instance) is not None and "%" not in re.sub(r"%[0-9A-Fa-f]{2}", "", instance)


_DURATION_TIME = r"T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S)"
_DURATION_RE = _fullmatch(
    rf"P(?:(?:[0-9]+D|[0-9]+M(?:[0-9]+D)?|[0-9]+Y(?:[0-9]+M(?:[0-9]+D)?)?)(?:{_DURATION_TIME})?"
    rf"|{_DURATION_TIME}|[0-9]+W)"
)


def is_duration(instance: object) -> bool:
    """An RFC 3339 (appendix A) duration such as ``P1DT2H`` or ``P3W``, the
    grammar the JSON Schema ``duration`` format names."""
    return not isinstance(instance, str) or _DURATION_RE(instance) is not None


def iri_as_uri(instance: object, check: Callable[[object], bool]) -> bool:
    """An IRI is valid when its URI mapping (RFC 3987 section 3.1: non-ASCII
    characters percent-encoded as UTF-8) is a valid URI."""
    if not isinstance(instance, str):
        return True
    if any(ord(c) < 0x20 or c in ' <>"{}|\\^`' for c in instance):
        return False
    mapped = "".join(
        c if c.isascii() else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        for c in instance
    )
    try:
        return bool(check(mapped))
    except ValueError:
        return False


# ---------------------------------------------------------------- quick format checks
#
# Each returns True only for values that the full checker (linter.schema's
# make_format_checker: rfc3339-validator, rfc3986-validator, jsonschema's own
# checks, or fmlint's fallbacks when those are missing) accepts too: a
# strict subset of the grammar, ASCII only.  False means "not sure"; the full
# validator then decides and explains.  Like every format check, they accept
# values that are not strings (``type`` is a separate keyword).

_QUICK_DATE = _fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# rfc3339-validator's grammar (which has no leap second): hours to 23, offsets to 23:59
_QUICK_DATE_TIME = _fullmatch(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)


def _is_calendar_date(year: str, month: str, day: str) -> bool:
    y, m, d = int(year), int(month), int(day)
    return y > 0 and 1 <= m <= 12 and 1 <= d <= _days_in_month(y, m)  # year 0 is no date


def quick_date(instance: object) -> bool:
    """``YYYY-MM-DD``, a day that exists (jsonschema's ``date``)."""
    if not isinstance(instance, str):
        return True
    m = _QUICK_DATE(instance)
    return m is not None and _is_calendar_date(m[1], m[2], m[3])


def quick_date_time(instance: object) -> bool:
    """An RFC 3339 date-time without leap second (a ``T`` or ``t`` between
    date and time, ``Z``/``z`` or a ``+hh:mm`` offset)."""
    if not isinstance(instance, str):
        return True
    m = _QUICK_DATE_TIME(instance)
    return m is not None and _is_calendar_date(m[1], m[2], m[3])


# RFC 3986 (appendix A) without the rare parts: no userinfo, no IP literal in
# brackets.  "-" comes first in the classes so that the characters added after
# it cannot form a range.
_UNRESERVED_OR_SUB_DELIM = r"\-A-Za-z0-9._~!$&'()*+,;="
_PCT_ENCODED = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED_OR_SUB_DELIM}:@]|{_PCT_ENCODED})"
_QUERY_OR_FRAGMENT = rf"(?:[{_UNRESERVED_OR_SUB_DELIM}:@/?]|{_PCT_ENCODED})*"
_AUTHORITY = rf"//(?:[{_UNRESERVED_OR_SUB_DELIM}]|{_PCT_ENCODED})*(?::[0-9]*)?"
_PATH_ABEMPTY = rf"(?:/{_PCHAR}*)*"
_PATH_ABSOLUTE = rf"/(?:{_PCHAR}+{_PATH_ABEMPTY})?"
_PATH_ROOTLESS = rf"{_PCHAR}+{_PATH_ABEMPTY}"
_PATH_NOSCHEME = rf"(?:[{_UNRESERVED_OR_SUB_DELIM}@]|{_PCT_ENCODED})+{_PATH_ABEMPTY}"
_QUERY_AND_FRAGMENT = rf"(?:\?{_QUERY_OR_FRAGMENT})?(?:#{_QUERY_OR_FRAGMENT})?"
_QUICK_URI = _fullmatch(
    rf"[A-Za-z][A-Za-z0-9+.-]*:(?:{_AUTHORITY}{_PATH_ABEMPTY}|{_PATH_ABSOLUTE}|{_PATH_ROOTLESS}|)"
    + _QUERY_AND_FRAGMENT
)
_QUICK_RELATIVE_REF = _fullmatch(
    rf"(?:{_AUTHORITY}{_PATH_ABEMPTY}|{_PATH_ABSOLUTE}|{_PATH_NOSCHEME}|)" + _QUERY_AND_FRAGMENT
)


def quick_uri(instance: object) -> bool:
    """An absolute URI such as ``https://www.example.com/a-b/?q=1#top``."""
    return not isinstance(instance, str) or _QUICK_URI(instance) is not None


def quick_uri_reference(instance: object) -> bool:
    """A URI or a relative reference such as ``../a.json#/$defs/b``."""
    if not isinstance(instance, str):
        return True
    return _QUICK_URI(instance) is not None or (_QUICK_RELATIVE_REF(instance) is not None)


def quick_iri(instance: object) -> bool:
    """An IRI whose URI mapping passes :func:`quick_uri` (fmlint's ``iri`` check
    is the same mapping before the full URI check)."""
    return iri_as_uri(instance, quick_uri)


def quick_iri_reference(instance: object) -> bool:
    """An IRI reference whose URI mapping passes :func:`quick_uri_reference`."""
    return iri_as_uri(instance, quick_uri_reference)


_QUICK_UUID = _fullmatch(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)


def quick_uuid(instance: object) -> bool:
    """A UUID in its hyphenated form (``uuid.UUID`` accepts more spellings)."""
    return not isinstance(instance, str) or _QUICK_UUID(instance) is not None


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"  # no leading zero
_QUICK_IPV4 = _fullmatch(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


def quick_ipv4(instance: object) -> bool:
    """A dotted-quad IPv4 address (what ``ipaddress.IPv4Address`` accepts)."""
    return not isinstance(instance, str) or _QUICK_IPV4(instance) is not None


def quick_regex(instance: object) -> bool:
    """A pattern Python's ``re`` compiles (jsonschema's ``regex`` check is the same)."""
    if not isinstance(instance, str):
        return True
    try:
        re.compile(instance)
    except (re.error, OverflowError, RecursionError):
        return False
    return True


#: The formats a :class:`QuickValidator` checks.  A schema with any other
#: format gets no quick validator.
QUICK_FORMATS: Mapping[str, Check] = {
    "date": quick_date,
    "date-time": quick_date_time,
    "uri": quick_uri,
    "uri-reference": quick_uri_reference,
    "iri": quick_iri,
    "iri-reference": quick_iri_reference,
    "email": is_email,  # fmlint's own check is the full check
    "idn-email": is_email,  # the full check is only `"@" in value`
    "duration": is_duration,  # fmlint's own check is the full check
    "uuid": quick_uuid,
    "ipv4": quick_ipv4,
    "regex": quick_regex,
}


# ---------------------------------------------------------------- the compiler

#: The assertion and applicator keywords of drafts 2019-09 and 2020-12 (the
#: union of jsonschema's ``VALIDATORS`` for both).  A schema using one that
#: the compiler does not implement gets no fast check.
KNOWN_ASSERTION_KEYWORDS = frozenset(
    {
        "$dynamicRef",
        "$recursiveRef",
        "$ref",
        "additionalItems",
        "additionalProperties",
        "allOf",
        "anyOf",
        "const",
        "contains",
        "dependentRequired",
        "dependentSchemas",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "format",
        "if",
        "items",
        "maxItems",
        "maxLength",
        "maxProperties",
        "maximum",
        "minItems",
        "minLength",
        "minProperties",
        "minimum",
        "multipleOf",
        "not",
        "oneOf",
        "pattern",
        "patternProperties",
        "prefixItems",
        "properties",
        "propertyNames",
        "required",
        "type",
        "unevaluatedItems",
        "unevaluatedProperties",
        "uniqueItems",
    }
)
#: The keywords :class:`FastCompiler` implements.
COMPILED_KEYWORDS = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "const",
        "pattern",
        "format",
        "minLength",
        "maxLength",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "uniqueItems",
        "minItems",
        "maxItems",
    }
)
# jsonschema's type checks for drafts 2019-09 and 2020-12, for the Python
# values a YAML or JSON loader makes (other Number types say "not sure")
_TYPE_CHECKS: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: (
        (isinstance(x, int) and not isinstance(x, bool))
        or (isinstance(x, float) and x.is_integer())
    ),
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "array": lambda x: isinstance(x, list),
    "object": lambda x: isinstance(x, dict),
}


class UnsupportedSchema(Exception):
    """The schema uses something the fast check does not implement."""


class RefResolver(Protocol):
    """How the compiler follows ``$ref``: the resolver of the schema being
    compiled (its base URI, in jsonschema's terms)."""

    def lookup(self, ref: str) -> tuple[Any, RefResolver]:
        """The schema ``ref`` points to and the resolver inside it; raises
        :class:`UnsupportedSchema` if the target is not to be compiled."""
        ...

    def in_subschema(self, schema: Mapping[str, Any]) -> RefResolver:
        """The resolver for ``schema`` (a new one if it has its own ``$id``)."""
        ...


def _never(instance: Any) -> bool:
    return False


def _always(instance: Any) -> bool:
    return True


class FastCompiler:
    """Compile a schema into ``check(instance) -> bool`` that returns True only
    if jsonschema would find no error.  False means "not sure": the caller
    then asks jsonschema.  Only :data:`COMPILED_KEYWORDS` are compiled (those
    of typical front-matter schemas); a schema with any other keyword of
    ``known_keywords`` gets no fast check at all (:class:`UnsupportedSchema`).
    Strings are decided exactly; other values of ``enum``/``const``/
    ``uniqueItems`` say "not sure" rather than reimplement jsonschema's
    equality (``1 == 1.0``, ``True != 1``).

    ``format_check(name)`` gives the check for a format, or None for a format
    that is not supported (then the schema gets no fast check either).
    """

    def __init__(
        self, known_keywords: frozenset[str], format_check: Callable[[str], Check | None]
    ) -> None:
        self.keywords = known_keywords
        self.format_check = format_check
        self.active: set[int] = set()

    def compile(self, schema: Any, resolver: RefResolver) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict) or id(schema) in self.active:
            raise UnsupportedSchema  # not a schema, or recursive
        unsupported = [k for k in schema if k in self.keywords and k not in COMPILED_KEYWORDS]
        if unsupported:
            raise UnsupportedSchema(unsupported)
        resolver = resolver.in_subschema(schema)
        self.active.add(id(schema))
        try:
            checks = [
                self.keyword(key, value, schema, resolver)
                for key, value in schema.items()
                if key in COMPILED_KEYWORDS
            ]
        finally:
            self.active.discard(id(schema))
        return _all_of(tuple(c for c in checks if c is not _always))

    def keyword(self, key: str, value: Any, schema: dict[str, Any], resolver: RefResolver) -> Check:
        if key == "$ref":
            contents, target_resolver = resolver.lookup(value)
            return self.compile(contents, target_resolver)
        if key == "type":
            names = [value] if isinstance(value, str) else list(value)
            tests = tuple(_TYPE_CHECKS[name] for name in names)  # KeyError: unknown type
            if len(tests) == 1:
                return tests[0]
            return lambda x: any(test(x) for test in tests)
        if key == "enum":
            strings = frozenset(v for v in value if type(v) is str)
            return lambda x: type(x) is str and x in strings
        if key == "const":
            if type(value) is str:
                return lambda x: type(x) is str and x == value
            if value is None or isinstance(value, bool):
                return lambda x: x is value
            return _never
        if key == "pattern":
            search = re.compile(value).search
            return lambda x: not isinstance(x, str) or search(x) is not None
        if key == "format":
            check = self.format_check(value)
            if check is None:
                raise UnsupportedSchema(f"format {value!r}")
            return check
        if key == "minLength":
            return lambda x: not isinstance(x, str) or len(x) >= value
        if key == "maxLength":
            return lambda x: not isinstance(x, str) or len(x) <= value
        if key == "minItems":
            return lambda x: not isinstance(x, list) or len(x) >= value
        if key == "maxItems":
            return lambda x: not isinstance(x, list) or len(x) <= value
        if key == "required":
            keys = tuple(value)
            return lambda x: not isinstance(x, dict) or all(k in x for k in keys)
        if key == "properties":
            subs = tuple((name, self.compile(sub, resolver)) for name, sub in value.items())

            def properties(x: Any) -> bool:
                if isinstance(x, dict):
                    for name, check in subs:
                        if name in x and not check(x[name]):
                            return False
                return True

            return properties
        if key == "additionalProperties":
            known = frozenset(schema.get("properties") or ())
            if value is False:
                return lambda x: not isinstance(x, dict) or all(k in known for k in x)
            extra = self.compile(value, resolver)
            return lambda x: (
                not isinstance(x, dict) or all(extra(v) for k, v in x.items() if k not in known)
            )
        if key == "items":
            item = self.compile(value, resolver)  # a list of schemas (2019-09) is unsupported
            return lambda x: not isinstance(x, list) or all(item(i) for i in x)
        if key == "uniqueItems":
            if not value:
                return _always
            return lambda x: (
                not isinstance(x, list)
                or (all(type(i) is str for i in x) and len(set(x)) == len(x))
            )
        raise UnsupportedSchema(key)  # pragma: no cover - every COMPILED_KEYWORDS entry is handled


def _all_of(checks: tuple[Check, ...]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def check(instance: Any) -> bool:
        for each in checks:  # noqa: SIM110 - a loop is cheaper than all() over a generator
            if not each(instance):
                return False
        return True

    return check


def compile_fast_check(
    schema: Any,
    resolver: RefResolver,
    *,
    known_keywords: frozenset[str],
    format_check: Callable[[str], Check | None],
) -> Check | None:
    """A fast "certainly valid" check for ``schema``, or None if it uses
    anything outside the compiled subset (then the full validator does all
    the work).  See :class:`FastCompiler` for the arguments."""
    try:
        return FastCompiler(known_keywords, format_check).compile(schema, resolver)
    except (UnsupportedSchema, KeyError, TypeError, AttributeError, re.error):
        return None


def _wants_string_untyped(sub: Any) -> bool:
    """A property schema that constrains strings but does not say ``type``."""
    if not isinstance(sub, dict) or "type" in sub or "enum" in sub or "const" in sub:
        return False
    if "$ref" in sub or any(k in sub for k in ("anyOf", "oneOf", "allOf", "not", "if")):
        return False
    return any(k in sub for k in ("pattern", "format", "minLength", "maxLength"))


def untyped_string_keys(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The top-level properties that want a string without saying ``type``.
    jsonschema accepts a YAML-coerced number or boolean there (``pattern``
    and ``format`` skip non-strings), so fmlint looks at them itself."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return ()
    return tuple(key for key, sub in properties.items() if _wants_string_untyped(sub))


# ---------------------------------------------------------------- local schema files


def schema_ids(folders: Iterable[Path]) -> dict[str, Path]:
    """``$id`` (absolute, without fragment) → file, for the ``*.json`` files
    in ``folders``; a later folder wins.  Files that are not JSON objects, or
    larger than a schema would be, are skipped."""
    ids: dict[str, Path] = {}
    for folder in dict.fromkeys(folders):
        for file in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            try:
                if file.stat().st_size > _ID_SCAN_MAX_BYTES:
                    continue
                contents = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(contents, dict):
                doc_id = contents.get("$id", contents.get("id"))
                if isinstance(doc_id, str):
                    ids[urldefrag(urljoin(file.resolve().as_uri(), doc_id))[0]] = file
    return ids


def local_schema_file(uri: str, folder: Path, ids: Mapping[str, Path]) -> Path | None:
    """The local file a schema URI (without fragment) names: the file whose
    ``$id`` it is (``ids``, see :func:`schema_ids`), a ``file:`` URI, or a
    path relative to ``folder`` (a URI without scheme).  None for any other
    URI (``http(s)``, ``urn``...)."""
    local = ids.get(uri)
    if local is not None:
        return local
    scheme = urlsplit(uri).scheme.lower()
    if scheme not in ("file", ""):
        return None
    from urllib.request import url2pathname  # here: urllib.request takes ~30 ms to import

    if scheme == "file":
        return Path(url2pathname(urlsplit(uri).path))
    return folder / url2pathname(uri)


# ---------------------------------------------------------------- the quick validator

_QUICK_DEFAULT_DIALECT = "https://json-schema.org/draft/2020-12/schema"  # as in linter.schema
_QUICK_DIALECTS = frozenset(
    {_QUICK_DEFAULT_DIALECT, "https://json-schema.org/draft/2019-09/schema"}
)
# Every keyword the 2019-09 and 2020-12 meta-schemas constrain.  A keyword
# among these that the quick validator does not understand makes it give up:
# the full validator might reject the schema itself.  Other keywords are
# free-form (x-..., markdownDescription) and ignored by every validator.
_METASCHEMA_KEYWORDS = KNOWN_ASSERTION_KEYWORDS | {
    "$anchor",
    "$comment",
    "$defs",
    "$dynamicAnchor",
    "$id",
    "$recursiveAnchor",
    "$schema",
    "$vocabulary",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "default",
    "definitions",
    "dependencies",
    "deprecated",
    "description",
    "else",
    "examples",
    "maxContains",
    "minContains",
    "readOnly",
    "then",
    "title",
    "writeOnly",
}
_MAX_DEPTH = 32  # schema nesting; front-matter schemas need a handful
_SIMPLE_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _is_type_value(value: Any) -> bool:
    if isinstance(value, str):
        return value in _SIMPLE_TYPES
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(t, str) and t in _SIMPLE_TYPES for t in value)
        and len(set(value)) == len(value)
    )


def _is_string_set(value: Any) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(k, str) for k in value)
        and len(set(value)) == len(value)
    )


# What the meta-schemas allow as the value of the keywords that need no
# schema walk (stricter is fine: a schema it rejects only gets no quick check).
_VALUE_RULES: dict[str, Check] = {
    "type": _is_type_value,
    "enum": lambda v: isinstance(v, list),
    "const": _always,
    "pattern": lambda v: isinstance(v, str) and quick_regex(v),
    "format": lambda v: isinstance(v, str),
    "minLength": _is_count,
    "maxLength": _is_count,
    "minItems": _is_count,
    "maxItems": _is_count,
    "required": _is_string_set,
    "uniqueItems": lambda v: isinstance(v, bool),
    "title": lambda v: isinstance(v, str),
    "description": lambda v: isinstance(v, str),
    "$comment": lambda v: isinstance(v, str),
    "default": _always,
    "examples": lambda v: isinstance(v, list),
    "deprecated": lambda v: isinstance(v, bool),
    "readOnly": lambda v: isinstance(v, bool),
    "writeOnly": lambda v: isinstance(v, bool),
}
_SCHEMA_VALUED = frozenset({"additionalProperties", "items"})
_SCHEMA_MAP_VALUED = frozenset({"properties", "$defs", "definitions"})


class _Document:
    """One schema file: its contents, the base URI its references resolve
    against, and the nodes checked as schemas (the only valid ``$ref`` targets)."""

    __slots__ = ("base", "contents", "path", "schema_nodes")

    def __init__(self, path: Path, contents: dict[str, Any], base: str) -> None:
        self.path = path
        self.contents = contents
        self.base = base
        self.schema_nodes: set[int] = set()


class _LocalSchemas:
    """The schema files a quick validator needs: the root and the files its
    ``$ref`` values name, found as :class:`~linter.schema.SchemaValidator`
    finds them (by ``$id`` among the local schemas, or by path).  Each is
    checked as the meta-schema would check it, for the keywords the quick
    validator understands; anything else raises :class:`UnsupportedSchema`.
    """

    def __init__(self, path: Path) -> None:
        self.folder = path.resolve().parent
        self._ids: dict[str, Path] | None = None
        self._by_uri: dict[str, _Document] = {}
        self._by_path: dict[Path, _Document] = {}
        self._refs: list[tuple[str, _Document]] = []
        contents = _read_schema(path)
        root_id = _checked_id(contents)
        file_uri = path.resolve().as_uri()
        # as SchemaValidator does: the root's $id is read against the file's URI
        base = urldefrag(urljoin(file_uri, root_id))[0] if root_id else file_uri
        self.root = _Document(path.resolve(), contents, base)
        self._by_path[self.root.path] = self.root
        self._claim(base, self.root)
        self._claim(file_uri, self.root)
        self._check_schema(contents, self.root)
        at = 0
        while at < len(self._refs):  # resolving may load files with more references
            ref, doc = self._refs[at]
            at += 1
            self.lookup(ref, doc)

    def lookup(self, ref: str, doc: _Document) -> tuple[dict[str, Any], _Document]:
        """The subschema ``ref`` (in ``doc``) points to, and its document:
        a JSON pointer into a local file, resolved as ``referencing`` does."""
        if ref.startswith("#"):
            target, fragment = doc, ref[1:]
        elif doc is not self.root:
            # inside a referenced file, jsonschema resolves against the URI the
            # file was reached by, not its own $id: keep to pointers there
            raise UnsupportedSchema(f"{ref}: a reference from a referenced file")
        else:
            uri, fragment = urldefrag(urljoin(doc.base, ref))
            if urlsplit(doc.base).scheme in ("http", "https") and urlsplit(uri).scheme in (
                "file",
                "",
            ):
                raise UnsupportedSchema(
                    f"{ref}: linter.schema refuses local files from remote ones"
                )
            target = self._document(uri)
        node: Any = target.contents
        if fragment and not fragment.startswith("/"):
            raise UnsupportedSchema(f"{ref}: an anchor")
        for segment in unquote(fragment[1:]).split("/") if fragment else ():
            if not isinstance(node, dict):
                raise UnsupportedSchema(f"{ref}: a pointer into an array")
            node = node.get(segment.replace("~1", "/").replace("~0", "~"), _MISSING)
        if not isinstance(node, dict) or id(node) not in target.schema_nodes:
            raise UnsupportedSchema(f"{ref}: not a checked subschema")
        return node, target

    def _document(self, uri: str) -> _Document:
        doc = self._by_uri.get(uri)
        if doc is not None:
            return doc
        if urlsplit(uri).netloc.lower() == "json-schema.org":
            raise UnsupportedSchema(f"{uri}: jsonschema resolves meta-schemas itself")
        if self._ids is None:
            self._ids = schema_ids((SCHEMAS_DIR, self.folder))
        local = local_schema_file(uri, self.folder, self._ids)
        if local is None:
            raise UnsupportedSchema(f"{uri}: not a local schema file")
        path = local.resolve()
        doc = self._by_path.get(path)
        if doc is self.root:
            raise UnsupportedSchema(f"{uri}: the root schema under another name")
        if doc is None:
            contents = _read_schema(path)
            file_uri = path.as_uri()
            doc_id = _checked_id(contents)
            if doc_id is not None and urldefrag(urljoin(file_uri, doc_id))[0] != doc_id:
                # referencing files it under its $id as written
                raise UnsupportedSchema(f"{uri}: $id {doc_id!r} is not an absolute URI")
            doc = _Document(path, contents, doc_id or file_uri)
            self._by_path[path] = doc
            self._claim(doc.base, doc)
            self._check_schema(contents, doc)
        self._claim(uri, doc)
        return doc

    def _claim(self, uri: str, doc: _Document) -> None:
        if self._by_uri.setdefault(uri, doc) is not doc:
            raise UnsupportedSchema(f"{uri}: two schema files claim it")

    def _check_schema(self, node: Any, doc: _Document, *, depth: int = 0) -> None:
        if isinstance(node, bool):
            return
        if not isinstance(node, dict):
            raise UnsupportedSchema("a schema must be an object or a boolean")
        if depth > _MAX_DEPTH:  # jsonschema's meta-schema check would overflow the stack first
            raise UnsupportedSchema("nested too deep")
        doc.schema_nodes.add(id(node))
        for key, value in node.items():
            rule = _VALUE_RULES.get(key)
            if rule is not None:
                if not rule(value):
                    raise UnsupportedSchema(f"{key}: {value!r}")
            elif key in _SCHEMA_VALUED:
                self._check_schema(value, doc, depth=depth + 1)  # items as a list is not a schema
            elif key in _SCHEMA_MAP_VALUED:
                if not isinstance(value, dict):
                    raise UnsupportedSchema(f"{key}: {value!r}")
                for sub in value.values():
                    self._check_schema(sub, doc, depth=depth + 1)
            elif key == "$ref":
                if not (isinstance(value, str) and quick_uri_reference(value)):
                    raise UnsupportedSchema(f"$ref {value!r}")
                self._refs.append((value, doc))
            elif key in ("$schema", "$id"):
                if depth:  # an embedded resource
                    raise UnsupportedSchema(f"{key} in a subschema")
            elif key in _METASCHEMA_KEYWORDS:
                raise UnsupportedSchema(key)


_MISSING = object()


def _read_schema(path: Path) -> dict[str, Any]:
    """A schema file's object, in a dialect the quick validator knows."""
    try:
        contents = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise UnsupportedSchema(f"{path}: {exc}") from None
    if not isinstance(contents, dict):
        raise UnsupportedSchema(f"{path}: not a JSON object")
    dialect = contents.get("$schema", _QUICK_DEFAULT_DIALECT)
    if not (isinstance(dialect, str) and dialect in _QUICK_DIALECTS):
        raise UnsupportedSchema(f"{path}: dialect {dialect!r}")
    return contents


def _checked_id(contents: dict[str, Any]) -> str | None:
    """A document's ``$id``: a URI reference without fragment, or None if it has none."""
    if "$id" not in contents:
        return None
    doc_id = contents["$id"]
    if not (isinstance(doc_id, str) and "#" not in doc_id and quick_uri_reference(doc_id)):
        raise UnsupportedSchema(f"$id {doc_id!r}")
    return doc_id


class _DocumentResolver:
    """:class:`RefResolver` over :class:`_LocalSchemas`: no subschema has an
    ``$id`` of its own, so the document alone is the resolution scope."""

    __slots__ = ("doc", "schemas")

    def __init__(self, schemas: _LocalSchemas, doc: _Document) -> None:
        self.schemas = schemas
        self.doc = doc

    def lookup(self, ref: str) -> tuple[Any, _DocumentResolver]:
        node, doc = self.schemas.lookup(ref, self.doc)
        return node, _DocumentResolver(self.schemas, doc)

    def in_subschema(self, schema: Mapping[str, Any]) -> _DocumentResolver:
        return self


class QuickValidator:
    """A "certainly valid" check built from a schema file alone, without
    jsonschema (see the module docstring).  Build it with :meth:`load`."""

    __slots__ = ("_check", "_untyped_string_keys")

    def __init__(self, check: Check, untyped_keys: tuple[str, ...]) -> None:
        self._check = check
        self._untyped_string_keys = untyped_keys

    @classmethod
    def load(cls, path: Path) -> QuickValidator | None:
        """The quick validator for the schema at ``path``, or None if the
        schema uses anything it does not implement (then only the full
        validator can decide): a dialect other than 2019-09 or 2020-12 (no
        ``$schema`` means 2020-12), a keyword or format outside the compiled
        subset, a ``$ref`` that is not a JSON pointer into this file or into
        a local schema file it names, an ``$id`` in a subschema, anchors,
        dynamic or recursive references, a recursive ``$ref``, or a file that
        cannot be read or does not hold a JSON object."""
        try:
            schemas = _LocalSchemas(path)
        except (UnsupportedSchema, RecursionError):
            return None
        root = schemas.root
        check = compile_fast_check(
            root.contents,
            _DocumentResolver(schemas, root),
            known_keywords=KNOWN_ASSERTION_KEYWORDS,
            format_check=QUICK_FORMATS.get,
        )
        if check is None:
            return None
        return cls(check, untyped_string_keys(root.contents))

    def certainly_valid(self, data: Any) -> bool:
        """True only if the full validator reports no problem for ``data``;
        False means "not sure"."""
        if self._untyped_string_keys and isinstance(data, dict):
            # a YAML-coerced scalar there passes jsonschema but is reported (FM204)
            for key in self._untyped_string_keys:
                if key in data and type(data[key]) is not str:
                    return False
        return self._check(data)
