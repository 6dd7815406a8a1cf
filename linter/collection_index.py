"""The collection's facts indexed by key, so that a pre-commit run compares
its few files with a 50,000-file collection without loading every fact.

A collection rule that can name the keys under which a fact may clash with
another file's (:meth:`linter.rules.base.CollectionRule.index_keys`: FM501's
keys are the values that must be unique) promises that what it reports on a
checked file depends only on the files sharing one of that file's keys.  For
such rules a small run reads this index instead of the facts cache: it lints
the checked files, looks their keys up, and hands ``finish`` those files'
facts alone.

What the index covers is recorded file by file as ``<blob id> 0\\t<path>``
(git's ``ls-files --stage`` record less the mode): the git blob id of the
content whose facts it holds, and the path (relative to the config root,
which the runner only lets be the work tree's top).  A
file whose current record is not covered (changed or added since) is linted
by the run itself; a line whose record is no longer current is ignored.  So
the index never has to be exact, only never wrong: a stale line is dead
weight, and a run that finds too many files uncovered goes the long way
(every fact) and writes a new index.

Layout of a file, all of it checksummed by the first line:

    fmlint-index <format> crc32=<8 hex digits>
    {"format": 1, "key": "<config key>", "coverage": <bytes>, "files": <n>, ...}
    <blob> 0\\t<path>\\0...             (the records, ``coverage`` bytes)
    <key>\\t<n>\\t<fact>                 (one line per key of a file's fact; <n>
                                       numbers the file's record, from 0)

Keys and facts are ASCII-only JSON, so neither holds a tab or a line break,
and a key is found with a plain substring search for ``\\n<key>\\t`` in the
undecoded bytes: no parse of the other 50,000 lines.  A small run adds what
it learned to a delta file in the same layout, tied to the main file by its
checksum line; past :data:`DELTA_LIMIT` files the two are merged.  Writes
are atomic; a file that fails its checksum or belongs to another config is
ignored.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from linter.cache import atomic_file, read_regular_file

FORMAT = 2
FRESH_LIMIT = 100  # uncovered files a small run lints itself before going the long way
DELTA_LIMIT = 2000  # files recorded in the delta file before it is merged into the main one
KEEP_FILES = 4  # index files (configs) kept in the cache folder
PREFIX, SUFFIX, DELTA_SUFFIX, TEMP_SUFFIX = "index-", ".txt", ".delta.txt", ".tmp"
_MAGIC = b"fmlint-index %d crc32=" % FORMAT
_SEARCHES = 16  # keys looked up one by one (a substring search each); more: one pass

Keyed = tuple[str, str, str]
"""(rule code, key, fact as JSON) of one file."""


def record(path: str, blob: str) -> str:
    """What the index calls a file at a content: ``<blob id> 0\\t<path>``,
    git's own ``ls-files --stage`` record less the mode, so that a run takes
    git's records as they come."""
    return f"{blob} 0\t{path}"


# one encoder for all: json.dumps with any option builds a new one per call
_compact = json.JSONEncoder(separators=(",", ":")).encode
_quoted = json.JSONEncoder().encode


def fact_json(fact: Any) -> str:
    """A fact as the index keeps it.  Raises TypeError/ValueError for a fact
    that is not JSON."""
    return _compact(fact)


def _key_field(code: str, key: str) -> bytes:
    return _quoted(f"{code}:{key}").encode("ascii")


def _checksum_line(body: bytes) -> bytes:
    return _MAGIC + b"%08x" % zlib.crc32(body)


def _line(code: str, key: str, number: int, fact: str) -> bytes:
    return b"%s\t%d\t%s\n" % (_key_field(code, key), number, fact.encode("ascii"))


def _joined(records: Sequence[str], size: int = 4096) -> Iterator[bytes]:
    """``"\\0".join(records)`` encoded, a few thousand records at a time: the
    records of 100,000 files are 15 MB, not needed twice in memory."""
    for start in range(0, len(records), size):
        part = "\0".join(records[start : start + size]).encode("utf-8", "surrogatepass")
        yield part if start == 0 else b"\0" + part


def _joined_size(records: Sequence[str]) -> int:
    """``len()`` of what :func:`_joined` yields, without making it."""
    sizes = (len(r) if r.isascii() else len(r.encode("utf-8", "surrogatepass")) for r in records)
    return sum(sizes) + max(len(records) - 1, 0)


class _Records(Sequence[str]):
    """The records of ``files`` (path, blob id), made as they are read: a
    new index of 100,000 files does not hold them all (15 MB) while it is
    written."""

    def __init__(self, files: Sequence[tuple[str, str]]) -> None:
        self.files = files

    def __len__(self) -> int:
        return len(self.files)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return list(itertools.starmap(record, self.files[index]))
        return record(*self.files[index])

    def __iter__(self) -> Iterator[str]:
        return itertools.starmap(record, self.files)


def _batches(parts: Iterable[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    """``parts`` joined into pieces of about ``size`` bytes, for fewer writes."""
    batch: list[bytes] = []
    length = 0
    for part in parts:
        batch.append(part)
        length += len(part)
        if length >= size:
            yield b"".join(batch)
            batch, length = [], 0
    if batch:
        yield b"".join(batch)


class _Part:
    """One file of the index as read."""

    def __init__(
        self, header: dict[str, Any], coverage: bytes, entries: bytes, head: bytes
    ) -> None:
        self.header = header
        self.coverage = coverage
        self.entries = entries  # starts with b"\n": every line follows one
        self.head = head  # the checksum line, which a delta names as its base
        self._records: list[str] | None = None

    @property
    def records(self) -> list[str]:
        if self._records is None:
            text = self.coverage.decode("utf-8", "surrogatepass")
            self._records = text.split("\0") if text else []
        return self._records

    def lines(self, offset: int) -> list[bytes]:
        """The entry lines with their record numbers moved by ``offset``."""
        if not offset:
            return [line + b"\n" for line in self.entries.split(b"\n") if line]
        moved = []
        for line in self.entries.split(b"\n"):
            fields = line.split(b"\t", 2)
            if len(fields) == 3 and fields[1].isdigit():
                moved.append(b"%s\t%d\t%s\n" % (fields[0], int(fields[1]) + offset, fields[2]))
        return moved


def _read(file: Path, key: str) -> _Part | None:
    read = read_regular_file(file)
    if read is None:
        return None
    data = read[0]
    head, _, rest = data.partition(b"\n")
    if head != _checksum_line(rest):  # missing, truncated, edited, another format
        return None
    line, _, body = rest.partition(b"\n")
    try:
        header = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if (
        not isinstance(header, dict)
        or header.get("format") != FORMAT
        or header.get("key") != key
        or type(header.get("coverage")) is not int
        or type(header.get("files")) is not int
        or not 0 <= header["coverage"] < len(body)
        or body[header["coverage"] : header["coverage"] + 1] != b"\n"
    ):
        return None
    cut = header["coverage"]
    return _Part(header, body[:cut], body[cut:], head)


class CollectionIndex:
    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key
        self.file = folder / f"{PREFIX}{key[:20]}{SUFFIX}"
        self.delta_file = folder / f"{PREFIX}{key[:20]}{DELTA_SUFFIX}"
        self._parts: list[_Part] = []
        self._added: list[tuple[str, list[Keyed]]] = []

    # -- reading

    def exists(self) -> bool:
        """Whether a main file of this config is there (not read: cheap)."""
        return self.file.is_file()

    def load(self) -> bool:
        """Read the main file and its delta; False if there is no usable index."""
        main = _read(self.file, self.key)
        if main is None:
            self._parts = []
            return False
        self._parts = [main]
        delta = _read(self.delta_file, self.key)
        if delta is not None and delta.header.get("base") == main.head.decode("ascii"):
            self._parts.append(delta)
        return True

    @property
    def covered_files(self) -> int:
        """How many records the index holds (stale ones too)."""
        return sum(part.header["files"] for part in self._parts)

    def coverage(self) -> set[str]:
        """Every record the index holds."""
        covered: set[str] = set()
        for part in self._parts:
            covered.update(part.records)
        return covered

    def lookup(self, code: str, keys: Iterable[str]) -> Iterator[tuple[str, str, bytes]]:
        """(path, blob id, fact as JSON) of every line of rule ``code`` under
        one of ``keys``, stale ones too (the caller checks the record)."""
        wanted = sorted(set(keys))
        if len(wanted) <= _SEARCHES:
            for key in wanted:
                needle = b"\n" + _key_field(code, key) + b"\t"
                for part in self._parts:
                    text = part.entries
                    at = text.find(needle)
                    while at >= 0:
                        end = text.find(b"\n", at + 1)
                        end = len(text) if end < 0 else end
                        found = self._found(part, text[at + len(needle) : end])
                        if found is not None:
                            yield found
                        at = text.find(needle, end)
            return
        fields = {_key_field(code, key) for key in wanted}
        for part in self._parts:
            for line in part.entries.split(b"\n"):
                key_field, tab, rest = line.partition(b"\t")
                if tab and key_field in fields:
                    found = self._found(part, rest)
                    if found is not None:
                        yield found

    @staticmethod
    def _found(part: _Part, rest: bytes) -> tuple[str, str, bytes] | None:
        """(path, blob, fact) from ``<n>\\t<fact>``; None for a line that is
        not one (the checksum makes that impossible unless fmlint wrote it)."""
        number, tab, fact = rest.partition(b"\t")
        if not tab or not number.isdigit():
            return None
        records = part.records
        index = int(number)
        if index >= len(records):
            return None
        blob, space, named = records[index].partition(" ")
        return (named[2:], blob, fact) if space and named[:2] == "0\t" else None

    # -- writing

    def add(self, files: Iterable[tuple[str, str, list[Keyed]]]) -> None:
        """What a small run learned: (path, blob id, keyed facts) of files."""
        self._added.extend((record(path, blob), facts) for path, blob, facts in files)

    def save(self) -> None:
        """Write what :meth:`add` gathered: into the delta file, or, past
        :data:`DELTA_LIMIT`, into a new main file holding everything."""
        if not self._added or not self._parts:
            return
        main, delta = self._parts[0], (self._parts[1] if len(self._parts) > 1 else None)
        added, self._added = self._added, []
        with contextlib.suppress(OSError, ValueError):
            old_records = delta.records if delta is not None else []
            if len(old_records) + len(added) <= DELTA_LIMIT:
                lines = delta.lines(0) if delta is not None else []
                base = main.head.decode("ascii")
                self._write(self.delta_file, old_records, lines, added, base)
            else:
                lines = main.lines(0)
                if delta is not None:
                    lines.extend(delta.lines(len(main.records)))
                self._write(self.file, main.records + old_records, lines, added)
                with contextlib.suppress(OSError):
                    self.delta_file.unlink()

    def rebuild(
        self, files: Sequence[tuple[str, str]], keyed_of: Callable[[str], list[Keyed]]
    ) -> None:
        """Replace the index with one of exactly ``files`` (path, blob id),
        whose keyed facts ``keyed_of(path)`` gives: asked file by file while
        the lines are written, so that the lines of 100,000 files are never
        all in memory."""
        with contextlib.suppress(OSError, ValueError):
            self.folder.mkdir(parents=True, exist_ok=True)
            lines = (
                _line(code, key, number, fact)
                for number, (path, _) in enumerate(files)
                for code, key, fact in keyed_of(path)
            )
            self._write(self.file, _Records(files), lines)
            with contextlib.suppress(OSError):
                self.delta_file.unlink()
            self._prune()

    def _write(
        self,
        file: Path,
        records: Sequence[str],
        lines: Iterable[bytes],
        added: Sequence[tuple[str, list[Keyed]]] = (),
        base: str | None = None,
    ) -> None:
        """``records`` and their ``lines``, then the ``added`` files; streamed,
        the checksum line written last over a placeholder."""
        first = len(records)
        if added:
            records = [*records, *(file_record for file_record, _ in added)]
        more = (
            _line(code, key, number, fact)
            for number, (_, facts) in enumerate(added, first)
            for code, key, fact in facts
        )
        header: dict[str, Any] = {
            "format": FORMAT,
            "key": self.key,
            "coverage": _joined_size(records),
            "files": len(records),
        }
        if base is not None:
            header["base"] = base
        with atomic_file(self.folder, f".{PREFIX}", TEMP_SUFFIX, file) as handle:
            placeholder = _checksum_line(b"")
            handle.write(b" " * len(placeholder) + b"\n")
            crc = 0
            for part in _batches(
                itertools.chain(
                    [json.dumps(header).encode() + b"\n"], _joined(records), [b"\n"], lines, more
                )
            ):
                crc = zlib.crc32(part, crc)
                handle.write(part)
            handle.seek(0)
            handle.write(_MAGIC + b"%08x" % crc)

    def _prune(self) -> None:
        """Keep the index files of the :data:`KEEP_FILES` most recent configs
        (and no temp file a crashed run left)."""
        found = []
        an_hour_ago = time.time() - 3600
        for entry in os.scandir(self.folder):
            name = entry.name
            if name.startswith(f".{PREFIX}") and name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < an_hour_ago:
                        os.unlink(entry.path)
                continue
            ours = name.startswith(PREFIX) and name.endswith(SUFFIX)
            if ours and not name.endswith(DELTA_SUFFIX) and entry.path != str(self.file):
                with contextlib.suppress(OSError):
                    found.append((entry.stat().st_mtime, entry.path))
        found.sort(reverse=True)
        for _, path in found[KEEP_FILES - 1 :]:
            for name in (path, path[: -len(SUFFIX)] + DELTA_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(name)
