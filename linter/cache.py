"""A cache of per-file results, so re-runs and pre-commit runs read only what
changed.

Two kinds of cache file per configuration key in the cache folder (git-ignored
by a ``.gitignore`` of its own): ``results-*`` holds each checked file's
result, ``facts-*`` the small facts collection rules compare, so a pre-commit
run over a big collection loads and rewrites only the facts.  An entry is
keyed by the file's absolute path and trusted only when the file's size and
modification time (ns) match, or, for a file git vouches for (unchanged since
the index), when git's blob id of its content matches: no stat needed.  JSON,
never pickle: a tampered cache must not be able to run code.

A cache file (format 6) is a header line, the *area*, a line for each
stored value, and the *index*, one JSON object on the last line::

    fmlint-cache 6 sha256=<64 hex digits> area=<12 digits>
    <the text of the first value>
    ...
    <the text of the last value>
    {"format":6,"key":"<config key>","keys":[...],"stamps":[...],"ends":[...],"kinds":"01..."}

* a value's text is the value itself for a str (kind 0: a result, which the
  runner stores as its JSON text), else its compact JSON (kind 1: a file's
  facts), in UTF-8 (``surrogatepass``: the lone surrogates of undecodable
  file names round-trip).  A value that is not JSON (a plugin's fact) is
  left out, as if dropped.  So a warm run decodes a small JSON index and cuts
  100,000 texts out of the area, instead of unescaping each result text out
  of one 20 MB JSON document (half the work);
* the index gives the entries in area order, as columns: ``keys``,
  ``stamps`` two an entry ([size, mtime_ns], or [blob id, 0] for a file git
  vouches for), ``ends``, where each text ends, as a byte offset in the area
  (its line break follows; the next text starts after it, the first at 0),
  and ``kinds``, a digit an entry.  A delta file (below) adds ``"base"``, the
  header line of the file it applies to, and ``"gone"``, the keys it drops;
* ``area`` is the area's length in bytes (zero-padded, so the header is
  written last over a placeholder of its size); ``sha256`` is the digest of
  everything after the header line followed by those 12 digits, so both
  fields are checked.

Never trusted, never fatal:

* a cache that is unreadable, truncated, edited by hand, garbage, of another
  format (format 5 files too: they are rebuilt), whose index has the wrong
  shape or config key, or whose ends are not in order over the whole area
  (not ints, decreasing, negative, past the area or short of it) is ignored
  as a whole, and replaced on the next save: the checksum catches any change
  not made by fmlint, including a well-formed entry with wrong types;
* even under a matching checksum, an entry is dropped (and its file read
  again) when its stamps are of the wrong types, its kind is not 0 or 1, its
  text is not UTF-8 or, of kind 1, not one JSON value, or the runner cannot
  parse its value back (:func:`linter.runner.parse_cached` is strict);
* "racily clean" files are not cached: a file modified within
  :data:`RACY_WINDOW_NS` of being stored could be edited again within the
  file system's timestamp granularity, keeping its size and mtime, so its
  entry could later be trusted for content it no longer has (git's "racy git"
  problem).  Such a file is simply read again on the next run.

Writes are atomic (temp file + :func:`os.replace`).  Concurrent runs merge:
on save, entries another run wrote since this one loaded are kept unless this
run has a fresher answer for the same path; at worst a racing update is lost,
which only costs a re-read.

A first run (or one that rewrites the whole file anyway) can *spool*
(:meth:`ResultCache.spool`): each slice of stored entries goes to the new
file's temp as it comes and leaves memory, and :meth:`ResultCache.save`
completes it, so 100,000 results are never all held (only the index, kept
compactly: see :class:`_EntryWriter`).  The file is the same as a save from
memory writes.  A key written to the spool and then stored again or dropped
(the runner never does that) sends the cache back to memory, reading the
spool back: the index must not name a key twice.

The key index of the collection's facts, which a pre-commit run reads instead
of the facts file, lives in the same folder (:mod:`linter.collection_index`).

Growth is bounded: entries for files that no longer exist are dropped on
save, and only the :data:`KEEP_FILES` most recently written cache files (one
per config) are kept; stale temp files of crashed runs are removed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import stat as stat_module
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import add, le
from pathlib import Path
from typing import Any, BinaryIO

FORMAT = 6
RACY_WINDOW_NS = 2_000_000_000  # FAT has 2 s mtimes; ext4/APFS/NTFS are far finer
KEEP_FILES = 4  # cache files (configs) kept in the folder
STALE_TEMP_SECONDS = 3600
KINDS = ("results", "facts")  # per-file results; facts for collection rules, kept apart
_SUFFIX, _TEMP_SUFFIX, _DELTA_SUFFIX = ".json", ".tmp", ".delta.json"
_SLICE = 2000  # entries serialised at a time
DELTA_LIMIT = 2000  # changed entries kept in a delta file before the whole file is rewritten
_GITIGNORE = "# created by fmlint: everything in this folder is a cache\n*\n"
_RAW, _JSON = 0x30, 0x31  # a value's kind, b"0" or b"1": a str as it is, or JSON text
_MAGIC = b"fmlint-cache %d sha256=" % FORMAT
_AREA_DIGITS = 12
_HEADER_SIZE = len(_MAGIC) + 64 + len(b" area=") + _AREA_DIGITS
# one encoder, not one made per value (as `json.dumps` with options would)
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_entry(entry: Any) -> bool:
    """[size, mtime_ns, value] (keyed by the file's stat) or [blob id, 0, value]
    (keyed by the content git vouches for)."""
    return (
        type(entry) is list
        and len(entry) == 3
        and (_is_int(entry[0]) or isinstance(entry[0], str))
        and _is_int(entry[1])
    )


class ResultCache:
    def __init__(
        self, folder: Path, key: str, kind: str = "results", base: Path | None = None
    ) -> None:
        """``base``: paths under it are stored relative to it (the cache ``key``
        must pin it down), which makes the file a third smaller."""
        if kind not in KINDS:
            raise ValueError(f"cache kind must be one of {KINDS}")
        self._base = None if base is None else str(base).rstrip(os.sep) + os.sep
        self._cut = 0 if self._base is None else len(self._base)
        self._prefix, self._temp_prefix = f"{kind}-", f".{kind}-"
        self.folder = folder
        self.key = key
        self.file = folder / f"{self._prefix}{key[:20]}{_SUFFIX}"
        self.delta_file = folder / f"{self._prefix}{key[:20]}{_DELTA_SUFFIX}"
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        self._touched: set[str] = set()  # paths this run stored or dropped
        self._seen: set[str] = set()  # paths this run found in the cache (they exist)
        self._loaded_stat: tuple[int, int] | None = None  # (size, mtime_ns) of the file loaded
        self._loaded_header = b""  # its checksum line: what a delta file names as its base
        self._delta: dict[str, Any] = {}  # the changes in the delta file loaded
        self._released = False  # whether unchanged values were let go of (see `take_many`)
        # spooling (see `spool`): a key stored since is in `_pending` until its slice is
        # written, then in `_spooled` (not in `_touched`: one set of 100,000 keys, not two)
        self._spool: _EntryWriter | None = None
        self._spool_path = ""
        self._pending: dict[str, list[Any]] = {}
        self._spooled: set[str] = set()
        self._base_path = base
        self._kind = kind

    @staticmethod
    def make_key(*parts: object) -> str:
        digest = hashlib.sha256()
        digest.update(f"format {FORMAT}".encode())
        for part in parts:
            digest.update(repr(part).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        return digest.hexdigest()

    # -- reading

    def _read(
        self, file: Path | None = None, dropped: bool = False
    ) -> tuple[dict[str, Any] | None, tuple[int, int] | None, bytes]:
        """The index object of a cache file, its ``entries`` made
        [stamp0, stamp1, value] (None when the file cannot be trusted), the
        file's (size, mtime_ns) and its header line.  ``dropped``: keep the
        keys a delta file drops, as None."""
        read = read_regular_file(file or self.file)
        if read is None:  # missing, unreadable, a folder, a device...
            return None, None, b""
        data, info = read
        del read
        stat = (info.st_size, info.st_mtime_ns)
        cut = data.find(b"\n") + 1
        header, digits = data[: cut - 1], data[cut - 1 - _AREA_DIGITS : cut - 1]
        if cut != _HEADER_SIZE + 1 or not digits.isdigit():  # (ASCII digits only)
            return None, stat, b""  # empty, garbage, another format
        size = int(digits)
        body = memoryview(data)[cut:]  # a view, not a copy: the file is tens of MB
        try:
            digest = hashlib.sha256(body)
            digest.update(digits)
            if header != _MAGIC + digest.hexdigest().encode() + b" area=" + digits:
                return None, stat, b""  # another format, truncated, edited
            if len(body) < size:
                return None, stat, b""  # (fmlint never writes that)
            # lone surrogates (undecodable file names) round-trip through surrogatepass
            text = str(body[size:], "utf-8", "surrogatepass")
        except UnicodeDecodeError:  # (fmlint never writes that)
            return None, stat, b""
        finally:
            body.release()
        collecting = gc.isenabled()
        gc.disable()  # decoding makes hundreds of thousands of objects, none of them garbage
        try:
            index = json.loads(text)
            del text
            if (
                type(index) is not dict
                or index.get("format") != FORMAT
                or index.get("key") != self.key
            ):
                return None, stat, b""
            columns = [index.pop(name, None) for name in ("keys", "stamps", "ends", "kinds")]
            entries = _fill(data, cut, size, *columns)
            del data, columns
            gone = index.pop("gone", [])
            if entries is None or type(gone) is not list:
                return None, stat, b""
            if dropped:
                for key in gone:
                    if type(key) is not str:
                        return None, stat, b""
                    entries[key] = None
        except (ValueError, RecursionError):  # (fmlint never writes that)
            return None, stat, b""
        finally:
            if collecting:
                gc.enable()
        index["entries"] = entries
        return index, stat, header

    def _read_entries(self) -> tuple[dict[str, Any], tuple[int, int] | None, bytes]:
        payload, stat, header = self._read()
        return ({} if payload is None else payload["entries"]), stat, header

    def load(self) -> None:
        self.entries, self._loaded_stat, self._loaded_header = self._read_entries()
        self._delta = {}
        if not self._loaded_header:
            return
        delta, _, _ = self._read(self.delta_file, dropped=True)
        # a delta applies only to the very file it was written over
        if delta is not None and delta.get("base") == self._loaded_header.decode("ascii"):
            self._delta = delta["entries"]
            for key, entry in self._delta.items():
                if entry is None:
                    self.entries.pop(key, None)
                else:
                    self.entries[key] = entry

    @property
    def loaded(self) -> bool:
        """Whether a cache file was read, so that a few changes can be saved
        as a delta over it."""
        return bool(self._loaded_header)

    def _key(self, path: str) -> str:
        base = self._base
        return path[self._cut :] if base is not None and path.startswith(base) else path

    def _path(self, key: str) -> str:
        return key if self._base is None or os.path.isabs(key) else self._base + key

    def get(self, path: str, size: int, mtime_ns: int) -> Any:
        """The stored value for ``path`` if the file is unchanged, else None."""
        path = self._key(path)
        entry = self.entries.get(path)
        if entry is None or not _is_entry(entry) or entry[0] != size or entry[1] != mtime_ns:
            return None
        self._seen.add(path)
        return entry[2]

    def get_blob(self, path: str, blob: str) -> Any:
        """The stored value for ``path`` if its content is still git's ``blob``."""
        base = self._base  # inline `_key`: a pre-commit run asks for 50,000 of these
        if base is not None and path.startswith(base):
            path = path[self._cut :]
        entry = self.entries.get(path)
        if entry is None or type(entry) is not list or len(entry) != 3 or entry[0] != blob:
            return None
        self._seen.add(path)
        return entry[2]

    def get_many(
        self, wanted: Sequence[tuple[str, str | None, tuple[int, int] | None]]
    ) -> list[Any]:
        """:meth:`get_blob` (or :meth:`get` without a blob id) for each of
        (path, blob id, (size, mtime_ns)), in one sweep of C-level loops: a
        pre-commit run asks for the facts of 50,000 files."""
        keys, values = self._look_up(wanted)
        self._seen.update(key for key, value in zip(keys, values, strict=True) if value is not None)
        return values

    def take_many(
        self, wanted: Sequence[tuple[str, str | None, tuple[int, int] | None]]
    ) -> list[Any]:
        """:meth:`get_many`, each value found leaving the cache as it is handed
        over: a warm run holds each stored result only until it is a finding.
        Saving the whole file reads them back from it; a value found unusable
        must be dropped (:meth:`drop`)."""
        keys, values = self._look_up(wanted)
        touched = self._touched
        taken = [
            key
            for key, value in zip(keys, values, strict=True)
            if value is not None and key not in touched
        ]
        if taken:
            self._released = True
            for _ in map(self.entries.pop, taken):  # in C: 100,000 of them
                pass
            self._seen.difference_update(taken)
        return values

    def _look_up(
        self, wanted: Sequence[tuple[str, str | None, tuple[int, int] | None]]
    ) -> tuple[list[str], list[Any]]:
        base, cut = self._base, self._cut
        keys = [
            path[cut:] if base is not None and path.startswith(base) else path
            for path, _, _ in wanted
        ]
        found = list(map(self.entries.get, keys))
        values = [
            entry[2]
            if type(entry) is list and len(entry) == 3 and entry[0] == blob and blob is not None
            else None
            for entry, (_, blob, _) in zip(found, wanted, strict=True)
        ]
        for index, (path, blob, stat) in enumerate(wanted):
            if blob is None and stat is not None:  # not in git, or changed since: rare
                values[index] = self.get(path, *stat)
        return keys, values

    def _restore_released(self) -> None:
        """Every entry of the file this run neither changed nor dropped: what
        :meth:`take_many` handed over (nothing else leaves ``entries`` untouched)."""
        if not self._released:
            return
        on_disk = ResultCache(self.folder, self.key, self._kind, self._base_path)
        on_disk.load()
        entries, touched, spooled = self.entries, self._touched, self._spooled
        for key, entry in on_disk.entries.items():
            if key not in entries and key not in touched and key not in spooled:
                entries[key] = entry
        self._released = False

    def drop(self, path: str) -> None:
        """Forget the entry of ``path`` (its value could not be used)."""
        path = self._key(path)
        if path in self._spooled:
            self._unspool()  # it is in the file: only memory can take it out
        # a key is in `entries` or `_pending`, never both (or was taken: `take_many`)
        if (
            self.entries.pop(path, None) is not None
            or self._pending.pop(path, None) is not None
            or self._released
        ):
            self._seen.discard(path)
            self._touched.add(path)
            self.dirty = True

    # -- writing

    def put(self, path: str, size: int, mtime_ns: int, value: Any) -> None:
        """Store ``value`` for ``path`` as it was at (size, mtime_ns).  A file
        modified too recently to be told apart from a next edit is not
        stored (and any older entry is dropped)."""
        path = self._key(path)
        if path in self._spooled:
            self._unspool()  # it is in the file: only memory can change it
        entry = [size, mtime_ns, value]
        if (self._pending.get(path) or self.entries.get(path)) == entry:
            self._seen.add(path)  # still current: kept when the cache is saved
            return  # nothing new: a run that changed nothing writes nothing
        self.dirty = True
        if abs(time.time_ns() - mtime_ns) < RACY_WINDOW_NS:
            self._touched.add(path)
            self.entries.pop(path, None)
            self._pending.pop(path, None)
            return
        self._store(path, entry)

    def put_blob(self, path: str, blob: str, value: Any) -> None:
        """Store ``value`` for ``path`` whose content is git's ``blob`` (no racy
        window: the id names the content, not a time)."""
        path = self._key(path)
        if path in self._spooled:
            self._unspool()
        entry = [blob, 0, value]
        if (self._pending.get(path) or self.entries.get(path)) == entry:
            self._seen.add(path)
            return
        self.dirty = True
        self._store(path, entry)

    def _store(self, path: str, entry: list[Any]) -> None:
        # kept to the end of the run: one string for the key of both caches, and the
        # display path of the file when the run is at the config root (also interned)
        path = sys.intern(path)
        if self._spool is None:
            self._touched.add(path)
            self.entries[path] = entry
            return
        self.entries.pop(path, None)
        self._pending[path] = entry
        if len(self._pending) >= _SLICE:
            try:
                self._flush()
            except OSError:  # a full disk: the cache goes on in memory
                self.discard()

    def spool(self) -> bool:
        """A full rewrite is certain: from now on, stored entries go to the new
        cache file as they come, not to memory; :meth:`save` completes it (a
        full write, never a delta) and :meth:`discard` gives it up.  Any time
        after :meth:`load`; it changes what is saved in no way, it only gives
        up a delta file.  A value stored since is not held: ``get`` misses it.
        False when the temp file cannot be made (a read-only checkout): the
        cache then works in memory, as without spooling."""
        if self._spool is not None:
            return True
        try:
            self._ensure_folder()
            fd, self._spool_path = tempfile.mkstemp(
                prefix=self._temp_prefix, suffix=_TEMP_SUFFIX, dir=self.folder
            )
        except (OSError, ValueError):
            return False
        handle = os.fdopen(fd, "wb")
        try:
            self._spool = _EntryWriter(handle, {"format": FORMAT, "key": self.key})
        except OSError:
            with contextlib.suppress(OSError):
                handle.close()
            _unlink(Path(self._spool_path))
            return False
        return True

    def _flush(self) -> None:
        """Write the pending slice to the spooled file and let go of it."""
        pending, spool = self._pending, self._spool
        if not pending or spool is None:
            return
        items = list(pending.items())
        try:
            spool.add(items, pending)
        finally:
            if len(pending) < len(items):  # what is not JSON is left out: as if dropped
                self._touched.update(key for key, _ in items if key not in pending)
        self._spooled.update(pending)
        pending.clear()

    def _unspool(self) -> None:
        """Back to memory, reading back what was spooled: a key already written
        is stored again or dropped, and a JSON object names a key once."""
        written: dict[str, Any] = {}
        if self._spool is not None:
            with contextlib.suppress(OSError, ValueError):
                written = self._spool.read_back(self._spool_path)
        self.discard()
        self.entries.update(written)  # what `discard` counted as dropped is back

    def discard(self) -> None:
        """Give up the spooled file (a run that ends without :meth:`save`):
        close and remove it.  What was written to it is lost, as if dropped
        (read again next time); what was pending goes back to memory.  Does
        nothing when not spooling: call it in a ``finally``."""
        spool, self._spool = self._spool, None
        if spool is None:
            return
        with contextlib.suppress(OSError):
            spool.handle.close()  # flushing may fail: a full disk
        _unlink(Path(self._spool_path))
        self._touched.update(self._pending)
        self.entries.update(self._pending)
        self._touched |= self._spooled
        self._pending, self._spooled = {}, set()

    def save(self) -> None:
        """Write what changed: a few entries go to a small delta file next to
        the cache file (a pre-commit run changes one or two of 50,000), more,
        or a cache file changed by another run, rewrite the whole file.
        Spooling, it completes the spooled file, even with nothing stored."""
        if self._spool is not None:
            self._save_spooled(self._spool)
            return
        if not self.dirty:
            return
        self.dirty = False
        try:
            # a run that looked at (nearly) every entry knows the few left may be gone
            self._drop_missing(limit=DELTA_LIMIT)
            if self._save_delta():
                return
            self._merge_concurrent()
            self._restore_released()
            self._drop_missing()
            self._ensure_folder()
            self._write(self.file, {"format": FORMAT, "key": self.key, "entries": self.entries})
            _unlink(self.delta_file)
            self._prune_folder()
        except (OSError, ValueError, TypeError, RecursionError):
            pass  # a read-only checkout still lints; it just is not cached

    def _save_spooled(self, spool: _EntryWriter) -> None:
        self.dirty = False
        try:
            self._flush()  # then every key this run stored is in `_spooled`: theirs never win
            self._merge_concurrent()
            self._restore_released()
            self._drop_missing()
            spool.add_all(self.entries)
            header = spool.finish()
            spool.handle.flush()
            info = os.fstat(spool.handle.fileno())
            spool.handle.close()
            os.replace(self._spool_path, self.file)
            self._spool = None
            # the file now holds what memory does not: as if loaded, then released
            self._loaded_stat, self._loaded_header = (info.st_size, info.st_mtime_ns), header
            self._delta, self._touched, self._spooled = {}, set(), set()
            self._released = True
            _unlink(self.delta_file)
            self._prune_folder()
        except (OSError, ValueError, TypeError, RecursionError):
            pass  # a read-only checkout still lints; it just is not cached
        finally:
            self.discard()

    def _save_delta(self) -> bool:
        if not self._loaded_header:
            return False
        changes = {**self._delta, **{key: self.entries.get(key) for key in self._touched}}
        if len(changes) > DELTA_LIMIT or not all(map(_serialisable, changes.values())):
            return False
        try:
            info = os.stat(self.file)
        except OSError:
            return False
        if self._loaded_stat != (info.st_size, info.st_mtime_ns):
            return False  # another run rewrote it: merge with a full write
        payload = {
            "format": FORMAT,
            "key": self.key,
            "base": self._loaded_header.decode("ascii"),
            "entries": changes,
        }
        self._write(self.delta_file, payload)
        return True

    def _write(self, file: Path, payload: dict[str, Any]) -> None:
        """Atomically (a temp file in the same folder, then a rename)."""
        with atomic_file(self.folder, self._temp_prefix, _TEMP_SUFFIX, file) as handle:
            writer = _EntryWriter(handle, {k: v for k, v in payload.items() if k != "entries"})
            writer.add_all(payload["entries"])
            writer.finish()

    def _merge_concurrent(self) -> None:
        """Keep what another run stored since we loaded (our own answers win)."""
        try:
            info = os.stat(self.file)
        except OSError:
            return
        if self._loaded_stat == (info.st_size, info.st_mtime_ns):
            return
        theirs, _, _ = self._read_entries()
        touched, spooled = self._touched, self._spooled
        for path, entry in theirs.items():
            if path not in touched and path not in spooled:
                self.entries[path] = entry

    def _drop_missing(self, limit: int | None = None) -> None:
        """Entries this run did not use are kept while their file exists (not
        looked for when there are more than ``limit`` of them)."""
        unused = [k for k in self.entries if k not in self._touched and k not in self._seen]
        if limit is not None and len(unused) > limit:
            return
        for key in unused:
            path = self._path(key)
            if not os.path.isabs(path) or not os.path.lexists(path):
                del self.entries[key]
                self._touched.add(key)

    def _ensure_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if ignore.exists():
            return
        # only in a folder that is ours: never drop an ignore-everything file into a
        # folder of the user's (say `cache-dir = "."`)
        if all(_is_ours(name) for name in os.listdir(self.folder)):
            ignore.write_text(_GITIGNORE, encoding="utf-8")

    def _prune_folder(self) -> None:
        now = time.time()
        caches: list[tuple[float, Path]] = []
        for entry in os.scandir(self.folder):
            try:
                mtime = entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            if entry.name.startswith(self._temp_prefix) and entry.name.endswith(_TEMP_SUFFIX):
                if now - mtime > STALE_TEMP_SECONDS:
                    _unlink(Path(entry.path))
            elif (
                entry.name.startswith(self._prefix)
                and entry.name.endswith(_SUFFIX)
                and not entry.name.endswith(_DELTA_SUFFIX)
                and entry.path != str(self.file)
            ):
                caches.append((mtime, Path(entry.path)))
        caches.sort(reverse=True)
        for _, old in caches[KEEP_FILES - 1 :]:
            _unlink(old)
            _unlink(old.with_name(old.name[: -len(_SUFFIX)] + _DELTA_SUFFIX))


class _EntryWriter:
    """A cache file written through its checksum as the entries come: each
    slice's value texts go to the area and leave memory.  The index is kept
    compactly until :meth:`finish` writes it, column by column in slices:
    the keys in a list (strings the runner holds anyway), the stamps in a
    flat list, the ends in an ``array`` and the kinds in a ``bytearray``,
    about 33 bytes an entry, not a list of three.  The header goes first, so
    it is written last, over a placeholder."""

    def __init__(self, handle: BinaryIO, head: dict[str, Any]) -> None:
        self.handle = handle
        self.head = head  # the index object but its columns
        self.digest = hashlib.sha256()
        self.keys: list[str] = []
        self.stamps: list[Any] = []  # stamp0, stamp1 of each entry in turn
        self.ends = array("q")  # where each text ends in the area, in bytes
        self.kinds = bytearray()  # b"0" a str as it is, b"1" JSON text
        self.gone: list[str] = []  # keys a delta file drops (their entry is None)
        self.size = 0  # of the area so far, in bytes
        handle.write(b" " * _HEADER_SIZE + b"\n")

    def _put(self, data: bytes) -> None:
        self.digest.update(data)
        self.handle.write(data)

    def add(self, items: list[tuple[str, Any]], owner: dict[str, Any]) -> None:
        """A slice of the entries of ``owner`` (None: a dropped key, in a delta
        file), which loses those that are not JSON."""
        keys: list[str] = []
        stamps: list[Any] = []
        kinds = bytearray()
        texts: list[bytes] = []
        for key, entry in items:
            if entry is None:
                self.gone.append(key)
                continue
            value = entry[2]
            if type(value) is str:
                text, kind = value, _RAW
            else:
                try:
                    text, kind = _encode(value), _JSON
                except (TypeError, ValueError, RecursionError):
                    del owner[key]
                    continue
            # UTF-8, not \u escapes: a third of the size for non-Latin text
            texts.append(text.encode("utf-8", "surrogatepass"))
            keys.append(key)
            stamps += (entry[0], entry[1])
            kinds.append(kind)
        if not texts:
            return
        self._put(b"\n".join(texts) + b"\n")  # a line each
        for length in map(len, texts):
            self.size += length
            self.ends.append(self.size)
            self.size += 1  # the line break
        self.keys += keys
        self.stamps += stamps
        self.kinds += kinds

    def add_all(self, entries: dict[str, Any]) -> None:
        items = list(entries.items())
        for start in range(0, len(items), _SLICE):
            self.add(items[start : start + _SLICE], entries)

    def finish(self) -> bytes:
        """Write the index and the header; returns the header."""
        if self.size >= 10**_AREA_DIGITS:
            raise ValueError("cache area too big for its header")
        self._put(_encode(self.head)[:-1].encode("utf-8", "surrogatepass"))
        self._column("keys", self.keys)
        self._column("stamps", self.stamps)
        self._column("ends", self.ends)
        self._put(b',"kinds":"%s"' % self.kinds)
        if self.gone:
            self._column("gone", self.gone)
        self._put(b"}\n")
        digits = b"%0*d" % (_AREA_DIGITS, self.size)
        self.digest.update(digits)
        header = _MAGIC + self.digest.hexdigest().encode() + b" area=" + digits
        self.handle.seek(0)
        self.handle.write(header)
        return header

    def _column(self, name: str, column: list[Any] | array[int]) -> None:
        """``,"<name>":[...]``, written a slice at a time."""
        self._put(b',"%s":[' % name.encode())
        for start in range(0, len(column), _SLICE):
            part = column[start : start + _SLICE]
            text = _encode(part.tolist() if isinstance(part, array) else part)[1:-1]
            self._put((text if not start else "," + text).encode("utf-8", "surrogatepass"))
        self._put(b"]")

    def read_back(self, path: str) -> dict[str, Any]:
        """The entries written so far, read back from the file at ``path``
        (this writer's): the area from the file, the index from memory."""
        self.handle.flush()
        data = Path(path).read_bytes()
        entries = _fill(
            data,
            _HEADER_SIZE + 1,
            self.size,
            self.keys,
            self.stamps,
            self.ends.tolist(),
            self.kinds.decode("ascii"),
        )
        return {} if entries is None else entries


@contextlib.contextmanager
def atomic_file(folder: Path, prefix: str, suffix: str, target: Path) -> Iterator[BinaryIO]:
    """A new temp file in ``folder`` that replaces ``target`` when the block
    ends, and is removed if it raises: a reader sees the old file or the new
    one, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_regular_file(path: Path | str) -> tuple[bytes, os.stat_result] | None:
    """The bytes of a regular file and its stat, or None for anything else.
    A cache folder is in the user's work tree: a file there may be a link to
    a device (``/dev/zero`` never ends) or a pipe (which blocks an open), so
    the open does not wait and only a regular file is read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat_module.S_ISREG(info.st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(), info
    except (OSError, MemoryError):
        return None
    finally:
        os.close(fd)


def _fill(
    data: bytes, offset: int, size: int, keys: Any, stamps: Any, ends: Any, kinds: Any
) -> dict[str, Any] | None:
    """The entries of an index's columns, [stamp0, stamp1, value] by key, the
    values cut out of ``data``'s area (``size`` bytes from ``offset``).  None
    when the columns are not lists (a str for the kinds) of one length, or
    their ends are not in order, the last one the area's last byte; an entry
    whose stamps are of the wrong types, whose text is not UTF-8, whose kind
    is not 0 or 1 or whose JSON text is not one JSON value is left out.

    In C-level loops: a warm run fills 100,000 entries."""
    if (
        type(keys) is not list
        or type(stamps) is not list
        or type(ends) is not list
        or type(kinds) is not str
        or not len(keys) == len(ends) == len(kinds)
        or len(stamps) != 2 * len(keys)
        or not set(map(type, ends)) <= {int}  # not bools
    ):
        return None
    # a text starts after the line break that ends the one before; those line breaks are
    # not looked at (fmlint writes no other bytes there, and 100,000 bytes far apart in
    # memory take longer to look at than their texts to copy)
    starts = [0, *map(add, ends, repeat(1))]
    if not all(map(le, starts, ends)) or starts.pop() != size:
        return None  # not in order, or not the whole area
    values: list[Any]
    if kinds.count("1") == len(kinds):  # a facts file
        values, complete = _json_area(data, offset, size, starts, ends)
    else:
        values, complete = _texts(data, offset, size, starts, ends)
        if kinds.count("0") != len(kinds):  # JSON texts (or another kind)
            values, decoded = _json_values(values, kinds)
            complete = complete and decoded
    del starts
    stamp0, stamp1 = stamps[0::2], stamps[1::2]
    if not (set(map(type, stamp0)) <= {int, str} and set(map(type, stamp1)) <= {int}):
        values = [
            value if type(b) is int and (type(a) is int or type(a) is str) else _LEFT_OUT
            for a, b, value in zip(stamp0, stamp1, values, strict=True)
        ]
        complete = False
    rows = [[a, b, value] for a, b, value in zip(stamp0, stamp1, values, strict=True)]
    del values
    if not complete:
        return {key: row for key, row in zip(keys, rows, strict=True) if row[2] is not _LEFT_OUT}
    return dict(zip(keys, rows, strict=True))


_LEFT_OUT: Any = object()  # the value of an entry left out


def _texts(
    data: bytes, offset: int, size: int, starts: list[int], ends: list[int]
) -> tuple[list[Any], bool]:
    """The texts from ``starts`` to ``ends`` of the area, and whether all are
    UTF-8 (else :data:`_LEFT_OUT` stands for those that are not)."""
    # an ASCII file (a site in English) is decoded once, and sliced (`isascii` stops at
    # the first byte that is not: a failed decode would copy the whole area first)
    if data.isascii():
        area = str(memoryview(data)[offset : offset + size], "ascii")
        return list(map(area.__getitem__, map(slice, starts, ends))), True
    cuts = map(slice, map(add, starts, repeat(offset)), map(add, ends, repeat(offset)))
    try:
        # lone surrogates (undecodable file names) round-trip through surrogatepass
        texts = map(str, map(data.__getitem__, cuts), repeat("utf-8"), repeat("surrogatepass"))
        return list(texts), True
    except UnicodeDecodeError:  # a cut inside a character
        cuts = map(slice, map(add, starts, repeat(offset)), map(add, ends, repeat(offset)))
        return list(map(_decoded, map(data.__getitem__, cuts))), False


def _decoded(data: bytes) -> Any:
    try:
        return str(data, "utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return _LEFT_OUT


def _json_area(
    data: bytes, offset: int, size: int, starts: list[int], ends: list[int]
) -> tuple[list[Any], bool]:
    """The values of an area of JSON texts only (a facts file's) and whether
    each text is one (else :data:`_LEFT_OUT` stands for those that are not).

    Decoded in one go, the area's lines made the items of one JSON array,
    the way ``json.loads`` decodes a whole file: a text at a time takes half
    as long again, and the keys of dicts would not be shared (a collection's
    facts name ``"FM501"`` 50,000 times).  A JSON text fmlint writes is one
    line (a line break in a string is escaped), so one item.  Should that
    fail, or give another count of values, each text is decoded alone.  (So
    only a forged file, whose checksum is right, could have texts that are
    not JSON but shift its values between entries; no worse than its giving
    them any JSON it likes.)"""
    try:
        area = str(memoryview(data)[offset : offset + size], "utf-8", "surrogatepass")
        values = json.loads("[" + area[:-1].replace("\n", ",") + "]")
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        values = None
    if type(values) is list and len(values) == len(starts):
        return values, True
    texts, complete = _texts(data, offset, size, starts, ends)
    values = list(map(_json_value, texts))
    return values, complete and _LEFT_OUT not in values


def _json_values(texts: list[Any], kinds: str) -> tuple[list[Any], bool]:
    """``texts`` with those of kind 1 made the JSON value each is, and
    whether all are (else :data:`_LEFT_OUT` stands for those that are not,
    and for those of another kind)."""
    values = [
        text if kind == "0" else _json_value(text) if kind == "1" else _LEFT_OUT
        for text, kind in zip(texts, kinds, strict=True)
    ]
    return values, kinds.count("0") + kinds.count("1") == len(kinds) and _LEFT_OUT not in values


def _json_value(text: Any) -> Any:
    """The JSON value ``text`` is (``json.loads`` takes it), or
    :data:`_LEFT_OUT`."""
    if text is _LEFT_OUT:
        return _LEFT_OUT
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _LEFT_OUT


def _serialisable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _is_ours(name: str) -> bool:
    return any(
        (name.startswith(f"{kind}-") and name.endswith(_SUFFIX))
        or (name.startswith(f".{kind}-") and name.endswith(_TEMP_SUFFIX))
        for kind in KINDS
    ) or (name.startswith(("index-", ".index-")) and name.endswith((".txt", _TEMP_SUFFIX)))


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
