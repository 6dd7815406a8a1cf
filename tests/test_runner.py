"""The engine: rules that fail to set up, per-file ignores by name, selection."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import example_text, lint

from linter.config import Config
from linter.discovery import SourceFile
from linter.findings import Problem
from linter.registry import load_registry
from linter.rules.base import Rule, RunContext
from linter.runner import (
    Linter,
    Tally,
    _compact_row,
    decode_cached,
    is_selected,
    lint_text,
    parse_cached,
)


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


def _site_with_suppressions(root: Path) -> None:
    """Twelve articles: shared codes, suppressed and not, and suppression
    comments used and unused, so every path of the streaming tally is taken."""
    text = example_text()
    for n in range(12):
        body = text.replace("ART2410171545HNYP99", f"ART2410171545HNY{n:03d}")
        (root / f"p{n:02d}.md").write_text(body, encoding="utf-8")
    shared = text.replace("ART2410171545HNYP99", "ART2410171545SHARED")
    # a duplicate hidden by a front-matter suppression: the other copy still reports it
    (root / "p00.md").write_text(
        shared.replace("code: ", "# fmlint: disable FM501\ncode: ", 1), encoding="utf-8"
    )
    (root / "p01.md").write_text(shared, encoding="utf-8")
    # a suppression that hides nothing (FM002) next to a collection finding
    (root / "p02.md").write_text(
        shared.replace("layout: ", "# fmlint: disable FM401\nlayout: ", 1), encoding="utf-8"
    )
    # a body suppression hiding a local finding
    (root / "p03.md").write_text(
        text.replace("**", "<!-- fmlint-disable-next-line FM306 -->\n**", 1), encoding="utf-8"
    )


def test_streamed_findings_match_across_cache_and_processes(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Per-file findings are stamped as results arrive, except for files with
    suppression comments, which wait for the collection rules: the output is
    the same without a cache, with a cold one, with a warm one and in parallel."""
    import linter.runner as runner_module
    from linter.runner import run

    _site_with_suppressions(tmp_path)
    config = Config(root=tmp_path)

    def findings(**options: Any) -> list[tuple[str, int, str, str]]:
        result = run(["."], config, cwd=tmp_path, **options)
        return [(f.path, f.line, f.rule, f.message) for f in result.findings]

    expected = findings(use_cache=False, jobs=1)
    fm501 = [f[0] for f in expected if f[2] == "FM501"]
    assert fm501 == ["p01.md", "p02.md"]  # p00's is suppressed, the others still see it
    assert [f[0] for f in expected if f[2] == "FM002"] == ["p02.md"]
    assert not [f for f in expected if f[0] == "p03.md" and f[2] == "FM306"]
    assert [f[0] for f in expected if f[2] == "FM306"] == [
        f"p{n:02d}.md" for n in range(12) if n != 3
    ]
    assert findings(jobs=1) == expected  # cold cache
    assert findings(jobs=1) == expected  # warm cache
    monkeypatch.setattr(runner_module, "PARALLEL_THRESHOLD", 1)
    assert findings(use_cache=False, jobs=2) == expected


def _random_stored_rows(rng: random.Random, codes: list[str]) -> list[list[Any]]:
    """Rows as the results cache keeps them (`FileResult.cached`)."""
    rows = []
    for _ in range(rng.randrange(0, 6)):
        message = rng.choice(["bad value 'x'", "missing `code`", "héading ✓", ""])
        subject = rng.choice(["", "x", "code", "✓", "not in it"])
        line = rng.randrange(0, 50)
        row = (
            rng.choice(codes),
            line,
            rng.randrange(0, 9),
            rng.choice([None, 0, line + rng.randrange(0, 3)]),
            rng.choice([None, 0, rng.randrange(1, 20)]),
            message,
            subject,
            rng.choice([None, "error", "warning"]),
        )
        rows.append(_compact_row(row))
    return rows


def test_stamping_stored_rows_in_one_go_matches_parsing_then_stamping(tmp_path: Path) -> None:
    linter = Linter(Config(root=tmp_path, ignore=("FM3",)), cwd=tmp_path)
    codes = sorted(linter.registry.rules)  # FM3xx are known but not enabled
    rng = random.Random(7)
    for _ in range(500):
        stored = _random_stored_rows(rng, codes)
        text = json.dumps([stored, [], {}, {}])
        rows = parse_cached(text)[0]
        expected = linter.stamp("a.md", str(tmp_path / "a.md"), rows)
        got = linter.stamp_stored("a.md", decode_cached(text)[0])
        assert got == expected
        assert [f.subject for f in got] == [f.subject for f in expected]  # not compared by ==


def test_a_stored_result_with_one_bad_row_adds_nothing_to_the_tally(tmp_path: Path) -> None:
    linter = Linter(Config(root=tmp_path), cwd=tmp_path)
    good = _compact_row(("FM201", 3, 1, None, None, "missing `code`", "code", None))
    source = SourceFile(tmp_path / "a.md", "a.md")
    tally = Tally(linter, [source])
    for bad in (["FM201", "3", 1, None, None, "m", "", None], ["FM201", 3, 1], "row"):
        with pytest.raises(ValueError):
            tally.add_stored(source, [good, bad], [], {"FM501": {"code": ["x", 2, 3]}})
        assert tally.findings == [] and tally.facts == {"FM501": {}}
    tally.add_stored(source, [good], [], {"FM501": {"code": ["x", 2, 3]}})
    assert [(f.rule, f.line, f.subject) for f in tally.findings] == [("FM201", 3, "code")]
    assert tally.facts == {"FM501": {"a.md": {"code": ["x", 2, 3]}}}
