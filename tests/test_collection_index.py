"""The key index of the collection's facts: a small run that uses it reports
exactly what a run over every fact reports, whatever happened to the
repository since the index was written; a damaged or foreign index is never
trusted."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import example_text, git, replace_field

from linter import collection_index
from linter.cache import ResultCache
from linter.collection_index import CollectionIndex, _joined, _joined_size, fact_json
from linter.config import Config
from linter.findings import Finding
from linter.runner import _IndexedRun, run

SELECT = ("FM5",)
Row = tuple[str, int, int, str, str]


def article(code: str, title: str = "A title") -> str:
    text = replace_field(example_text(), "code", f'code: "{code}"')
    return replace_field(text, "title", f'title: "{title}"')


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def rows(findings: list[Finding]) -> list[Row]:
    return [(f.path, f.line, f.column, f.rule, f.message) for f in findings]


def lint(root: Path, paths: list[str], *, cache: bool = True, **fields: Any) -> list[Row]:
    config = Config(root=root, select=fields.pop("select", SELECT), **fields)
    return rows(run(paths, config, cwd=root, use_cache=cache, jobs=1).findings)


@pytest.fixture
def ways(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """How each cached run got the collection's facts: "index" or "facts"."""
    seen: list[str] = []
    real_matches, real_load = _IndexedRun.add_matches, ResultCache.load

    def matches(self: _IndexedRun, *args: Any) -> None:
        seen.append("index")
        real_matches(self, *args)

    def load(self: ResultCache) -> None:
        if self.file.name.startswith("facts-"):
            seen.append("facts")
        real_load(self)

    monkeypatch.setattr(_IndexedRun, "add_matches", matches)
    monkeypatch.setattr(ResultCache, "load", load)
    yield seen


def index_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / ".fmlint_cache").glob("index-*"))


# ---------------------------------------------------------------- the runner


def test_a_precommit_run_reads_the_index_not_every_fact(tmp_path: Path, ways: list[str]) -> None:
    for n in range(30):
        write(tmp_path, f"_posts/p{n:02d}.md", article(f"ART{n:02d}"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "site")
    assert lint(tmp_path, ["."]) == []
    assert [name.endswith(".txt") for name in index_files(tmp_path)] == [True]

    write(tmp_path, "_posts/p07.md", article("ART03"))
    git(tmp_path, "add", "-A")
    ways.clear()
    found = lint(tmp_path, ["_posts/p07.md"])
    assert ways == ["index"]
    assert found == [
        (
            "_posts/p07.md",
            3,
            7,
            "FM501",
            'code "ART03" is also used by _posts/p03.md:3; codes must be unique',
        )
    ]
    assert found == lint(tmp_path, ["_posts/p07.md"], cache=False)


def test_a_rule_without_keys_keeps_the_long_way(
    tmp_path: Path, ways: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from linter.rules.base import CollectionRule
    from linter.rules.unique_fields import DuplicateFieldValue

    monkeypatch.setattr(DuplicateFieldValue, "index_keys", CollectionRule.index_keys)
    for n in range(5):
        write(tmp_path, f"p{n}.md", article(f"ART{n}"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    lint(tmp_path, ["."])
    lint(tmp_path, ["p1.md"])
    assert index_files(tmp_path) == [] and "index" not in ways


def test_a_failing_index_keys_costs_the_index_not_the_findings(
    tmp_path: Path, ways: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from linter.rules.unique_fields import DuplicateFieldValue

    def broken(self: Any, fact: Any) -> list[str]:
        raise RuntimeError("a plugin's bug")

    monkeypatch.setattr(DuplicateFieldValue, "index_keys", broken)
    for n in range(5):
        write(tmp_path, f"p{n}.md", article("ART1" if n < 2 else f"ART{n}"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    expected = lint(tmp_path, ["p0.md"], cache=False)
    assert [r[3] for r in expected] == ["FM501"]
    assert lint(tmp_path, ["."]) != [] and index_files(tmp_path) == []
    assert lint(tmp_path, ["p0.md"]) == expected


def test_too_many_uncovered_files_go_the_long_way_and_renew_the_index(
    tmp_path: Path, ways: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collection_index, "FRESH_LIMIT", 3)
    for n in range(6):
        write(tmp_path, f"p{n}.md", article(f"ART{n}"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    lint(tmp_path, ["."])
    for n in range(6, 11):  # five new articles, one repeating a code
        write(tmp_path, f"p{n}.md", article("ART2" if n == 9 else f"ART{n}"))
    git(tmp_path, "add", "-A")
    ways.clear()
    expected = lint(tmp_path, ["p2.md"], cache=False)
    assert lint(tmp_path, ["p2.md"]) == expected != []
    assert ways == ["facts"]  # five uncovered: past the limit
    ways.clear()
    assert lint(tmp_path, ["p2.md"]) == expected
    assert ways == ["index"]  # the long way wrote a new index


def test_files_the_collection_leaves_out_never_count_through_the_index(
    tmp_path: Path, ways: list[str]
) -> None:
    for name in ("p0.md", "p1.md", "node_modules/x.md", "drafts/d.md", "vendor/v.md"):
        write(tmp_path, name, article("ART1" if name != "p1.md" else "ART2"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "site")
    fields: dict[str, Any] = {"exclude": ("drafts/**",)}
    assert lint(tmp_path, ["."], **fields) == []
    for _ in range(2):  # the first small run records what it saw; the second reads it back
        ways.clear()
        assert lint(tmp_path, ["p0.md"], **fields) == []
        assert ways == ["index"]
    # a file the index does not know yet, and one changed in the work tree only
    write(tmp_path, "p2.md", article("ART1"))
    git(tmp_path, "add", "p2.md")
    write(tmp_path, "p1.md", article("ART1"))  # not staged: the work tree's copy counts
    expected = lint(tmp_path, ["p0.md"], cache=False, **fields)
    assert [r[4].split(" is also used by ")[1] for r in expected] == [
        "p1.md:3, p2.md:3; codes must be unique"
    ]
    ways.clear()
    assert lint(tmp_path, ["p0.md"], **fields) == expected
    assert ways == ["index"]


OPERATIONS = ("edit", "edit", "edit", "stage", "commit", "delete", "add", "body", "unstaged")


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"rules": {"FM501": {"case-sensitive": False}}},
        {"rules": {"FM501": {"fields": ["code", "title"]}}},
        {"exclude": ("drafts/**",)},
    ],
    ids=["default", "case-insensitive", "two-fields", "exclude"],
)
def test_the_index_agrees_with_every_fact_through_a_history_of_changes(
    tmp_path: Path, ways: list[str], fields: dict[str, Any]
) -> None:
    """Random edits, commits, deletions and additions (staged or not), each
    followed by small runs with the index and without any cache: the same
    findings every time, and the index really used."""
    rng = random.Random(7)
    codes = [f"ART{n:03d}" for n in range(12)] + ["art001", "Art002"]
    titles = ["Same title", "Other title", "Third"]
    names = [f"_posts/p{n:02d}.md" for n in range(20)] + ["drafts/d1.md", "node_modules/x.md"]
    names += ["odd/with space.md", "odd/tab\there.md", "odd/new\nline.md", "odd/ខ្មែរ.md"]
    for name in names:
        write(tmp_path, name, article(rng.choice(codes), rng.choice(titles)))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "site")
    lint(tmp_path, ["."], **fields)
    ways.clear()
    fresh = 100
    for step in range(40):
        operation = rng.choice(OPERATIONS)
        existing = sorted(
            str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.md") if ".git" not in p.parts
        )
        target = rng.choice(existing)
        if operation in ("edit", "unstaged"):
            write(tmp_path, target, article(rng.choice(codes), rng.choice(titles)))
            if operation == "edit":
                git(tmp_path, "add", target)
        elif operation == "stage":
            git(tmp_path, "add", "-A")
        elif operation == "commit":
            git(tmp_path, "add", "-A")
            git(tmp_path, "commit", "-q", "--allow-empty", "-m", f"step {step}")
        elif operation == "delete":
            (tmp_path / target).unlink()
            existing.remove(target)
        elif operation == "add":
            fresh += 1
            name = f"_posts/n{fresh}.md"
            write(tmp_path, name, article(rng.choice(codes), rng.choice(titles)))
            existing.append(name)
            if rng.random() < 0.5:
                git(tmp_path, "add", name)
        else:  # the body only: a new blob, the same facts
            with open(tmp_path / target, "a", encoding="utf-8") as handle:
                handle.write(f"\nEdited in step {step}.\n")
        checked = rng.sample(existing, min(len(existing), rng.choice((1, 1, 2, 3))))
        expected = lint(tmp_path, checked, cache=False, **fields)
        assert lint(tmp_path, checked, **fields) == expected, (step, operation, checked)
    assert ways.count("index") >= 30, ways  # the index served most runs
    assert any("FM501" in row[3] for row in lint(tmp_path, ["."], cache=False, **fields)), (
        "the history never made a duplicate: the test proves nothing"
    )


# ---------------------------------------------------------------- the file


def files(*entries: tuple[str, str, str]) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """(path, blob, code value) -> what CollectionIndex.rebuild takes."""
    return [
        (path, blob, [("FM501", f"code={value}", fact_json({"code": [value, 3, 7, 3, 20]}))])
        for path, blob, value in entries
    ]


def rebuild(
    index: CollectionIndex, entries: list[tuple[str, str, list[tuple[str, str, str]]]]
) -> None:
    keyed_of = {path: facts for path, _, facts in entries}
    index.rebuild([(path, blob) for path, blob, _ in entries], keyed_of.__getitem__)


ODD_PATHS = ["plain.md", "with space.md", "tab\there.md", "new\nline.md", "ខ្មែរ.md", "bad\udcff.md"]


def test_records_and_lines_round_trip_for_any_path(tmp_path: Path) -> None:
    index = CollectionIndex(tmp_path, "k" * 64)
    rebuild(index, files(*[(p, f"{n:040x}", f"V{n % 2}") for n, p in enumerate(ODD_PATHS)]))
    again = CollectionIndex(tmp_path, "k" * 64)
    assert again.load()
    assert again.coverage() == {f"{n:040x} 0\t{p}" for n, p in enumerate(ODD_PATHS)}
    found = sorted(again.lookup("FM501", ["code=V1"]))
    assert found == [
        (p, f"{n:040x}", json.dumps({"code": ["V1", 3, 7, 3, 20]}, separators=(",", ":")).encode())
        for n, p in sorted(enumerate(ODD_PATHS), key=lambda e: e[1])
        if n % 2
    ]
    assert list(again.lookup("FM501", ["code=V9"])) == []
    assert list(again.lookup("FM999", ["code=V1"])) == []


def test_many_keys_find_what_one_search_per_key_finds(tmp_path: Path) -> None:
    entries = [(f"p{n}.md", f"{n:040x}", f"V{n % 40}") for n in range(200)]
    index = CollectionIndex(tmp_path, "k" * 64)
    rebuild(index, files(*entries))
    assert index.load()
    keys = [f"code=V{n}" for n in range(30)]  # past the searches one by one
    one_by_one = sorted(found for key in keys for found in index.lookup("FM501", [key]))
    assert sorted(index.lookup("FM501", keys)) == one_by_one
    assert len(one_by_one) == 150


def test_additions_go_to_a_delta_then_merge_into_the_main_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collection_index, "DELTA_LIMIT", 3)
    index = CollectionIndex(tmp_path, "k" * 64)
    rebuild(index, files(("a.md", "1" * 40, "A"), ("b.md", "2" * 40, "B")))
    main_before = index.file.read_bytes()
    for n, value in enumerate(["A", "C", "B"]):
        assert index.load()
        index.add(files((f"new{n}.md", f"{n + 3}" * 40, value)))
        index.save()
    assert index.file.read_bytes() == main_before  # three in the delta: within the limit
    assert index.delta_file.exists()
    assert index.load() and index.covered_files == 5
    assert sorted(p for p, _, _ in index.lookup("FM501", ["code=A", "code=B"])) == [
        "a.md",
        "b.md",
        "new0.md",
        "new2.md",
    ]
    index.add(files(("new3.md", "7" * 40, "A")))
    index.save()  # four: merged into the main file, record numbers moved along
    assert not index.delta_file.exists()
    assert index.load() and index.covered_files == 6
    assert sorted(p for p, _, _ in index.lookup("FM501", ["code=A"])) == [
        "a.md",
        "new0.md",
        "new3.md",
    ]
    assert sorted(b for _, b, _ in index.lookup("FM501", ["code=B"])) == ["2" * 40, "5" * 40]


def test_a_damaged_foreign_or_orphaned_index_is_not_trusted(tmp_path: Path) -> None:
    index = CollectionIndex(tmp_path, "k" * 64)
    rebuild(index, files(("a.md", "1" * 40, "A")))
    assert index.load()
    index.add(files(("b.md", "2" * 40, "A")))
    index.save()
    assert index.load() and index.covered_files == 2

    assert not CollectionIndex(tmp_path, "j" + "k" * 63).load()  # another config's key
    data = index.file.read_bytes()
    for damaged in (data[:-1], data.replace(b"a.md", b"x.md"), b"", b"\0" * 100, data + b"x"):
        index.file.write_bytes(damaged)
        assert not index.load()
    index.file.write_bytes(data)
    assert index.load() and index.covered_files == 2
    index.delta_file.write_bytes(index.delta_file.read_bytes()[:-3])  # a damaged delta
    assert index.load() and index.covered_files == 1


def test_an_orphaned_delta_is_ignored(tmp_path: Path) -> None:
    index = CollectionIndex(tmp_path, "k" * 64)
    rebuild(index, files(("a.md", "1" * 40, "A")))
    assert index.load()
    index.add(files(("b.md", "2" * 40, "A")))
    index.save()
    delta = index.delta_file.read_bytes()
    rebuild(index, files(("a.md", "1" * 40, "A"), ("c.md", "3" * 40, "C")))  # another main file
    index.delta_file.write_bytes(delta)
    assert index.load() and index.covered_files == 2
    assert [p for p, _, _ in index.lookup("FM501", ["code=A"])] == ["a.md"]


def test_old_configs_index_files_are_pruned(tmp_path: Path) -> None:
    for n in range(collection_index.KEEP_FILES + 2):
        index = CollectionIndex(tmp_path, f"{n:02d}" * 32)
        rebuild(index, files(("a.md", "1" * 40, "A")))
        os.utime(index.file, (1000 + n, 1000 + n))
    left = sorted(p.name for p in tmp_path.glob("index-*.txt"))
    assert len(left) == collection_index.KEEP_FILES
    assert f"index-{'05' * 10}.txt" in left and f"index-{'00' * 10}.txt" not in left


def test_a_crashed_runs_temp_file_goes_and_the_folder_stays_ignored(tmp_path: Path) -> None:
    folder = tmp_path / ".fmlint_cache"
    folder.mkdir()
    stale, recent = folder / ".index-abc.tmp", folder / ".index-def.tmp"
    stale.write_text("x")
    recent.write_text("x")
    os.utime(stale, (1000, 1000))
    rebuild(CollectionIndex(folder, "k" * 64), files(("a.md", "1" * 40, "A")))
    assert not stale.exists() and recent.exists()
    # a cache folder holding only index files is still fmlint's own: it gets its .gitignore
    recent.unlink()
    ResultCache(folder, "k" * 64, "facts", tmp_path)._ensure_folder()
    assert (folder / ".gitignore").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_an_index_or_cache_file_that_is_a_pipe_or_a_device_is_not_read(tmp_path: Path) -> None:
    """The cache folder is in the work tree: a committed link to /dev/zero, or
    a named pipe, must neither hang a run nor fill its memory."""
    index = CollectionIndex(tmp_path, "k" * 64)
    os.mkfifo(index.file)
    assert not index.load()  # returns at once: nothing writes to the pipe
    index.file.unlink()
    index.file.symlink_to("/dev/zero")
    assert not index.load()
    facts = ResultCache(tmp_path, "k" * 64, "facts", tmp_path)
    facts.file.symlink_to("/dev/zero")
    facts.load()
    assert facts.entries == {}


@pytest.mark.parametrize(
    "records",
    [
        [],
        ["a"],
        ["0" * 40 + " 0\tposts/a.md"] * 9000,  # several pieces
        ["b 0\tស្វាគមន៍.md", "c 0\tx\udcff.md", "d 0\tplain.md"] * 3000,
    ],
    ids=["none", "one", "ascii", "khmer-and-surrogates"],
)
def test_records_are_written_in_pieces_as_one_join(records: list[str]) -> None:
    whole = "\0".join(records).encode("utf-8", "surrogatepass")
    assert b"".join(_joined(records)) == whole
    assert _joined_size(records) == len(whole)
