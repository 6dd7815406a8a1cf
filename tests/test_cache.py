"""The result cache: re-runs read only what changed, a stale or corrupt cache
is never trusted and never fatal, and the output never depends on it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest
from conftest import example_text, git, replace_field, run_cli

from linter.cache import FORMAT, KEEP_FILES, ResultCache, _EntryWriter
from linter.config import Config
from linter.document import read_document
from linter.findings import Finding
from linter.runner import Linter, parse_cached, run

OLD = time.time() - 3600  # files older than the racy window can be cached
SELECT = ("FM1", "FM2", "FM5")


def article(code: str) -> str:
    return replace_field(example_text(), "code", f'code: "{code}"')


def code(n: int) -> str:
    return f"ART2410{n % 28 + 1:02d}1545X{n:05d}"


def write(root: Path, name: str, text: str, mtime: float | None = OLD) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def make_site(root: Path, count: int = 12) -> None:
    for n in range(count):
        write(root, f"_posts/p{n:03d}.md", article(code(n)))
    # one file with a schema problem, so per-file findings are cached too
    write(root, "_posts/bad.md", replace_field(article(code(999)), "language", "language: kh"))


Row = tuple[str, int, int, str, str]


def rows(findings: list[Finding]) -> list[Row]:
    return [(f.path, f.line, f.column, f.rule, f.message) for f in findings]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Display paths of the files read (parsed) by the runner, in this process."""
    seen: list[str] = []
    real = read_document

    def counting(file: Path, display: str, *args: Any) -> Any:
        seen.append(display)
        return real(file, display, *args)

    monkeypatch.setattr("linter.runner.read_document", counting)
    yield seen


def lint_site(
    root: Path, paths: list[str] | None = None, *, cache: bool = True, **fields: Any
) -> list[Row]:
    config = Config(root=root, select=fields.pop("select", SELECT), **fields)
    result = run(paths or ["."], config, cwd=root, use_cache=cache, jobs=1)
    return rows(result.findings)


def cache_files(root: Path) -> list[Path]:
    found = (root / ".fmlint_cache").glob("results-*.json")
    return sorted(file for file in found if not file.name.endswith(".delta.json"))


def the_cache_file(root: Path) -> Path:
    (file,) = cache_files(root)
    return file


def key_of(root: Path, **fields: Any) -> str:
    config = Config(root=root, select=fields.pop("select", SELECT), **fields)
    return Linter(config, cwd=root).cache_key()


def sign(area: bytes, index: Any) -> bytes:
    """A cache file with a right header (checksum, area size) around any
    area and index line (JSON, or bytes as they are)."""
    line = index if isinstance(index, bytes) else json.dumps(index).encode() + b"\n"
    digits = b"%012d" % len(area)
    digest = hashlib.sha256(area + line + digits).hexdigest().encode()
    return b"fmlint-cache %d sha256=%s area=%s\n" % (FORMAT, digest, digits) + area + line


def encoded(payload: dict[str, Any]) -> bytes:
    """The cache file of ``{"format", "key", ["base"], "entries"}``, as
    fmlint's own writer makes it (the entries need not be right)."""
    handle = io.BytesIO()
    writer = _EntryWriter(handle, {k: v for k, v in payload.items() if k != "entries"})
    writer.add_all(dict(payload["entries"]))
    writer.finish()
    return handle.getvalue()


def decoded(data: bytes) -> dict[str, Any]:
    """The index of a cache file with its columns made ``entries``
    ({key: [stamp0, stamp1, value]}, None for a key a delta drops), read the
    way the layout says, apart from fmlint's reader: any departure from it
    (a key named twice, a text not followed by a line break...) fails."""
    header, _, body = data.partition(b"\n")
    name, number, digest, area = header.split(b" ")
    assert (name, number) == (b"fmlint-cache", b"%d" % FORMAT)
    assert area.startswith(b"area=") and len(area) == 17
    size = int(area[5:])
    assert digest == b"sha256=" + hashlib.sha256(body + area[5:]).hexdigest().encode()
    line = body[size:]
    assert line.endswith(b"\n") and line.count(b"\n") == 1  # the index is the last line
    index: dict[str, Any] = json.loads(str(line, "utf-8", "surrogatepass"))
    assert index["format"] == FORMAT
    keys, stamps, ends, kinds = (index.pop(name) for name in ("keys", "stamps", "ends", "kinds"))
    gone = index.pop("gone", [])
    assert len(set(keys + gone)) == len(keys) + len(gone), "a key named twice"
    assert len(stamps) == 2 * len(keys) == 2 * len(ends) == 2 * len(kinds)
    entries: dict[str, Any] = {}
    start = 0
    for n, key in enumerate(keys):
        end = ends[n]
        assert start <= end and body[end : end + 1] == b"\n"  # a line each
        text = str(body[start:end], "utf-8", "surrogatepass")
        assert kinds[n] in "01" and (kinds[n] == "0" or "\n" not in text)
        entries[key] = [
            stamps[2 * n],
            stamps[2 * n + 1],
            text if kinds[n] == "0" else json.loads(text),
        ]
        start = end + 1
    assert start == size
    entries.update(dict.fromkeys(gone))
    index["entries"] = entries
    return index


def stored(root: Path) -> dict[str, Any]:
    """The entries of the cache file, checked the way the layout says."""
    file = the_cache_file(root)
    data = file.read_bytes()
    entries: dict[str, Any] = decoded(data)["entries"]
    delta = file.with_name(file.name.replace(".json", ".delta.json"))
    if delta.exists():  # the changes of the runs since the file was written
        changes = decoded(delta.read_bytes())
        if changes["base"] == data.partition(b"\n")[0].decode():
            for key, entry in changes["entries"].items():
                if entry is None:
                    entries.pop(key, None)
                else:
                    entries[key] = entry
    return entries


# ---------------------------------------------------------------- reading only what changed


def test_warm_run_reads_nothing_and_gives_the_same_findings(
    tmp_path: Path, reads: list[str]
) -> None:
    make_site(tmp_path)
    cold = lint_site(tmp_path)
    assert len(reads) == 13
    assert any(r[3] == "FM207" for r in cold)  # language: kh
    reads.clear()
    assert lint_site(tmp_path) == cold
    assert reads == []
    assert lint_site(tmp_path, cache=False) == cold


def test_a_warm_run_of_cached_files_never_loads_the_facts(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored results carry their facts: a full warm run reads one cache file;
    the facts file is for runs that compare files they do not check."""
    make_site(tmp_path)
    cold = lint_site(tmp_path)
    assert len(list((tmp_path / ".fmlint_cache").glob("facts-*.json"))) == 1
    loaded: list[str] = []
    real_load = ResultCache.load

    def recording(self: ResultCache) -> None:
        loaded.append(self.file.name.split("-")[0])
        real_load(self)

    monkeypatch.setattr(ResultCache, "load", recording)
    reads.clear()
    assert lint_site(tmp_path) == cold
    assert (reads, loaded) == ([], ["results"])
    # one file changes: it is linted, and the facts cache is brought up to date
    write(tmp_path, "_posts/p003.md", article(code(1)), mtime=OLD + 60)
    found = lint_site(tmp_path)
    assert reads == ["_posts/p003.md"] and loaded == ["results", "results", "facts"]
    assert [r[0] for r in found if r[3] == "FM501"] == ["_posts/p001.md", "_posts/p003.md"]


def test_precommit_case_one_changed_file_in_a_git_repo_reads_only_it(
    tmp_path: Path, reads: list[str]
) -> None:
    make_site(tmp_path, 40)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "site")
    changed = "_posts/p007.md"
    lint_site(tmp_path, [changed])  # cold: every file of the collection is read
    assert len(reads) == 41
    reads.clear()
    assert lint_site(tmp_path, [changed]) == []
    # a small run re-lints its few checked files (cheaper than loading every stored
    # result); the other 40 files of the collection give their facts from the cache
    assert reads == [changed]

    # the commit being made: p007 now repeats the code of an untouched file
    write(tmp_path, changed, article(code(3)), mtime=None)
    git(tmp_path, "add", changed)
    reads.clear()
    found = lint_site(tmp_path, [changed])
    assert reads == [changed]
    assert found == [
        (
            changed,
            3,
            7,
            "FM501",
            f'code "{code(3)}" is also used by _posts/p003.md:3; codes must be unique',
        )
    ]
    # fixed again: the finding goes, still reading just that file
    write(tmp_path, changed, article(code(7)), mtime=None)
    reads.clear()
    assert lint_site(tmp_path, [changed]) == []
    assert reads == [changed]


def test_a_file_cached_for_its_facts_is_read_again_when_checked(
    tmp_path: Path, reads: list[str]
) -> None:
    make_site(tmp_path)
    roots = (tmp_path / "_posts",)
    assert lint_site(tmp_path, ["_posts/p001.md"], collection_roots=roots) == []
    reads.clear()
    found = lint_site(tmp_path, ["_posts/bad.md"], collection_roots=roots)
    assert reads == ["_posts/bad.md"]  # only its facts were cached
    assert [r[3] for r in found] == ["FM207"]
    # checked with more files than a small run, its full result is stored and reused
    many = [f"_posts/p{n:03d}.md" for n in range(10)] + ["_posts/bad.md"]
    lint_site(tmp_path, many, collection_roots=roots)
    reads.clear()
    assert lint_site(tmp_path, many, collection_roots=roots) == found
    assert reads == []


# ---------------------------------------------------------------- stale entries


def test_an_edited_file_is_read_again_findings_appear_and_disappear(tmp_path: Path) -> None:
    make_site(tmp_path)
    assert not [r for r in lint_site(tmp_path) if r[3] == "FM501"]
    # same size (one character of the code), newer mtime
    write(tmp_path, "_posts/p005.md", article(code(4)), mtime=OLD + 60)
    dup = [r[:2] for r in lint_site(tmp_path) if r[3] == "FM501"]
    assert dup == [("_posts/p004.md", 3), ("_posts/p005.md", 3)]
    write(tmp_path, "_posts/p005.md", article(code(5)), mtime=OLD + 120)
    assert not [r for r in lint_site(tmp_path) if r[3] == "FM501"]


def test_a_racily_clean_file_is_not_cached(tmp_path: Path) -> None:
    """A file modified just now could change again within the same mtime tick
    keeping its size: it is not cached, so such an edit is never missed."""
    make_site(tmp_path)
    path = write(tmp_path, "_posts/p005.md", article(code(5)), mtime=None)
    assert not [r for r in lint_site(tmp_path) if r[3] == "FM501"]
    assert "_posts/p005.md" not in stored(tmp_path)
    info = path.stat()
    path.write_text(article(code(4)), encoding="utf-8")  # same size...
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # ...and the same mtime
    assert [r[0] for r in lint_site(tmp_path) if r[3] == "FM501"] == [
        "_posts/p004.md",
        "_posts/p005.md",
    ]


def test_deleted_files_drop_out_of_results_and_cache(tmp_path: Path) -> None:
    make_site(tmp_path)
    write(tmp_path, "_posts/twin.md", article(code(2)))
    assert [r[0] for r in lint_site(tmp_path) if r[3] == "FM501"] == [
        "_posts/p002.md",
        "_posts/twin.md",
    ]
    assert "_posts/twin.md" in stored(tmp_path)  # stored relative to the config root
    (tmp_path / "_posts/twin.md").unlink()
    assert not [r for r in lint_site(tmp_path) if r[3] == "FM501"]
    # another change makes the cache be written: the deleted file's entry goes
    write(tmp_path, "_posts/p001.md", article(code(1)), mtime=OLD + 60)
    lint_site(tmp_path)
    entries = stored(tmp_path)
    assert "_posts/twin.md" not in entries
    assert len(entries) == 13


def test_files_deleted_but_still_in_gits_index_are_skipped(tmp_path: Path) -> None:
    make_site(tmp_path)
    write(tmp_path, "_posts/twin.md", article(code(2)))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    assert len(lint_site(tmp_path, ["_posts/p002.md"])) == 1
    (tmp_path / "_posts/twin.md").unlink()  # not staged: still in the index
    assert lint_site(tmp_path, ["_posts/p002.md"]) == []


# ---------------------------------------------------------------- corrupt caches


def _poisoned_value() -> list[Any]:
    """A well-shaped entry that would give every file a false finding."""
    return [[["FM201", 3, 1, 3, 2, "poisoned", "", None]], [], {}, {}]


BAD_VALUES: list[Any] = [
    None,
    [],
    "x",
    {"problems": [], "suppressions": [], "watched": {}},  # an old shape
    [[], [], {}],  # no facts: the shape of format 4 before facts moved in
    [{}, [], {}, {}],
    [[["FM201", "3", 1, 3, 2, "m", "", None]], [], {}, {}],
    [[["FM201", 3, 1, 3, 2, "m"]], [], {}, {}],
    [[["FM201", 3, True, 3, 2, "m", "", None]], [], {}, {}],
    [[[201, 3, 1, 3, 2, "m", "", None]], [], {}, {}],
    [[["FM201", 3, 1, 3, 2, ["m"], "", None]], [], {}, {}],
    [[["FM201", 3, 1, 3, 2, "m", "", "fatal"]], [], {}, {}],
    [[["FM201", -3, 1, 3, 2, "m", "", None]], [], {}, {}],
    [[["FM201", 3, 1, 3, 2, "m", [0, 2], None]], [], {}, {}],  # a subject past the message
    [[["FM201", 3, 1, 3, 2, "mm", [1, 1], None]], [], {}, {}],
    [[["FM201", 3, 1, 3, 2, "mm", [0], None]], [], {}, {}],
    [[["FM201", 3, 1, 3, 2, "mm", [0, True], None]], [], {}, {}],
    [[["FM201", 3, 1, 3, 2, "mm", 0, None]], [], {}, {}],
    [[], [], [], {}],
    [[], [], {}, []],
    [[], [], {"a.png": 3}, {}],
    [[], [["range", "FM2", 1, 2, 3, 4]], {}, {}],
    [[], [["sometimes", [], 1, 2, 3, 4]], {}, {}],
    [[], [["file", [], 1, 2, 3]], {}, {}],
]


@pytest.mark.parametrize("value", BAD_VALUES, ids=range(len(BAD_VALUES)))
def test_entries_with_wrong_types_are_dropped_even_under_a_valid_checksum(
    tmp_path: Path, value: Any, reads: list[str]
) -> None:
    make_site(tmp_path)
    expected = lint_site(tmp_path, cache=False)
    key = key_of(tmp_path)
    file = tmp_path / "_posts/p000.md"
    info = file.stat()
    entries = {"_posts/p000.md": [info.st_size, info.st_mtime_ns, value]}
    (tmp_path / ".fmlint_cache").mkdir()
    cache_file = tmp_path / ".fmlint_cache" / f"results-{key[:20]}.json"
    cache_file.write_bytes(encoded({"format": FORMAT, "key": key, "entries": entries}))
    reads.clear()
    assert lint_site(tmp_path) == expected
    assert "_posts/p000.md" in reads
    parse_cached(stored(tmp_path)["_posts/p000.md"][2])  # parses back


def _variants(valid: bytes, key: str, entries: dict[str, Any]) -> dict[str, bytes]:
    header, _, body = valid.partition(b"\n")
    size = int(header[-12:])
    area, index = body[:size], body[size:]
    nested = b"[" * 200_000 + b"]" * 200_000
    edited = body.replace(b"[[", b"[ [", 1)
    assert edited != body
    columns = json.loads(index)
    n = len(columns["keys"])
    stamps = columns["stamps"]
    format_5 = json.dumps({"format": 5, "key": key, "entries": entries}).encode()
    return {
        "garbage": os.urandom(3000),
        "nul bytes": b"\x00" * 100,
        "empty": b"",
        "header only": header,
        "truncated": valid[: len(valid) // 2],
        "truncated index": valid[:-10],
        "one byte flipped": valid[:-10] + bytes([valid[-10] ^ 1]) + valid[-9:],
        "a value edited without checksum": header + b"\n" + edited,
        "area size edited": header[:-12] + b"%012d" % (size - 1) + b"\n" + body,
        "no header": body,
        "format 5, as fmlint wrote it": b"fmlint-cache 5 sha256=%s\n%s"
        % (hashlib.sha256(format_5).hexdigest().encode(), format_5),
        "area size wrong, signed": sign(area[:-1], area[-1:] + index),
        "index truncated, signed": sign(area, index[: len(index) // 2]),
        "index not json": sign(area, b"{not json\n"),
        "index not utf-8": sign(b"", b'{"format": 6, "key": "\xff\xfe"}\n'),
        "deeply nested": sign(b"", nested),
        "a list": sign(area, [1, 2, 3]),
        "null": sign(area, None),
        "no columns": sign(area, {"format": FORMAT, "key": key}),
        "keys a dict": sign(area, {**columns, "keys": dict.fromkeys(columns["keys"])}),
        "a column short": sign(area, {**columns, "ends": columns["ends"][:-1]}),
        "stamps odd": sign(area, {**columns, "stamps": stamps[:-1]}),
        "kinds a list": sign(area, {**columns, "kinds": list(columns["kinds"])}),
        "kinds short": sign(area, {**columns, "kinds": columns["kinds"][:-1]}),
        "ends as text": sign(area, {**columns, "ends": [str(end) for end in columns["ends"]]}),
        "ends shifted": sign(area, {**columns, "ends": [end - 1 for end in columns["ends"]]}),
        "ends swapped": sign(
            area, {**columns, "ends": [*columns["ends"][1::-1], *columns["ends"][2:]]}
        ),
        "stamps all wrong": sign(area, {**columns, "stamps": [None, True] * n}),
        "entry sizes as text": encoded(
            {
                "format": FORMAT,
                "key": key,
                "entries": {p: [str(e[0]), e[1], e[2]] for p, e in entries.items()},
            }
        ),
        "another format": sign(area, {**columns, "format": FORMAT + 1}),
        "another key": encoded({"format": FORMAT, "key": "0" * 64, "entries": entries}),
        "old format header": valid.replace(f"fmlint-cache {FORMAT}".encode(), b"fmlint-cache 1"),
    }


def test_every_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    make_site(tmp_path)
    expected = lint_site(tmp_path, cache=False)
    assert lint_site(tmp_path) == expected
    cache_file = the_cache_file(tmp_path)
    valid = cache_file.read_bytes()
    key = key_of(tmp_path)
    # poison every entry (well-shaped but false): if any variant were trusted,
    # every file would get a false finding
    entries = stored(tmp_path)
    for entry in entries.values():
        entry[2] = _poisoned_value()
    poisoned = encoded({"format": FORMAT, "key": key, "entries": entries})
    unsigned = valid.partition(b"\n")[0] + b"\n" + poisoned.partition(b"\n")[2]
    variants = _variants(valid, key, entries)
    variants["poisoned, checksum not updated"] = unsigned
    for name, data in variants.items():
        cache_file.write_bytes(data)
        assert lint_site(tmp_path) == expected, name
        assert len(stored(tmp_path)) == 13, name  # rebuilt, valid again
    # the checksum is what guards well-shaped lies: signed, they would be used
    cache_file.write_bytes(poisoned)
    assert lint_site(tmp_path) != expected


def test_a_folder_where_the_cache_file_goes_is_survived(tmp_path: Path) -> None:
    make_site(tmp_path)
    expected = lint_site(tmp_path, cache=False)
    (tmp_path / ".fmlint_cache" / f"results-{key_of(tmp_path)[:20]}.json").mkdir(parents=True)
    assert lint_site(tmp_path) == expected
    assert lint_site(tmp_path) == expected


def test_a_cache_folder_that_is_a_file_or_read_only_is_survived(tmp_path: Path) -> None:
    make_site(tmp_path)
    expected = lint_site(tmp_path, cache=False)
    (tmp_path / "blocker").write_text("not a folder", encoding="utf-8")
    assert lint_site(tmp_path, cache_dir=tmp_path / "blocker") == expected
    assert lint_site(tmp_path, cache_dir=tmp_path / "blocker" / "sub") == expected


# ---------------------------------------------------------------- config keys, --no-cache


def test_a_cache_of_another_config_is_not_used(tmp_path: Path) -> None:
    make_site(tmp_path)
    write(tmp_path, "_posts/lower.md", article(code(3).lower()))
    strict = lint_site(tmp_path)
    assert not [r for r in strict if r[3] == "FM501"]
    loose: dict[str, Any] = {"rules": {"FM501": {"case-sensitive": False}}}
    found = lint_site(tmp_path, **loose)
    assert [r[0] for r in found if r[3] == "FM501"] == ["_posts/lower.md", "_posts/p003.md"]
    assert len(cache_files(tmp_path)) == 2
    assert lint_site(tmp_path) == strict
    # a cache file renamed to the other config's name is refused by its key
    strict_file = tmp_path / ".fmlint_cache" / f"results-{key_of(tmp_path)[:20]}.json"
    loose_file = tmp_path / ".fmlint_cache" / f"results-{key_of(tmp_path, **loose)[:20]}.json"
    loose_file.write_bytes(strict_file.read_bytes())
    assert lint_site(tmp_path, **loose) == found


def test_old_config_caches_are_pruned(tmp_path: Path) -> None:
    make_site(tmp_path, 10)  # more files than a small run, so results are cached
    for n in range(KEEP_FILES + 3):
        lint_site(tmp_path, rules={"FM501": {"fields": ["code", f"f{n}"]}})
        time.sleep(0.01)
    assert len(cache_files(tmp_path)) == KEEP_FILES
    # stale temp files of crashed runs go too, fresh ones (a concurrent run's) stay
    old_tmp = tmp_path / ".fmlint_cache" / ".results-crashed.tmp"
    new_tmp = tmp_path / ".fmlint_cache" / ".results-writing.tmp"
    old_tmp.write_text("{", encoding="utf-8")
    new_tmp.write_text("{", encoding="utf-8")
    os.utime(old_tmp, (OLD - 86400, OLD - 86400))
    write(tmp_path, "_posts/p000.md", article(code(0)), mtime=OLD + 60)
    lint_site(tmp_path)
    assert not old_tmp.exists()
    assert new_tmp.exists()


def test_no_cache_writes_nothing(tmp_path: Path, cli: Callable[..., Any]) -> None:
    make_site(tmp_path, 3)
    lint_site(tmp_path, cache=False)
    assert not (tmp_path / ".fmlint_cache").exists()
    done = cli("check", "--no-cache", "--select", "FM5", ".")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / ".fmlint_cache").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_posts"]
    done = cli("check", "--select", "FM5", ".")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ".fmlint_cache").is_dir()


def test_the_cache_folder_ignores_itself_in_git(tmp_path: Path) -> None:
    make_site(tmp_path, 3)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "site")
    done = run_cli(["check", "--select", "FM5", "."], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / ".fmlint_cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


def test_no_gitignore_is_dropped_into_a_folder_of_the_users(tmp_path: Path) -> None:
    make_site(tmp_path, 10)
    lint_site(tmp_path, cache_dir=tmp_path)  # cache-dir = "."
    assert not (tmp_path / ".gitignore").exists()
    assert len(list(tmp_path.glob("results-*.json"))) == 1
    assert len(list(tmp_path.glob("facts-*.json"))) == 1


# ---------------------------------------------------------------- concurrent writers


def test_concurrent_writers_merge_and_replace_atomically(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    value = {"problems": [], "facts": {}, "suppressions": [], "full": True}
    first, second = ResultCache(folder, "k" * 64), ResultCache(folder, "k" * 64)
    first.load()
    second.load()
    first.put("/a.md", 1, 1, value)
    second.put("/b.md", 2, 2, value)
    second.put("/a.md", 3, 3, value)  # both answered /a.md: the last writer's answer stays
    first.save()
    second.save()
    reader = ResultCache(folder, "k" * 64)
    reader.load()
    assert reader.entries == {"/a.md": [3, 3, value], "/b.md": [2, 2, value]}
    assert sorted(p.name for p in folder.iterdir()) == [
        ".gitignore",
        "results-kkkkkkkkkkkkkkkkkkkk.json",
    ]


def test_a_fact_that_is_not_json_is_left_out(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "k" * 64)
    ok = {"problems": [], "facts": {}, "suppressions": [], "full": True}
    cache.put("/ok.md", 1, 1, ok)
    cache.put("/set.md", 1, 1, {**ok, "facts": {"X001": {1, 2}}})
    cache.save()
    reader = ResultCache(tmp_path, "k" * 64)
    reader.load()
    assert reader.get("/ok.md", 1, 1) == ok
    assert reader.get("/set.md", 1, 1) is None


def test_a_cached_result_is_stale_once_a_local_image_appears(tmp_path: Path) -> None:
    """Verdicts about other files (FM404) are re-checked before a cached
    result is trusted: adding the missing image clears the finding."""
    text = example_text().replace(
        "Prime minister of Cambodia", "![A photo](/assets/images/meeting.jpg)\n\nPrime minister"
    )
    old = time.time() - 60  # outside the racy window, so the results are cached
    for n in range(10):  # more files than a small run, which would re-lint them anyway
        post = tmp_path / f"post{n}.md"
        post.write_text(text, encoding="utf-8")
        os.utime(post, (old, old))
    (tmp_path / ".fmlint.toml").write_text('site-root = "."\n', encoding="utf-8")
    args = ["check", ".", "--select", "FM404", "--format", "json"]
    first = run_cli(args, tmp_path)
    assert [f["rule"] for f in json.loads(first.stdout)["findings"]] == ["FM404"] * 10
    assert any((tmp_path / ".fmlint_cache").glob("results-*.json"))
    (tmp_path / "assets/images").mkdir(parents=True)
    (tmp_path / "assets/images/meeting.jpg").write_bytes(b"\xff\xd8\xff")
    second = run_cli(args, tmp_path)
    assert json.loads(second.stdout)["findings"] == [], second.stdout


def test_git_vouches_for_unchanged_files_and_an_unstaged_edit_is_seen(
    tmp_path: Path, reads: list[str]
) -> None:
    """In a git work tree, the facts of files unchanged since the index are
    cached by blob id (no stat, no read); a file edited in the work tree but
    not staged is not vouched for, so it is read again."""
    make_site(tmp_path, 20)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "site")
    lint_site(tmp_path)  # a full run fills both caches
    facts = decoded(next((tmp_path / ".fmlint_cache").glob("facts-*.json")).read_bytes())["entries"]
    blob_keyed = [entry for entry in facts.values() if isinstance(entry[0], str)]
    assert len(blob_keyed) == 21 and all(len(entry[0]) == 40 for entry in blob_keyed)
    checked = "_posts/p001.md"
    reads.clear()
    assert lint_site(tmp_path, [checked]) == []
    assert reads == [checked]  # the other 20 come from the cache by blob id
    # p002 now repeats p001's code in the work tree only (not staged)
    write(tmp_path, "_posts/p002.md", article(code(1)), mtime=OLD + 60)
    reads.clear()
    found = lint_site(tmp_path, [checked])
    assert sorted(reads) == [checked, "_posts/p002.md"]
    assert [r[3] for r in found] == ["FM501"]


# ---------------------------------------------------------------- the file format


def test_paths_under_the_base_are_stored_relative_and_others_absolute(tmp_path: Path) -> None:
    base = tmp_path / "site"
    (base / "_posts").mkdir(parents=True)
    (base / "_posts/a.md").write_text("a", encoding="utf-8")
    outside = tmp_path / "elsewhere.md"
    outside.write_text("b", encoding="utf-8")
    cache = ResultCache(tmp_path / "cache", "k" * 64, "facts", base)
    cache.put(str(base / "_posts/a.md"), 1, 1, {"F": 1})
    cache.put_blob(str(outside), "f" * 40, {"F": 2})
    cache.save()
    reader = ResultCache(tmp_path / "cache", "k" * 64, "facts", base)
    reader.load()
    assert reader.entries == {
        "_posts/a.md": [1, 1, {"F": 1}],
        str(outside): ["f" * 40, 0, {"F": 2}],
    }
    assert reader.get(str(base / "_posts/a.md"), 1, 1) == {"F": 1}
    assert reader.get_blob(str(outside), "f" * 40) == {"F": 2}
    # a blob entry never answers a stat lookup, nor another blob
    assert reader.get(str(outside), 0, 0) is None
    assert reader.get_blob(str(outside), "e" * 40) is None
    assert reader.get_blob(str(base / "_posts/a.md"), "f" * 40) is None
    # entries of files that are gone are dropped on the next save, relative ones too
    (base / "_posts/a.md").unlink()
    writer = ResultCache(tmp_path / "cache", "k" * 64, "facts", base)
    writer.load()
    writer.put("/x.md", 1, 1, 1)
    writer.save()
    again = ResultCache(tmp_path / "cache", "k" * 64, "facts", base)
    again.load()
    assert "_posts/a.md" not in again.entries and str(outside) in again.entries


def test_text_is_stored_as_utf8_and_undecodable_names_round_trip(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "k" * 64)
    message = 'ចំណងជើង "quoted" \\ \n'
    odd_name = "/posts/caf\udce9.md"  # a Latin-1 file name, as os.fsdecode gives it
    cache.put(odd_name, 1, 1, [message])
    cache.save()
    data = cache.file.read_bytes()
    assert "ចំណងជើង".encode() in data  # not \\u escapes: a third of the size
    reader = ResultCache(tmp_path, "k" * 64)
    reader.load()
    assert reader.get(odd_name, 1, 1) == [message]


# ---------------------------------------------------------------- delta files


def _delta_of(cache: ResultCache) -> Path:
    return cache.delta_file


def test_a_few_changes_go_to_a_delta_file_and_the_big_file_is_left_alone(
    tmp_path: Path,
) -> None:
    """A pre-commit run changes one entry in 50,000: it writes that change,
    not the whole cache again; the next run reads both."""
    files = []
    for n in range(30):
        file = tmp_path / f"p{n}.md"
        file.write_text(str(n), encoding="utf-8")
        files.append(str(file))
    first = ResultCache(tmp_path / "cache", "k" * 64, "facts", tmp_path)
    first.load()
    for n, file in enumerate(files):
        first.put_blob(file, f"{n:040x}", {"F": n})
    first.save()
    big = first.file.read_bytes()
    assert not first.delta_file.exists()

    second = ResultCache(tmp_path / "cache", "k" * 64, "facts", tmp_path)
    second.load()
    for n, file in enumerate(files):
        assert second.get_blob(file, f"{n:040x}") == {"F": n}
    second.put_blob(files[3], "a" * 40, {"F": "new"})
    second.drop(files[4])
    second.save()
    assert second.file.read_bytes() == big  # untouched
    assert second.delta_file.stat().st_size < len(big) / 5

    third = ResultCache(tmp_path / "cache", "k" * 64, "facts", tmp_path)
    third.load()
    assert third.get_blob(files[3], "a" * 40) == {"F": "new"}
    assert third.get_blob(files[3], f"{3:040x}") is None
    assert third.get_blob(files[4], f"{4:040x}") is None
    assert third.get_blob(files[5], f"{5:040x}") == {"F": 5}
    # changes accumulate in the delta, later ones win
    third.put_blob(files[3], "b" * 40, {"F": "newer"})
    third.save()
    fourth = ResultCache(tmp_path / "cache", "k" * 64, "facts", tmp_path)
    fourth.load()
    assert fourth.get_blob(files[3], "b" * 40) == {"F": "newer"}
    assert fourth.get_blob(files[4], f"{4:040x}") is None
    assert fourth.file.read_bytes() == big


def test_many_changes_rewrite_the_file_and_remove_the_delta(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linter.cache as cache_module

    monkeypatch.setattr(cache_module, "DELTA_LIMIT", 3)
    for name in ("a", "b", "c0", "c1", "c2", "c3"):
        (tmp_path / f"{name}.md").write_text(name, encoding="utf-8")
    cache = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
    cache.load()
    cache.put(str(tmp_path / "a.md"), 1, 1, 1)
    cache.save()
    small = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
    small.load()
    small.put(str(tmp_path / "b.md"), 1, 1, 2)
    small.save()
    assert small.delta_file.exists()
    many = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
    many.load()
    for n in range(4):
        many.put(str(tmp_path / f"c{n}.md"), 1, 1, n)
    many.save()
    assert not many.delta_file.exists()
    reader = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
    reader.load()
    assert (
        reader.get(str(tmp_path / "b.md"), 1, 1) == 2
        and reader.get(str(tmp_path / "c3.md"), 1, 1) == 3
    )


def test_a_delta_over_another_file_or_corrupt_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    cache = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
    cache.load()
    cache.put(str(tmp_path / "a.md"), 1, 1, "old")
    cache.save()
    change = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
    change.load()
    change.put(str(tmp_path / "a.md"), 1, 1, "from the delta")
    change.save()
    delta = change.delta_file.read_bytes()
    # the big file is rewritten by someone else: the delta no longer applies to it
    other = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
    other.put(str(tmp_path / "a.md"), 1, 1, "rewritten")
    other.save()  # nothing loaded: a full write, which removes the delta
    assert not other.delta_file.exists()
    other.delta_file.write_bytes(delta)  # a stale delta put back
    reader = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
    reader.load()
    assert reader.get(str(tmp_path / "a.md"), 1, 1) == "rewritten"
    for garbage in (b"", b"nonsense", delta[:-5], delta.replace(b"from", b"FROM")):
        change.delta_file.write_bytes(garbage)
        reader = ResultCache(tmp_path / "cache", "k" * 64, base=tmp_path)
        reader.load()
        assert reader.get(str(tmp_path / "a.md"), 1, 1) == "rewritten"


def test_a_subject_quoted_in_its_message_is_stored_as_its_place_there() -> None:
    from linter.runner import FileResult

    message = "image `https://e.com/ខ.png` has no alt text"
    rows = [
        ("FM406", 3, 1, 3, 2, message, "https://e.com/ខ.png", None),
        ("FM201", 4, 1, None, None, "m", "not quoted", "warning"),
        ("FM202", 5, 1, 5, 9, "m", "", None),
    ]
    stored = json.loads(json.dumps(FileResult("p.md", rows).cached()))
    assert stored[0][0][6] == [7, 7 + len("https://e.com/ខ.png")]
    assert stored[0][1][6] == "not quoted"
    assert parse_cached(stored)[0] == rows


@pytest.mark.parametrize(
    "text",
    ["", "[", "[[],[],{},{}] x", "[[],[],{},{}]\n", '"x"', "[" * 100_000, "[[],[],{},{}]]", "nan"],
)
def test_a_stored_result_text_must_be_exactly_one_result(text: str) -> None:
    """Results are stored as JSON text, decoded one by one: anything but one
    well-formed result (trailing text, deep nesting...) is refused."""
    with pytest.raises(ValueError):
        parse_cached(text)
    assert parse_cached("[[],[],{},{}]") == ([], [], {}, {})


def test_results_a_warm_run_let_go_of_survive_a_full_rewrite(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run lets go of each stored result once it is a finding; when the
    run then writes the whole cache file again, they are read back from it."""
    import linter.cache

    monkeypatch.setattr(linter.cache, "DELTA_LIMIT", 1)
    make_site(tmp_path)
    lint_site(tmp_path)
    for name in ("_posts/p001.md", "_posts/p002.md"):  # more changes than a delta file takes
        write(tmp_path, name, article(code(1)) + "\nMore text.\n", mtime=OLD + 60)
    expected = lint_site(tmp_path, cache=False)
    reads.clear()
    assert lint_site(tmp_path) == expected
    assert sorted(reads) == ["_posts/p001.md", "_posts/p002.md"]
    assert (
        not (tmp_path / ".fmlint_cache" / the_cache_file(tmp_path).name)
        .with_name(the_cache_file(tmp_path).name.replace(".json", ".delta.json"))
        .exists()
    )
    assert len(stored(tmp_path)) == 13  # nobody's result was lost
    reads.clear()
    assert lint_site(tmp_path) == expected
    assert reads == []


# ---------------------------------------------------------------- spooling a full rewrite

KEY = "k" * 64
OLD_NS = int(OLD) * 1_000_000_000
ODD_NAMES = [
    "a.md",
    "ចំណងជើង.md",
    os.fsdecode(b"caf\xe9.md"),  # a Latin-1 name: a lone surrogate
    "tab\there.md",
    "new\nline.md",
    'quote".md',
    "back\\slash.md",
    "sub/deep.md",
    "emoji 😀.md",
]
VALUES: list[Any] = [
    "[[],[],{},{}]",
    '[[["FM201",3,1,3,2,"ខ \\"q\\"","",null]],[],{},{}]',
    {"F": 1},
    {"F": "ចំ\udce9"},  # a lone surrogate in a value too
    ["x", 1, None],
    set(),  # not JSON: left out
    {"F": {1, 2}},
]
BLOBS = ["a" * 40, "b" * 40]


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> int:
    import linter.cache as cache_module

    monkeypatch.setattr(cache_module, "_SLICE", 3)
    return 3


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def raw_entries(file: Path) -> dict[str, Any]:
    """The entries of a cache file, refusing a key named twice."""
    entries: dict[str, Any] = decoded(file.read_bytes())["entries"]
    return entries


def loaded(folder: Path, base: Path | None = None, kind: str = "facts") -> dict[str, Any]:
    reader = ResultCache(folder, KEY, kind, base)
    reader.load()
    return reader.entries


def _other_run(folder: Path, base: Path, pool: list[str], seed: int) -> None:
    """Another run writing the whole file between our load and save."""
    rng = random.Random(seed)
    other = ResultCache(folder, KEY, "facts", base)
    other.put_blob(str(base / "other.md"), "c" * 40, {"other": seed})  # nobody else's key
    for path in rng.sample(pool, 3):
        other.put_blob(path, rng.choice(BLOBS), rng.choice(VALUES[:5]))
    other.save()


def _twins(root: Path, base: Path, pool: list[str], seed: int, previous: bool, racing: bool) -> int:
    """The same random run with and without spooling; the two files must load
    the same.  Returns how many keys were spooled."""
    import linter.cache as cache_module

    rng = random.Random(seed)
    folders = [root / "plain", root / "spooled"]
    if previous:
        first = ResultCache(folders[0], KEY, "facts", base)
        for path in rng.sample(pool, rng.randint(1, len(pool))):
            first.put_blob(path, rng.choice(BLOBS), rng.choice(VALUES))
        first.save()
        if rng.random() < 0.5:  # and a delta file over it
            later = ResultCache(folders[0], KEY, "facts", base)
            later.load()
            later.put_blob(rng.choice(pool), "d" * 40, {"F": "delta"})
            later.drop(rng.choice(pool))
            later.save()
        shutil.copytree(folders[0], folders[1])
        for folder in folders:  # so that the racing run's file is told apart by its mtime
            for file in folder.glob("facts-*.json"):
                os.utime(file, (OLD, OLD))
    # a twin saves a whole file, as the runner spools only when that is certain
    cache_module.DELTA_LIMIT = 0
    plain, spooled = (ResultCache(folder, KEY, "facts", base) for folder in folders)
    plain.load()
    spooled.load()
    assert spooled.spool()
    both = (plain, spooled)
    fresh = str(base / f"fresh{seed}.md")  # one change at least: the plain twin saves
    for cache in both:
        cache.put(fresh, 1, OLD_NS, "fresh")
    race_at = rng.randint(0, 30) if racing else -1
    raced = False
    ops = ["put"] * 4 + ["put_blob"] * 3
    ops += ["drop", "get", "get_blob", "get_many", "take_many", "take_many"]
    spooled_keys = 0
    for step in range(rng.randint(5, 40)):
        if step == race_at:
            for folder in folders:
                _other_run(folder, base, pool, seed)
            raced = True
        op, path = rng.choice([*ops, "spool"]), rng.choice(pool)
        size, blob = rng.choice([1, 2]), rng.choice(BLOBS)
        racy = rng.random() < 0.15
        mtime = time.time_ns() if racy else OLD_NS + rng.choice([0, 1])
        value = rng.choice(VALUES)
        if op == "put":
            for cache in both:
                cache.put(path, size, mtime, value)
        elif op == "put_blob":
            for cache in both:
                cache.put_blob(path, blob, value)
        elif op == "drop":
            for cache in both:
                cache.drop(path)
        elif op == "spool":
            assert spooled.spool()  # again, once a re-put sent it back to memory
        else:
            wanted: list[tuple[str, str | None, tuple[int, int] | None]] = [
                (path, blob if op != "get" else None, (size, mtime))
            ]
            if op in ("get_many", "take_many"):
                wanted.append((rng.choice(pool), None, (size, OLD_NS)))
            # what was spooled is no longer held: a miss, never another answer
            ask = "take_many" if op == "take_many" else "get_many"
            answers = zip(getattr(spooled, ask)(wanted), getattr(plain, ask)(wanted), strict=True)
            for ours, theirs in answers:
                assert ours is None or ours == theirs
            if op == "get":
                got = spooled.get(path, size, mtime)
                assert got is None or got == plain.get(path, size, mtime)
            else:
                got = spooled.get_blob(path, blob)
                assert got is None or got == plain.get_blob(path, blob)
        spooled_keys = max(spooled_keys, len(spooled._spooled))
    plain.save()
    spooled.save()
    spooled.discard()  # as the runner does in a `finally`: nothing left to do
    assert temps(folders[0]) == temps(folders[1]) == []
    assert not spooled.delta_file.exists()
    assert loaded(folders[1], base) == loaded(folders[0], base), seed
    raw_entries(spooled.file)
    if raced:  # the other run's entry was merged
        assert str(base / "other.md")[len(str(base)) + 1 :] in loaded(folders[1], base)
    return spooled_keys


@pytest.mark.parametrize("racing", [False, True], ids=["alone", "racing"])
@pytest.mark.parametrize("previous", [False, True], ids=["cold", "warm"])
def test_a_spooled_cache_loads_the_same_as_one_kept_in_memory(
    tmp_path: Path, small_slices: int, monkeypatch: pytest.MonkeyPatch, previous: bool, racing: bool
) -> None:
    """Differential: random puts, drops, lookups and releases over odd keys,
    done to a cache that spools and to one that does not, save to files that
    load the same, with no key named twice."""
    import linter.cache as cache_module

    monkeypatch.setattr(cache_module, "DELTA_LIMIT", cache_module.DELTA_LIMIT)  # restored after
    base = tmp_path / "site"
    paths = [base / name for name in ODD_NAMES]
    for n, path in enumerate(paths):
        if n % 3:  # the others are gone: their untouched entries drop out on save
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x")
    (base / "other.md").write_bytes(b"x")
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"x")
    everything = [str(p) for p in paths] + [str(outside), str(tmp_path / "gone.md"), "rel/x.md"]
    spooled_some = 0
    for seed in range(60):
        monkeypatch.setattr(cache_module, "DELTA_LIMIT", 2000)
        pool = random.Random(-seed).sample(everything, random.Random(seed).randint(3, 12))
        spooled_some += _twins(tmp_path / str(seed), base, pool, seed, previous, racing) > 0
    assert spooled_some > 20  # the spool was really written to, not just sent back to memory


def test_a_spooled_file_is_the_file_kept_in_memory_byte_for_byte(
    tmp_path: Path, small_slices: int
) -> None:
    plain, spooled = ResultCache(tmp_path / "plain", KEY), ResultCache(tmp_path / "spooled", KEY)
    assert spooled.spool()
    for n in range(4 * small_slices + 1):
        for cache in (plain, spooled):
            cache.put(f"/{ODD_NAMES[n % len(ODD_NAMES)]}{n}", n, OLD_NS, VALUES[n % 5])
            cache.put_blob(f"/blob{n}", "e" * 40, {"F": n})
    assert len(spooled.entries) == 0 and len(spooled._pending) < small_slices
    plain.save()
    spooled.save()
    data = spooled.file.read_bytes()
    assert data == plain.file.read_bytes()
    assert len(decoded(data)["entries"]) == 2 * (4 * small_slices + 1)
    reader = ResultCache(tmp_path / "spooled", KEY)
    reader.load()
    assert len(reader.entries) == 2 * (4 * small_slices + 1)
    assert reader.get("/a.md0", 0, OLD_NS) == VALUES[0]


def test_spooling_holds_a_slice_of_values_not_all_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    import linter.cache as cache_module

    monkeypatch.setattr(cache_module, "_SLICE", 200)
    cache = ResultCache(tmp_path, KEY)
    assert cache.spool()
    tracemalloc.start()
    try:
        for n in range(20 * 200):
            cache.put_blob(f"/posts/p{n:05d}.md", "f" * 40, f"{n:08d}" + "x" * 1016)
            assert len(cache.entries) == 0 and len(cache._pending) < 200
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 4000 * 1024 / 4  # the keys, not the 4 MB of values
    cache.save()
    reader = ResultCache(tmp_path, KEY)
    reader.load()
    assert len(reader.entries) == 4000
    assert reader.get_blob("/posts/p03999.md", "f" * 40) == "00003999" + "x" * 1016


def test_a_spooled_key_stored_again_or_dropped_is_written_once_or_not_at_all(
    tmp_path: Path, small_slices: int
) -> None:
    cache = ResultCache(tmp_path, KEY)
    assert cache.spool()
    for n in range(2 * small_slices):
        cache.put(f"/p{n}.md", 1, OLD_NS, n)
    assert "/p0.md" in cache._spooled
    cache.put("/p0.md", 1, OLD_NS, "again")  # the spool is read back: memory from now on
    cache.drop("/p1.md")
    cache.put("/p2.md", 1, time.time_ns(), "racy")  # too recent to store: dropped
    assert cache.spool()  # spooling again
    for n in range(2 * small_slices):
        cache.put(f"/q{n}.md", 1, OLD_NS, n)
    cache.drop("/q0.md")
    cache.put_blob("/q1.md", "a" * 40, "blob")
    cache.put("/q2.md", 1, OLD_NS, 2)  # unchanged: nothing to write
    cache.save()
    assert temps(tmp_path) == []
    entries = raw_entries(cache.file)
    assert entries == {
        "/p0.md": [1, OLD_NS, "again"],
        **{f"/p{n}.md": [1, OLD_NS, n] for n in range(3, 2 * small_slices)},
        "/q1.md": ["a" * 40, 0, "blob"],
        **{f"/q{n}.md": [1, OLD_NS, n] for n in range(2, 2 * small_slices)},
    }
    reader = ResultCache(tmp_path, KEY)
    reader.load()
    assert reader.entries == entries


def test_spool_fails_where_no_temp_file_can_be_made_and_the_cache_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder", encoding="utf-8")
    for folder in (blocker, blocker / "sub"):
        cache = ResultCache(folder, KEY)
        assert not cache.spool()
        cache.put("/a.md", 1, OLD_NS, "a")
        assert cache.get("/a.md", 1, OLD_NS) == "a"  # in memory, as without spooling
        cache.save()
        cache.discard()
    assert blocker.read_text(encoding="utf-8") == "not a folder"

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OSError("read-only")

    cache = ResultCache(tmp_path / "cache", KEY)
    with monkeypatch.context() as patched:
        patched.setattr(tempfile, "mkstemp", refused)
        assert not cache.spool()
    cache.put("/a.md", 1, OLD_NS, "a")
    cache.save()
    assert loaded(tmp_path / "cache") == {} and raw_entries(cache.file) == {
        "/a.md": [1, OLD_NS, "a"]
    }


def test_a_spool_that_cannot_be_written_goes_on_in_memory(
    tmp_path: Path, small_slices: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linter.cache as cache_module

    cache = ResultCache(tmp_path, KEY)
    assert cache.spool()

    def full_disk(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(cache_module._EntryWriter, "add", full_disk)
        for n in range(2 * small_slices):
            cache.put(f"/p{n}.md", 1, OLD_NS, n)
    assert temps(tmp_path) == []
    cache.save()
    assert raw_entries(cache.file) == {f"/p{n}.md": [1, OLD_NS, n] for n in range(2 * small_slices)}


def test_discard_removes_the_spooled_file_and_what_was_in_it(
    tmp_path: Path, small_slices: int
) -> None:
    for name in ("kept", *(f"p{n}" for n in range(small_slices + 1))):
        (tmp_path / f"{name}.md").write_bytes(b"x")
    old = ResultCache(tmp_path / "cache", KEY, base=tmp_path)
    old.put(str(tmp_path / "p0.md"), 1, OLD_NS, "old")
    old.put(str(tmp_path / "kept.md"), 1, OLD_NS, "kept")
    old.save()
    before = old.file.read_bytes()
    cache = ResultCache(tmp_path / "cache", KEY, base=tmp_path)
    cache.load()
    assert cache.spool()
    assert len(temps(tmp_path / "cache")) == 1
    for n in range(small_slices + 1):
        cache.put(str(tmp_path / f"p{n}.md"), 2, OLD_NS, n)
    with pytest.raises(KeyboardInterrupt):  # the run dies
        try:
            raise KeyboardInterrupt
        finally:
            cache.discard()
    assert temps(tmp_path / "cache") == []
    assert old.file.read_bytes() == before
    cache.discard()  # idempotent
    # saved anyway: what was written is lost (read again next time), never its old value
    cache.save()
    assert loaded(tmp_path / "cache", tmp_path, "results") == {
        "kept.md": [1, OLD_NS, "kept"],
        f"p{small_slices}.md": [2, OLD_NS, small_slices],  # it was still pending
    }


def test_a_spooled_save_leaves_no_temp_is_done_once_and_may_hold_nothing(
    tmp_path: Path, small_slices: int
) -> None:
    empty = ResultCache(tmp_path / "empty", KEY)
    assert empty.spool()
    empty.save()  # nothing stored: still a valid (empty) file
    assert raw_entries(empty.file) == {} and temps(tmp_path / "empty") == []
    reader = ResultCache(tmp_path / "empty", KEY)
    reader.load()
    assert reader._loaded_header and reader.entries == {}

    kept = tmp_path / "kept.md"
    kept.write_bytes(b"x")
    old = ResultCache(tmp_path / "cache", KEY, base=tmp_path)
    old.put(str(kept), 1, OLD_NS, "kept")
    old.put(str(tmp_path / "gone.md"), 1, OLD_NS, "gone")
    old.save()
    cache = ResultCache(tmp_path / "cache", KEY, base=tmp_path)
    cache.load()
    assert cache.spool()
    cache.save()  # a full write even with nothing stored: entries of gone files go
    assert raw_entries(cache.file) == {"kept.md": [1, OLD_NS, "kept"]}
    for n in range(2 * small_slices):
        (tmp_path / f"p{n}.md").write_bytes(b"x")
    assert cache.spool()
    for n in range(2 * small_slices):
        cache.put(str(tmp_path / f"p{n}.md"), 1, OLD_NS, n)
    cache.save()
    data, info = cache.file.read_bytes(), cache.file.stat()
    cache.save()  # idempotent
    cache.discard()
    assert (cache.file.read_bytes(), cache.file.stat().st_mtime_ns) == (data, info.st_mtime_ns)
    assert temps(tmp_path / "cache") == []
    # the cache goes on after a spooled save: a later change is a delta over that file
    (tmp_path / "late.md").write_bytes(b"x")
    cache.put(str(tmp_path / "late.md"), 1, OLD_NS, "late")
    cache.save()
    assert cache.file.read_bytes() == data and cache.delta_file.exists()
    reader = ResultCache(tmp_path / "cache", KEY, base=tmp_path)
    reader.load()
    assert reader.entries == {
        "kept.md": [1, OLD_NS, "kept"],
        **{f"p{n}.md": [1, OLD_NS, n] for n in range(2 * small_slices)},
        "late.md": [1, OLD_NS, "late"],
    }


def test_two_spooling_runs_racing_leave_one_valid_file_our_answers_winning(
    tmp_path: Path, small_slices: int
) -> None:
    files = []
    for n in range(3 * small_slices):
        file = tmp_path / f"p{n}.md"
        file.write_bytes(b"x")
        files.append(str(file))
    folder = tmp_path / "cache"
    first, second = ResultCache(folder, KEY), ResultCache(folder, KEY)
    first.load()
    second.load()
    assert first.spool() and second.spool()
    for n, file in enumerate(files):
        first.put(file, 1, OLD_NS, f"first {n}")
        if n % 2:
            second.put(file, 1, OLD_NS, f"second {n}")
    first.save()
    second.save()  # last writer: its answers, and the first run's others
    reader = ResultCache(folder, KEY)
    reader.load()
    assert reader.entries == {
        file: [1, OLD_NS, f"second {n}" if n % 2 else f"first {n}"] for n, file in enumerate(files)
    }
    assert sorted(p.name for p in folder.iterdir()) == [
        ".gitignore",
        "results-kkkkkkkkkkkkkkkkkkkk.json",
    ]


# ---------------------------------------------------------------- the layout (format 6)

NS = 1_600_000_000_123_456_789  # an mtime long past the racy window


def test_the_layout_byte_for_byte(tmp_path: Path) -> None:
    """A line of the area for each value (a str as it is, else compact JSON),
    then the index: columns, ends as byte offsets in the area."""
    cache = ResultCache(tmp_path, KEY)
    cache.put("/a.md", 12, NS, '[["x\\"y"]]')  # a result: its JSON text, a str
    cache.put_blob("/ខ\udce9.md", "b" * 40, {"F": ["ចំ", 1]})  # facts: JSON
    cache.put("/empty.md", 0, NS, "")
    cache.save()
    area = b'[["x\\"y"]]\n{"F":["\xe1\x9e\x85\xe1\x9f\x86",1]}\n\n'
    index = (
        b'{"format":6,"key":"' + KEY.encode() + b'",'
        b'"keys":["/a.md","/\xe1\x9e\x81\xed\xb3\xa9.md","/empty.md"],'
        b'"stamps":[12,1600000000123456789,"' + b"b" * 40 + b'",0,0,1600000000123456789],'
        b'"ends":[10,29,30],"kinds":"010"}\n'
    )
    digest = hashlib.sha256(area + index + b"000000000031").hexdigest().encode()
    header = b"fmlint-cache 6 sha256=" + digest + b" area=000000000031\n"
    assert cache.file.read_bytes() == header + area + index

    # a delta file: the same layout, with the file it applies to and the keys it drops
    change = ResultCache(tmp_path, KEY)
    change.load()
    assert change.get_blob("/ខ\udce9.md", "b" * 40) == {"F": ["ចំ", 1]}  # kept: in use
    change.put("/a.md", 12, NS, {"x": 'y"'})
    change.drop("/empty.md")
    change.save()
    area = b'{"x":"y\\""}\n'
    index = (
        b'{"format":6,"key":"' + KEY.encode() + b'","base":"' + header[:-1] + b'",'
        b'"keys":["/a.md"],"stamps":[12,1600000000123456789],"ends":[11],"kinds":"1",'
        b'"gone":["/empty.md"]}\n'
    )
    digest = hashlib.sha256(area + index + b"000000000012").hexdigest().encode()
    delta = b"fmlint-cache 6 sha256=" + digest + b" area=000000000012\n"
    assert change.delta_file.read_bytes() == delta + area + index
    reader = ResultCache(tmp_path, KEY)
    reader.load()
    assert reader.entries == {
        "/a.md": [12, NS, {"x": 'y"'}],
        "/ខ\udce9.md": ["b" * 40, 0, {"F": ["ចំ", 1]}],
    }


def test_an_empty_cache_is_a_header_and_an_index(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, KEY)
    cache.dirty = True
    cache.save()
    index = b'{"format":6,"key":"%s","keys":[],"stamps":[],"ends":[],"kinds":""}\n' % KEY.encode()
    digest = hashlib.sha256(index + b"000000000000").hexdigest().encode()
    assert cache.file.read_bytes() == (
        b"fmlint-cache 6 sha256=" + digest + b" area=000000000000\n" + index
    )
    reader = ResultCache(tmp_path, KEY)
    reader.load()
    assert reader.loaded and reader.entries == {}


def _index(**columns: Any) -> dict[str, Any]:
    return {"format": FORMAT, "key": KEY, **columns}


GOOD = {"keys": ["/a", "/b"], "stamps": [1, 2, "c" * 40, 0], "ends": [2, 5], "kinds": "00"}


def _load(folder: Path, data: bytes, kind: str = "results") -> ResultCache:
    folder.mkdir(parents=True, exist_ok=True)
    cache = ResultCache(folder, KEY, kind)
    cache.file.write_bytes(data)
    cache.load()
    return cache


def test_a_hand_made_file_loads(tmp_path: Path) -> None:
    cache = _load(tmp_path, sign(b"ab\ncd\n", _index(**GOOD)))
    assert cache.loaded and cache.entries == {"/a": [1, 2, "ab"], "/b": ["c" * 40, 0, "cd"]}


@pytest.mark.parametrize(
    "columns",
    [
        {"ends": [5, 2]},  # out of order
        {"ends": [2, 2]},  # the second text would start after its end
        {"ends": [2, 6]},  # past the area
        {"ends": [-1, 5]},
        {"ends": [2, 4]},  # short of the area
        {"ends": [2.0, 5]},
        {"ends": ["2", 5]},
        {"ends": [True, 5]},
        {"ends": [None, 5]},
        {"ends": [[2], 5]},
        {"ends": [2, 5, 5]},
        {"ends": [5]},
        {"ends": {"2": 5}},
        {"keys": ["/a"]},
        {"keys": "/a/b"},
        {"keys": None},
        {"stamps": [1, 2, "c" * 40]},
        {"stamps": [1, 2, "c" * 40, 0, 1]},
        {"stamps": {"1": 2}},
        {"kinds": "0"},
        {"kinds": "000"},
        {"kinds": ["0", "0"]},
        {"kinds": 0},
        {"keys": None, "stamps": None, "ends": None, "kinds": None},
    ],
    ids=str,
)
def test_an_index_whose_columns_do_not_cut_the_whole_area_in_order_is_ignored(
    tmp_path: Path, columns: dict[str, Any]
) -> None:
    index = {k: v for k, v in _index(**{**GOOD, **columns}).items() if v is not None}
    cache = _load(tmp_path, sign(b"ab\ncd\n", index))
    assert not cache.loaded and cache.entries == {}


def test_a_file_whose_header_says_another_area_size_is_ignored(tmp_path: Path) -> None:
    valid = sign(b"ab\ncd\n", _index(**GOOD))
    assert _load(tmp_path, valid).entries
    for size in (
        b"000000000005",
        b"000000000007",
        b"000000000000",
        b"999999999999",
        b"00000000000x",
    ):
        assert not _load(tmp_path, valid.replace(b"area=000000000006", b"area=" + size)).loaded
        # signed for that size: the index no longer starts where it says
        digest = hashlib.sha256(valid.partition(b"\n")[2] + size).hexdigest().encode()
        header = b"fmlint-cache 6 sha256=" + digest + b" area=" + size
        assert not _load(tmp_path, header + b"\n" + valid.partition(b"\n")[2]).loaded
    for cut in range(1, 40):  # a truncated index, even signed
        line = json.dumps(_index(**GOOD)).encode()
        assert not _load(tmp_path, sign(b"ab\ncd\n", line[:-cut])).loaded, cut


@pytest.mark.parametrize(
    ("stamps", "kinds"),
    [
        ([True, 2], "0"),
        ([1.5, 2], "0"),
        ([None, 2], "0"),
        ([[1], 2], "0"),
        ([{}, 2], "0"),
        ([1, "2"], "0"),
        ([1, None], "0"),
        ([1, False], "0"),
        ([1, 2.0], "0"),
        ([1, 2], "2"),
        ([1, 2], "x"),
        ([1, 2], " "),
        ([1, 2], "ខ"),
    ],
    ids=str,
)
def test_an_entry_with_wrong_stamps_or_kind_is_dropped_and_the_rest_kept(
    tmp_path: Path, stamps: list[Any], kinds: str
) -> None:
    index = _index(
        keys=["/a", "/bad", "/b"],
        stamps=[1, 2, *stamps, "c" * 40, 0],
        ends=[2, 5, 8],
        kinds="0" + kinds + "0",
    )
    cache = _load(tmp_path, sign(b"ab\nxy\ncd\n", index))
    assert cache.loaded and cache.entries == {"/a": [1, 2, "ab"], "/b": ["c" * 40, 0, "cd"]}


@pytest.mark.parametrize("kind", ["facts", "results"])
@pytest.mark.parametrize(
    "text",
    [
        b"nope",
        b"",
        b"{",
        b'"open',
        b"[1,]",
        b"1 2",
        b"\xef\xbb\xbf1",  # a byte order mark
        b"[" * 100_000 + b"]" * 100_000,
        b"\xe1\x9e",  # not UTF-8: a character cut short
        b"\xff",
    ],
    ids=lambda text: repr(text[:12]),
)
def test_a_json_text_that_is_not_one_json_value_is_dropped_and_the_rest_kept(
    tmp_path: Path, text: bytes, kind: str
) -> None:
    """In a file of JSON texts only (decoded in one go, then one by one) and
    in one with raw texts too."""
    for other_kind, other in (("1", b'{"F":[1,"\xe1\x9e\x81"]}'), ("0", b"raw")):
        area = other + b"\n" + text + b"\n" + b"12\n" + b"3\n"
        ends = [len(other), len(other) + 1 + len(text)]
        ends += [ends[-1] + 3, ends[-1] + 5]
        index = _index(
            keys=["/a", "/bad", "/twelve", "/three"],
            stamps=[1, 1] * 4,
            ends=ends,
            kinds=other_kind + "111",
        )
        cache = _load(tmp_path, sign(area, index), kind)
        assert cache.loaded
        assert cache.entries == {
            "/a": [1, 1, {"F": [1, "ខ"]} if other_kind == "1" else "raw"],
            "/twelve": [1, 1, 12],  # a number, and the next line another: not 123
            "/three": [1, 1, 3],
        }, other_kind


def test_offsets_are_bytes_of_utf8_lone_surrogates_and_all(tmp_path: Path) -> None:
    texts = ["ខ្មែរ", "\udce9", '😀\n"\\', '"ចំ\udce9"', "{}", ""]
    area = b"".join(text.encode("utf-8", "surrogatepass") + b"\n" for text in texts)
    ends, end = [], -1
    for text in texts:
        end += 1 + len(text.encode("utf-8", "surrogatepass"))
        ends.append(end)
    keys = ["/ខ.md", "/caf\udce9.md", "/😀.md", "/q.md", "/d.md", "/e.md"]
    index = _index(keys=keys, stamps=[1, 1] * 6, ends=ends, kinds="000010")
    line = json.dumps(index, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"
    cache = _load(tmp_path, sign(area, line))
    assert cache.entries == {
        "/ខ.md": [1, 1, "ខ្មែរ"],
        "/caf\udce9.md": [1, 1, "\udce9"],
        "/😀.md": [1, 1, '😀\n"\\'],
        "/q.md": [1, 1, '"ចំ\udce9"'],  # kind 0: a str that looks like JSON stays a str
        "/d.md": [1, 1, {}],
        "/e.md": [1, 1, ""],
    }
    # ends counted in characters do not cut that area into its lines
    chars = list(accumulate(len(text) + 1 for text in texts))
    assert chars != [end + 1 for end in ends]
    index["ends"] = [end - 1 for end in chars]
    assert not _load(tmp_path, sign(area, index)).loaded


def test_a_delta_with_gone_keys_of_the_wrong_type_is_ignored(tmp_path: Path) -> None:
    cache = _load(tmp_path, sign(b"ab\ncd\n", _index(**GOOD)))
    base = cache.file.read_bytes().partition(b"\n")[0].decode()
    for gone, expected in (
        (["/a"], {"/b": ["c" * 40, 0, "cd"]}),
        ([1], {"/a": [1, 2, "ab"], "/b": ["c" * 40, 0, "cd"]}),
        ("/a", {"/a": [1, 2, "ab"], "/b": ["c" * 40, 0, "cd"]}),
    ):
        delta = _index(base=base, keys=[], stamps=[], ends=[], kinds="", gone=gone)
        cache.delta_file.write_bytes(sign(b"", delta))
        cache.load()
        assert cache.entries == expected, gone


STRANGE = [
    '"',
    "\\",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\u2028",
    "ខ",
    "ំ",
    "😀",
    "\udce9",
    "\ud83d",
    "{",
    "]",
    ",",
    " ",
    "a",
    "7",
]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(STRANGE) for _ in range(rng.choice([0, 1, 2, 5, 30])))


def _json(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(9 if depth < 3 else 6)
    if pick == 0:
        return _text(rng)
    if pick == 1:
        return rng.randint(-(2**70), 2**70)
    if pick == 2:
        return rng.choice([0.5, -0.0, 1e300, -2.25e-300, 3.0])
    if pick == 3:
        return rng.choice([None, True, False])
    if pick in (4, 5):
        return rng.randint(0, 9)
    if pick in (6, 7):
        return {_text(rng): _json(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    return [_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]


@pytest.mark.parametrize("seed", range(40))
def test_entries_round_trip(tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Property: whatever is stored loads back equal, str values as str
    (quotes, backslashes, line breaks, Khmer, emoji, lone surrogates), others
    as the JSON values they are, spooled or not, in one slice or many."""
    import linter.cache as cache_module

    rng = random.Random(seed)
    monkeypatch.setattr(cache_module, "_SLICE", rng.choice([1, 3, 2000]))
    kind = rng.choice(["facts", "results"])
    mostly_json = rng.random() < 0.5  # a facts file: JSON texts only, decoded in one go
    expected: dict[str, Any] = {}
    for _ in range(rng.randint(0, 60)):
        key = "/" + _text(rng) + str(len(expected))
        if mostly_json:
            value = rng.choice([{"F": _json(rng)}, [_json(rng)], _json(rng) or 1])
            if type(value) is str:
                value = [value]
        else:
            value = rng.choice([_text(rng), _text(rng), _json(rng)])
        stamps = rng.choice([[rng.randint(0, 2**40), NS], [f"{rng.getrandbits(160):040x}", 0]])
        expected[key] = [*stamps, value]
    cache = ResultCache(tmp_path, KEY, kind)
    spooling = rng.random() < 0.5 and cache.spool()
    for key, (stamp0, stamp1, value) in expected.items():
        if isinstance(stamp0, str):
            cache.put_blob(key, stamp0, value)
        else:
            cache.put(key, stamp0, stamp1, value)
    cache.dirty = True
    cache.save()
    reader = ResultCache(tmp_path, KEY, kind)
    reader.load()
    assert reader.loaded, spooling
    assert reader.entries == expected
    assert list(reader.entries) == list(expected)
    for key, entry in reader.entries.items():
        assert type(entry[2]) is type(expected[key][2])
    assert decoded(cache.file.read_bytes())["entries"] == expected
