"""Which files are linted: folders walked for Markdown, .gitignore honoured,
tool folders skipped, files given on the command line taken as given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import example_text, run_cli

from linter.discovery import GlobSet, PathError, display_path, expand_paths


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
