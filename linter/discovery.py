"""Which files to lint: paths from the command line expanded into Markdown
files, honouring .gitignore files, the always-skipped folders and the
config's ``exclude`` globs; and the collection for collection-wide rules.

Everything here runs once per file of a collection of 50,000: strings, not
Paths, inside; a folder's work done once for all its files; a gitignore
spec's patterns asked in one regular expression (see :class:`_Matcher`).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from operator import attrgetter, itemgetter
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TypeAlias

    import pathspec

    _Spec: TypeAlias = "pathspec.GitIgnoreSpec | _LiteralSpec"

MARKDOWN_SUFFIXES = (".md", ".markdown")
SKIPPED_DIRS = frozenset({".git", "_site", "node_modules", "vendor", ".fmlint_cache"})

_SLASH = os.sep == "/"  # no separator to rewrite in '/'-separated relative paths


class PathError(Exception):
    """A path given on the command line that does not exist."""


class PatternError(ValueError):
    """A glob of the config that is not a valid gitignore-style pattern."""


class SourceFile:
    """A file to read: its absolute path and how findings name it (relative
    to the current directory, '/' separators).  The ``Path`` is made on
    first use: a pre-commit run lists 50,000 collection files and reads one."""

    __slots__ = ("_file", "display", "name")

    def __init__(self, file: Path | str, display: str) -> None:
        self.name = str(file)
        self.display = display
        self._file = file if isinstance(file, Path) else None

    @property
    def file(self) -> Path:
        if self._file is None:
            self._file = Path(self.name)
        return self._file

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r}, {self.display!r})"


def display_path(file: Path | str, cwd: Path | str) -> str:
    name, base = str(file), str(cwd).rstrip(os.sep) + os.sep
    # the common case by string slicing: pathlib's relative_to costs more per call
    relative = name[len(base) :] if name.startswith(base) else os.path.relpath(name, cwd)
    return relative if _SLASH else relative.replace(os.sep, "/")


# ---------------------------------------------------------------- gitignore specs

# a named group's opening, not escaped (an even run of backslashes before it)
_NAMED_GROUP = re.compile(r"(?<!\\)((?:\\\\)*)\(\?P<\w+>")
# what would change meaning once regular expressions are joined: back references
_JOIN_UNSAFE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _no_match(_relative: str) -> None:
    return None


def _joined_search(patterns: Iterable[Any]) -> Callable[[str], object] | None:
    """One search telling whether any of ``patterns`` matches a path, as
    ``any(p.regex.search(path) for p in patterns if p.include is not None)``
    would; None when the patterns' expressions cannot safely be joined
    (the caller then asks pathspec, pattern by pattern)."""
    sources: list[str] = []
    flags: int | None = None
    for pattern in patterns:
        if getattr(pattern, "include", None) is None:
            continue  # a blank line or a comment: pathspec skips it too
        regex = getattr(pattern, "regex", None)
        if not isinstance(regex, re.Pattern) or not isinstance(regex.pattern, str):
            return None
        if flags is None:
            flags = regex.flags
        elif regex.flags != flags:
            return None
        if _JOIN_UNSAFE.search(regex.pattern):
            return None
        # group names would clash between patterns (pathspec names its directory mark
        # `ps_d` in each); the groups are not needed to know whether a pattern matches
        source, renamed = _NAMED_GROUP.subn(r"\1(?:", regex.pattern)
        if renamed != len(regex.groupindex):
            return None  # a `(?P<` the rewrite should not have touched (in a [...] set)
        sources.append(source)
    if not sources:
        return _no_match
    try:
        joined = re.compile("|".join(f"(?:{source})" for source in sources), flags or 0)
    except re.error:
        return None
    return joined.search


# a gitignore line naming a path literally: ASCII letters, digits, `.`, `_` and `-` in
# '/'-separated parts, a leading '/' anchoring it, a trailing one for folders only, then
# spaces gitignore drops (none escaped: no backslash); anything else is left to pathspec
_LITERAL_LINE = re.compile(r"(/?)([A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*)(/?) *")
# the separators pathspec's normalize_file turns into '/'
_OTHER_SEPS = tuple(sep for sep in (os.sep, os.altsep) if sep and sep != "/")


class _Checked:
    """What :meth:`_LiteralSpec.check_file` answers: pathspec's CheckResult,
    as far as it is read here."""

    __slots__ = ("include",)

    def __init__(self, include: bool | None) -> None:
        self.include = include


_IGNORED, _UNDECIDED = _Checked(True), _Checked(None)


class _LiteralSpec:
    """A gitignore spec whose lines are all literal names (`_site/`, `/vendor`,
    `.DS_Store`, `docs/build`), as most sites' .gitignore files are: decided
    without importing pathspec, which costs 50 ms, a few percent of a warm run.

    Each line gets the regular expression pathspec's GitIgnoreSpecPattern makes
    of it, which for a literal is the escaped name after `^(?:.+/)?` (one part,
    not anchored: at any depth) or `^` (anchored, or with a '/' inside), and
    before `/` (a folder pattern) or `(?:/|$)`; lines with the same ends share
    one alternation, all in one search.  No line can be a negation, so a path
    is ignored (True) when the search finds it, else undecided (None), exactly
    ``GitIgnoreSpec.check_file(path).include``.  :class:`_Matcher` asks it as
    it asks a pathspec spec."""

    __slots__ = ("search",)

    def __init__(self, search: Callable[[str], object]) -> None:
        self.search = search

    def check_file(self, file: str) -> _Checked:
        # as pathspec's normalize_file: '/' separators, no leading '/' or './'
        for sep in _OTHER_SEPS:
            file = file.replace(sep, "/")
        if file.startswith("/"):
            file = file[1:]
        elif file.startswith("./"):
            file = file[2:]
        return _UNDECIDED if self.search(file) is None else _IGNORED


def _literal_spec(lines: Iterable[str]) -> _LiteralSpec | None:
    """``lines`` as a :class:`_LiteralSpec`, or None if any is not a literal."""
    names: dict[tuple[str, str], dict[str, None]] = {}  # (start, end) -> escaped names
    for line in lines:
        if not isinstance(line, str):
            return None
        if line.startswith("#") or not line.rstrip(" "):
            continue  # a comment or a blank line: no pattern
        literal = _LITERAL_LINE.fullmatch(line)
        if literal is None:
            return None
        lead, name, trail = literal.groups()
        start = "^" if lead or "/" in name else "^(?:.+/)?"
        end = "/" if trail else "(?:/|$)"
        names.setdefault((start, end), {})[re.escape(name)] = None
    if not names:
        return _LiteralSpec(_no_match)
    joined = "|".join(f"{start}(?:{'|'.join(group)}){end}" for (start, end), group in names.items())
    return _LiteralSpec(re.compile(joined).search)


class _Matcher:
    """A gitignore spec's decision for a '/'-separated path relative to the
    spec's folder (with a trailing '/' for a folder): True (ignored), False
    (re-included by a `!` pattern) or None (no pattern matches), exactly as
    ``spec.check_file(path).include``, which it asks only when it must.

    Most paths match no pattern at all, which one search over the spec's
    patterns joined into one expression tells; and when the spec has no `!`
    pattern, any match means ignored.  A spec with negations, whose answer
    depends on which pattern matched last and how, is asked of pathspec for
    the paths some pattern matches.  A :class:`_LiteralSpec` brings its own
    search, and never a negation."""

    __slots__ = ("any_match", "check", "plain")

    def __init__(self, spec: _Spec) -> None:
        self.check: Callable[[str], Any] = spec.check_file
        self.any_match: Callable[[str], object] | None
        if isinstance(spec, _LiteralSpec):
            self.any_match, self.plain = spec.search, True  # no `!`: any match ignores
            return
        self.any_match = _joined_search(spec.patterns)
        self.plain = self.any_match is not None and all(
            pattern.include is not False for pattern in spec.patterns
        )

    def decide(self, relative: str) -> bool | None:
        any_match = self.any_match
        # pathspec drops a leading '/' or './' before matching: leave those to it
        if any_match is not None and not relative.startswith(("/", "./")):
            if any_match(relative) is None:
                return None
            if self.plain:
                return True
        decision: bool | None = self.check(relative).include
        return decision


class GlobSet:
    """Gitignore-style globs relative to a root folder."""

    def __init__(self, root: Path, patterns: Sequence[str]) -> None:
        self.root = root
        self.spec = _spec(patterns) if patterns else None
        self._matcher = _Matcher(self.spec) if self.spec is not None else None

    @property
    def root(self) -> Path:
        return self._root

    @root.setter
    def root(self, root: Path) -> None:
        self._root = root
        self._base = str(root).rstrip(os.sep) + os.sep

    def matches(self, file: Path | str, is_dir: bool = False) -> bool:
        matcher = self._matcher
        if matcher is None:
            return False
        name, base = file if isinstance(file, str) else str(file), self._base
        if not name.startswith(base):
            return False
        relative = name[len(base) :]
        if not _SLASH:
            relative = relative.replace(os.sep, "/")
        return matcher.decide(relative + "/" if is_dir else relative) is True


# ---------------------------------------------------------------- walking folders


def expand_paths(paths: Sequence[str], cwd: Path, exclude: GlobSet) -> list[SourceFile]:
    """Files are taken as given (unless excluded by config); folders are
    walked for Markdown files.  Raises PathError for a missing path."""
    found: dict[str, SourceFile] = {}
    here = str(cwd)
    base = here.rstrip(os.sep) + os.sep
    cut = len(base)
    outside: dict[str, str] = {}  # folder -> its display, for files outside cwd
    for raw in paths:
        absolute = os.path.normpath(os.path.join(here, raw))
        if not os.path.lexists(absolute):
            raise PathError(f"{raw}: no such file or directory")
        if os.path.isdir(absolute):  # a symbolic link to a folder, named on purpose, too
            names = [name for name in walk_markdown(absolute, exclude) if name not in found]
            if _SLASH and (absolute + os.sep).startswith(base):
                # the usual case, a folder under the current one, in C-level loops
                # display paths interned: the caches key files by the same strings
                displays = [intern(n[cut:]) for n in names]
                found.update(zip(names, map(SourceFile, names, displays), strict=True))
                continue
            for name in names:
                if name.startswith(base):
                    shown = name[cut:] if _SLASH else name[cut:].replace(os.sep, "/")
                else:
                    shown = _display_outside(name, here, outside)
                found[name] = SourceFile(name, shown)
        elif absolute not in found and not exclude.matches(absolute):
            found[absolute] = SourceFile(absolute, display_path(absolute, here))
    return sorted(found.values(), key=attrgetter("display"))


def _display_outside(name: str, cwd: str, folders: dict[str, str]) -> str:
    """display_path() for a file outside ``cwd``: os.path.relpath, once per folder."""
    folder, sep, leaf = name.rpartition(os.sep)
    if not sep or not folder or folder.endswith(os.sep):
        return display_path(name, cwd)
    shown = folders.get(folder)
    if shown is None:
        shown = folders[folder] = display_path(folder, cwd)
    return f"{shown}/{leaf}" if shown != "." else leaf


def walk_markdown(top: Path | str, exclude: GlobSet) -> Iterator[str]:
    """Markdown files under ``top`` (absolute path strings), skipping ignored
    folders and files, in a stable order: a folder's own files by name, then
    its subfolders, each in turn.

    .gitignore files are honoured in ``top``, below it and in its parents
    up to the enclosing git work tree, each relative to its own folder.
    Strings, not Paths, inside: this runs once per file of the collection."""
    sep = os.sep
    ignores = [
        (str(base).rstrip(sep) + sep, _Matcher(spec)) for base, spec in _parent_ignores(Path(top))
    ]
    excluding, exclude_base = exclude._matcher, exclude._base
    stack: list[tuple[str, list[tuple[str, _Matcher]]]] = [(str(top), ignores)]
    while stack:
        folder, ignores = stack.pop()
        folder = folder.rstrip(sep) + sep  # so a child's path is folder + name
        if os.path.isfile(folder + ".gitignore"):
            spec = _read_ignore(folder + ".gitignore")
            if spec is not None:
                ignores = [*ignores, (folder, _Matcher(spec))]
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError:
            continue
        # each spec decides for a path relative to its folder: this folder's part once,
        # then a file's path is that and its name
        deciders = [(_relative(folder, spec_base), m) for spec_base, m in ignores]
        if excluding is not None and folder.startswith(exclude_base):
            # excluded by config is ignored whatever a .gitignore says: asked first
            deciders.insert(0, (_relative(folder, exclude_base), excluding))
            excluded = True
        else:
            excluded = False
        # the usual case, in line: no `!` pattern, so ignored if any pattern matches
        searches = [
            (relative, m.any_match)
            for relative, m in deciders
            if m.plain and m.any_match is not None and not relative.startswith(("/", "./"))
        ]
        fast = searches if len(searches) == len(deciders) else None
        hits: list[str] = []  # Markdown files, and folders named like them
        subfolders: list[str] = []
        files: list[str] = []  # Markdown files, not yet asked about
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if name in SKIPPED_DIRS or _ignored(name + "/", deciders, excluded):
                    continue
                if name.endswith(MARKDOWN_SUFFIXES):
                    # reported as unreadable: a folder named like an article is a mistake
                    hits.append(name)
                else:
                    subfolders.append(name)
            elif name.endswith(MARKDOWN_SUFFIXES):
                files.append(name)
        if fast is None:
            hits.extend(name for name in files if not _ignored(name, deciders, excluded))
        else:
            # a folder of thousands of articles: one comprehension per pattern set
            for relative, search in fast:
                files = [name for name in files if search(relative + name) is None]
            hits.extend(files)
        hits.sort()
        for name in hits:
            yield folder + name
        subfolders.sort(reverse=True)
        stack.extend((folder + name, ignores) for name in subfolders)


def _relative(folder: str, base: str) -> str:
    """``folder`` (ending with a separator) relative to ``base`` (an ancestor,
    or itself, ending with one), '/'-separated."""
    relative = folder[len(base) :]
    return relative if _SLASH else relative.replace(os.sep, "/")


def _ignored(name: str, deciders: Sequence[tuple[str, _Matcher]], excluded: bool) -> bool:
    """Whether an entry ``name`` (with a trailing '/' for a folder) of the folder
    the deciders were made for is ignored: by the config's exclude globs (the
    first decider, when ``excluded``), or by git."""
    ignored = False
    for index, (folder, matcher) in enumerate(deciders):
        decision = matcher.decide(folder + name)
        if excluded and index == 0:
            if decision is True:
                return True
            continue
        # as git does: the last matching pattern decides, and a deeper .gitignore
        # comes later than the ones above it, so its `!keep.md` re-includes a file
        if decision is not None:
            ignored = decision
    return ignored


def _read_ignore(file: Path | str) -> _Spec | None:
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    return _spec(lines, lenient=True)


def _parent_ignores(top: Path) -> list[tuple[Path, _Spec]]:
    ignores: list[tuple[Path, _Spec]] = []
    if (top / ".git").exists():
        return ignores
    for parent in top.parents:
        gitignore = parent / ".gitignore"
        if gitignore.is_file():
            spec = _read_ignore(gitignore)
            if spec is not None:
                ignores.insert(0, (parent, spec))
        if (parent / ".git").exists():
            break
    else:
        return []  # not inside a git work tree: parents' .gitignore files do not apply
    return ignores


# ---------------------------------------------------------------- git


def work_trees(files: Iterable[Path | str]) -> set[Path]:
    """The git work trees holding ``files``, found by looking for ``.git``
    (a folder, or a file in worktrees and submodules) in each file's folder
    and its parents; no subprocess per file, and each folder looked at once."""
    names = [os.fspath(file) for file in files]
    # the folders first, in one comprehension: this runs over 50,000 files
    folders = {name.rpartition(os.sep)[0] for name in names}
    if not _SLASH or any(not folder or folder.endswith(os.sep) for folder in folders):
        folders = set(map(os.path.dirname, names))  # what rpartition misses: '/a', 'a//b'
    tops: set[str] = set()
    known: dict[str, str | None] = {}  # folder -> its work tree
    for folder in folders:
        walked: list[str] = []
        top = None
        candidate = folder
        while True:
            if candidate in known:
                top = known[candidate]
                break
            walked.append(candidate)
            if os.path.lexists(os.path.join(candidate, ".git")):
                top = candidate
                break
            parent = os.path.dirname(candidate)
            if parent == candidate:
                break
            candidate = parent
        for walked_folder in walked:
            known[walked_folder] = top
        if top is not None:
            tops.add(top)
    return {Path(top) for top in tops}


def git_toplevel(folder: Path) -> Path | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


_GIT_TIMEOUT = 60.0  # seconds, for all the commands of one _git_outputs call


class _GitCommands:
    """Git commands started at once in one folder, killed by a timer if they
    run longer than ``_GIT_TIMEOUT``."""

    def __init__(self, toplevel: Path | str, commands: Sequence[Sequence[str]]) -> None:
        self.commands = tuple(tuple(args) for args in commands)
        self.processes: list[subprocess.Popen[bytes] | None] = []
        for args in self.commands:
            try:
                process: subprocess.Popen[bytes] | None = subprocess.Popen(
                    ["git", *args], cwd=toplevel, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
                )
            except (OSError, subprocess.SubprocessError):
                process = None
            self.processes.append(process)
        self.watchdog = threading.Timer(_GIT_TIMEOUT, self.stop)
        self.watchdog.daemon = True
        self.watchdog.start()

    def stop(self) -> None:
        for process in self.processes:
            if process is not None and process.poll() is None:
                process.kill()

    def close(self) -> None:
        """Kill what still runs and reap every process."""
        self.watchdog.cancel()
        self.stop()
        for process in self.processes:
            if process is not None and process.returncode is None:
                process.communicate()


def _git_outputs(
    toplevel: Path | str, *commands: Sequence[str], started: _GitCommands | None = None
) -> Generator[bytes | None, None, None]:
    """The output of each git command, all started at once in ``toplevel``
    (or already, as ``started``), in turn (so the caller can work on the
    first while the others run); None for one that failed or ran out of
    time.  Each output is read to its end in one go (a read with a timeout
    goes in small chunks): a timer kills what still runs when the time is
    up, which ends its output.  Closing the generator early kills the
    commands not read."""
    running = started if started is not None else _GitCommands(toplevel, commands)
    try:
        for process in running.processes:
            if process is None:
                yield None
                continue
            try:
                out, _ = process.communicate()
            except (OSError, subprocess.SubprocessError):
                out = None
            yield out if process.returncode == 0 else None
    finally:
        running.close()


_INDEX_COMMANDS = (
    ("ls-files", "-z", "--cached", "--stage", "--", "*.md", "*.markdown"),
    ("ls-files", "-z", "--modified", "--deleted", "--", "*.md", "*.markdown"),
)
_PREFETCHED: dict[str, _GitCommands] = {}  # work tree -> its index listing, under way


def prefetch_git_index(paths: Iterable[str], cwd: Path | str) -> None:
    """Start listing the git index of the work trees holding ``paths`` now:
    git then runs on another core while fmlint imports its modules and reads
    its caches (a tenth of a second at 50,000 files, the main cost of a
    pre-commit run's start); :meth:`GitIndex.read` takes the listing
    up.  Call :func:`drop_prefetched` when done, used or not."""
    here = os.fspath(cwd)
    names = []
    for raw in paths:
        absolute = os.path.normpath(os.path.join(here, raw))
        # a folder stands for the files in it
        names.append(os.path.join(absolute, "-") if os.path.isdir(absolute) else absolute)
    for top in work_trees(names):
        key = str(top)
        if key in _PREFETCHED:
            _PREFETCHED.pop(key).close()
        _PREFETCHED[key] = _GitCommands(top, _INDEX_COMMANDS)


def drop_prefetched() -> None:
    """Forget (and stop) the listings :func:`prefetch_git_index` started that
    were not used: the next run must not read an index listed before it."""
    while _PREFETCHED:
        _PREFETCHED.popitem()[1].close()


_REGULAR_MODES = ("100644", "100755")  # a symbolic link is the file it points to, or nothing


class GitIndex:
    """git's index of one work tree: the Markdown files a commit will hold
    (``git ls-files --stage``), and those whose work-tree copy differs from
    the index's (modified or deleted).  The two git commands run at once (or
    were started by :func:`prefetch_git_index`)."""

    def __init__(self, toplevel: Path | str, staged: str, changed: list[str]) -> None:
        self.top = str(toplevel).rstrip(os.sep) + os.sep
        self.staged = staged  # "<mode> <blob> <stage>\t<name>\0" records
        self.changed = changed  # names relative to the top, '/'-separated
        self._uniform: tuple[list[str], int] | None = None
        self._looked = False  # at the records, for uniform_records

    @classmethod
    def read(cls, toplevel: Path | str) -> GitIndex | None:
        """None outside git (or when git fails)."""
        started = _PREFETCHED.pop(str(toplevel), None)
        outputs = _git_outputs(toplevel, *_INDEX_COMMANDS, started=started)
        try:
            staged = next(outputs)
            changed = next(outputs) if staged is not None else None
        finally:
            outputs.close()
        if staged is None or changed is None:
            return None
        names = changed.decode("utf-8", errors="surrogateescape").split("\0")
        return cls(toplevel, staged.decode("utf-8", errors="surrogateescape"), names[:-1])

    def uniform_records(self) -> tuple[list[str], int] | None:
        """The records and where each one's name starts, when they all look
        alike (regular files at stage 0: no conflict, no symbolic link, blob
        ids of one length), so C code can slice them; None otherwise."""
        if not self._looked:
            self._uniform, self._looked = _uniform_records(self.staged), True
        return self._uniform

    def files_and_blobs(self) -> tuple[list[str], dict[str, str]]:
        """The files as absolute path strings, and for those whose work-tree
        copy is the same as the index's, their blob id: git already knows
        their content, so a cache keyed by it needs no stat, let alone a read.
        Symbolic links are left out; a conflicted file is listed (once per
        stage), without a blob id."""
        top = self.top
        uniform = self.uniform_records()
        if uniform is None:
            files, blobs = _parse_stage(self.staged, top)
        else:
            records, tab = uniform
            names: Iterable[str] = map(itemgetter(slice(tab + 1, None)), records)
            if not _SLASH:
                names = (name.replace("/", os.sep) for name in names)
            files = list(map(top.__add__, names))
            blobs = dict(zip(files, map(itemgetter(slice(7, tab - 2)), records), strict=True))
        for name in self.changed:
            blobs.pop(top + (name if _SLASH else name.replace("/", os.sep)), None)
        return files, blobs


def git_tracked_markdown(toplevel: Path | str) -> tuple[list[str], dict[str, str]] | None:
    """:meth:`GitIndex.files_and_blobs` of the work tree at ``toplevel``;
    None outside git."""
    index = GitIndex.read(toplevel)
    return None if index is None else index.files_and_blobs()


def _uniform_records(text: str) -> tuple[list[str], int] | None:
    """``git ls-files -z --stage`` records, "<mode> <blob> <stage>\\t<name>\\0"
    (the mode six digits, the blob id full length, so the name starts at the
    same place in each), and that place, when all are regular files at stage
    0, as they are unless a merge is in conflict or a link is tracked; None
    otherwise."""
    if not text:
        return [], 0
    tab = text.find(" ", 7) + 2  # the first record's tab, after "<mode> <blob> <stage>"
    if tab < 10 or text[-1] != "\0":
        return None
    records = text.split("\0")
    records.pop()
    modes = set(map(itemgetter(slice(0, 7)), records))
    if not modes <= {f"{mode} " for mode in _REGULAR_MODES}:
        return None
    if set(map(itemgetter(slice(tab - 2, tab + 1)), records)) != {" 0\t"}:
        return None  # a conflict (or blob ids of another length: not git's format)
    return records, tab


def _parse_stage(text: str, top: str) -> tuple[list[str], dict[str, str]]:
    files: list[str] = []
    blobs: dict[str, str] = {}
    for record in text.split("\0"):
        if not record:
            continue
        meta, _, name = record.partition("\t")
        mode, blob, stage = [*meta.split(" "), "", "", ""][:3]
        if mode not in _REGULAR_MODES:
            continue
        path = top + (name if _SLASH else name.replace("/", os.sep))
        files.append(path)
        if stage == "0":
            blobs[path] = blob
    return files, blobs


def _spec(lines: Iterable[str], lenient: bool = False) -> _Spec:
    """The spec of gitignore-style ``lines``.  A line pathspec cannot read (a
    trailing backslash, a lone ``!``) raises PatternError, or, ``lenient``
    (a .gitignore file), is left out: git never matches such a line either."""
    lines = list(lines)
    literal = _literal_spec(lines)
    if literal is not None:
        return literal
    # imported on first use: a run whose .gitignore files and excludes are all
    # literal names never needs it
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except ValueError:
        pass
    readable = []
    for line in lines:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except ValueError:
            if not lenient:
                raise PatternError(
                    f"{line!r} is not a valid gitignore-style glob: a pattern cannot end in "
                    'an unescaped backslash or be a lone "!" (expected e.g. "drafts/" or '
                    '"**/*.tmp")'
                ) from None
        else:
            readable.append(line)
    return pathspec.GitIgnoreSpec.from_lines(readable)


def check_globs(patterns: Sequence[str]) -> None:
    """Raise PatternError for the first of ``patterns`` that is not a valid
    gitignore-style glob."""
    if patterns:
        _spec(patterns)
