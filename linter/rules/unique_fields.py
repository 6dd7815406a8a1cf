"""FM501: values that must be unique across the whole collection (``code``).

A collection rule: ``collect`` keeps, per configured field, the value and
where it is written; ``finish`` groups the values of every document of the
collection and reports each *checked* file that shares one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from linter.findings import Problem
from linter.rules.base import CollectionRule, Option

if TYPE_CHECKING:
    from linter.document import Document

#: at most this many other files are named in one message
MAX_NAMED = 5


def _scalar_text(value: Any) -> str | None:
    """The text of a string or number value, trimmed; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    return text or None


def _read_fact(fact: Any) -> dict[str, tuple[str, int, int, int, int]]:
    """The fact ``collect`` wrote, validated (a cache is never trusted): field
    -> (value, line, column, end_line, end_column); malformed parts are dropped."""
    entries: dict[str, tuple[str, int, int, int, int]] = {}
    if not isinstance(fact, dict):
        return entries
    for field, entry in fact.items():
        if (
            isinstance(field, str)
            and isinstance(entry, list)
            and len(entry) == 5
            and isinstance(entry[0], str)
            and entry[0]
            and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in entry[1:])
        ):
            entries[field] = (entry[0], entry[1], entry[2], entry[3], entry[4])
    return entries


class DuplicateFieldValue(CollectionRule):
    """A field that must be unique (`code`) has the same value in another file.

    ## What it does
    Compares the values of the fields named by the option `fields` (default
    `["code"]`; add `"origin_url"` to catch an article imported twice) across
    the whole collection, and reports every checked file whose value is also
    used by another file, naming the other files (`path:line`).  Values are
    compared after trimming surrounding whitespace, and case-sensitively unless
    `case-sensitive = false`.  Only string and number values take part; a
    missing or empty field is left to the schema rules.

    The collection is every Markdown file in git's index (tracked or staged),
    so checking only the files of a commit still compares them with every
    other article; outside git it is the files being checked, and
    `collection-roots` in the config sets it explicitly.  When many files share
    one value, the first five others are named and the rest counted.

    ## Why is this bad?
    The code identifies the article in the downstream database and in URLs:
    two articles with one code overwrite each other, and one of them silently
    disappears from the site.

    ## Example
    ```yaml
    # _posts/2024/2024-10-25-asean.md
    code: "ART2410171545HNYP99"
    # _posts/2024/2024-10-26-korea.md
    code: "ART2410171545HNYP99"
    ```

    ## Use instead
    ```yaml
    # _posts/2024/2024-10-26-korea.md
    code: "ART2410260910KQZT42"
    ```
    """

    code = "FM501"
    name = "duplicate-field-value"
    options: ClassVar[Mapping[str, Option]] = {
        "fields": Option("list[str]", ("code",), "top-level fields whose values must be unique"),
        "case-sensitive": Option(
            "bool", True, "compare values case-sensitively (false: `ART1` equals `art1`)"
        ),
    }

    def collect(self, doc: Document) -> Any:
        fm = doc.front_matter
        if fm is None or fm.data is None:
            return None
        fact: dict[str, list[Any]] = {}
        for field in self.config["fields"]:
            text = _scalar_text(fm.data.get(field))
            position = fm.positions.get((field,))
            if text is None or position is None:
                continue
            span = position.value
            fact[field] = [text, span.line, span.column, span.end_line, span.end_column]
        return fact or None

    def index_keys(self, fact: Any) -> Iterable[str]:
        # the (field, compared value) pairs `finish` groups by, as strings
        if type(fact) is not dict:
            return []
        case_sensitive: bool = self.config["case-sensitive"]
        keys = []
        for field in self.config["fields"]:
            entry = fact.get(field)
            if type(entry) is list and entry and type(entry[0]) is str:
                # "=" may be in a field's name too: two pairs sharing a key only
                # cost a needless fact in `finish`, never a missed one
                keys.append(f"{field}={entry[0] if case_sensitive else entry[0].casefold()}")
        return keys

    def finish(self, facts: Mapping[str, Any], checked: frozenset[str]) -> Iterable[Problem]:
        case_sensitive: bool = self.config["case-sensitive"]
        # (field, compared value) -> [(path, value as written, span)]
        # grouped on the values alone first: this runs over every fact of the collection
        # (50,000 in a pre-commit run), and only the few shared values need validating
        fields = self.config["fields"]
        shared: dict[tuple[str, str], list[str]] = {}  # only values seen more than once
        for field in fields:
            first: dict[str, str] = {}  # value -> the first path holding it
            for path, fact in facts.items():
                entry = fact.get(field) if type(fact) is dict else None
                if type(entry) is list and entry and type(entry[0]) is str:
                    key = entry[0] if case_sensitive else entry[0].casefold()
                    holder = first.setdefault(key, path)
                    if holder is not path:
                        shared.setdefault((field, key), [holder]).append(path)
        groups: dict[tuple[str, str], list[tuple[str, str, tuple[int, int, int, int]]]] = {}
        for (field, key), paths in shared.items():
            if not any(path in checked for path in paths):
                continue
            for path in paths:
                valid = _read_fact({field: facts[path][field]}).get(field)
                if valid is not None:
                    value, *span = valid
                    groups.setdefault((field, key), []).append(
                        (path, value, (span[0], span[1], span[2], span[3]))
                    )
        problems: list[Problem] = []
        for (field, _), members in groups.items():
            if len(members) < 2 or not any(path in checked for path, _, _ in members):
                continue
            members.sort()
            for path, value, (line, column, end_line, end_column) in members:
                if path not in checked:
                    continue
                others = [f"{p}:{ln}" for p, _, (ln, _c, _el, _ec) in members if p != path]
                named = ", ".join(others[:MAX_NAMED])
                if len(others) > MAX_NAMED:
                    named += f" and {len(others) - MAX_NAMED} more files"
                plural = "codes" if field == "code" else f"`{field}` values"
                problems.append(
                    Problem(
                        line,
                        column,
                        f"{field} {_quote(value)} is also used by {named}; {plural} must be unique",
                        end_line,
                        end_column,
                        subject=f"{field}={value}",
                        path=path,
                    )
                )
        return problems


def _quote(value: str, limit: int = 120) -> str:
    shown = value if len(value) <= limit else value[: limit - 3] + "..."
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'
