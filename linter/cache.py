"""A cache of per-file results, so re-runs and pre-commit runs read only what
changed.

Two kinds of JSON file per configuration key in the cache folder (git-ignored
by a ``.gitignore`` of its own): ``results-*`` holds each checked file's
result, ``facts-*`` the small facts collection rules compare, so a pre-commit
run over a big collection loads and rewrites only the facts.  An entry is keyed by the file's absolute path and
trusted only when the file's size and modification time (ns) match.  JSON,
never pickle: a tampered cache must not be able to run code.

The file is a header line ``fmlint-cache <format> sha256=<digest>`` and the
JSON it checksums.  Never trusted, never fatal:

* a cache that is unreadable, truncated, edited by hand, garbage, of another
  format, or whose JSON has the wrong shape or config key is ignored as a
  whole (and replaced on the next save): the checksum catches any change not
  made by fmlint, including a well-formed entry with wrong types;
* even under a matching checksum, an entry the runner cannot parse back
  (``FileResult.from_json`` is strict) is dropped and its file read again;
* "racily clean" files are not cached: a file modified within
  :data:`RACY_WINDOW_NS` of being stored could be edited again within the
  file system's timestamp granularity, keeping its size and mtime, so its
  entry could later be trusted for content it no longer has (git's "racy git"
  problem).  Such a file is simply read again on the next run.

Writes are atomic (temp file + :func:`os.replace`).  Concurrent runs merge:
on save, entries another run wrote since this one loaded are kept unless this
run has a fresher answer for the same path; at worst a racing update is lost,
which only costs a re-read.

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
import tempfile
import time
from pathlib import Path
from typing import Any

FORMAT = 3
RACY_WINDOW_NS = 2_000_000_000  # FAT has 2 s mtimes; ext4/APFS/NTFS are far finer
KEEP_FILES = 4  # cache files (configs) kept in the folder
STALE_TEMP_SECONDS = 3600
KINDS = ("results", "facts")  # per-file results; facts for collection rules, kept apart
_SUFFIX, _TEMP_SUFFIX = ".json", ".tmp"
_GITIGNORE = "# created by fmlint: everything in this folder is a cache\n*\n"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_entry(entry: Any) -> bool:
    return isinstance(entry, list) and len(entry) == 3 and _is_int(entry[0]) and _is_int(entry[1])


class ResultCache:
    def __init__(self, folder: Path, key: str, kind: str = "results") -> None:
        if kind not in KINDS:
            raise ValueError(f"cache kind must be one of {KINDS}")
        self._prefix, self._temp_prefix = f"{kind}-", f".{kind}-"
        self.folder = folder
        self.key = key
        self.file = folder / f"{self._prefix}{key[:20]}{_SUFFIX}"
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        self._touched: set[str] = set()  # paths this run stored or dropped
        self._seen: set[str] = set()  # paths this run found in the cache (they exist)
        self._loaded_stat: tuple[int, int] | None = None  # (size, mtime_ns) of the file loaded

    @staticmethod
    def make_key(*parts: object) -> str:
        digest = hashlib.sha256()
        digest.update(f"format {FORMAT}".encode())
        for part in parts:
            digest.update(repr(part).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        return digest.hexdigest()

    # -- reading

    def _read(self) -> tuple[dict[str, list[Any]], tuple[int, int] | None]:
        """The entries of the cache file, or nothing when it cannot be trusted."""
        try:
            with open(self.file, "rb") as handle:
                info = os.fstat(handle.fileno())
                data = handle.read()
        except (OSError, MemoryError):  # missing, unreadable, a folder...
            return {}, None
        stat = (info.st_size, info.st_mtime_ns)
        header, _, body = data.partition(b"\n")
        if header != _header(body):  # truncated, edited, garbage, another format
            return {}, stat
        collecting = gc.isenabled()
        gc.disable()  # decoding makes millions of objects, none of them garbage
        try:
            raw = json.loads(body)
        except (ValueError, RecursionError):  # cannot happen unless the checksum collides
            return {}, stat
        finally:
            if collecting:
                gc.enable()
        if (
            not isinstance(raw, dict)
            or raw.get("format") != FORMAT
            or raw.get("key") != self.key
            or not isinstance(raw.get("entries"), dict)
        ):
            return {}, stat
        entries = {path: entry for path, entry in raw["entries"].items() if _is_entry(entry)}
        return entries, stat

    def load(self) -> None:
        self.entries, self._loaded_stat = self._read()

    def get(self, path: str, size: int, mtime_ns: int) -> Any:
        """The stored value for ``path`` if the file is unchanged, else None."""
        entry = self.entries.get(path)
        if entry is None or entry[0] != size or entry[1] != mtime_ns:
            return None
        self._seen.add(path)
        return entry[2]

    def drop(self, path: str) -> None:
        """Forget the entry of ``path`` (its value could not be used)."""
        if self.entries.pop(path, None) is not None:
            self._seen.discard(path)
            self._touched.add(path)
            self.dirty = True

    # -- writing

    def put(self, path: str, size: int, mtime_ns: int, value: Any) -> None:
        """Store ``value`` for ``path`` as it was at (size, mtime_ns).  A file
        modified too recently to be told apart from a next edit is not
        stored (and any older entry is dropped)."""
        if self.entries.get(path) == [size, mtime_ns, value]:
            self._seen.add(path)  # still current: kept when the cache is saved
            return  # nothing new: a run that changed nothing writes nothing
        self._touched.add(path)
        self.dirty = True
        if abs(time.time_ns() - mtime_ns) < RACY_WINDOW_NS:
            self.entries.pop(path, None)
            return
        self.entries[path] = [size, mtime_ns, value]

    def save(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        try:
            self._merge_concurrent()
            self._drop_missing()
            self._ensure_folder()
            data = self._serialise()
            fd, tmp = tempfile.mkstemp(
                prefix=self._temp_prefix, suffix=_TEMP_SUFFIX, dir=self.folder
            )
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, self.file)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            self._prune_folder()
        except (OSError, ValueError, TypeError, RecursionError):
            pass  # a read-only checkout still lints; it just is not cached

    def _serialise(self) -> bytes:
        """The file's bytes: a header line with a checksum of the JSON that follows."""
        payload = {"format": FORMAT, "key": self.key, "entries": self.entries}
        try:
            text = json.dumps(payload, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            # a plugin's fact that is not JSON: leave that file out of the cache
            self.entries = {p: e for p, e in self.entries.items() if _serialisable(e)}
            payload["entries"] = self.entries
            text = json.dumps(payload, separators=(",", ":"))
        body = text.encode("ascii")  # json.dumps escapes everything else
        return _header(body) + b"\n" + body

    def _merge_concurrent(self) -> None:
        """Keep what another run stored since we loaded (our own answers win)."""
        try:
            info = os.stat(self.file)
        except OSError:
            return
        if self._loaded_stat == (info.st_size, info.st_mtime_ns):
            return
        theirs, _ = self._read()
        for path, entry in theirs.items():
            if path not in self._touched:
                self.entries[path] = entry

    def _drop_missing(self) -> None:
        # entries this run did not use are kept while their file exists; content-keyed
        # entries (not paths) are kept only when this run used them
        for path in [p for p in self.entries if p not in self._touched and p not in self._seen]:
            if not os.path.isabs(path) or not os.path.lexists(path):
                del self.entries[path]

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
                and entry.path != str(self.file)
            ):
                caches.append((mtime, Path(entry.path)))
        caches.sort(reverse=True)
        for _, old in caches[KEEP_FILES - 1 :]:
            _unlink(old)


def _header(body: bytes) -> bytes:
    return b"fmlint-cache %d sha256=%s" % (FORMAT, hashlib.sha256(body).hexdigest().encode())


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
    )


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
