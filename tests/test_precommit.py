"""The pre-commit hook, for real: a git repository, `pre-commit install`, and
`git commit` running fmlint from this working tree.

pre-commit installs a hook repository from a git revision (``try-repo`` adds
only staged and modified *tracked* files of a dirty tree, and this tree is
being written), so the session fixture commits a snapshot of the working tree
to a repository of its own and points the sites' ``.pre-commit-config.yaml``
at it.  ``PRE_COMMIT_HOME`` is shared by the whole session, so the hook's
environment (a pip install of fmlint and its dependencies) is built once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, example_text, replace_field

OLD_CODE = "ART2410171545HNYP99"  # the example's
POST = "_posts/2024/2024-10-25-{}.md"  # the example's date is 2024-10-25


def article(code: str, **fields: str) -> str:
    text = replace_field(example_text(), "code", f'code: "{code}"')
    for key, line in fields.items():
        text = replace_field(text, key, line)
    return text


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 120) -> tuple[int, str]:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return done.returncode, done.stdout + done.stderr


def _git(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    return _run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd, env)


def _ok(result: tuple[int, str]) -> str:
    code, output = result
    assert code == 0, output
    return output


def _snapshot(target: Path, env: dict[str, str]) -> str:
    """Commit the working tree's files (tracked or not, minus ignored ones)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "surrogateescape")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    if not (target / "README.md").exists():  # pyproject.toml names it as the readme
        (target / "README.md").write_text("# fmlint\n", encoding="utf-8")
    _ok(_git(target, env, "init", "-q"))
    _ok(_git(target, env, "add", "-A"))
    _ok(_git(target, env, "commit", "-q", "--no-verify", "-m", "snapshot"))
    return _ok(_git(target, env, "rev-parse", "HEAD")).strip()


class Hook:
    def __init__(self, repo: Path, rev: str, home: Path) -> None:
        self.repo, self.rev, self.env = repo, rev, _env(home)

    def site(self, root: Path) -> Path:
        """A site repository with one committed article and the hook installed."""
        root.mkdir()
        (root / ".pre-commit-config.yaml").write_text(
            f"repos:\n- repo: {self.repo}\n  rev: {self.rev}\n  hooks:\n  - id: fmlint\n",
            encoding="utf-8",
        )
        (root / "_posts/2024").mkdir(parents=True)
        (root / POST.format("old")).write_text(article(OLD_CODE), encoding="utf-8")
        _ok(self.git(root, "init", "-q"))
        _ok(self.git(root, "add", "-A"))
        _ok(self.git(root, "commit", "-q", "--no-verify", "-m", "site"))
        _ok(self.pre_commit(root, "install"))
        return root

    def git(self, root: Path, *args: str) -> tuple[int, str]:
        return _git(root, self.env, *args)

    def pre_commit(self, root: Path, *args: str) -> tuple[int, str]:
        return _run([sys.executable, "-m", "pre_commit", *args], root, self.env, timeout=900)

    def commit(self, root: Path, files: dict[str, str]) -> tuple[int, str]:
        """Write and stage ``files``, then `git commit` (running the hook)."""
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        _ok(self.git(root, "add", *files))
        return _run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "add"],
            root,
            self.env,
            timeout=900,
        )

    def commits(self, root: Path) -> int:
        return int(_ok(self.git(root, "rev-list", "--count", "HEAD")).strip())


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> Hook:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("precommit")
    home = base / "pre-commit-home"
    snapshot = base / "fmlint"
    snapshot.mkdir()
    rev = _snapshot(snapshot, _env(home))
    hook = Hook(snapshot, rev, home)
    # build the hook's environment once, so a failure here says so
    warm = hook.site(base / "warm-up")
    _ok(hook.pre_commit(warm, "install-hooks"))
    return hook


@pytest.fixture
def site(hook: Hook, tmp_path: Path) -> Path:
    return hook.site(tmp_path / "site")


def test_a_new_article_repeating_a_committed_untouched_code_is_refused(
    hook: Hook, site: Path
) -> None:
    new = POST.format("new")
    code, output = hook.commit(site, {new: article(OLD_CODE)})
    assert code != 0, output
    assert "fmlint" in output and "Failed" in output
    assert (
        f'{new}:3:7: FM501 [error] code "{OLD_CODE}" is also used by {POST.format("old")}:3; '
        "codes must be unique"
    ) in output
    assert hook.commits(site) == 1  # refused


def test_two_new_articles_sharing_a_code_are_both_reported(hook: Hook, site: Path) -> None:
    first, second = POST.format("first"), POST.format("second")
    shared = "ART2410251200ABCDEF"
    code, output = hook.commit(site, {first: article(shared), second: article(shared)})
    assert code != 0, output
    assert f'{first}:3:7: FM501 [error] code "{shared}" is also used by {second}:3' in output
    assert f'{second}:3:7: FM501 [error] code "{shared}" is also used by {first}:3' in output
    assert POST.format("old") + ":3:7" not in output
    assert hook.commits(site) == 1


def test_a_good_article_is_committed_and_the_cache_stays_out_of_git(hook: Hook, site: Path) -> None:
    code, output = hook.commit(site, {POST.format("good"): article("ART2410251200GOOD01")})
    assert code == 0, output
    assert "Passed" in output
    assert hook.commits(site) == 2
    assert (site / ".fmlint_cache").is_dir()
    assert _ok(hook.git(site, "status", "--porcelain", "--untracked-files=all")) == ""
    # a second commit uses the cache and still compares with the whole repository
    code, output = hook.commit(site, {POST.format("again"): article("ART2410251200GOOD01")})
    assert code != 0, output
    assert f"is also used by {POST.format('good')}:3" in output


def test_a_bad_article_is_refused_with_the_finding_shown(hook: Hook, site: Path) -> None:
    bad = POST.format("bad")
    code, output = hook.commit(site, {bad: article("ART2410251200BAD001", language="language: kh")})
    assert code != 0, output
    assert f"{bad}:9:" in output and "FM207" in output and "kh" in output
    assert hook.commits(site) == 1


def test_a_post_named_for_another_day_is_refused(hook: Hook, site: Path) -> None:
    wrong = "_posts/2024/2024-10-24-early.md"
    code, output = hook.commit(site, {wrong: article("ART2410251200EARLY1")})
    assert code != 0, output
    assert f"{wrong}:10:7: FM502 [error]" in output


def test_try_repo_all_files_finds_duplicates_already_committed(
    hook: Hook, site: Path, tmp_path: Path
) -> None:
    dup = POST.format("dup")
    (site / dup).write_text(article(OLD_CODE), encoding="utf-8")
    _ok(hook.git(site, "add", dup))
    _ok(hook.git(site, "commit", "-q", "--no-verify", "-m", "sneaked in"))
    code, output = hook.pre_commit(
        site, "try-repo", str(hook.repo), "fmlint", "--ref", hook.rev, "--all-files"
    )
    assert code != 0, output
    assert f"{dup}:3:7: FM501" in output
    assert f"{POST.format('old')}:3:7: FM501" in output


def test_only_the_committed_files_are_checked(hook: Hook, site: Path) -> None:
    """An untracked article is neither checked nor part of the collection."""
    (site / POST.format("stray")).write_text(article("ART2410251200STRAY1"), encoding="utf-8")
    code, output = hook.commit(site, {POST.format("fine"): article("ART2410251200STRAY1")})
    assert code == 0, output
