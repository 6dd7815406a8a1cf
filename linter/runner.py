"""Files to findings: load each document once, run the enabled rules, then
the collection rules over every document, then suppressions and per-file
ignores, and stamp each problem with its rule's code, name and severity.

Per-file work is cached (:mod:`linter.cache`) and spread over a process pool
for large inputs; the output does not depend on either.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linter import __version__
from linter.bundled import bundled_schema_path
from linter.config import Config, RuleSettings, resolve_rule_settings
from linter.discovery import (
    GlobSet,
    SourceFile,
    display_path,
    expand_paths,
    git_toplevel,
    git_tracked_markdown,
    walk_markdown,
    work_trees,
)
from linter.document import Document, parse_document, path_kind, read_document
from linter.findings import Finding, Problem, RunResult, Severity
from linter.registry import Registry, load_registry
from linter.rules.base import CollectionRule, CoreRule, Rule, RunContext
from linter.suppressions import Suppression, find_suppressions

if TYPE_CHECKING:
    from linter.cache import ResultCache
    from linter.schema import SchemaValidator

PARALLEL_THRESHOLD = 400  # below this, starting workers costs more than it saves
SMALL_RUN = 8  # checked files up to which re-linting beats loading the stored results
CHUNK_SIZE = 250


@dataclass
class FileResult:
    """What one file contributed: its unsuppressed problems by code, its facts
    for collection rules and its suppression comments.  ``full`` is False when
    only facts were gathered (a file in the collection but not checked)."""

    path: str
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    suppressions: list[Suppression] = field(default_factory=list)
    full: bool = True
    watched: dict[str, str] = field(default_factory=dict)  # path -> path_kind when linted

    def to_json(self) -> dict[str, Any]:
        return {
            "problems": [
                [
                    code,
                    p.line,
                    p.column,
                    p.end_line,
                    p.end_column,
                    p.message,
                    p.subject,
                    p.severity.value if p.severity else None,
                ]
                for code, p in self.problems
            ],
            "facts": self.facts,
            "suppressions": [s.to_json() for s in self.suppressions],
            "full": self.full,
            "watched": self.watched,
        }

    def still_valid(self) -> bool:
        """Whether the other paths the result depended on are unchanged."""
        return all(path_kind(path) == kind for path, kind in self.watched.items())

    @classmethod
    def from_facts(cls, path: str, facts: Any) -> FileResult:
        """A file only compared, not checked: its stored facts (collection
        rules validate their own facts); never reported from."""
        if not isinstance(facts, dict):
            raise ValueError("not a facts mapping")
        return cls(path, facts=facts, full=False)

    @classmethod
    def from_json(cls, path: str, raw: Any) -> FileResult:
        """The inverse of :meth:`to_json`; strict, since the JSON comes from a
        cache file that is never trusted: any other shape is a ValueError."""
        if not isinstance(raw, dict) or not isinstance(raw.get("full"), bool):
            raise ValueError("not a file result")
        problems = []
        for item in _list(raw.get("problems")):
            code, line, column, end_line, end_column, message, subject, severity = _list(item, 8)
            problems.append(
                (
                    _str(code),
                    Problem(
                        _position(line),
                        _position(column),
                        _str(message),
                        None if end_line is None else _position(end_line),
                        None if end_column is None else _position(end_column),
                        subject=_str(subject),
                        severity=None if severity is None else Severity(severity),
                    ),
                )
            )
        facts = raw.get("facts")
        watched = raw.get("watched")
        if not isinstance(facts, dict) or not isinstance(watched, dict):
            raise ValueError("not a file result")
        suppressions = []
        for item in _list(raw.get("suppressions")):
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
        return cls(
            path,
            problems,
            facts,
            suppressions,
            raw["full"],
            {_str(k): _str(v) for k, v in watched.items()},
        )


_BLOB = "git-blob:"  # facts cache keys for content git vouches for


def _blob_key(blob: str, name: str) -> str:
    return f"{_BLOB}{blob}:{name}"  # the path too: a plugin's facts may depend on it


def _put_facts(
    cache: ResultCache,
    source: SourceFile,
    blob: str | None,
    stat: tuple[int, int] | None,
    facts: Any,
) -> None:
    """Facts by git blob id when git knows the content, else by path, size and mtime."""
    if blob is not None:
        cache.put(_blob_key(blob, source.name), 0, 0, facts)
        cache.drop(source.name)  # an entry from before git vouched for the file
    elif stat is not None:
        cache.put(source.name, *stat, facts)


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

    def prepare(self) -> None:
        """Build every schema validator the config names; raise UsageError
        for a schema that cannot be used."""
        if self.validate_schema:
            for schema in self.schema_paths():
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
        result = FileResult(doc.path, full=full)
        for rule in self.collection_rules:
            try:
                fact = rule.collect(doc)
            except Exception as error:  # noqa: BLE001 - a rule crash is a finding, never a traceback
                result.problems.append(("FM001", _crash(rule, error)))
                continue
            if fact is not None:
                result.facts[rule.code] = fact
        if not full:
            return result
        fm = doc.front_matter
        if self.validate_schema and fm is not None and fm.data is not None:
            validator = self._validator(self.schema_for(location or doc.file))
            # a value the loader already reported (an unsafe tag, say) is not reported twice
            reported = {(p.line, p.column) for p in doc.core_problems}
            doc.core_problems.extend(
                p
                for p in validator.validate(fm.data, fm.positions, fm.start_line)
                if (p.line, p.column) not in reported
            )
        for problem in doc.core_problems:
            if problem.code in self.core_codes:
                result.problems.append((problem.code, problem))
        for checker in self.rules:
            try:
                for problem in checker.check(doc):
                    result.problems.append((problem.code or checker.code, problem))
            except Exception as error:  # noqa: BLE001 - a rule crash is a finding, never a traceback
                result.problems.append(("FM001", _crash(checker, error)))
        if doc.text is not None:
            result.suppressions = find_suppressions(doc)
        result.watched = {path: path_kind(path) for path in sorted(doc.watched)}
        return result

    # -- over the collection

    def finish(
        self, results: dict[str, FileResult], checked: Sequence[SourceFile]
    ) -> list[Finding]:
        checked_paths = frozenset(s.display for s in checked)
        extra: dict[str, list[tuple[str, Problem]]] = {}
        for rule in self.collection_rules:
            facts = {
                path: r.facts[rule.code] for path, r in results.items() if rule.code in r.facts
            }
            try:
                reported = list(rule.finish(facts, checked_paths))
            except Exception as error:  # noqa: BLE001
                crash = _crash(rule, error)
                for path in checked_paths:
                    extra.setdefault(path, []).append(("FM001", crash))
                continue
            for problem in reported:
                if problem.path in checked_paths:
                    extra.setdefault(problem.path, []).append((problem.code or rule.code, problem))
        findings: list[Finding] = []
        for source in checked:
            result = results[source.display]
            stamped = result.problems + extra.get(source.display, [])
            findings.extend(self._stamp(source, stamped, result.suppressions))
        findings.sort(key=lambda f: f.sort_key)
        return findings

    def _stamp(
        self,
        source: SourceFile,
        problems: list[tuple[str, Problem]],
        suppressions: list[Suppression],
    ) -> list[Finding]:
        ignored = [codes for globs, codes in self.per_file_ignores if globs.matches(source.file)]
        used = [False] * len(suppressions)
        kept: list[Finding] = []
        for code, problem in problems:
            if code not in self.enabled:
                continue
            if any(code.startswith(prefix) for codes in ignored for prefix in codes):
                continue
            name = self._name(code)
            hidden = False
            for index, suppression in enumerate(suppressions):
                if suppression.covers(code, name, problem.line):
                    used[index] = hidden = True
            if hidden:
                continue
            kept.append(self._finding(source.display, code, problem))
        for index, suppression in enumerate(suppressions):
            unknown = [c for c in suppression.codes if not self.registry.is_known_selector(c)]
            if unknown and "FM003" in self.enabled:
                kept.append(
                    self._finding(
                        source.display,
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
            elif not used[index] and "FM002" in self.enabled and self._judged(suppression):
                what = " ".join(suppression.codes) or "every rule"
                kept.append(
                    self._finding(
                        source.display,
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
        end_line = problem.end_line or problem.line
        end_column = problem.end_column or problem.column
        return Finding(
            path=path,
            line=problem.line,
            column=problem.column,
            end_line=end_line,
            end_column=end_column,
            rule=code,
            name=self._name(code),
            severity=problem.severity or self.severity(code),
            message=problem.message,
            subject=problem.subject,
            fix=problem.fix,
        )


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
class CollectionFiles:
    """The documents collection rules compare, with what is already known of
    them: (size, mtime_ns) of those stat'ed, and git's blob id of those whose
    work-tree copy is the index's (their facts are cached by content)."""

    sources: list[SourceFile]
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    blobs: dict[str, str] = field(default_factory=dict)  # display path -> blob id


def collection_sources(linter: Linter, checked: Sequence[SourceFile]) -> CollectionFiles:
    """The documents collection rules compare, the checked files first.

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
    Files git vouches for (unchanged since the index) are not even stat'ed."""
    import stat as stat_module

    from linter.discovery import SKIPPED_DIRS

    config, cwd = linter.config, linter.cwd
    exclude = GlobSet(config.root, config.exclude)
    files: list[Path | str] = []
    blobs: dict[str, str] = {}  # absolute path -> blob id
    if config.collection_roots:
        for root in config.collection_roots:
            if root.is_dir():
                files.extend(walk_markdown(root, exclude))
            elif root.exists():
                files.append(root)
            else:
                where = f"{config.source}: " if config.source else ""
                raise UsageError(f"{where}`collection-roots`: {root}: no such file or directory")
    else:
        # each checked file is compared with its own repository: a file checked from
        # elsewhere is not a duplicate of a copy in the current directory's repository
        for top in sorted(work_trees(s.file for s in checked)):
            index = git_tracked_markdown(top)
            if index is None:
                continue
            tracked, top_blobs = index
            blobs.update(top_blobs)
            prefix = len(str(top).rstrip(os.sep) + os.sep)
            for tracked_name in tracked:
                # string work: a pre-commit run goes through 50,000 of these
                folders = tracked_name[prefix:].split(os.sep)[:-1]
                if not any(part in SKIPPED_DIRS for part in folders) and not exclude.matches(
                    tracked_name
                ):
                    files.append(tracked_name)
    checked_names = {s.name for s in checked}
    seen: set[tuple[int, int]] | None = None  # identities of the checked files, when needed
    sources = {s.display: s for s in checked}
    found = CollectionFiles([])
    found.blobs = {s.display: blobs[s.name] for s in checked if s.name in blobs}
    under_cwd = str(cwd).rstrip(os.sep) + os.sep
    for member in files:
        name = str(member)
        if name in checked_names:
            continue  # the same path as a checked file: no need to ask the file system
        blob = blobs.get(name)
        if blob is not None:  # git vouches for it: a regular file, unchanged since the index
            shown = _shown(name, under_cwd, cwd)
            if shown not in sources:
                sources[shown] = SourceFile(name, shown)
                found.blobs[shown] = blob
            continue
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
        if shown not in sources:
            sources[shown] = SourceFile(name, shown)
            found.stats[shown] = (info.st_size, info.st_mtime_ns)
    found.sources = list(sources.values())
    return found


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
    collection = (
        collection_sources(linter, checked)
        if linter.collection_rules
        else CollectionFiles(list(checked))
    )
    everything, known_stats, blobs = collection.sources, collection.stats, collection.blobs
    checked_names = {s.display for s in checked}

    # Two caches: per-file results for the checked files, and the facts collection
    # rules need from every file.  A small run (pre-commit: a few changed files in a
    # big collection) reads and writes only the facts: re-linting its few files costs
    # less than loading and rewriting every stored result.
    results_cache = facts_cache = None
    if use_cache:
        from linter.cache import ResultCache

        key = linter.cache_key()
        if len(checked) > SMALL_RUN:
            results_cache = ResultCache(config.cache_path, key, "results")
            results_cache.load()
        if linter.collection_rules:
            facts_cache = ResultCache(config.cache_path, key, "facts")
            facts_cache.load()
        # the loaded caches are millions of small objects that live to the end of the
        # run: keep the cyclic garbage collector from walking them again and again
        gc.freeze()

    results: dict[str, FileResult] = {}
    todo: list[tuple[SourceFile, bool]] = []
    stats: dict[str, tuple[int, int]] = {}
    for source in everything:
        full = source.display in checked_names
        blob = blobs.get(source.display)
        if not full and blob is not None and facts_cache is not None:
            # facts by content: git knows this file is unchanged, no stat needed
            raw = facts_cache.get(_blob_key(blob, source.name), 0, 0)
            if isinstance(raw, dict):
                results[source.display] = FileResult.from_facts(source.display, raw)
                facts_cache.drop(source.name)  # an entry from before git vouched for it
            else:
                todo.append((source, full))
            continue
        cache = results_cache if full else facts_cache
        if cache is not None:
            raw = None
            try:
                size, mtime = known_stats.get(source.display) or _size_and_mtime(source.name)
                stats[source.display] = (size, mtime)
                raw = cache.get(source.name, size, mtime)
            except OSError:
                pass
            if raw is not None:
                try:
                    cached = (
                        FileResult.from_json(source.display, raw)
                        if full
                        else FileResult.from_facts(source.display, raw)
                    )
                except ValueError:  # never trusted blindly: read the file again
                    cache.drop(source.name)
                else:
                    if cached.still_valid():
                        results[source.display] = cached
                        if full and facts_cache is not None:
                            # keep the facts cache whole for the next small run
                            _put_facts(facts_cache, source, blob, (size, mtime), cached.facts)
                        continue
        elif facts_cache is not None and blob is None:  # its facts are stored by path
            with contextlib.suppress(OSError):
                stats[source.display] = known_stats.get(source.display) or _size_and_mtime(
                    source.name
                )
        todo.append((source, full))

    if todo:
        linter.prepare()  # before forking: workers inherit the validators
    jobs = jobs or os.cpu_count() or 1
    produced: Iterable[FileResult]
    if jobs > 1 and len(todo) >= PARALLEL_THRESHOLD:
        produced = _run_parallel(linter, todo, jobs)
    else:
        produced = (linter.lint_source(source, full) for source, full in todo)
    by_display = {s.display: s for s, _ in todo}
    for done, result in enumerate(produced, 1):
        results[result.path] = result
        source = by_display[result.path]
        stat = stats.get(result.path)
        if facts_cache is not None:
            _put_facts(facts_cache, source, blobs.get(result.path), stat, result.facts)
        if results_cache is not None and result.full and stat is not None:
            results_cache.put(source.name, *stat, result.to_json())
        if progress is not None:
            progress(done, len(todo))
    for cache in (results_cache, facts_cache):
        if cache is not None:
            cache.save()

    findings = linter.finish(results, checked)
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
    return linter.finish({path: result}, [SourceFile(location, path)])
