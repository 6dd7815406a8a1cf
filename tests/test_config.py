"""Configuration: found by walking up, every key parsed and applied, every
mistake an exit status 2 naming the key and the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CliResult, example_text, replace_field, run_cli

from linter.config import Collection, Config, ConfigError, find_config, load_config
from linter.document import Limits
from linter.findings import Severity
from linter.runner import UsageError, run


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lint_dir(root: Path, *paths: str, config: Config | None = None) -> list[tuple[str, int, str]]:
    """(path, line, code) of a run from ``root`` with the config found there."""
    config = config if config is not None else load_config(cwd=root)
    result = run(list(paths) or ["."], config, cwd=root, use_cache=False, jobs=1)
    return [(f.path, f.line, f.rule) for f in result.findings]


def findings_of(root: Path, *paths: str, config: Config | None = None) -> list:
    config = config if config is not None else load_config(cwd=root)
    return run(list(paths) or ["."], config, cwd=root, use_cache=False, jobs=1).findings


# ------------------------------------------------------------------ discovery


def test_defaults_without_a_config(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config.source is None
    assert config.root == tmp_path
    assert config.select == ("ALL",) and config.ignore == ()
    assert config.limits == Limits()


def test_walks_up_to_the_nearest_config(tmp_path: Path) -> None:
    write(tmp_path / ".fmlint.toml", 'select = ["FM3"]\n')
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / ".fmlint.toml"
    config = load_config(cwd=deep)
    assert config.source == tmp_path / ".fmlint.toml"
    assert config.root == tmp_path  # globs and paths are relative to the config's folder
    assert config.select == ("FM3",)


def test_fmlint_toml_beats_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.fmlint]\nselect = ["FM2"]\n')
    write(tmp_path / ".fmlint.toml", 'select = ["FM4"]\n')
    assert load_config(cwd=tmp_path).select == ("FM4",)


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / ".fmlint.toml", 'select = ["FM4"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "site"\n[tool.ruff]\n')
    config = load_config(cwd=tmp_path / "sub")
    assert config.source == tmp_path / ".fmlint.toml"
    assert config.select == ("FM4",)


def test_a_nearer_pyproject_table_wins_over_a_farther_file(tmp_path: Path) -> None:
    write(tmp_path / ".fmlint.toml", 'select = ["FM4"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.fmlint]\nselect = ["FM3"]\n')
    config = load_config(cwd=tmp_path / "sub")
    assert config.source == tmp_path / "sub" / "pyproject.toml"
    assert config.select == ("FM3",)


def test_a_broken_pyproject_with_our_table_is_an_error_not_ignored(tmp_path: Path) -> None:
    write(tmp_path / ".fmlint.toml", 'select = ["FM4"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.fmlint]\nselect = ["FM3"\n')
    with pytest.raises(ConfigError, match="invalid TOML") as caught:
        load_config(cwd=tmp_path / "sub")
    assert str(tmp_path / "sub" / "pyproject.toml") in str(caught.value)


def test_explicit_config_path(tmp_path: Path) -> None:
    write(tmp_path / ".fmlint.toml", 'select = ["FM4"]\n')
    other = write(tmp_path / "elsewhere" / "strict.toml", 'select = ["FM1"]\n')
    config = load_config(other, cwd=tmp_path)
    assert config.source == other and config.root == other.parent
    assert config.select == ("FM1",)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"no \[tool.fmlint\] table"):
        load_config(write(tmp_path / "x" / "pyproject.toml", "[tool.other]\n"), cwd=tmp_path)


# ------------------------------------------------------------------ every key parsed


def test_every_key_is_parsed(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
[tool.fmlint]
schema = "schemas/main.json"
exclude = ["drafts/", "*.tmp.md"]
select = ["FM1", "FM2", "FM306"]
ignore = ["FM208"]
allow-remote-refs = true
site-root = "site"
collection-roots = ["content", "more"]
cache-dir = ".cache/fmlint"

[[tool.fmlint.collections]]
include = ["news/**"]
exclude = ["news/old/**"]
schema = "schemas/news.json"

[[tool.fmlint.collections]]
include = ["blog/**"]

[tool.fmlint.per-file-ignores]
"legacy/**" = ["FM2", "FM306"]

[tool.fmlint.rules.FM306]
severity = "error"
max-words = 5

[tool.fmlint.rules.image-alt-missing]
severity = "off"

[tool.fmlint.limits]
max-file-size = 1000
max-aliases = 3
max-depth = 4
max-nodes = 50
""",
    )
    config = load_config(cwd=tmp_path)
    assert config.source == tmp_path / "pyproject.toml"
    assert config.schema == tmp_path / "schemas" / "main.json"
    assert config.exclude == ("drafts/", "*.tmp.md")
    assert config.select == ("FM1", "FM2", "FM306")
    assert config.ignore == ("FM208",)
    assert config.allow_remote_refs is True
    assert config.site_root == tmp_path / "site"
    assert config.collection_roots == (tmp_path / "content", tmp_path / "more")
    assert config.cache_path == tmp_path / ".cache" / "fmlint"
    assert config.collections == (
        Collection(("news/**",), ("news/old/**",), tmp_path / "schemas" / "news.json"),
        Collection(("blog/**",), (), None),
    )
    assert config.per_file_ignores == (("legacy/**", ("FM2", "FM306")),)
    assert config.rules == {
        "FM306": {"severity": "error", "max-words": 5},
        "image-alt-missing": {"severity": "off"},
    }
    assert config.limits == Limits(max_file_size=1000, max_aliases=3, max_depth=4, max_nodes=50)


def test_cli_select_replaces_and_ignore_adds(tmp_path: Path) -> None:
    config = Config(root=tmp_path, select=("FM1",), ignore=("FM105",))
    changed = config.with_cli(["FM2", "FM3"], ["FM306"])
    assert changed.select == ("FM2", "FM3")
    assert changed.ignore == ("FM105", "FM306")
    assert config.with_cli(None, None) == config


# ------------------------------------------------------------------ keys applied


def two_collections(root: Path) -> None:
    write(
        root / "news.schema.json",
        json.dumps(
            {
                "type": "object",
                "required": ["title", "section"],
                "properties": {"title": {"type": "string"}, "section": {"enum": ["world"]}},
                "additionalProperties": False,
            }
        ),
    )
    write(
        root / "blog.schema.json",
        json.dumps(
            {
                "type": "object",
                "required": ["title", "author"],
                "properties": {"title": {"type": "string"}, "author": {"type": "string"}},
                "additionalProperties": False,
            }
        ),
    )
    news = '---\ntitle: "A"\nsection: world\n---\n\n# A\n'
    blog = '---\ntitle: "B"\nauthor: "Me"\n---\n\n# B\n'
    write(root / "news" / "ok.md", news)
    write(root / "news" / "blog-like.md", blog)
    write(root / "blog" / "ok.md", blog)
    write(root / "blog" / "news-like.md", news)
    write(root / "pages" / "about.md", "---\nlayout: page\n---\n\n# About\n")


def test_collections_validate_each_file_against_its_own_schema(tmp_path: Path) -> None:
    two_collections(tmp_path)
    write(
        tmp_path / ".fmlint.toml",
        """select = ["FM2"]
[[collections]]
include = ["news/**"]
schema = "news.schema.json"
[[collections]]
include = ["blog/**"]
schema = "blog.schema.json"
""",
    )
    found = findings_of(tmp_path)
    assert [(f.path, f.line, f.rule) for f in found if not f.path.startswith("pages/")] == [
        ("blog/news-like.md", 1, "FM201"),
        ("blog/news-like.md", 3, "FM202"),
        ("news/blog-like.md", 1, "FM201"),
        ("news/blog-like.md", 3, "FM202"),
    ]
    messages = {f.path: f.message for f in found if f.rule == "FM201"}
    assert "`author`" in messages["blog/news-like.md"]
    assert "`section`" in messages["news/blog-like.md"]
    # a file in no collection gets the top-level (bundled) schema
    about = {f.rule for f in found if f.path == "pages/about.md"}
    assert "FM201" in about and "FM207" in about  # layout: page is not "post"


def test_collection_exclude_falls_back_to_the_top_level_schema(tmp_path: Path) -> None:
    two_collections(tmp_path)
    write(
        tmp_path / ".fmlint.toml",
        """select = ["FM2"]
schema = "blog.schema.json"
[[collections]]
include = ["news/**", "blog/**"]
exclude = ["blog/**"]
schema = "news.schema.json"
""",
    )
    found = lint_dir(tmp_path, "news", "blog")
    assert ("blog/ok.md", 1, "FM201") not in found  # blog/ uses the top-level blog schema
    assert ("blog/news-like.md", 1, "FM201") in found
    assert ("news/blog-like.md", 1, "FM201") in found
    assert not [f for f in found if f[0] == "news/ok.md"]


def test_exclude_globs(tmp_path: Path) -> None:
    bad = "no front matter\n"
    write(tmp_path / "drafts" / "a.md", bad)
    write(tmp_path / "posts" / "b.tmp.md", bad)
    write(tmp_path / "posts" / "c.md", bad)
    write(tmp_path / ".fmlint.toml", 'select = ["FM104"]\nexclude = ["drafts/", "*.tmp.md"]\n')
    assert lint_dir(tmp_path) == [("posts/c.md", 1, "FM104")]


ARTICLE_WITH_PROBLEMS = replace_field(example_text(), "category", 'category: "opinion"')
# FM207 (line 8), FM406 (15, warning), FM306 (29, warning)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("", ["FM207", "FM306", "FM406"]),
        ('select = ["FM3"]', ["FM306"]),
        ('select = ["FM2", "FM4"]', ["FM207", "FM406"]),
        ('ignore = ["FM4"]', ["FM207", "FM306"]),
        ('select = ["FM3", "FM4"]\nignore = ["FM3"]', ["FM406"]),
        # the longest matching selector wins, whichever list it is in
        ('select = ["FM306"]\nignore = ["FM3"]', ["FM306"]),
        ('select = ["FM3"]\nignore = ["FM30"]', []),
        ('select = ["FM30"]\nignore = ["FM3"]', ["FM306"]),
        ('select = ["ALL"]\nignore = ["FM2", "FM40"]', ["FM306"]),
        # names select and ignore like codes
        ('select = ["emphasis-as-heading", "FM2"]', ["FM207", "FM306"]),
        ('ignore = ["image-alt-missing"]', ["FM207", "FM306"]),
        # on a tie, ignore wins
        ('select = ["FM306"]\nignore = ["FM306"]', []),
    ],
)
def test_select_and_ignore(tmp_path: Path, toml: str, expected: list[str]) -> None:
    write(tmp_path / "post.md", ARTICLE_WITH_PROBLEMS)
    write(tmp_path / ".fmlint.toml", toml + "\n")
    assert sorted({code for _, _, code in lint_dir(tmp_path)}) == expected


def test_rule_severity_off_and_options_by_code_and_by_name(tmp_path: Path) -> None:
    write(tmp_path / "post.md", ARTICLE_WITH_PROBLEMS)
    write(
        tmp_path / ".fmlint.toml",
        """
[rules.FM306]
severity = "error"
[rules.image-alt-missing]
severity = "off"
[rules.invalid-value]
severity = "warning"
""",
    )
    found = {f.rule: f.severity for f in findings_of(tmp_path)}
    assert found == {"FM207": Severity.WARNING, "FM306": Severity.ERROR}
    # an option: a bold line of 8 words is no longer taken for a heading with max-words = 5
    write(tmp_path / ".fmlint.toml", "[rules.FM306]\nmax-words = 5\n")
    assert "FM306" not in {code for _, _, code in lint_dir(tmp_path)}
    write(tmp_path / ".fmlint.toml", "[rules.emphasis-as-heading]\nmax-words = 8\n")
    assert "FM306" in {code for _, _, code in lint_dir(tmp_path)}


def test_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path / "legacy" / "old.md", ARTICLE_WITH_PROBLEMS)
    write(tmp_path / "posts" / "new.md", ARTICLE_WITH_PROBLEMS)
    write(
        tmp_path / ".fmlint.toml",
        'ignore = ["FM5"]\n[per-file-ignores]\n"legacy/**" = ["FM2", "FM306"]\n',
    )
    found = lint_dir(tmp_path)
    assert sorted({code for path, _, code in found if path == "legacy/old.md"}) == ["FM406"]
    assert sorted({code for path, _, code in found if path == "posts/new.md"}) == [
        "FM207",
        "FM306",
        "FM406",
    ]


def test_limits_apply(tmp_path: Path) -> None:
    write(tmp_path / "post.md", example_text())
    write(tmp_path / "nested.md", "---\na:\n  b:\n    c:\n      d: 1\n---\n")
    write(tmp_path / "aliases.md", "---\na: &a x\nb: [*a, *a, *a]\n---\n")
    write(
        tmp_path / ".fmlint.toml",
        'select = ["FM1"]\n[limits]\nmax-file-size = 1000\nmax-depth = 3\nmax-aliases = 2\n',
    )
    assert lint_dir(tmp_path) == [
        ("aliases.md", 3, "FM111"),
        ("nested.md", 5, "FM111"),  # the fourth level: the mapping under `c`
        ("post.md", 1, "FM103"),
    ]


# ------------------------------------------------------------------ mistakes


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('selct = ["FM1"]', ["unknown key `selct`", "did you mean `select`?"]),
        ('select = "FM1"', ["`select` must be a list of strings", "'FM1'"]),
        ("exclude = [1, 2]", ["`exclude` must be a list of strings"]),
        ("schema = 3", ["`schema` must be a path"]),
        ('allow-remote-refs = "yes"', ["`allow-remote-refs` must be true or false"]),
        ("[limits]\nmax-file-size = -1", ["`limits.max-file-size` must be a positive integer"]),
        ('[limits]\nmax-file-size = "2MB"', ["`limits.max-file-size`"]),
        ("[limits]\nmax-depht = 3", ["unknown key `max-depht`", "did you mean `max-depth`?"]),
        ("[[collections]]\nschema = 'a.json'", ["`collections[0]` needs `include`"]),
        ("[[collections]]\ninclude = ['*']\nschemas = 'a.json'", ["unknown key `schemas`"]),
        ('collections = "news"', ["`collections` must be an array of tables"]),
        ('rules = ["FM306"]', ["`rules` must be a table of tables"]),
        ('per-file-ignores = ["x"]', ["`per-file-ignores` must be a table"]),
        ('[per-file-ignores]\n"a/**" = "FM2"', ["`per-file-ignores.a/**` must be a list"]),
        ("select = [", ["invalid TOML"]),
    ],
)
def test_config_mistakes_name_the_key_and_the_file(
    tmp_path: Path, toml: str, words: list[str]
) -> None:
    source = write(tmp_path / ".fmlint.toml", toml + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(cwd=tmp_path)
    message = str(caught.value)
    assert str(source) in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[rules.FM999]\nseverity = "off"', ["`rules.FM999`", "no rule", "FM"]),
        ('[rules.emphasis-as-headin]\nseverity = "off"', ["did you mean `emphasis-as-heading`?"]),
        ('[rules.FM306]\nseverity = "eror"', ['`rules.FM306.severity` must be "error"']),
        ("[rules.FM306]\nmax-wrds = 3", ["`rules.FM306.max-wrds`", "did you mean `max-words`?"]),
        ('[rules.FM306]\nmax-words = "many"', ["`rules.FM306`", "max-words", "int"]),
        ("[rules.FM201]\nfoo = 1", ["`rules.FM201.foo`", "options of FM201: none"]),
        (
            '[rules.FM306]\nseverity = "off"\n[rules.emphasis-as-heading]\nmax-words = 3',
            ["`rules.FM306` and `rules.emphasis-as-heading` both configure FM306"],
        ),
    ],
)
def test_rule_table_mistakes(tmp_path: Path, toml: str, words: list[str]) -> None:
    source = write(tmp_path / ".fmlint.toml", toml + "\n")
    config = load_config(cwd=tmp_path)  # the rule tables are checked against the registry
    with pytest.raises(UsageError) as caught:
        run(["."], config, cwd=tmp_path, use_cache=False)
    message = str(caught.value)
    assert str(source) in message
    for word in words:
        assert word in message


# ------------------------------------------------------------------ through the command line


def cli_in(cwd: Path, *args: str) -> CliResult:
    return run_cli(["check", "--no-cache", *args], cwd=cwd)


def test_cli_finds_the_config_from_a_subfolder_and_honours_override(tmp_path: Path) -> None:
    write(tmp_path / "site" / "post.md", ARTICLE_WITH_PROBLEMS)
    write(tmp_path / "site" / "pyproject.toml", '[tool.fmlint]\nselect = ["FM2"]\n')
    write(tmp_path / "site" / ".fmlint.toml", 'select = ["FM3"]\n')
    write(tmp_path / "other.toml", 'select = ["FM4"]\n')
    done = cli_in(tmp_path / "site", "-q")
    assert done.returncode == 0, done.stderr  # FM306 is a warning
    assert [line.split()[1] for line in done.stdout.splitlines()] == ["FM306"]
    done = cli_in(tmp_path / "site", "-q", "--config", "../other.toml")
    assert [line.split()[1] for line in done.stdout.splitlines()] == ["FM406"]


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('selct = ["FM1"]', ["unknown key `selct`", "did you mean `select`?"]),
        ("[limits]\nmax-depth = true", ["`limits.max-depth` must be a positive integer"]),
        ("select = [\n", ["invalid TOML"]),
        ("[rules.FM306]\nmax-wrds = 3", ["`rules.FM306.max-wrds`", "did you mean `max-words`?"]),
        ('exclude = ["drafts\\\\"]', ["`exclude`", "'drafts\\\\' is not a valid"]),
        ('[per-file-ignores]\n"!" = ["FM2"]', ["`per-file-ignores`", "'!' is not a valid"]),
        (
            '[[collections]]\ninclude = ["posts/**", "x\\\\"]',
            ["`collections[0].include`", "'x\\\\' is not a valid"],
        ),
    ],
    ids=[
        "unknown-key",
        "ill-typed",
        "invalid-toml",
        "rule-option",
        "bad-exclude",
        "bad-ignore-glob",
        "bad-collection-glob",
    ],
)
def test_cli_config_errors_exit_2(tmp_path: Path, toml: str, words: list[str]) -> None:
    write(tmp_path / "post.md", example_text())
    source = write(tmp_path / ".fmlint.toml", toml + "\n")
    done = cli_in(tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert str(source) in done.stderr
    for word in words:
        assert word in done.stderr
    assert "Traceback" not in done.stderr
