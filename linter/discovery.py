"""Which files to lint: paths from the command line expanded into Markdown
files, honouring .gitignore files, the always-skipped folders and the
config's ``exclude`` globs; and the collection for collection-wide rules.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

import pathspec

MARKDOWN_SUFFIXES = (".md", ".markdown")
SKIPPED_DIRS = frozenset({".git", "_site", "node_modules", "vendor", ".fmlint_cache"})


class PathError(Exception):
    """A path given on the command line that does not exist."""


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


def display_path(file: Path, cwd: Path) -> str:
    name, base = str(file), str(cwd).rstrip(os.sep) + os.sep
    # the common case by string slicing: pathlib's relative_to costs more per call
    relative = name[len(base) :] if name.startswith(base) else os.path.relpath(name, cwd)
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


class GlobSet:
    """Gitignore-style globs relative to a root folder."""

    def __init__(self, root: Path, patterns: Sequence[str]) -> None:
        self.root = root
        self.spec = pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None

    def matches(self, file: Path | str, is_dir: bool = False) -> bool:
        if self.spec is None:
            return False
        name, base = str(file), str(self.root).rstrip(os.sep) + os.sep
        if not name.startswith(base):
            return False
        relative = name[len(base) :].replace(os.sep, "/")
        return bool(self.spec.match_file(relative + "/" if is_dir else relative))


def expand_paths(paths: Sequence[str], cwd: Path, exclude: GlobSet) -> list[SourceFile]:
    """Files are taken as given (unless excluded by config); folders are
    walked for Markdown files.  Raises PathError for a missing path."""
    found: dict[Path, SourceFile] = {}
    for raw in paths:
        given = Path(raw)
        absolute = given if given.is_absolute() else cwd / given
        absolute = Path(os.path.normpath(absolute))
        if not os.path.lexists(absolute):
            raise PathError(f"{raw}: no such file or directory")
        if absolute.is_dir():  # a symbolic link to a folder, named on purpose, is walked too
            for file in walk_markdown(absolute, exclude):
                found.setdefault(file, SourceFile(file, display_path(file, cwd)))
        elif not exclude.matches(absolute):
            found.setdefault(absolute, SourceFile(absolute, display_path(absolute, cwd)))
    return sorted(found.values(), key=lambda s: s.display)


def walk_markdown(top: Path, exclude: GlobSet) -> Iterable[Path]:
    """Markdown files under ``top``, skipping ignored folders and files.

    .gitignore files are honoured in ``top``, below it and in its parents
    up to the enclosing git work tree, each relative to its own folder.
    Strings, not Paths, inside: this runs once per file of the collection."""
    inherited = [(str(base).rstrip(os.sep) + os.sep, spec) for base, spec in _parent_ignores(top)]
    stack: list[tuple[str, list[tuple[str, pathspec.GitIgnoreSpec]]]] = [(str(top), inherited)]
    while stack:
        folder, ignores = stack.pop()
        gitignore = os.path.join(folder, ".gitignore")
        if os.path.isfile(gitignore):
            spec = _read_ignore(Path(gitignore))
            if spec is not None:
                ignores = [*ignores, (folder.rstrip(os.sep) + os.sep, spec)]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if name in SKIPPED_DIRS or _ignored(entry.path, True, ignores, exclude):
                    continue
                if name.endswith(MARKDOWN_SUFFIXES):
                    # reported as unreadable: a folder named like an article is a mistake
                    yield Path(entry.path)
                    continue
                subfolders.append((entry.path, ignores))
            elif name.endswith(MARKDOWN_SUFFIXES) and not _ignored(
                entry.path, False, ignores, exclude
            ):
                yield Path(entry.path)
        stack.extend(reversed(subfolders))


def _ignored(
    path: str, is_dir: bool, ignores: list[tuple[str, pathspec.GitIgnoreSpec]], exclude: GlobSet
) -> bool:
    if exclude.matches(path, is_dir):
        return True
    # as git does: the last matching pattern decides, and a deeper .gitignore
    # comes later than the ones above it, so its `!keep.md` re-includes a file
    ignored = False
    for base, spec in ignores:  # outermost first, each with a trailing separator
        relative = path[len(base) :].replace(os.sep, "/") + ("/" if is_dir else "")
        decision = spec.check_file(relative).include
        if decision is not None:
            ignored = decision
    return ignored


def _read_ignore(file: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _parent_ignores(top: Path) -> list[tuple[Path, pathspec.GitIgnoreSpec]]:
    ignores: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
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


def work_trees(files: Iterable[Path]) -> set[Path]:
    """The git work trees holding ``files``, found by looking for ``.git``
    (a folder, or a file in worktrees and submodules) in each file's folder
    and its parents; no subprocess per file, and each folder looked at once."""
    found: set[Path] = set()
    known: dict[str, str | None] = {}  # folder -> its work tree (strings: this runs per file)
    for file in files:
        folder = os.path.dirname(str(file))
        if folder in known:
            top = known[folder]
        else:
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
            for name in walked:
                known[name] = top
        if top is not None:
            found.add(Path(top))
    return found


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


def _git(toplevel: Path, *args: str) -> bytes | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=toplevel, capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_tracked_markdown(toplevel: Path) -> tuple[list[str], dict[str, str]] | None:
    """Markdown files in git's index (tracked or staged: what a commit will
    hold), as absolute path strings, and for those whose work-tree copy is
    the same as the index's, their blob id: git already knows their content,
    so a cache keyed by it needs no stat, let alone a read.  None outside git.
    Symbolic links and conflicted entries are left out."""
    patterns = ("--", "*.md", "*.markdown")
    staged = _git(toplevel, "ls-files", "-z", "--cached", "--stage", *patterns)
    changed = _git(toplevel, "ls-files", "-z", "--modified", "--deleted", *patterns)
    if staged is None or changed is None:
        return None
    top = str(toplevel).rstrip(os.sep) + os.sep
    differs = {
        name for name in changed.decode("utf-8", errors="surrogateescape").split("\0") if name
    }
    files: list[str] = []
    blobs: dict[str, str] = {}
    for record in staged.decode("utf-8", errors="surrogateescape").split("\0"):
        if not record:
            continue
        meta, _, name = record.partition("\t")
        mode, blob, stage = [*meta.split(" "), "", "", ""][:3]
        if mode not in ("100644", "100755"):
            continue  # a symbolic link is the file it points to, or nothing
        path = top + name.replace("/", os.sep)
        files.append(path)
        if stage == "0" and name not in differs:
            blobs[path] = blob
    return files, blobs
