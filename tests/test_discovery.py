"""Which files are linted: folders walked for Markdown, .gitignore honoured,
tool folders skipped, files given on the command line taken as given."""

from __future__ import annotations

import itertools
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pathspec
import pytest
from conftest import example_text, run_cli

from linter import discovery
from linter.discovery import (
    GlobSet,
    PathError,
    display_path,
    expand_paths,
    git_tracked_markdown,
    walk_markdown,
    work_trees,
)


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")


def found(
    root: Path, *paths: str, exclude: tuple[str, ...] = (), cwd: Path | None = None
) -> list[str]:
    sources = expand_paths(list(paths) or ["."], cwd or root, GlobSet(root, list(exclude)))
    return [s.display for s in sources]


def test_folders_are_walked_for_markdown(tmp_path: Path) -> None:
    touch(
        tmp_path, "a.md", "b.markdown", "c.txt", "d.mdx", "e.MD.bak", "posts/2024/f.md", "g.md.txt"
    )
    assert found(tmp_path) == ["a.md", "b.markdown", "posts/2024/f.md"]


def test_tool_folders_are_skipped(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "ok.md",
        ".git/COMMIT.md",
        "_site/built.md",
        "node_modules/pkg/README.md",
        "vendor/bundle/gem.md",
        "docs/node_modules/x.md",
        "docs/keep.md",
    )
    assert found(tmp_path) == ["docs/keep.md", "ok.md"]


def test_gitignore_is_honoured_with_nested_files(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the top of a work tree
    (tmp_path / ".gitignore").write_text("drafts/\n*.tmp.md\n/root-only.md\n", encoding="utf-8")
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / ".gitignore").write_text(
        "private-*.md\n!private-ok.md\n/local.md\n", encoding="utf-8"
    )
    touch(
        tmp_path,
        "root-only.md",
        "posts/root-only.md",
        "drafts/a.md",
        "posts/drafts/b.md",
        "posts/x.tmp.md",
        "posts/private-1.md",
        "posts/private-ok.md",
        "posts/local.md",
        "posts/deeper/local.md",
        "posts/kept.md",
        "other/private-1.md",
    )
    assert found(tmp_path) == [
        "other/private-1.md",  # the nested .gitignore applies only below its folder
        "posts/deeper/local.md",  # `/local.md` is anchored to posts/
        "posts/kept.md",
        "posts/private-ok.md",
        "posts/root-only.md",
    ]
    # walking a subfolder still honours the .gitignore files above it in the work tree
    assert found(tmp_path, "posts") == [
        "posts/deeper/local.md",
        "posts/kept.md",
        "posts/private-ok.md",
        "posts/root-only.md",
    ]


def test_a_deeper_gitignore_can_re_include_a_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("posts/*.md\n", encoding="utf-8")
    touch(tmp_path, "posts/keep.md", "posts/drop.md", "posts/sub/deep.md")
    (tmp_path / "posts" / ".gitignore").write_text("!keep.md\n", encoding="utf-8")
    assert found(tmp_path) == ["posts/keep.md", "posts/sub/deep.md"]  # as `git status` sees it


def test_gitignore_outside_the_work_tree_does_not_apply(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.md\n", encoding="utf-8")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    touch(tmp_path, "repo/a.md")
    assert found(tmp_path / "repo") == ["a.md"]


def test_config_exclude_applies_to_walked_and_given_files(tmp_path: Path) -> None:
    touch(tmp_path, "a.md", "drafts/b.md", "c.md")
    assert found(tmp_path, exclude=("drafts/",)) == ["a.md", "c.md"]
    assert found(tmp_path, "drafts/b.md", "c.md", exclude=("drafts/",)) == ["c.md"]


def test_files_are_taken_as_given(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.md\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    touch(tmp_path, "ignored.md", "notes.txt", "node_modules/x.md")
    # named on the command line: linted whatever the suffix, .gitignore or folder
    assert found(tmp_path, "notes.txt", "ignored.md", "node_modules/x.md") == [
        "ignored.md",
        "node_modules/x.md",
        "notes.txt",
    ]
    assert found(tmp_path) == []


def test_a_file_given_twice_counts_once(tmp_path: Path) -> None:
    touch(tmp_path, "posts/a.md")
    assert found(tmp_path, "posts/a.md", "./posts/a.md", "posts", "posts/../posts/a.md") == [
        "posts/a.md"
    ]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PathError, match=r"nope\.md: no such file or directory"):
        found(tmp_path, "nope.md")


def test_display_paths_are_relative_with_slashes(tmp_path: Path) -> None:
    touch(tmp_path, "site/posts/a.md", "other/b.md")
    cwd = tmp_path / "site"
    assert found(tmp_path, "posts", "../other", cwd=cwd) == ["../other/b.md", "posts/a.md"]
    assert found(tmp_path, str(tmp_path / "other" / "b.md"), cwd=cwd) == ["../other/b.md"]
    assert display_path(tmp_path / "site" / "x" / "y.md", cwd) == "x/y.md"


def test_symlinks(tmp_path: Path) -> None:
    touch(tmp_path, "real/a.md")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "site" / "loop").symlink_to(tmp_path / "site", target_is_directory=True)
    (tmp_path / "site" / "post.md").symlink_to(tmp_path / "real" / "a.md")
    # links to folders inside a walked folder are not followed (no loops, no escapes)
    assert found(tmp_path / "site") == ["post.md"]
    # a link to a folder named on the command line is walked
    assert found(tmp_path / "site", "linked") == ["linked/a.md"]


def test_folders_named_like_articles_are_reported_not_walked(tmp_path: Path) -> None:
    touch(tmp_path, "x.md/inside.md", "a.md")
    assert found(tmp_path) == ["a.md", "x.md"]


def test_cli_walks_like_a_user_expects(tmp_path: Path) -> None:
    site = tmp_path / "site"
    bad = "no front matter here\n"
    for name in (
        "a.md",
        "b.markdown",
        "posts/c.md",
        "posts/private.md",
        "_site/d.md",
        "node_modules/e.md",
        "vendor/f.md",
        ".git/g.md",
        "drafts/h.md",
        "notes.txt",
    ):
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(bad, encoding="utf-8")
    (site / ".gitignore").write_text("drafts/\n", encoding="utf-8")
    (site / "posts" / ".gitignore").write_text("private.md\n", encoding="utf-8")
    (site / "good.md").write_text(example_text(), encoding="utf-8")
    done = run_cli(["check", "--no-cache", "--select", "FM104"], cwd=site)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[:-1] == [
        f"{name}:1:1: FM104 [error] no front matter: expected the file to start with a `---` "
        "line opening YAML front matter"
        for name in ("a.md", "b.markdown", "posts/c.md")
    ]
    assert done.stdout.splitlines()[-1].startswith("3 errors, 0 warnings in 3 of 4 files checked")
    assert os.listdir(site / "drafts") == ["h.md"]  # nothing written into the site


# ------------------------------------------------ the fast paths, against pathspec's answers

# every kind of pattern: negations, folders only, anchored, `**`, sets, escapes, comments
PATTERN_POOL = [
    "*.md",
    "!keep.md",
    "drafts/",
    "!drafts/",
    "/x.md",
    "!/x.md",
    "**/y/",
    "a/**/b.md",
    "a/**",
    "!a/**/",
    "posts/*.md",
    "!posts/keep.md",
    "x/**/",
    "foo[ab].md",
    "[!a]b.md",
    "?.md",
    "*.markdown",
    "\\#lit",
    "\\!bang.md",
    "#a comment",
    "",
    "   ",
    "a b.md",
    "trailing\\ ",
    "*",
    "!*/",
    "!*.md",
    "**",
    "/drafts",
    "y",
    "!y/b.md",
    "**/keep.md",
    ".fmlint_cache/",
    "a/b/",
    "!/a/b/keep.md",
    "*.md/",
    "x.md/",
]
PATTERN_SETS = [
    ["*.md", "!keep.md"],  # a negation after the pattern it overrides
    ["!keep.md", "*.md"],  # ... and before it (the last match wins)
    ["drafts/"],
    ["/x.md"],
    ["**/y/", "a/**/b.md", "a/**"],
    ["posts/*.md", "!posts/keep.md", "drafts/", "!drafts/"],
    ["*", "!*/", "!*.md"],
    [".fmlint_cache/"],  # the benchmark corpus's
    ["#only", "", "# comments"],
    ["a/**", "!a/**/", "!a/**/keep.md"],
]
PATH_PARTS = ["a", "b", "y", "x", "drafts", "posts", "keep.md", "x.md", "b.md", "ab.md", "bb.md"]
PATH_LEAVES = [
    *PATH_PARTS,
    "fooa.md",
    "fooc.md",
    "c.md",
    "#lit",
    "!bang.md",
    "a b.md",
    "trailing ",
    "p.markdown",
    "x.md.bak",
    ".fmlint_cache",
]


def generated_paths() -> list[str]:
    """Relative paths as the walk asks them: files, and folders with a trailing '/'."""
    paths = []
    for depth in range(3):
        for parts in itertools.product(PATH_PARTS[:7] if depth == 2 else PATH_PARTS, repeat=depth):
            for leaf in PATH_LEAVES:
                path = "/".join([*parts, leaf])
                paths += [path, path + "/"]
    # pathspec drops a leading '/' or './': the matcher leaves those to it
    return [*paths, "./x.md", "/x.md", "./drafts/", "/a/b.md", "", "/"]


def random_pattern_sets(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [rng.sample(PATTERN_POOL, rng.randint(1, 6)) for _ in range(count)]


@pytest.mark.parametrize("patterns", PATTERN_SETS + random_pattern_sets(40, seed=7), ids=repr)
def test_matcher_decides_as_pathspec_does(patterns: list[str]) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    matcher = discovery._Matcher(spec)
    assert matcher.any_match is not None  # the joined expression is used, not pathspec
    negated = any(p.include is False for p in spec.patterns)
    assert matcher.plain is not negated
    paths = generated_paths()
    rng = random.Random(" ".join(patterns))
    for path in rng.sample(paths, min(len(paths), 1200)):
        assert matcher.decide(path) == spec.check_file(path).include, (patterns, path)


def test_matcher_leaves_what_it_cannot_join_to_pathspec() -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(["*.md", "!keep.md"])
    flagged = pathspec.GitIgnoreSpec.from_lines(["*.md"])
    flagged.patterns[0].regex = re.compile("(?i)^.*\\.MD$")
    for odd in (flagged,):
        matcher = discovery._Matcher(odd)
        assert matcher.any_match is None  # a global flag cannot be joined: pathspec decides
        assert matcher.decide("a/x.md") is True
        assert matcher.decide("a/x.txt") is None
    matcher = discovery._Matcher(spec)
    assert (matcher.decide("x.md"), matcher.decide("keep.md"), matcher.decide("x.txt")) == (
        True,
        False,
        None,
    )


@pytest.mark.parametrize("patterns", PATTERN_SETS[:6] + random_pattern_sets(10, seed=11))
def test_globset_matches_as_pathspec_does(tmp_path: Path, patterns: list[str]) -> None:
    globs = GlobSet(tmp_path, patterns)
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    for relative in generated_paths()[::7]:
        if not relative or relative.startswith(("/", "./")):
            continue
        is_dir = relative.endswith("/")
        name = str(tmp_path / relative.rstrip("/"))
        expected = bool(spec.match_file(relative.rstrip("/") + ("/" if is_dir else "")))
        assert globs.matches(name, is_dir) is expected, (patterns, relative)
        assert globs.matches(Path(name), is_dir) is expected
    assert not globs.matches(tmp_path.parent / "x.md")  # outside the root: never
    assert not GlobSet(tmp_path, []).matches(tmp_path / "x.md")


def reference_walk(top: Path, exclude_root: Path, exclude: list[str]) -> list[str]:
    """What walk_markdown must find, the slow and obvious way: every .gitignore
    from the work tree's top down to each entry's folder asked through pathspec,
    the last decision winning; config excludes; tool folders; no links followed."""
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude)
    chain: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
    work_tree = next((p for p in [top, *top.parents] if (p / ".git").exists()), None)
    if work_tree is not None:
        for folder in reversed([top, *top.parents]):
            if folder != top and work_tree in folder.parents:
                continue  # above the work tree
            if folder != top and (folder / ".gitignore").is_file():
                chain.append(
                    (
                        folder,
                        pathspec.GitIgnoreSpec.from_lines(
                            (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
                        ),
                    )
                )

    def ignored(path: Path, is_dir: bool, specs: list[tuple[Path, pathspec.GitIgnoreSpec]]) -> bool:
        mark = "/" if is_dir else ""
        relative = path.relative_to(exclude_root).as_posix() if exclude else ""
        if relative and excluded.match_file(relative + mark):
            return True
        decision = False
        for folder, spec in specs:
            include = spec.check_file(path.relative_to(folder).as_posix() + mark).include
            if include is not None:
                decision = include
        return decision

    found: list[str] = []

    def walk(folder: Path, specs: list[tuple[Path, pathspec.GitIgnoreSpec]]) -> None:
        if (folder / ".gitignore").is_file():
            lines = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
            specs = [*specs, (folder, pathspec.GitIgnoreSpec.from_lines(lines))]
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
        below = []
        for entry in entries:
            is_dir = entry.is_dir() and not entry.is_symlink()
            if is_dir and (entry.name in discovery.SKIPPED_DIRS or ignored(entry, True, specs)):
                continue
            if entry.name.endswith((".md", ".markdown")):
                if is_dir or not ignored(entry, False, specs):
                    found.append(str(entry))
            elif is_dir:
                below.append(entry)
        for entry in below:
            walk(entry, specs)

    walk(top, chain)
    return found


def random_site(root: Path, rng: random.Random) -> None:
    (root / ".git").mkdir(parents=True)
    folders = ["", "a", "a/b", "drafts", "posts", "posts/drafts", "y", "x", "posts/y/z"]
    for _ in range(60):
        folder = rng.choice(folders)
        leaf = rng.choice([*PATH_LEAVES, "keep.md", "other.md", "n.txt", "deep.markdown"])
        path = root / folder / leaf
        if any(p.exists() and not p.is_dir() for p in path.parents):
            continue
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if rng.random() < 0.05 and leaf.endswith(".md"):
            path.mkdir()  # a folder named like an article
            continue
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    for folder in rng.sample(folders, 3):
        if (root / folder).is_dir():
            lines = rng.sample(PATTERN_POOL, rng.randint(1, 5))
            (root / folder / ".gitignore").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("seed", range(30))
def test_walk_honours_gitignore_as_pathspec_does(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    site = tmp_path / "site"
    random_site(site, rng)
    exclude = rng.sample(PATTERN_POOL, rng.randint(0, 3))
    for top in (site, site / "posts", site / "a"):
        if not top.is_dir():
            continue
        expected = reference_walk(top, site, exclude)
        assert list(walk_markdown(top, GlobSet(site, exclude))) == expected, (seed, top, exclude)
        assert found(site, str(top), exclude=tuple(exclude)) == sorted(
            display_path(Path(name), site) for name in expected
        )


def test_each_kind_of_pattern_in_a_walk(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text(
        "*.md\n!keep.md\n!posts/\ndrafts/\n/x.md\n**/y/\n!**/*.markdown\n", encoding="utf-8"
    )
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / ".gitignore").write_text("!*.md\nsecret-*.md\n", encoding="utf-8")
    touch(
        tmp_path,
        "a.md",
        "keep.md",
        "x.md",
        "b.markdown",
        "drafts/keep.md",
        "sub/keep.md",
        "sub/x.md",
        "sub/y/keep.md",
        "posts/p.md",
        "posts/secret-1.md",
        "posts/x.md",
        "posts/excluded.md",
    )
    assert found(tmp_path, exclude=("posts/excluded.md",)) == [
        "b.markdown",  # re-included by `!**/*.markdown`
        "keep.md",  # `!keep.md` after `*.md`
        "posts/p.md",  # the nested .gitignore's `!*.md` re-includes...
        "posts/x.md",  # ... what the top's `*.md` ignored (`/x.md` is anchored to the top)
        "sub/keep.md",
    ]
    # the same decisions, walked from a subfolder: the .gitignore above applies
    assert found(tmp_path, "posts", exclude=("posts/excluded.md",)) == ["posts/p.md", "posts/x.md"]


def test_patterns_without_negations_in_a_walk(tmp_path: Path) -> None:
    # no `!` anywhere: the walk's in-line path, each spec asked with its own relative path
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("/x.md\nposts/*.md\n**/y/\na/**/b.md\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("/local.md\n", encoding="utf-8")
    touch(
        tmp_path,
        "x.md",
        "sub/x.md",
        "posts/a.md",
        "posts/deep/a.md",
        "y/k.md",
        "sub/y/k.md",
        "a/b.md",
        "a/c/b.md",
        "a/c/d.md",
        "sub/local.md",
        "sub/deeper/local.md",
        "keep.md",
    )
    expected = ["a/c/d.md", "keep.md", "posts/deep/a.md", "sub/deeper/local.md", "sub/x.md"]
    assert found(tmp_path) == expected
    assert found(tmp_path, exclude=("sub/deeper/",)) == [*expected[:3], "sub/x.md"]
    assert found(tmp_path, "sub", "a/c") == ["a/c/d.md", "sub/deeper/local.md", "sub/x.md"]


def test_walk_yields_strings_folder_by_folder(tmp_path: Path) -> None:
    touch(tmp_path, "b.md", "a-b.md", "a/z.md", "a/b/c.md", "c.md", "a.b/x.md")
    walked = list(walk_markdown(tmp_path, GlobSet(tmp_path, [])))
    assert all(isinstance(name, str) for name in walked)
    assert [display_path(name, tmp_path) for name in walked] == [
        "a-b.md",
        "b.md",
        "c.md",
        "a/z.md",
        "a/b/c.md",
        "a.b/x.md",
    ]
    assert list(walk_markdown(str(tmp_path), GlobSet(tmp_path, []))) == walked
    # and expand_paths sorts by display path
    assert found(tmp_path) == ["a-b.md", "a.b/x.md", "a/b/c.md", "a/z.md", "b.md", "c.md"]


def test_display_of_files_outside_the_current_folder(tmp_path: Path) -> None:
    touch(tmp_path, "other/a.md", "other/deep/b.md", "site/c.md", "site/d/e.md")
    cwd = tmp_path / "site" / "d"
    assert found(tmp_path, "../..", cwd=cwd) == [
        "../../other/a.md",
        "../../other/deep/b.md",
        "../c.md",
        "e.md",
    ]
    assert found(tmp_path, str(tmp_path), cwd=cwd) == found(tmp_path, "../..", cwd=cwd)
    assert display_path(str(tmp_path / "other" / "a.md"), str(cwd)) == "../../other/a.md"


# ------------------------------------------ literal .gitignore files, without pathspec

# names a literal line may hold, and near misses a path may hold: prefixes, suffixes,
# another case, a character where a name has `.` (escaped, not "any character")
LITERAL_NAMES = ["foo", "bar", "a", "a.b", ".env", "_site", "node-modules", "foo.md", "x", "-"]
LITERAL_NEAR = ["afoo", "foox", "fo", "Foo", "foo.mdx", "aXb", ".env.local", "site", ".", ".."]


def random_literal_lines(rng: random.Random) -> list[str]:
    """A .gitignore of literal lines: names, anchored, folders only, with a '/'
    inside, trailing spaces; blank lines and comments between."""
    lines = []
    for _ in range(rng.randint(0, 8)):
        kind = rng.random()
        if kind < 0.1:
            lines.append(" " * rng.randint(0, 3))
        elif kind < 0.2:
            lines.append(rng.choice(["#", "# built site", "#!keep *.md", "#foo", "# é \\"]))
        else:
            line = "/".join(rng.choices(LITERAL_NAMES, k=rng.choice([1, 1, 1, 2, 3])))
            if rng.random() < 0.3:
                line = "/" + line
            if rng.random() < 0.4:
                line += "/"
            lines.append(line + " " * rng.choice([0, 0, 0, 1, 3]))
    return lines


def random_relative_path(rng: random.Random, lines: list[str]) -> str:
    """A path as the walk asks it (a folder with a trailing '/'), sometimes with
    one of the lines inside it, sometimes as pathspec normalizes it ('./', '/')."""
    parts = rng.choices(
        LITERAL_NAMES + LITERAL_NEAR + ["y.md", "a\nb", "foo\n"], k=rng.randint(1, 4)
    )
    patterns = [line.strip(" /") for line in lines if line.strip(" ") and line[0] != "#"]
    if patterns and rng.random() < 0.5:
        parts.insert(rng.randint(0, len(parts)), rng.choice(patterns))
    path = "/".join(parts) + ("/" if rng.random() < 0.4 else "")
    return rng.choice(["", "", "", "", "", "./", "/"]) + path


def test_literal_gitignores_decide_as_pathspec_does() -> None:
    rng = random.Random(2024)
    decisions: dict[bool | None, int] = {True: 0, None: 0}
    for _ in range(500):
        lines = random_literal_lines(rng)
        literal = discovery._literal_spec(lines)
        assert literal is not None, lines
        matcher = discovery._Matcher(literal)
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        for _ in range(30):
            path = random_relative_path(rng, lines)
            expected = spec.check_file(path).include
            assert matcher.decide(path) == expected, (lines, path)
            assert literal.check_file(path).include == expected, (lines, path)
            decisions[expected] += 1
    # both answers are well represented (pathspec never says False without a `!`)
    assert min(decisions.values()) > 3000, decisions


@pytest.mark.parametrize(
    "line",
    [
        "*.log",
        "!foo",
        "\\#foo",
        "foo\\ ",
        "fo?",
        "[ab]",
        "a b",
        " foo",
        "foo\t",
        "\t",
        "foo /",
        "a//b",
        "//foo",
        "foo//",
        "/",
        "café",
        "**",
        "a/**/b",
    ],
)
def test_other_lines_are_left_to_pathspec(line: str) -> None:
    assert discovery._literal_spec(["_site/", line, "# x"]) is None
    assert isinstance(discovery._spec(["_site/", line]), pathspec.GitIgnoreSpec)


def test_literal_gitignore_read_from_a_file(tmp_path: Path) -> None:
    ignore = tmp_path / ".gitignore"
    ignore.write_bytes(b"# caf\xe9 (latin-1)\r\n_site/\r\n\r\n/vendor  \n.DS_Store")
    spec = discovery._read_ignore(ignore)
    assert isinstance(spec, discovery._LiteralSpec)
    assert [
        spec.check_file(p).include for p in ("x/_site/", "vendor", "x/vendor", "a/.DS_Store")
    ] == [
        True,
        True,
        None,
        True,
    ]
    ignore.write_bytes(b"caf\xe9/\n")  # undecodable outside a comment: pathspec's, as before
    assert isinstance(discovery._read_ignore(ignore), pathspec.GitIgnoreSpec)
    ignore.unlink()
    ignore.mkdir()  # a folder named .gitignore: no spec, no error
    assert discovery._read_ignore(ignore) is None
    # config excludes that are literal go the same way; others still to pathspec
    assert isinstance(GlobSet(tmp_path, ["drafts/"]).spec, discovery._LiteralSpec)
    assert isinstance(GlobSet(tmp_path, ["drafts/*.md"]).spec, pathspec.GitIgnoreSpec)


def test_cli_with_a_literal_gitignore_does_not_import_pathspec(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name in ("a.md", "top.md", "posts/top.md", "posts/b.md", "_drafts/c.md", "n/secret.md"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("no front matter\n", encoding="utf-8")
    literal = "# build output\n_drafts/\nsecret.md   \n/top.md\n\n.DS_Store\n"
    expected = ["a.md", "posts/b.md", "posts/top.md"]
    for gitignore, imported in ((literal, False), (literal + "*.log\n", True)):
        (site / ".gitignore").write_text(gitignore, encoding="utf-8")
        for _ in range(2):  # a first run, then a warm one
            done = run_cli(
                ["check", "--select", "FM104", "-q"], cwd=site, env={"PYTHONPROFILEIMPORTTIME": "1"}
            )
            assert done.returncode == 1, done.stderr
            assert [line.split(":")[0] for line in done.stdout.splitlines()] == expected
            assert "import time:" in done.stderr  # the import log is there to read
            assert bool(re.search(r"\| pathspec$", done.stderr, re.M)) is imported, gitignore


@pytest.mark.parametrize("seed", range(20))
def test_walk_with_literal_gitignores_as_with_pathspec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    folders = ["", "foo", "a", "a/x", "x", "x/foo", "_site", "node-modules/a.b", "a.b", "posts"]
    for _ in range(80):
        leaf = rng.choice([*LITERAL_NAMES, *LITERAL_NEAR[:-2], "y.md", "k.md", "foo.markdown"])
        path = site / rng.choice(folders) / leaf
        if path.exists() or any(p.exists() and not p.is_dir() for p in path.parents):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    gitignores = []
    for folder in rng.sample(folders, 4):
        if (site / folder).is_dir():
            gitignores.append(site / folder / ".gitignore")
            gitignores[-1].write_text("\n".join(random_literal_lines(rng)) + "\n", encoding="utf-8")
    assert all(isinstance(discovery._read_ignore(f), discovery._LiteralSpec) for f in gitignores)
    exclude = [rng.choice(["foo.md", "/a/x/", "posts/y.md"])] if seed % 2 else []
    tops = [site, *(site / f for f in ("a", "x", "posts") if (site / f).is_dir())]
    fast = [list(walk_markdown(top, GlobSet(site, exclude))) for top in tops]
    monkeypatch.setattr(discovery, "_literal_spec", lambda lines: None)
    assert all(isinstance(discovery._read_ignore(f), pathspec.GitIgnoreSpec) for f in gitignores)
    forced = [list(walk_markdown(top, GlobSet(site, exclude))) for top in tops]
    assert fast == forced
    assert fast == [reference_walk(top, site, exclude) for top in tops]


# ------------------------------------------------------------------ work trees


def reference_work_tree(file: str) -> str | None:
    folder = os.path.dirname(file)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def test_work_trees(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "sub" / "inner").mkdir(parents=True)
    (tmp_path / "repo" / "sub" / "inner" / ".git").write_text("gitdir: elsewhere\n")  # a worktree
    (tmp_path / "plain").mkdir()
    names = [
        "repo/a.md",
        "repo/posts/b.md",
        "repo/posts/c.md",
        "repo/sub/d.md",
        "repo/sub/inner/e.md",
        "repo/sub/inner/x/f.md",
        "plain/g.md",
        "repo/posts/h.md",
    ]
    files = [str(tmp_path / name) for name in names]
    expected = {Path(top) for top in map(reference_work_tree, files) if top is not None}
    assert work_trees(files) == work_trees(map(Path, files)) == expected
    assert expected == {tmp_path / "repo", tmp_path / "repo" / "sub" / "inner"}
    assert work_trees([str(tmp_path / "plain" / "g.md")]) == set()
    assert work_trees([]) == set()
    # odd spellings go through os.path.dirname
    assert work_trees([str(tmp_path / "repo") + "//a.md"]) == {tmp_path / "repo"}


# ------------------------------------------------------------------ git's index


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def test_git_tracked_markdown(tmp_path: Path) -> None:
    touch(tmp_path, "a.md", "posts/b.md", "posts/with space.md", "posts/tab\there.md", "c.txt")
    touch(tmp_path, "changed.md", "deleted.md", "run.markdown", "ünï.md")
    (tmp_path / "run.markdown").chmod(0o755)
    (tmp_path / "link.md").symlink_to(tmp_path / "a.md")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "x")
    touch(tmp_path, "staged.md")
    git(tmp_path, "add", "staged.md")
    touch(tmp_path, "untracked.md")
    (tmp_path / "changed.md").write_text("changed\n", encoding="utf-8")
    (tmp_path / "deleted.md").unlink()
    listed = git_tracked_markdown(tmp_path)
    assert listed is not None
    files, blobs = listed
    names = [
        "a.md",
        "changed.md",
        "deleted.md",
        "posts/tab\there.md",
        "posts/b.md",
        "posts/with space.md",
        "run.markdown",
        "staged.md",
        "ünï.md",
    ]
    assert sorted(files) == sorted(str(tmp_path / name) for name in names)
    unchanged = set(names) - {"changed.md", "deleted.md"}
    assert blobs == {
        str(tmp_path / name): git(tmp_path, "rev-parse", f":{name}").strip() for name in unchanged
    }
    assert git_tracked_markdown(tmp_path / "posts") is not None  # any folder of the work tree
    assert git_tracked_markdown(tmp_path.parent / "no-such-folder") is None


def test_git_tracked_markdown_in_a_merge_conflict(tmp_path: Path) -> None:
    touch(tmp_path, "a.md", "b.md")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "other")
    (tmp_path / "a.md").write_text("other\n", encoding="utf-8")
    git(tmp_path, "commit", "-q", "-am", "other")
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "a.md").write_text("main\n", encoding="utf-8")
    git(tmp_path, "commit", "-q", "-am", "main")
    with pytest.raises(subprocess.CalledProcessError):
        git(tmp_path, "merge", "-q", "other")
    listed = git_tracked_markdown(tmp_path)
    assert listed is not None
    files, blobs = listed
    # the conflicted file is listed (once per stage) without a blob id
    assert sorted(set(files)) == [str(tmp_path / "a.md"), str(tmp_path / "b.md")]
    assert blobs == {str(tmp_path / "b.md"): git(tmp_path, "rev-parse", ":b.md").strip()}


STAGE_LISTINGS = [
    "",
    "100644 {a} 0\ta.md\x00100755 {b} 0\tdir/b c.md\x00",
    "100644 {a} 0\ta.md\x00120000 {b} 0\tlink.md\x00100644 {c} 0\tz.md\x00",  # a link
    "100644 {a} 1\ta.md\x00100644 {b} 2\ta.md\x00100644 {c} 3\ta.md\x00100644 {a} 0\tb.md\x00",
    "160000 {a} 0\tsub.md\x00",  # a submodule
    "100644 {a} 0\ttab\t0\tname.md\x00100644 {b} 0\t 1\t.md\x00",  # names that look like meta
]


@pytest.mark.parametrize("listing", STAGE_LISTINGS)
@pytest.mark.parametrize("width", [40, 64])  # SHA-1 and SHA-256 repositories
def test_stage_listing_parsed_alike_on_both_paths(listing: str, width: int) -> None:
    text = listing.format(a="a" * width, b="0123456789" * 7, c="f" * width).replace(
        "0123456789" * 7, ("0123456789" * 7)[:width]
    )
    index = discovery.GitIndex("/top", text, [])
    fast = index.files_and_blobs() if index.uniform_records() is not None else None
    slow = discovery._parse_stage(text, "/top/")
    if fast is not None:
        assert fast == slow
    regular = all(
        r.startswith(("100644 ", "100755 ")) and r[width + 8] == "0" for r in text.split("\0") if r
    )
    assert (fast is not None) is regular


def test_git_commands_run_at_once_and_fail_alone(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    outputs = list(
        discovery._git_outputs(tmp_path, ("rev-parse", "--is-inside-work-tree"), ("no-such-cmd",))
    )
    assert outputs == [b"true\n", None]
    # closed before the second is read: that one is stopped and reaped, not left running
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def recording(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        started.append(real(*args, **kwargs))  # type: ignore[call-overload]
        return started[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(discovery.subprocess, "Popen", recording)
        early = discovery._git_outputs(tmp_path, ("rev-parse", "HEAD"), ("ls-files",))
        assert next(early) is None  # no commit yet
        early.close()
    assert len(started) == 2 and all(p.returncode is not None for p in started)


def test_a_git_command_that_hangs_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = subprocess.Popen

    def hanging(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        if args[1:2] == ["ls-files"] and "--modified" in args:
            args = [sys.executable, "-c", "import time; time.sleep(60)"]
        return real(args, **kwargs)  # type: ignore[call-overload,no-any-return]

    touch(tmp_path, "a.md")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    monkeypatch.setattr(discovery.subprocess, "Popen", hanging)
    monkeypatch.setattr(discovery, "_GIT_TIMEOUT", 0.5)
    assert git_tracked_markdown(tmp_path) is None


def test_a_prefetched_listing_is_used_once_and_never_outlives_its_run(tmp_path: Path) -> None:
    """The CLI starts `git ls-files` before its imports; the listing serves
    that run only: dropped afterwards, the next run lists the index anew."""
    (tmp_path / "a.md").write_text("a\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "a.md")
    top = str(tmp_path)
    try:
        discovery.prefetch_git_index(["a.md"], tmp_path)
        assert list(discovery._PREFETCHED) == [top]
        (tmp_path / "b.md").write_text("b\n")
        git(tmp_path, "add", "b.md")  # after the listing started: the run does not see it
        listed = discovery.git_tracked_markdown(tmp_path)
        assert listed is not None and [Path(f).name for f in listed[0]] == ["a.md"]
        assert discovery._PREFETCHED == {}  # taken up
        discovery.prefetch_git_index(["."], tmp_path)  # a folder: its work tree
        discovery.prefetch_git_index([str(tmp_path / "a.md")], "/")  # once per work tree
        assert list(discovery._PREFETCHED) == [top]
    finally:
        discovery.drop_prefetched()
    assert discovery._PREFETCHED == {}
    listed = discovery.git_tracked_markdown(tmp_path)
    assert listed is not None and [Path(f).name for f in listed[0]] == ["a.md", "b.md"]


def test_cli_runs_in_one_process_each_see_the_index_of_their_time(tmp_path: Path) -> None:
    from linter.cli import main

    article = example_text()
    (tmp_path / "a.md").write_text(article)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "a.md")
    args = ["check", "a.md", "--select", "FM501", "--no-cache", "-q", "-o", str(tmp_path / "r")]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(args) == 0
        (tmp_path / "b.md").write_text(article)  # the same code: a duplicate once staged
        git(tmp_path, "add", "b.md")
        assert main(args) == 1
        assert "b.md:" in (tmp_path / "r").read_text()
    finally:
        os.chdir(cwd)
    assert discovery._PREFETCHED == {}


def test_gitignore_lines_pathspec_cannot_read_are_left_out_as_git_does(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text(
        "drafts.md\\\n!\n\\\n*.tmp.md\nsecret.md\n", encoding="utf-8"
    )
    touch(tmp_path, "drafts.md", "drafts.md\\", "a.tmp.md", "secret.md", "kept.md", "sub/kept.md")
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    by_git = sorted(n for n in listed.split("\0") if n.endswith(".md"))
    assert found(tmp_path) == by_git == ["drafts.md", "kept.md", "sub/kept.md"]


def test_work_trees_of_odd_spellings_among_plain_ones(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "other" / ".git").mkdir(parents=True)
    files = [str(tmp_path / "other" / "a.md"), str(tmp_path / "repo") + "//b.md", "/c.md"]
    expected = {tmp_path / "other", tmp_path / "repo"}
    if os.path.lexists("/.git"):  # pragma: no cover - a machine whose root is a work tree
        expected.add(Path("/"))
    assert work_trees(files) == expected
