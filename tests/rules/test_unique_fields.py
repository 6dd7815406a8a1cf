"""FM501 duplicate-field-value: codes (and other chosen fields) are unique
across the collection, which is git's index, the configured roots or the
walked paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import example_text, git, lint, replace_field, where

from linter.config import Config
from linter.findings import Finding
from linter.rules.base import RunContext
from linter.rules.unique_fields import DuplicateFieldValue
from linter.runner import UsageError, run

CODE_A = "ART2410171545HNYP99"
CODE_B = "ART2410181200ABCD12"


def article(code: str | None = CODE_A, origin: str | None = None, extra: str = "") -> str:
    """The example (code on line 3, value at column 7) with another code."""
    text = example_text()
    text = replace_field(text, "code", None if code is None else f"code: {code}")
    if origin is not None:
        text = replace_field(text, "origin_url", f"origin_url: {json.dumps(origin)}")
    if extra:
        text = text.replace("---\n", f"---\n{extra}\n", 1)
    return text


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(
    root: Path, paths: list[str], *, select: tuple[str, ...] = ("FM501",), **fields: object
) -> list[Finding]:
    config = Config(root=root, select=select, **fields)  # type: ignore[arg-type]
    return run(paths, config, cwd=root, use_cache=False, jobs=1).findings


def fm501(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    return [(f.path, f.line, f.column, f.message) for f in findings if f.rule == "FM501"]


# ---------------------------------------------------------------- the rule itself


def test_two_files_with_one_code_both_reported_at_the_value(tmp_path: Path) -> None:
    write(tmp_path, "_posts/a.md", article(f'"{CODE_A}"'))
    write(tmp_path, "_posts/b.md", article(f'"{CODE_A}"'))
    write(tmp_path, "_posts/c.md", article(f'"{CODE_B}"'))
    found = check(tmp_path, ["_posts"])
    assert fm501(found) == [
        (
            "_posts/a.md",
            3,
            7,
            f'code "{CODE_A}" is also used by _posts/b.md:3; codes must be unique',
        ),
        (
            "_posts/b.md",
            3,
            7,
            f'code "{CODE_A}" is also used by _posts/a.md:3; codes must be unique',
        ),
    ]
    finding = next(f for f in found if f.rule == "FM501")
    assert finding.name == "duplicate-field-value"
    assert finding.severity == "error"
    assert (finding.end_line, finding.end_column) == (3, 7 + len(CODE_A) + 2)


def test_the_line_named_is_where_the_other_value_is(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article(f'"{CODE_A}"', extra="# a comment\ntags: [x]"))
    write(tmp_path, "b.md", article(f'"{CODE_A}"'))
    assert [
        (p, line, m.split(" is also used by ")[1])
        for p, line, _, m in fm501(check(tmp_path, ["."]))
    ] == [
        ("a.md", 5, "b.md:3; codes must be unique"),
        ("b.md", 3, "a.md:5; codes must be unique"),
    ]


def test_a_single_text_has_nothing_to_collide_with() -> None:
    assert where(lint(article(), select=["FM501"])) == []


def test_values_are_trimmed_and_plain_quoted_and_numbers_compare_as_written(
    tmp_path: Path,
) -> None:
    write(tmp_path, "a.md", article(f'"  {CODE_A} "'))
    write(tmp_path, "b.md", article(CODE_A))  # plain scalar
    write(tmp_path, "c.md", article("12345"))  # an int
    write(tmp_path, "d.md", article('"12345"'))
    write(tmp_path, "e.md", article("true"))  # booleans never collide
    write(tmp_path, "f.md", article("yes"))
    write(tmp_path, "g.md", article('""'))  # empty values are the schema's business
    write(tmp_path, "h.md", article("''"))
    write(tmp_path, "i.md", article(None))
    write(tmp_path, "j.md", article(None))
    found = fm501(check(tmp_path, ["."]))
    assert [p for p, *_ in found] == ["a.md", "b.md", "c.md", "d.md"]
    assert found[0][3] == f'code "{CODE_A}" is also used by b.md:3; codes must be unique'
    assert found[2][3] == 'code "12345" is also used by d.md:3; codes must be unique'


def test_case_sensitive_by_default_and_optionally_not(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article(f'"{CODE_A}"'))
    write(tmp_path, "b.md", article(f'"{CODE_A.lower()}"'))
    assert fm501(check(tmp_path, ["."])) == []
    found = check(tmp_path, ["."], rules={"FM501": {"case-sensitive": False}})
    assert [p for p, *_ in fm501(found)] == ["a.md", "b.md"]
    assert f'code "{CODE_A.lower()}" is also used by a.md:3' in fm501(found)[1][3]


def test_fields_option_adds_origin_url(tmp_path: Path) -> None:
    url = "https://www.phnompenhpost.com/national/x"
    write(tmp_path, "a.md", article(f'"{CODE_A}"', origin=url))
    write(tmp_path, "b.md", article(f'"{CODE_B}"', origin=url))
    assert fm501(check(tmp_path, ["."])) == []
    found = fm501(
        check(tmp_path, ["."], rules={"duplicate-field-value": {"fields": ["code", "origin_url"]}})
    )
    assert [(p, line, col) for p, line, col, _ in found] == [("a.md", 4, 13), ("b.md", 4, 13)]
    assert found[0][3] == (
        f'origin_url "{url}" is also used by b.md:4; `origin_url` values must be unique'
    )
    # each field on its own: a code equal to another file's origin_url is no duplicate
    write(tmp_path, "c.md", article(json.dumps(url), origin="https://example.com/c"))
    found = fm501(check(tmp_path, ["."], rules={"FM501": {"fields": ["code", "origin_url"]}}))
    assert [p for p, *_ in found] == ["a.md", "b.md"]


def test_many_sharing_one_code_names_five_and_counts_the_rest(tmp_path: Path) -> None:
    for n in range(9):
        write(tmp_path, f"p{n}.md", article(f'"{CODE_A}"'))
    found = fm501(check(tmp_path, ["."]))
    assert len(found) == 9
    assert found[0][3] == (
        f'code "{CODE_A}" is also used by p1.md:3, p2.md:3, p3.md:3, p4.md:3, p5.md:3 '
        "and 3 more files; codes must be unique"
    )


def test_suppression_comment_hides_it(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article(f'"{CODE_A}" # fmlint: disable FM501'))
    write(tmp_path, "b.md", article(f'"{CODE_A}"'))
    assert [p for p, *_ in fm501(check(tmp_path, ["."]))] == ["b.md"]


def test_finish_ignores_malformed_facts() -> None:
    """Facts may come from a cache: garbage is skipped, never a crash."""
    rule = DuplicateFieldValue({}, RunContext(Path("."), Path(".")))
    good = [CODE_A, 3, 7, 3, 28]
    facts = {
        "ok1.md": {"code": good},
        "ok2.md": {"code": good},
        "bad1.md": None,
        "bad2.md": ["code", good],
        "bad3.md": {"code": [CODE_A, "3", 7, 3, 28]},
        "bad4.md": {"code": [CODE_A, 3, 7]},
        "bad5.md": {"code": [123, 3, 7, 3, 28]},
        "bad6.md": {"code": [CODE_A, True, 7, 3, 28]},
        "bad7.md": {"code": ["", 3, 7, 3, 28]},
        "bad8.md": {"code": {"value": CODE_A}},
        "bad9.md": "code",
        "other.md": {"title": good},  # a field not configured
    }
    problems = list(rule.finish(facts, frozenset(facts)))
    assert sorted(p.path or "" for p in problems) == ["ok1.md", "ok2.md"]


# ---------------------------------------------------------------- only checked files report


def test_collection_roots_compare_checked_files_with_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "_posts/old.md", article(f'"{CODE_A}"'))
    write(tmp_path, "_posts/other.md", article(f'"{CODE_B}"'))
    write(tmp_path, "_drafts/new.md", article(f'"{CODE_A}"'))
    roots = (tmp_path / "_posts", tmp_path / "_drafts")
    found = fm501(check(tmp_path, ["_drafts/new.md"], collection_roots=roots))
    assert found == [
        (
            "_drafts/new.md",
            3,
            7,
            f'code "{CODE_A}" is also used by _posts/old.md:3; codes must be unique',
        )
    ]
    # without the roots, and outside git, only the walked paths are compared
    assert fm501(check(tmp_path, ["_drafts/new.md"])) == []
    assert len(fm501(check(tmp_path, ["."]))) == 2


def test_missing_collection_root_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article())
    with pytest.raises(UsageError, match=r"collection-roots.*nowhere"):
        check(tmp_path, ["a.md"], collection_roots=(tmp_path / "nowhere",))


def test_a_file_reached_by_two_paths_is_not_its_own_duplicate(tmp_path: Path) -> None:
    write(tmp_path, "posts/a.md", article(f'"{CODE_A}"'))
    (tmp_path / "link").symlink_to(tmp_path / "posts")
    roots = (tmp_path / "posts",)
    assert fm501(check(tmp_path, ["link/a.md"], collection_roots=roots)) == []
    assert fm501(check(tmp_path, ["posts/../posts/a.md"], collection_roots=roots)) == []


# ---------------------------------------------------------------- git's index is the collection


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    git(root, "init", "-q")
    write(root, "_posts/2024/2024-10-17-old.md", article(f'"{CODE_A}"'))
    write(root, "_posts/2024/2024-10-18-other.md", article(f'"{CODE_B}"'))
    write(root, "README.md", "# A site\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def test_git_a_new_file_is_compared_with_committed_untouched_ones(repo: Path) -> None:
    write(repo, "_posts/2024/2024-10-20-new.md", article(f'"{CODE_A}"'))
    found = fm501(check(repo, ["_posts/2024/2024-10-20-new.md"]))
    assert found == [
        (
            "_posts/2024/2024-10-20-new.md",
            3,
            7,
            f'code "{CODE_A}" is also used by _posts/2024/2024-10-17-old.md:3; '
            "codes must be unique",
        )
    ]


def test_git_staged_new_files_are_in_the_collection_untracked_ones_are_not(repo: Path) -> None:
    write(repo, "_posts/staged.md", article('"ART2410190000STAGED"'))
    git(repo, "add", "_posts/staged.md")
    write(repo, "_posts/untracked.md", article('"ART2410190000UNTRCK"'))
    write(repo, "_posts/new.md", article('"ART2410190000STAGED"'))
    found = fm501(check(repo, ["_posts/new.md"]))
    assert [m.split(" is also used by ")[1] for *_, m in found] == [
        "_posts/staged.md:3; codes must be unique"
    ]
    write(repo, "_posts/new.md", article('"ART2410190000UNTRCK"'))
    assert fm501(check(repo, ["_posts/new.md"])) == []


def test_git_skips_deleted_excluded_and_vendored_files(repo: Path) -> None:
    write(repo, "vendor/bundle/x.md", article(f'"{CODE_B}"'))
    write(repo, "drafts/x.md", article(f'"{CODE_B}"'))
    git(repo, "add", "-f", "vendor", "drafts")
    (repo / "_posts/2024/2024-10-17-old.md").unlink()  # deleted, still in the index
    write(repo, "new.md", article(f'"{CODE_A}"'))
    write(repo, "new2.md", article(f'"{CODE_B}"'))
    found = fm501(check(repo, ["new.md", "new2.md"], exclude=("drafts/",)))
    assert [(p, m.split(" is also used by ")[1]) for p, _, _, m in found] == [
        ("new2.md", "_posts/2024/2024-10-18-other.md:3; codes must be unique")
    ]


def test_git_collection_is_the_repository_seen_from_a_subfolder(repo: Path) -> None:
    write(repo, "_posts/2024/new.md", article(f'"{CODE_A}"'))
    config = Config(root=repo, select=("FM501",))
    result = run(["new.md"], config, cwd=repo / "_posts" / "2024", use_cache=False, jobs=1)
    assert [(f.path, f.message.split(" is also used by ")[1]) for f in result.findings] == [
        ("new.md", "2024-10-17-old.md:3; codes must be unique")
    ]


# ---------------------------------------------------------------- the generated corpus


def test_corpus_every_duplicate_found_and_no_clean_file_flagged(corpus: Path) -> None:
    truth = json.loads((corpus / "defects.json").read_text(encoding="utf-8"))["defects"]
    config = Config(root=corpus, select=("FM5",))
    findings = run(["_posts"], config, cwd=corpus, use_cache=False).findings
    flagged: dict[str, set[str]] = {}
    for finding in findings:
        flagged.setdefault(finding.path, set()).add(finding.rule)
    duplicates = [d for d in truth if d["kind"] == "duplicate_code"]
    assert duplicates, "the corpus should hold duplicate codes"
    for defect in duplicates:
        assert "FM501" in flagged.get(defect["path"], set()), defect
        hit = next(f for f in findings if f.path == defect["path"] and f.rule == "FM501")
        assert hit.line == defect["line"]
        partner = defect["detail"].removeprefix("same code as ")
        assert f"{partner}:" in hit.message
    defective = {d["path"] for d in truth}
    partners = {d["detail"].removeprefix("same code as ") for d in duplicates}
    wrongly = {p: c for p, c in flagged.items() if p not in defective and p not in partners}
    assert wrongly == {}
    assert not os.path.exists(corpus / ".fmlint_cache")


def test_git_collection_of_files_linted_from_outside_the_repository(
    repo: Path, tmp_path: Path
) -> None:
    write(repo, "_posts/new.md", article(f'"{CODE_A}"'))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = Config(root=elsewhere, select=("FM501",))
    result = run([str(repo / "_posts/new.md")], config, cwd=elsewhere, use_cache=False, jobs=1)
    assert [f.message.split(" is also used by ")[1] for f in result.findings] == [
        "../site/_posts/2024/2024-10-17-old.md:3; codes must be unique"
    ]
