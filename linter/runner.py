"""Files to findings: load each document once, run the enabled rules, then
the collection rules over every document, then suppressions and per-file
ignores, and stamp each problem with its rule's code, name and severity.

Per-file work is cached (:mod:`linter.cache`) and spread over a process pool
for large inputs; the output does not depend on either.
"""

from __future__ import annotations

import contextlib
import gc
import json
import json.scanner
import os
import re
import stat as stat_module
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linter import __version__
from linter.bundled import bundled_schema_path
from linter.config import Config, RuleSettings, resolve_rule_settings
from linter.discovery import (
    SKIPPED_DIRS,
    GitIndex,
    GlobSet,
    SourceFile,
    display_path,
    expand_paths,
    git_toplevel,
    walk_markdown,
    work_trees,
)
from linter.document import Document, parse_document, path_kind, read_document
from linter.findings import Finding, Problem, RunResult, Severity, new_finding
from linter.registry import Registry, load_registry
from linter.rules.base import CollectionRule, CoreRule, Rule, RunContext
from linter.suppressions import Suppression, find_suppressions

if TYPE_CHECKING:
    from linter.cache import ResultCache
    from linter.collection_index import CollectionIndex
    from linter.schema import SchemaValidator
    from linter.schema_fast import QuickValidator

PARALLEL_THRESHOLD = 400  # below this, starting workers costs more than it saves
SMALL_RUN = 8  # checked files up to which re-linting beats loading the stored results
CHUNK_SIZE = 250


Row = tuple[str, int, int, int | None, int | None, str, str, str | None]
"""One problem as it travels and is cached: (code, line, column, end_line,
end_column, message, subject, severity or None for the rule's own)."""

_SEVERITIES = {s.value: s for s in Severity}
_SORT_KEY = attrgetter("path", "line", "column", "rule", "message")  # Finding.sort_key, in C


def problem_row(code: str, problem: Problem) -> Row:
    severity = problem.severity
    return (
        code,
        problem.line,
        problem.column,
        problem.end_line,
        problem.end_column,
        problem.message,
        problem.subject,
        None if severity is None else severity.value,
    )


@dataclass
class FileResult:
    """What one file contributed: its unsuppressed problems, its facts for
    collection rules (by rule code) and its suppression comments (only facts
    for a file in the collection but not checked)."""

    path: str
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    suppressions: list[Suppression] = field(default_factory=list)
    watched: dict[str, str] = field(default_factory=dict)  # path -> path_kind when linted

    def cached(self) -> list[Any]:
        """What the results cache keeps (the facts also go to the facts cache,
        for runs that only compare a file)."""
        return [
            [_compact_row(row) for row in self.rows],
            [s.to_json() for s in self.suppressions],
            self.watched,
            self.facts,
        ]

    def packed(self) -> str | list[Any]:
        """:meth:`cached` as JSON text, as the results cache stores it: a warm
        run then decodes the cache file into one string per file, and each
        file's result only when its turn comes, so the decoded results of
        100,000 files are never all in memory at once.  (A plugin's fact that
        is not JSON leaves the result as it is: the cache drops it.)"""
        value = self.cached()
        try:
            return _pack(value)
        except (TypeError, ValueError, RecursionError):
            return value


_pack = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _json_scanner() -> Callable[[str, int], tuple[Any, int]]:
    """(value, end) of the JSON at an index: json's C scanner itself, without
    json.loads' wrappers (a third of the time for a warm run's 50,000 small
    texts)."""
    decoder = json.JSONDecoder()
    make = getattr(json.scanner, "c_make_scanner", None)
    return make(decoder) if make is not None else decoder.raw_decode  # type: ignore[no-any-return]


_scan_json = _json_scanner()


def _compact_row(row: Row) -> list[Any]:
    """A row as the results cache keeps it: a subject quoted in the message
    (an image URL, a heading's text) is stored as its offset there, which
    makes the cache a sixth smaller and a warm run faster to read it."""
    code, line, column, end_line, end_column, message, subject, severity = row
    at = message.find(subject) if subject else -1
    stored: str | list[int] = [at, at + len(subject)] if at >= 0 else subject
    return [code, line, column, end_line, end_column, message, stored, severity]


def still_valid(watched: dict[str, str]) -> bool:
    """Whether the other paths a result depended on are unchanged."""
    return not watched or all(path_kind(path) == kind for path, kind in watched.items())


def parse_cached(
    raw: Any,
) -> tuple[list[Row], list[Suppression], dict[str, str], dict[str, Any]]:
    """The inverse of :meth:`FileResult.cached` (or of :meth:`FileResult.packed`,
    its JSON text); strict, since the JSON comes from a cache file that is
    never trusted: any other shape is a ValueError."""
    stored_rows, suppressions, watched, facts = decode_cached(raw)
    return [stored_row(item) for item in stored_rows], suppressions, watched, facts


def decode_cached(
    raw: Any,
) -> tuple[list[Any], list[Suppression], dict[str, str], dict[str, Any]]:
    """:func:`parse_cached` but for the rows, left as stored: each is checked
    by :func:`stored_row` when it is used (a warm run stamps them straight
    into findings, :meth:`Linter.stamp_stored`)."""
    if type(raw) is str:
        text = raw
        try:
            raw, end = _scan_json(text, 0)
        except (StopIteration, ValueError, RecursionError):
            raise ValueError("not a file result") from None
        if end != len(text):
            raise ValueError("not a file result")
    if type(raw) is not list or len(raw) != 4:
        raise ValueError("not a file result")
    stored_rows, suppressions_raw, watched, facts = raw
    if (
        type(stored_rows) is not list
        or type(suppressions_raw) is not list
        or type(facts) is not dict
        or type(watched) is not dict
    ):
        raise ValueError("not a file result")
    suppressions = []
    for item in suppressions_raw:
        kind, codes, first, last, line, column = _list(item, 6)
        if kind not in ("file", "range", "next-line"):
            raise ValueError(f"unknown suppression kind {kind!r}")
        suppressions.append(
            Suppression(
                kind,
                tuple(_str(c) for c in _list(codes)),
                *(_position(n) for n in (first, last, line, column)),
            )
        )
    if watched:
        watched = {_str(k): _str(v) for k, v in watched.items()}
    return stored_rows, suppressions, watched, facts


def stored_row(item: Any) -> Row:
    """A row as the results cache keeps it (:func:`_compact_row`), checked
    (ValueError) and made whole again.  (Inline checks: a warm run reads
    70,000 of these.)"""
    if type(item) is not list or len(item) != 8:
        raise ValueError(f"not a problem: {item!r:.40}")
    code, line, column, end_line, end_column, message, subject, severity = item
    if not (
        type(code) is str
        and type(line) is int
        and type(column) is int
        and line >= 0
        and column >= 0
        and (end_line is None or (type(end_line) is int and end_line >= 0))
        and (end_column is None or (type(end_column) is int and end_column >= 0))
        and type(message) is str
        and (severity is None or severity in _SEVERITIES)
    ):
        raise ValueError(f"not a problem: {item!r:.40}")
    if type(subject) is list:  # [start, end] of the subject in the message
        if not (
            len(subject) == 2
            and type(subject[0]) is int
            and type(subject[1]) is int
            and 0 <= subject[0] < subject[1] <= len(message)
        ):
            raise ValueError(f"not a problem: {item!r:.40}")
        subject = message[subject[0] : subject[1]]
    elif type(subject) is not str:
        raise ValueError(f"not a problem: {item!r:.40}")
    return code, line, column, end_line, end_column, message, subject, severity


def _cache_put(
    cache: ResultCache,
    name: str,
    blob: str | None,
    stat: tuple[int, int] | None,
    value: Any,
) -> None:
    """By git's blob id when git knows the content, else by size and mtime."""
    if blob is not None:
        cache.put_blob(name, blob, value)
    elif stat is not None:
        cache.put(name, *stat, value)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for loops that make hundreds of
    thousands of objects that all live on and form no cycle, which the
    collector would otherwise walk again and again as they pile up."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # and not afterwards either: they are all alive
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _spooling(caches: Sequence[tuple[ResultCache | None, int]]) -> Iterator[None]:
    """Each cache that is to be rewritten whole (``stores`` new entries, more
    than a delta file takes, or no file to put a delta over) writes its
    entries as they come (:meth:`ResultCache.spool`): a first run over
    100,000 files holds neither their results nor their facts until it saves.
    A loop that fails gives the new files up."""
    from linter.cache import DELTA_LIMIT

    spooled = [
        cache
        for cache, stores in caches
        if cache is not None
        and stores
        and (stores > DELTA_LIMIT or not cache.loaded)
        and cache.spool()
    ]
    try:
        yield
    except BaseException:
        for cache in spooled:
            cache.discard()
        raise


def _size_and_mtime(file: str) -> tuple[int, int]:
    info = os.stat(file)
    return info.st_size, info.st_mtime_ns


def _list(value: Any, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise ValueError(f"expected a list of {length or 'any'} items, got {value!r:.40}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r:.40}")
    return value


def _position(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a line or column, got {value!r:.40}")
    return value


def is_selected(code: str, name: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Longest matching selector wins; on a tie, ignore wins."""

    def best(selectors: Sequence[str]) -> int:
        score = -1
        for selector in selectors:
            if selector == "ALL":
                score = max(score, 0)
            elif selector == name:
                score = max(score, len(code) + 1)
            elif code.startswith(selector):
                score = max(score, len(selector))
        return score

    chosen, dropped = best(select), best(ignore)
    return chosen >= 0 and chosen > dropped


class UsageError(Exception):
    """Bad paths, config or schema: exit status 2."""


class Linter:
    """The rules of one run, configured; built once per process."""

    def __init__(
        self, config: Config, registry: Registry | None = None, cwd: Path | None = None
    ) -> None:
        from linter.config import ConfigError

        self.config = config
        self.cwd = (cwd or Path.cwd()).resolve()
        self.registry = registry if registry is not None else load_registry()
        try:
            self.settings: dict[str, RuleSettings] = resolve_rule_settings(
                config, self.registry.rules, self.registry.names
            )
        except ConfigError as error:
            raise UsageError(str(error)) from None
        self.context = RunContext(site_root=self._site_root(), config_root=config.root)
        self.enabled: dict[str, type[Rule]] = {}
        for code, rule in self.registry.rules.items():
            settings = self.settings.get(code)
            if (settings is None or settings.enabled) and is_selected(
                code, rule.name, config.select, config.ignore
            ):
                self.enabled[code] = rule
        self.rules: list[Rule] = []
        self.collection_rules: list[CollectionRule] = []
        self.load_errors: list[str] = []  # plugin rules that could not be set up
        for code, rule_class in list(self.enabled.items()):
            options = self.settings[code].options if code in self.settings else {}
            try:
                instance = rule_class(options, self.context)
            except UsageError:
                raise  # a built-in rule refusing its options (an unknown time zone, say)
            except Exception as error:
                if rule_class.origin == "fmlint":
                    raise
                self.load_errors.append(
                    f"plugin rule {code} ({rule_class.name}, from {rule_class.origin}) could "
                    f"not be set up: {type(error).__name__}: {error}"
                )
                del self.enabled[code]
                continue
            if isinstance(instance, CollectionRule):
                self.collection_rules.append(instance)
            elif not isinstance(instance, CoreRule) and type(instance).check is not Rule.check:
                self.rules.append(instance)
        self.core_codes = {c for c, r in self.enabled.items() if issubclass(r, CoreRule)}
        # looked up once per finding
        self._names = {code: self._name(code) for code in self.enabled}
        self._severities = {code: self.severity(code) for code in self.enabled}
        self.validate_schema = any(code.startswith("FM2") for code in self.core_codes)
        self.collection_globs = [
            (GlobSet(config.root, c.include), GlobSet(config.root, c.exclude), c.schema)
            for c in config.collections
        ]
        # names become codes here, so matching below is by code prefix only
        self.per_file_ignores = [
            (
                GlobSet(config.root, [glob]),
                tuple(self.registry.names.get(code, code) for code in codes),
            )
            for glob, codes in config.per_file_ignores
        ]
        # built on first use (a warm run that finds every result cached never imports
        # jsonschema); `prepare` builds them all up front so a bad schema is a usage error
        self.validators: dict[Path, SchemaValidator] = {}
        # jsonschema-free checks that vouch for valid documents (see linter.schema_fast)
        self.quick: dict[Path, QuickValidator] = {}

    def prepare(self, quick: bool = False) -> None:
        """Build every schema validator the config names; raise UsageError
        for a schema that cannot be used.  With ``quick`` (a run of a few
        files), a schema the quick validator can take is only checked by it:
        jsonschema, a tenth of a second to import, is then imported only for
        a document it cannot vouch for."""
        if self.validate_schema:
            for schema in self.schema_paths():
                if quick and schema not in self.validators:
                    from linter.schema_fast import QuickValidator

                    checker = QuickValidator.load(schema)
                    if checker is not None:
                        self.quick[schema] = checker
                        continue
                self._validator(schema)

    # -- configuration helpers

    def _site_root(self) -> Path:
        if self.config.site_root is not None:
            return self.config.site_root
        if self.config.source is not None:
            return self.config.source.parent
        return git_toplevel(self.cwd) or self.cwd

    def _default_schema(self) -> Path:
        return self.config.schema or bundled_schema_path()

    def schema_paths(self) -> list[Path]:
        found = {self._default_schema(), *(c.schema for c in self.config.collections)}
        return sorted(path for path in found if path is not None)

    def _validator(self, schema: Path) -> SchemaValidator:
        validator = self.validators.get(schema)
        if validator is None:
            from linter.schema import SchemaError, SchemaValidator

            try:
                validator = SchemaValidator(schema, allow_remote_refs=self.config.allow_remote_refs)
            except SchemaError as error:
                raise UsageError(str(error)) from None
            self.validators[schema] = validator
        return validator

    def schema_for(self, file: Path | None) -> Path:
        if file is not None:
            for include, exclude, schema in self.collection_globs:
                if include.matches(file) and not exclude.matches(file):
                    return schema or self._default_schema()
        return self._default_schema()

    def severity(self, code: str) -> Severity:
        settings = self.settings.get(code)
        if settings is not None and settings.severity is not None:
            return settings.severity
        rule = self.registry.rules.get(code)
        return rule.severity if rule is not None else Severity.ERROR

    def cache_key(self) -> str:
        from linter.cache import ResultCache

        # a schema may $ref its neighbours: every JSON file in the schemas' folders counts
        schemas = []
        for folder in sorted({path.parent for path in self.schema_paths()}):
            try:
                names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
            except OSError:
                names = []
            for name in names:
                try:
                    info = os.stat(folder / name)
                    schemas.append((str(folder / name), info.st_size, info.st_mtime_ns))
                except OSError:
                    schemas.append((str(folder / name), 0, 0))
        return ResultCache.make_key(
            __version__,
            self.config,
            sorted(self.enabled),
            sorted((c, r.origin) for c, r in self.enabled.items()),
            sorted((c, repr(s)) for c, s in self.settings.items()),
            schemas,
            str(self.context.site_root),
        )

    # -- per file

    def lint_source(self, source: SourceFile, full: bool = True) -> FileResult:
        doc = read_document(source.file, source.display, self.config.limits)
        return self.lint_document(doc, full)

    def lint_document(
        self, doc: Document, full: bool = True, location: Path | None = None
    ) -> FileResult:
        """``location`` stands for ``doc.file`` when choosing the schema (for
        texts that are not files yet)."""
        result = FileResult(doc.path)
        rows = result.rows
        for rule in self.collection_rules:
            try:
                fact = rule.collect(doc)
            except Exception as error:  # noqa: BLE001 - a rule crash is a finding, never a traceback
                rows.append(problem_row("FM001", _crash(rule, error)))
                continue
            if fact is not None:
                result.facts[rule.code] = fact
        if not full:
            return result
        fm = doc.front_matter
        if self.validate_schema and fm is not None and fm.data is not None:
            schema = self.schema_for(location or doc.file)
            quick = self.quick.get(schema)
            if quick is None or not quick.certainly_valid(fm.data):
                validator = self._validator(schema)
                # a value the loader already reported (an unsafe tag, say) is not reported twice
                reported = {(p.line, p.column) for p in doc.core_problems}
                doc.core_problems.extend(
                    p
                    for p in validator.validate(fm.data, fm.positions, fm.start_line)
                    if (p.line, p.column) not in reported
                )
        for problem in doc.core_problems:
            if problem.code in self.core_codes:
                rows.append(problem_row(problem.code, problem))
        for checker in self.rules:
            try:
                for problem in checker.check(doc):
                    rows.append(problem_row(problem.code or checker.code, problem))
            except Exception as error:  # noqa: BLE001 - a rule crash is a finding, never a traceback
                rows.append(problem_row("FM001", _crash(checker, error)))
        if doc.text is not None:
            result.suppressions = find_suppressions(doc)
        result.watched = {path: path_kind(path) for path in sorted(doc.watched)}
        return result

    # -- stamping: problems to findings

    def stamp(
        self,
        display: str,
        name: str,
        rows: Sequence[Row],
        suppressions: Sequence[Suppression] = (),
    ) -> list[Finding]:
        """The findings of one checked file: its rows, less the disabled codes,
        per-file ignores and suppressed ones, plus FM002/FM003 for its
        suppression comments."""
        enabled, names = self.enabled, self._names
        used = [False] * len(suppressions)
        if suppressions or self.per_file_ignores:  # rare: most files go straight on
            ignored = [codes for globs, codes in self.per_file_ignores if globs.matches(name)]
            visible: list[Row] = []
            for row in rows:
                code, line = row[0], row[1]
                if code not in enabled:
                    continue
                if ignored and any(code.startswith(p) for codes in ignored for p in codes):
                    continue
                hidden = False
                for index, suppression in enumerate(suppressions):
                    if suppression.covers(code, names[code], line):
                        used[index] = hidden = True
                if not hidden:
                    visible.append(row)
            rows = visible
        kept = self._findings(display, rows)
        for index, suppression in enumerate(suppressions):
            unknown = [c for c in suppression.codes if not self.registry.is_known_selector(c)]
            if unknown and "FM003" in enabled:
                kept.append(
                    self._finding(
                        display,
                        "FM003",
                        Problem(
                            suppression.line,
                            suppression.column,
                            f"suppression names unknown rule code(s) {', '.join(unknown)}; "
                            "expected codes such as FM306, prefixes such as FM3, or rule names "
                            "(see `fmlint rules`)",
                        ),
                    )
                )
            elif not used[index] and "FM002" in enabled and self._judged(suppression):
                what = " ".join(suppression.codes) or "every rule"
                kept.append(
                    self._finding(
                        display,
                        "FM002",
                        Problem(
                            suppression.line,
                            suppression.column,
                            f"unused suppression of {what}: nothing was reported there; "
                            "remove the comment",
                            subject=what,
                        ),
                    )
                )
        return kept

    def stamp_stored(self, display: str, stored_rows: list[Any]) -> list[Finding]:
        """:meth:`stamp` for rows as the results cache keeps them, of a file
        with no suppression comment and no per-file ignore: each row checked
        and stamped in one go (a ValueError stamps nothing)."""
        return self._findings(display, map(stored_row, stored_rows))

    def _findings(self, display: str, rows: Iterable[Row]) -> list[Finding]:
        """``rows`` of enabled rules as findings, each with its rule's name and
        severity (unless the row has its own)."""
        enabled, names, severities = self.enabled, self._names, self._severities
        return [
            new_finding(
                display,
                line,
                column,
                end_line or line,
                end_column or column,
                code,
                names[code],
                severities[code] if severity is None else _SEVERITIES[severity],
                message,
                subject,
            )
            for code, line, column, end_line, end_column, message, subject, severity in rows
            if code in enabled
        ]

    def _judged(self, suppression: Suppression) -> bool:
        """A suppression is judged unused only when every rule it names ran."""
        for selector in suppression.codes:
            targets = [
                code
                for code, rule in self.registry.rules.items()
                if code.startswith(selector) or rule.name == selector
            ]
            if not targets or not all(code in self.enabled for code in targets):
                return False
        return True

    def _name(self, code: str) -> str:
        rule = self.registry.rules.get(code)
        return rule.name if rule is not None else code.lower()

    def _finding(self, path: str, code: str, problem: Problem) -> Finding:
        return Finding(
            path=path,
            line=problem.line,
            column=problem.column,
            end_line=problem.end_line or problem.line,
            end_column=problem.end_column or problem.column,
            rule=code,
            name=self._name(code),
            severity=problem.severity or self.severity(code),
            message=problem.message,
            subject=problem.subject,
            fix=problem.fix,
        )


class Tally:
    """The findings of a run, gathered file by file as results arrive, so
    that no per-file result is held longer than needed (a 100,000-file run
    keeps only findings and facts): a checked file is stamped at once unless
    it has suppression comments, which must also see what collection rules
    report on it."""

    def __init__(self, linter: Linter, checked: Sequence[SourceFile]) -> None:
        self.linter = linter
        self.checked = checked
        self.findings: list[Finding] = []
        self.facts: dict[str, dict[str, Any]] = {r.code: {} for r in linter.collection_rules}
        self.pending: dict[str, tuple[list[Row], list[Suppression]]] = {}

    def add_facts(self, display: str, facts: dict[str, Any]) -> None:
        for code, fact in facts.items():
            by_path = self.facts.get(code)
            if by_path is not None:
                by_path[display] = fact

    def add_checked(
        self,
        source: SourceFile,
        rows: list[Row],
        suppressions: list[Suppression],
        facts: dict[str, Any],
    ) -> None:
        if facts:
            self.add_facts(source.display, facts)
        if suppressions:
            self.pending[source.display] = (rows, suppressions)
        elif rows:
            self.findings.extend(self.linter.stamp(source.display, source.name, rows))

    def add_stored(
        self,
        source: SourceFile,
        stored_rows: list[Any],
        suppressions: list[Suppression],
        facts: dict[str, Any],
    ) -> None:
        """:meth:`add_checked` for a result from the results cache, its rows
        as stored; a ValueError (a row that is not one) leaves the tally as it
        was."""
        if suppressions or self.linter.per_file_ignores:
            rows = [stored_row(item) for item in stored_rows]
            self.add_checked(source, rows, suppressions, facts)
            return
        if stored_rows:
            self.findings.extend(self.linter.stamp_stored(source.display, stored_rows))
        if facts:
            self.add_facts(source.display, facts)

    def finish(self) -> list[Finding]:
        linter = self.linter
        checked_paths = frozenset(s.display for s in self.checked)
        extra: dict[str, list[Row]] = {}
        for rule in linter.collection_rules:
            try:
                reported = list(rule.finish(self.facts[rule.code], checked_paths))
            except Exception as error:  # noqa: BLE001
                crash = problem_row("FM001", _crash(rule, error))
                for path in checked_paths:
                    extra.setdefault(path, []).append(crash)
                continue
            for problem in reported:
                if problem.path in checked_paths:
                    extra.setdefault(problem.path, []).append(
                        problem_row(problem.code or rule.code, problem)
                    )
        # every collection rule has had them: let go before the sort and the report (at
        # 100,000 files the facts are 40 MB, and their room is what those fill next)
        self.facts = {code: {} for code in self.facts}
        findings = self.findings
        for source in self.checked:
            added = extra.get(source.display, [])
            pending = self.pending.get(source.display)
            if pending is not None:
                rows, suppressions = pending
                findings.extend(
                    linter.stamp(source.display, source.name, rows + added, suppressions)
                )
            elif added:
                findings.extend(linter.stamp(source.display, source.name, added))
        findings.sort(key=_SORT_KEY)
        return findings


def _crash(rule: Rule, error: Exception) -> Problem:
    return Problem(
        1,
        1,
        f"rule {rule.code} ({rule.name}, from {rule.origin}) failed on this file and checked "
        f"nothing: {type(error).__name__}: {error}",
        subject=rule.code,
    )


# -- running over many files


_WORKER: Linter | None = None


def _lint_chunk(chunk: list[tuple[SourceFile, bool]]) -> list[FileResult]:
    assert _WORKER is not None
    return [_WORKER.lint_source(source, full) for source, full in chunk]


def _init_worker(config: Config, cwd: Path) -> None:  # pragma: no cover - spawn only
    global _WORKER
    _WORKER = Linter(config, cwd=cwd)


def _run_parallel(
    linter: Linter, todo: list[tuple[SourceFile, bool]], jobs: int
) -> Iterable[FileResult]:
    global _WORKER
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_all_start_methods, get_context

    chunks = [todo[i : i + CHUNK_SIZE] for i in range(0, len(todo), CHUNK_SIZE)]
    if "fork" in get_all_start_methods():
        # the workers inherit the configured linter: no re-import, no re-validation of schemas
        _WORKER = linter
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork"))
    else:  # pragma: no cover
        executor = ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker, initargs=(linter.config, linter.cwd)
        )
    with executor:
        for results in executor.map(_lint_chunk, chunks):
            yield from results


@dataclass
class Collection:
    """What collection rules compare beyond the checked files: ``members``
    are (absolute path, display path, git blob id or None, (size, mtime_ns)
    or None) of the other files; ``blobs`` the blob ids of the checked files
    git vouches for (unchanged since the index: their facts are cached by
    content, without a stat)."""

    members: list[tuple[str, str, str | None, tuple[int, int] | None]] = field(default_factory=list)
    blobs: dict[str, str] = field(default_factory=dict)  # checked display path -> blob id
    top: str | None = None  # the one git work tree listed, if it is the only source


_SKIPPED_DIR_RE = re.compile(
    "(?:^|/)(?:" + "|".join(re.escape(name) for name in sorted(SKIPPED_DIRS)) + ")/"
)


def collection_sources(
    linter: Linter,
    checked: Sequence[SourceFile],
    read: dict[str, GitIndex | None] | None = None,
) -> Collection:
    """The documents collection rules compare besides the checked files.

    * ``collection-roots`` when configured (folders are walked like command
      line folders; a root that does not exist is a usage error);
    * else, for the checked files inside git work trees, every Markdown file
      in the index of those repositories (tracked or staged: what a commit
      will hold), so a pre-commit run on a few changed files still compares
      them with the whole repository; files deleted from the work tree, files
      under always-skipped folders (``node_modules``, ``vendor``, ``_site``...)
      and files the config excludes are left out;
    * checked files outside git are compared with the other checked files.

    A file reached by two paths (a symbolic link, ``../`` in a path) counts
    once, under its checked name, so it is never a duplicate of itself.
    Files git vouches for (unchanged since the index) are not even stat'ed:
    a pre-commit run goes through 50,000 of them, with string work only.
    ``read``: git indexes already read, by work tree."""

    config, cwd = linter.config, linter.cwd
    checked_names = {s.name for s in checked}
    checked_displays = {s.display for s in checked}
    exclude = GlobSet(config.root, config.exclude)
    excluding = exclude.spec is not None
    found = Collection()
    members = found.members
    under_cwd = str(cwd).rstrip(os.sep) + os.sep
    cut = len(under_cwd)
    slash = os.sep == "/"
    files: list[str] = []  # to be stat'ed: git does not vouch for them
    if config.collection_roots:
        for root in config.collection_roots:
            if root.is_dir():
                files.extend(str(f) for f in walk_markdown(root, exclude))
            elif root.exists():
                files.append(str(root))
            else:
                where = f"{config.source}: " if config.source else ""
                raise UsageError(f"{where}`collection-roots`: {root}: no such file or directory")
    else:
        # each checked file is compared with its own repository: a file checked from
        # elsewhere is not a duplicate of a copy in the current directory's repository
        tops = sorted(work_trees(s.name for s in checked))
        for top in tops:
            git_index = read[str(top)] if read and str(top) in read else GitIndex.read(top)
            if git_index is None:
                continue
            if len(tops) == 1:
                found.top = str(top)
            tracked, blobs = git_index.files_and_blobs()
            found.blobs.update((s.display, blobs[s.name]) for s in checked if s.name in blobs)
            top_folder = str(top).rstrip(os.sep) + os.sep
            prefix = len(top_folder)
            # one look over all the names first (substring search, far faster than
            # a regex here): usually no always-skipped folder is there
            # (a full run checks every one of them: nothing is left to look at)
            others = [name for name in tracked if name not in checked_names]
            listing = "\0" + "\0".join(n[prefix:] for n in others).replace(os.sep, "/")
            skipping = any(
                f"/{name}/" in listing or f"\0{name}/" in listing for name in SKIPPED_DIRS
            )
            if not skipping and not excluding and slash and top_folder.startswith(under_cwd):
                # the common case (the repository at or under the current folder, nothing
                # to leave out), in C-level loops: a pre-commit run goes through 50,000
                _add_vouched(found, others, blobs, cut, checked_displays, files)
                continue
            for name in others:
                if skipping and _SKIPPED_DIR_RE.search(name[prefix:].replace(os.sep, "/")):
                    continue
                if excluding and exclude.matches(name):
                    continue
                blob = blobs.get(name)
                if blob is None:
                    files.append(name)
                    continue
                # git vouches for it: a regular file, unchanged since the index; names
                # are unique in the index, and so are the display paths made from them
                shown = (
                    name[cut:]
                    if slash and name.startswith(under_cwd)
                    else _shown(name, under_cwd, cwd)
                )
                if shown not in checked_displays:
                    members.append((name, shown, blob, None))
    seen: set[tuple[int, int]] | None = None  # identities of the checked files, when needed
    for name in files:
        if name in checked_names:
            continue  # the same path as a checked file: no need to ask the file system
        if seen is None:
            seen = set()
            for source in checked:
                with contextlib.suppress(OSError):
                    checked_info = os.stat(source.name)
                    if checked_info.st_ino:
                        seen.add((checked_info.st_dev, checked_info.st_ino))
        try:
            info = os.stat(name)
        except OSError:
            continue  # in git's index but deleted (or a broken link): not in the collection
        if not stat_module.S_ISREG(info.st_mode):
            continue
        if info.st_ino:
            identity = (info.st_dev, info.st_ino)
            if identity in seen:
                continue
            seen.add(identity)
        shown = _shown(name, under_cwd, cwd)
        if shown not in checked_displays:
            members.append((name, shown, None, (info.st_size, info.st_mtime_ns)))
    return found


def _add_vouched(
    found: Collection,
    names: list[str],
    blobs: dict[str, str],
    cut: int,
    checked_displays: set[str],
    files: list[str],
) -> None:
    """collection_sources() for index entries all under the current folder:
    those git vouches for become members, the others go to ``files``."""
    blob_ids = list(map(blobs.get, names))
    shown = [name[cut:] for name in names]
    if None in blob_ids:
        files.extend(name for name, blob in zip(names, blob_ids, strict=True) if blob is None)
    found.members.extend(
        (name, display, blob, None)
        for name, display, blob in zip(names, shown, blob_ids, strict=True)
        if blob is not None and display not in checked_displays
    )


def _gather_facts(
    facts_cache: ResultCache,
    collection: Collection,
    tally: Tally,
    todo: list[tuple[SourceFile, bool, str | None, tuple[int, int] | None]],
) -> None:
    """The stored facts of the collection's members into ``tally``; the
    members with none (or stale ones) onto ``todo``.  A run of a few files
    outside the key index's reach goes through 50,000 of these: C-level
    loops only."""
    members = collection.members
    found = facts_cache.get_many([(name, blob, stat) for name, _, blob, stat in members])
    for code, by_path in tally.facts.items():
        by_path.update(
            (member[1], facts[code])
            for member, facts in zip(members, found, strict=True)
            if type(facts) is dict and code in facts
        )
    todo.extend(
        (SourceFile(name, display), False, blob, stat)
        for (name, display, blob, stat), facts in zip(members, found, strict=True)
        if type(facts) is not dict
    )


def _collection_index(linter: Linter, top: str | None, key: str) -> CollectionIndex | None:
    """The key index for a collection that is the git work tree ``top``, when
    it can serve: every collection rule names its keys, and the work tree is
    also the current folder and the config root (so display paths, cache
    keys and git's names are one and the same)."""
    cwd = str(linter.cwd)
    if (
        top != cwd
        or str(linter.config.root) != cwd
        or os.sep != "/"
        or linter.config.collection_roots
        or not linter.collection_rules
        or any(
            type(rule).index_keys is CollectionRule.index_keys for rule in linter.collection_rules
        )
    ):
        return None
    from linter.collection_index import CollectionIndex

    return CollectionIndex(linter.config.cache_path, key)


def _keyed_facts(linter: Linter, tally: Tally) -> Callable[[str], list[tuple[str, str, str]]]:
    """What the index keeps of a file (by display path): (rule code, key, fact
    as JSON) for each key of each of its facts.  The function raises what a
    rule's index_keys raises, and TypeError/ValueError for a fact that is
    not JSON."""
    from linter.collection_index import fact_json

    rules = [
        (rule.code, rule.index_keys, tally.facts[rule.code]) for rule in linter.collection_rules
    ]

    def keyed_of(display: str) -> list[tuple[str, str, str]]:
        found: list[tuple[str, str, str]] = []
        for code, keys_of, by_path in rules:
            if display in by_path:
                fact = by_path[display]
                keys = keys_of(fact)
                if keys:
                    text = fact_json(fact)  # once for all its keys
                    found.extend((code, key, text) for key in keys)
        return found

    return keyed_of


def _rebuild_index(
    index: CollectionIndex,
    linter: Linter,
    tally: Tally,
    checked: Sequence[SourceFile],
    collection: Collection,
) -> None:
    """A new index from every fact of the run (which saw them all)."""
    # members are never checked files: no path twice
    files = [(display, blob) for _, display, blob, _ in collection.members if blob is not None]
    files.extend(collection.blobs.items())
    try:
        index.rebuild(files, _keyed_facts(linter, tally))
    except Exception:  # noqa: BLE001 - a plugin's index_keys failed: no index, the long way
        return


@dataclass
class _IndexedRun:
    """A small run served by the key index.  ``collection`` holds the members
    the index does not cover (linted by the run itself) and the blob ids of
    the checked files; ``current`` the index records (``<blob> 0\\t<path>``,
    as git lists them) of the files in git's index, ``changed`` those whose
    work-tree copy differs, ``is_member`` whether a path belongs to the
    collection at all: an index line counts only for a current member."""

    index: CollectionIndex
    collection: Collection
    current: set[str]
    covered: set[str]
    changed: set[str]
    is_member: Callable[[str], bool]

    @classmethod
    def try_plan(
        cls, linter: Linter, checked: Sequence[SourceFile], key: str
    ) -> tuple[_IndexedRun | None, dict[str, GitIndex | None]]:
        """The plan, or None when the index cannot serve (then the run goes the
        long way); and the git indexes read meanwhile, for that way."""
        read: dict[str, GitIndex | None] = {}
        tops = work_trees(s.name for s in checked)
        if len(tops) != 1:
            return None, read
        top = str(next(iter(tops)))
        index = _collection_index(linter, top, key)
        if index is None or not index.load():
            return None, read
        git_index = read[top] = GitIndex.read(top)
        if git_index is None:
            return None, read
        return cls._plan(linter, checked, index, git_index), read

    @classmethod
    def _plan(
        cls,
        linter: Linter,
        checked: Sequence[SourceFile],
        index: CollectionIndex,
        git_index: GitIndex,
    ) -> _IndexedRun | None:
        from linter.collection_index import FRESH_LIMIT

        uniform = git_index.uniform_records()
        if uniform is None:
            return None  # a conflict or a symbolic link: the long way knows them
        records, tab = uniform
        if index.covered_files > 2 * len(records) + FRESH_LIMIT:
            return None  # mostly dead weight: time for a new one
        width = tab - 9  # of a blob id: "<mode> " is 7 characters, " 0\t" 3
        # git's records less the mode are the index's records: no string is built
        current = list(map(itemgetter(slice(7, None)), records))
        covered = index.coverage()
        uncovered = [record for record in current if record not in covered]
        if len(uncovered) > 2 * FRESH_LIMIT:
            return None
        top = git_index.top
        changed = set(git_index.changed)
        displays = {source.display for source in checked}
        exclude = GlobSet(linter.config.root, linter.config.exclude)

        def is_member(path: str) -> bool:
            # what collection_sources() leaves out of the collection
            return not (
                path in displays
                or _SKIPPED_DIR_RE.search(path)
                or (exclude.spec is not None and exclude.matches(top + path))
            )

        found = Collection(top=top[:-1])
        found.members.extend(
            (top + record[width + 3 :], record[width + 3 :], record[:width], None)
            for record in uncovered
            if record[width + 3 :] not in changed and is_member(record[width + 3 :])
        )
        # files that differ from git's index are read from the work tree, as the long
        # way reads them (deleted ones are not in the collection)
        seen = set()
        for source in checked:
            with contextlib.suppress(OSError):
                info = os.stat(source.name)
                seen.add((info.st_dev, info.st_ino))
        for name in sorted(changed):
            if not is_member(name):
                continue
            try:
                info = os.stat(top + name)
            except OSError:
                continue
            identity = (info.st_dev, info.st_ino)
            if not stat_module.S_ISREG(info.st_mode) or (info.st_ino and identity in seen):
                continue
            seen.add(identity)
            found.members.append((top + name, name, None, (info.st_size, info.st_mtime_ns)))
        if len(found.members) > FRESH_LIMIT:
            return None
        text = git_index.staged
        for display in displays - changed:
            needle = f"\t{display}\0"
            at = text.find(needle)
            while at >= 0:
                start = text.rfind("\0", 0, at) + 1
                if at - start == tab:  # the name field, not a tab inside another name
                    found.blobs[display] = text[start + 7 : start + 7 + width]
                    break
                at = text.find(needle, at + 1)
        return cls(index, found, set(current), covered, changed, is_member)

    def add_matches(self, linter: Linter, tally: Tally, checked: Sequence[SourceFile]) -> None:
        """The facts of the members sharing a key with a checked file."""
        from linter.collection_index import record

        current, changed, is_member = self.current, self.changed, self.is_member
        for rule in linter.collection_rules:
            by_path = tally.facts[rule.code]
            keys: set[str] = set()
            for source in checked:
                if source.display in by_path:
                    keys.update(rule.index_keys(by_path[source.display]) or ())
            for path, blob, fact in self.index.lookup(rule.code, keys):
                if (
                    path not in by_path
                    and record(path, blob) in current
                    and path not in changed
                    and is_member(path)
                ):
                    try:
                        by_path[path] = json.loads(fact)
                    except (ValueError, RecursionError):  # the checksum makes it impossible
                        continue

    def record(self, linter: Linter, tally: Tally) -> None:
        """Add what the run learned (the checked and uncovered files git
        vouches for) to the index: after a commit they are members it covers."""
        from linter.collection_index import record

        collection = self.collection
        blobs = {display: blob for _, display, blob, _ in collection.members if blob is not None}
        blobs.update(collection.blobs)
        blobs = {d: b for d, b in blobs.items() if record(d, b) not in self.covered}
        if not blobs:
            return
        keyed_of = _keyed_facts(linter, tally)
        try:
            files = [(display, blob, keyed_of(display)) for display, blob in blobs.items()]
        except Exception:  # noqa: BLE001 - a plugin's index_keys failed: nothing recorded
            return
        self.index.add(files)
        self.index.save()


def _shown(name: str, under_cwd: str, cwd: Path) -> str:
    if name.startswith(under_cwd):
        return name[len(under_cwd) :].replace(os.sep, "/")
    return display_path(Path(name), cwd)


def run(
    paths: Sequence[str],
    config: Config,
    *,
    jobs: int | None = None,
    use_cache: bool = True,
    cwd: Path | None = None,
    linter: Linter | None = None,
    progress: Any = None,
) -> RunResult:
    """Lint ``paths`` (files or folders).  Raises UsageError for bad paths,
    config or schema."""
    from linter.discovery import PathError

    started = time.perf_counter()
    linter = linter or Linter(config, cwd=cwd)
    try:
        checked = expand_paths(paths, linter.cwd, GlobSet(config.root, config.exclude))
    except PathError as error:
        raise UsageError(str(error)) from None
    collecting = bool(linter.collection_rules)
    key = linter.cache_key() if use_cache else ""
    # a small run whose collection rules all name their keys reads the key index of
    # the collection's facts instead of every fact (see linter.collection_index)
    indexed: _IndexedRun | None = None
    read: dict[str, GitIndex | None] = {}
    if use_cache and collecting and len(checked) <= SMALL_RUN:
        indexed, read = _IndexedRun.try_plan(linter, checked, key)
    if indexed is not None:
        collection = indexed.collection
    elif collecting:
        collection = collection_sources(linter, checked, read)
    else:
        collection = Collection()
    del read  # git's listing of 100,000 files, twice over (text and records): 25 MB

    # Two caches: per-file results (with their facts) for the checked files, and the
    # facts collection rules need from every file.  A small run (pre-commit: a few
    # changed files in a big collection) reads and writes only the facts: re-linting
    # its few files costs less than loading and rewriting every stored result.  A run
    # whose every file has a stored result and that compares nothing else never
    # reads the facts.
    results_cache = facts_cache = None
    if use_cache:
        from linter.cache import ResultCache

        if len(checked) > SMALL_RUN:
            results_cache = ResultCache(config.cache_path, key, "results", config.root)
            results_cache.load()
        # the loaded caches are millions of small objects that live to the end of the
        # run: keep the cyclic garbage collector from walking them again and again
        gc.freeze()

    tally = Tally(linter, checked)
    # what is linted: (source, full, git blob id, (size, mtime_ns))
    todo: list[tuple[SourceFile, bool, str | None, tuple[int, int] | None]] = []
    blobs = collection.blobs
    stats: dict[str, tuple[int, int]] = {}
    wanted: list[tuple[str, str | None, tuple[int, int] | None]] = []
    for source in checked:
        blob = blobs.get(source.display)
        stat = None
        if blob is None and use_cache:
            with contextlib.suppress(OSError):
                stat = stats[source.display] = _size_and_mtime(source.name)
        wanted.append((source.name, blob, stat))
    # a warm run asks for 50,000 stored results: in one sweep
    # (each handed over: the cache does not hold on to what this loop lets go of)
    stored = results_cache.take_many(wanted) if results_cache is not None else [None] * len(wanted)
    with _collector_paused():  # what this loop makes lives on, and holds no cycle
        for number, (source, (_, blob, stat), raw) in enumerate(
            zip(checked, wanted, stored, strict=True)
        ):
            if raw is not None and results_cache is not None:
                try:
                    stored_rows, suppressions, watched, facts = decode_cached(raw)
                    current = not watched or still_valid(watched)
                    if current:
                        tally.add_stored(source, stored_rows, suppressions, facts)
                except ValueError:  # never trusted blindly: read the file again
                    results_cache.drop(source.name)
                else:
                    if current:
                        # let go of the text and the tuple: 100,000 of each
                        stored[number] = wanted[number] = None  # type: ignore[call-overload]
                        continue
            todo.append((source, True, blob, stat))
    del wanted, stored
    index = None  # the key index, written anew at the end of a run that saw every fact
    if indexed is not None:
        # the members the index does not cover; the others are looked up by key at the end
        todo.extend((SourceFile(n, d), False, b, s) for n, d, b, s in collection.members)
    else:
        if use_cache and collecting:
            index = _collection_index(linter, collection.top, key)
            if todo or collection.members:
                from linter.cache import ResultCache

                facts_cache = ResultCache(config.cache_path, key, "facts", config.root)
                facts_cache.load()
                gc.freeze()
        if facts_cache is None:
            todo.extend((SourceFile(n, d), False, b, s) for n, d, b, s in collection.members)
        else:
            _gather_facts(facts_cache, collection, tally, todo)
            if results_cache is not None:
                # keep the facts of the checked files whose results were stored, for
                # the next small run (unchanged ones are not written again)
                linted = {source.display for source, *_ in todo}
                for source in checked:
                    if source.display not in linted:
                        its_facts = {
                            code: by_path[source.display]
                            for code, by_path in tally.facts.items()
                            if source.display in by_path
                        }
                        _cache_put(
                            facts_cache,
                            source.name,
                            blobs.get(source.display),
                            stats.get(source.display),
                            its_facts,
                        )

    if todo:
        # before forking: workers inherit the validators
        linter.prepare(quick=len(todo) <= SMALL_RUN)
    jobs = jobs or os.cpu_count() or 1
    work = [(source, full) for source, full, _, _ in todo]
    produced: Iterable[FileResult]
    parallel = jobs > 1 and len(todo) >= PARALLEL_THRESHOLD
    if parallel:
        produced = _run_parallel(linter, work, jobs)
    else:
        produced = (linter.lint_source(source, full) for source, full in work)
    # results from workers only become findings and cache entries, which live on: the
    # cyclic collector would walk them again and again (linting here may make cycles)
    stores = sum(1 for _, full, _, _ in todo if full)
    with (
        _collector_paused() if parallel else contextlib.nullcontext(),
        _spooling([(results_cache, stores), (facts_cache, len(todo))]),
    ):
        for done, ((source, full, blob, stat), result) in enumerate(
            zip(todo, produced, strict=True), 1
        ):
            if facts_cache is not None:
                _cache_put(facts_cache, source.name, blob, stat, result.facts)
            if full:
                if results_cache is not None:
                    _cache_put(results_cache, source.name, blob, stat, result.packed())
                tally.add_checked(source, result.rows, result.suppressions, result.facts)
            else:  # only compared: even a rule crash on it is not reported
                tally.add_facts(source.display, result.facts)
            if progress is not None:
                progress(done, len(todo))
    del todo, work
    for cache in (results_cache, facts_cache):
        if cache is not None:
            cache.save()
    del results_cache, facts_cache
    if indexed is not None:
        indexed.add_matches(linter, tally, checked)
        indexed.record(linter, tally)
    elif index is not None and (len(checked) <= SMALL_RUN or not index.exists()):
        _rebuild_index(index, linter, tally, checked, collection)
    del collection, indexed, index  # their blob ids (15 MB at 100,000 files) too

    findings = tally.finish()
    return RunResult(
        findings=findings,
        files_checked=len(checked),
        duration=time.perf_counter() - started,
        version=__version__,
        rules={code: rule.info() for code, rule in linter.enabled.items()},
        paths=[s.display for s in checked],
    )


def lint_text(
    text: str, path: str = "<text>", config: Config | None = None, linter: Linter | None = None
) -> list[Finding]:
    """Lint one text (for programs that write articles); collection rules see
    only this document."""
    linter = linter or Linter(config or Config(root=Path.cwd()))
    # the path (relative to the current directory) picks the collection's schema and the
    # per-file ignores; the text is not a file, so rules do not look next to it
    location = linter.cwd / path
    doc = parse_document(text, path, None, linter.config.limits)
    result = linter.lint_document(doc, location=location)
    source = SourceFile(location, path)
    tally = Tally(linter, [source])
    tally.add_checked(source, result.rows, result.suppressions, result.facts)
    return tally.finish()
