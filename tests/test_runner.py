"""The engine: rules that fail to set up, per-file ignores by name, selection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import example_text, lint

from linter.config import Config
from linter.findings import Problem
from linter.registry import load_registry
from linter.rules.base import Rule, RunContext
from linter.runner import Linter, is_selected, lint_text


class NeedsAnApiKey(Rule):
    """Fails while being set up.

    ## What it does
    Nothing.

    ## Why is this bad?
    It is a test.

    ## Example
    x

    ## Use instead
    y
    """

    code = "DEMO900"
    name = "needs-an-api-key"

    def __init__(self, options: Any, context: RunContext) -> None:
        raise ValueError("set FMLINT_DEMO_KEY")

    def check(self, doc: Any) -> list[Problem]:  # pragma: no cover - never set up
        return []


def test_a_plugin_rule_that_cannot_be_set_up_is_reported_and_the_rest_run(tmp_path: Path) -> None:
    registry = load_registry(plugins=False)
    assert registry.add(NeedsAnApiKey, "demo-plugin") is None
    linter = Linter(Config(root=tmp_path), registry=registry, cwd=tmp_path)
    assert linter.load_errors == [
        "plugin rule DEMO900 (needs-an-api-key, from demo-plugin) could not be set up: "
        "ValueError: set FMLINT_DEMO_KEY"
    ]
    assert "DEMO900" not in linter.enabled
    text = example_text().replace('language: "en"', "language: no")
    codes = [f.rule for f in lint_text(text, "post.md", linter.config, linter)]
    assert "FM204" in codes


def test_per_file_ignores_accept_rule_names(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    findings = lint(
        example_text(),
        path=str(tmp_path / "posts/a.md"),
        root=tmp_path,
        per_file_ignores=(("posts/**", ("image-alt-missing",)),),
    )
    assert [f.rule for f in findings] == ["FM306"]


def test_longest_selector_wins_and_ignore_wins_ties() -> None:
    assert is_selected("FM306", "emphasis-as-heading", ["FM3"], ["FM"])
    assert not is_selected("FM306", "emphasis-as-heading", ["FM3"], ["FM3"])
    assert not is_selected("FM306", "emphasis-as-heading", ["ALL"], ["emphasis-as-heading"])
    assert is_selected("FM306", "emphasis-as-heading", ["emphasis-as-heading"], ["FM306"])


def test_lint_text_picks_the_collection_schema_by_its_path(tmp_path: Path) -> None:
    (tmp_path / "pages.schema.json").write_text(
        '{"type": "object", "required": ["permalink"]}', encoding="utf-8"
    )
    from linter.config import Collection

    pages = Collection(include=("pages/**",), schema=tmp_path / "pages.schema.json")
    text = "---\ntitle: About\n---\n# About\n"
    in_pages = lint(
        text,
        path=str(tmp_path / "pages/about.md"),
        root=tmp_path,
        select=["FM2"],
        collections=(pages,),
    )
    elsewhere = lint(
        text,
        path=str(tmp_path / "posts/about.md"),
        root=tmp_path,
        select=["FM2"],
        collections=(pages,),
    )
    assert [f.rule for f in in_pages] == ["FM201"]
    assert "`permalink`" in in_pages[0].message
    assert "FM201" in {f.rule for f in elsewhere}  # the article schema: code, date...
    assert all("permalink" not in f.message for f in elsewhere)
