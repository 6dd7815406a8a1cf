"""Hostile Markdown bodies: linted fast, with sensible findings.

* every hostile body of about 2 MB (a million ``[``, 400,000 ``![a](``, half a
  million list items...) is linted in at most 20 times the time of a normal
  article body of the same size, never crashes, and is reported;
* a body with more constructs than ``limits.max-body-constructs`` is checked
  up to a cut, reported once (FM004), and what comes before the cut is what
  the whole body would give there;
* the scanner's fast paths for such bodies agree with markdown-it-py on
  smaller versions of the same shapes.

Times are wall-clock around the in-process lint of one file with an engine
built once per module, the best of up to three runs (one measurement over the
bound is retried, so a busy machine does not fail the suite).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_cli

from linter.body import MAX_CONSTRUCTS, BodyStructure, Cut
from linter.config import Config, ConfigError, load_config
from linter.document import Limits
from linter.findings import RunResult
from linter.markdown_ref import parse
from linter.markdown_scan import scan, try_scan
from linter.runner import Linter, lint_text, run

SIZE = 2_000_000  # characters of body: the file stays under the 2 MiB limit
FM = '---\ntitle: "A title"\n---\n\n'
MAX_RATIO = 40  # a hostile body may cost this many normal bodies of its size
MIN_BOUND = 2.0  # seconds: far under the 6-71 s these bodies took, yet safe on a busy CI machine
FIELDS = ("headings", "images", "definitions", "emphasis_paragraphs", "comments", "first_block")


def fill(unit: str, size: int = SIZE) -> str:
    return unit * (size // len(unit))


def normal_body(size: int = SIZE) -> str:
    """The example article's body, repeated: what a (very long) article looks like."""
    body = EXAMPLE.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return (body * (size // len(body) + 1))[:size]


@dataclass
class Engine:
    root: Path
    config: Config
    linter: Linter
    baseline: float = 0.0

    def lint(self, file: Path) -> RunResult:
        return run([str(file)], self.config, linter=self.linter, use_cache=False, jobs=1)

    def timed(self, file: Path, bound: float) -> tuple[RunResult, float]:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            result = self.lint(file)
            best = min(best, time.perf_counter() - started)
            if best <= bound:
                break
        return result, best

    @property
    def bound(self) -> float:
        return max(MAX_RATIO * self.baseline, MIN_BOUND)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("hostile-bodies")
    config = Config(root=root, site_root=root)
    built = Engine(root, config, Linter(config, cwd=root))
    normal = root / "normal.md"
    normal.write_text(FM + normal_body(), encoding="utf-8")
    built.lint(normal)  # imports and first-use caches are not the file's cost
    _, built.baseline = built.timed(normal, 0.0)  # best of three
    normal.unlink()
    return built


# name -> (body, whether it holds more constructs than the default limit)
HOSTILE: dict[str, tuple[Callable[[], str], bool]] = {
    "unclosed-image-destinations": (lambda: fill("![a]("), True),
    "unclosed-image-destinations-with-url": (lambda: fill("![a](b"), True),
    "image-destinations-with-space": (lambda: fill("![a](b "), True),
    "open-brackets": (lambda: fill("["), False),
    "open-image-brackets": (lambda: fill("!["), True),
    "nested-image-brackets": (lambda: fill("![["), True),
    "open-image-labels": (lambda: fill("![a"), True),
    "closed-nested-images": (lambda: fill("![" * 11 + "]" * 11 + " "), True),
    "brackets-around-an-image": (lambda: "[" * 999_000 + "![" + "]" * 999_000, True),
    "balanced-parentheses-destination": (lambda: "![a](" + fill("(a)", SIZE - 10) + ")", True),
    "stars": (lambda: fill("*"), False),
    "underscores": (lambda: fill("_"), False),
    "backticks": (lambda: fill("`"), False),
    "backtick-runs-after-a-tag": (lambda: "<" + fill("` ", SIZE - 1), True),
    "backslashes-after-a-tag": (lambda: "<" + fill("\\\\", SIZE - 1), True),
    "comment-openers": (lambda: fill("<!--"), False),
    "less-than-signs": (lambda: fill("<"), True),
    "tag-openers": (lambda: fill("<a "), True),
    "definition-openers": (lambda: fill("[a]: "), False),
    "definitions": (lambda: fill("[a]: /u\n"), True),
    "quote-markers": (lambda: fill(">"), True),
    "quote-lines": (lambda: fill("> a\n"), True),
    "deep-quote-lines": (lambda: fill("> " * 30 + "a\n"), True),
    "list-markers": (lambda: fill("- "), False),
    "ordered-list-markers": (lambda: fill("1. "), True),
    "list-lines": (lambda: fill("- a\n"), True),
    "nested-list-lines": (lambda: fill("- " * 8 + "a\n"), True),
    "list-quote-lines": (lambda: fill("- > 1. a\n"), True),
    "emphasis-after-a-list": (lambda: "- x\n\n" + fill("*a_ _b* ", SIZE - 5), True),
    "long-line": (lambda: fill("word "), False),
    "hash-lines": (lambda: fill("#\n"), True),
    "heading-lines": (lambda: fill("# a\n"), True),
    "setext-headings": (lambda: fill("a\n=\n"), True),
    "emphasis-paragraphs": (lambda: fill("*a*\n\n"), True),
    "images": (lambda: fill("![a](b)"), True),
    "undefined-reference-images": (lambda: fill("![a][b]"), True),
    "html-block-images": (lambda: "<div>\n" + fill('<img src="a">\n', SIZE - 6), True),
    "paragraphs-with-a-tag": (lambda: fill("a <\n\n"), True),
    "paragraph-lines": (lambda: fill("a\n\n"), False),
    "one-long-html-block": (lambda: "<div>\n" + fill("a\n", SIZE - 6), False),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_body_is_linted_fast_and_reported(engine: Engine, name: str) -> None:
    make, over_limit = HOSTILE[name]
    body = make()
    assert len(body) > SIZE * 0.95
    file = engine.root / f"{name}.md"
    file.write_text(FM + body, encoding="utf-8")
    assert file.stat().st_size < 2 * 1024 * 1024  # under the size limit: really read
    result, seconds = engine.timed(file, engine.bound)
    assert seconds <= engine.bound, (
        f"{name}: {seconds:.2f} s, more than {MAX_RATIO} x {engine.baseline:.3f} s "
        "(a normal body of the same size)"
    )
    assert result.files_checked == 1
    assert all(f.rule != "FM001" for f in result.findings), result.findings
    assert {f.path for f in result.findings} == {file.name}  # the file is reported
    # a cut bounds the findings too: at most a few per examined construct
    assert len(result.findings) < 3 * MAX_CONSTRUCTS
    cuts = [f for f in result.findings if f.rule == "FM004"]
    assert len(cuts) == (1 if over_limit else 0), [(f.line, f.message) for f in cuts]
    for cut in cuts:
        assert 5 <= cut.line <= 5 + body.count("\n")
        assert f"{MAX_CONSTRUCTS:,} Markdown constructs" in cut.message
        assert "`limits.max-body-constructs`" in cut.message


def test_a_normal_body_of_the_same_size_is_not_cut(engine: Engine) -> None:
    file = engine.root / "normal-again.md"
    file.write_text(FM + normal_body(), encoding="utf-8")
    result = engine.lint(file)
    assert result.files_checked == 1
    assert not [f for f in result.findings if f.rule in ("FM001", "FM004")]
    h1s = [f for f in result.findings if f.rule == "FM302"]  # the example has one H1 a copy
    assert len(h1s) == normal_body().count("\n# ") - 1


def test_the_cli_reports_a_hostile_body(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "good.md").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (site / "brackets.md").write_text(FM + fill("![a](", 500_000), encoding="utf-8")
    done = run_cli(["check", "--no-cache", "--format", "json", "site"], cwd=tmp_path)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    report = json.loads(done.stdout)
    assert report["files_checked"] == 2
    by_file: dict[str, set[str]] = {}
    for finding in report["findings"]:
        by_file.setdefault(finding["path"], set()).add(finding["rule"])
    assert "FM004" in by_file["site/brackets.md"]
    assert "FM004" not in by_file.get("site/good.md", set())


# ------------------------------------------------------------------ the cut


def items(structure: BodyStructure) -> dict[str, list[object]]:
    return {name: list(getattr(structure, name)) for name in FIELDS[:-1]}


def before(structure: BodyStructure, cut: Cut) -> dict[str, list[object]]:
    at = (cut.line, cut.column)
    return {
        name: [i for i in found if (i.line, i.column) < at]  # type: ignore[attr-defined]
        for name, found in items(structure).items()
    }


def test_under_the_limit_nothing_is_cut() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    full = scan(body, 10)
    assert full.cut is None
    assert scan(body, 10, 50) == full
    assert scan(body, 10, 2).cut is not None


def test_block_cut_keeps_the_lines_before_it() -> None:
    body = "# One\n\n## Two\n\ntext\n\n## Three\n\n## Four\n"
    result = scan(body, 5, 2)  # two lines with a block marker, then the cut
    assert result.cut == Cut(11, 1)  # "## Three"
    assert [h.text for h in result.headings] == ["One", "Two"]
    assert result.first_block is not None and result.first_block.line == 5


def test_inline_cut_keeps_what_starts_before_it() -> None:
    body = "# Title\n\n" + " ".join(f"![{i}](u{i}.png)" for i in range(40)) + "\n"
    full, cut = scan(body, 1), scan(body, 1, 30)
    assert full.cut is None and cut.cut is not None
    assert cut.cut.line == 3 and cut.cut.column > 1
    assert items(cut) == before(full, cut.cut)
    assert 0 < len(cut.images) < len(full.images)


def test_undefined_references_are_dropped_only_when_definitions_were_not_seen() -> None:
    body = "![a][later] ![b][nowhere]\n\n" + "# Heading\n" * 30 + "\n[later]: /l.png\n"
    full = scan(body, 1)
    assert [(i.reference, i.defined) for i in full.images] == [("later", True), ("nowhere", False)]
    block_cut = scan(body, 1, 30)  # 30 headings, and the block pass stops at the definition
    assert block_cut.cut == Cut(34, 1)
    assert len(block_cut.headings) == 30
    assert block_cut.images == []  # either may be defined after the cut
    inline_body = "[later]: /l.png\n\n![a][later] ![b][nowhere] " + "`x` " * 50
    inline_cut = scan(inline_body, 1, 20)  # every definition was seen: an undefined one stays
    assert inline_cut.cut is not None and inline_cut.cut.line == 3
    assert [(i.reference, i.defined) for i in inline_cut.images] == [
        ("later", True),
        ("nowhere", False),
    ]


def test_the_reference_parser_gets_a_prefix_of_whole_lines() -> None:
    body = "# Title\n\n" + "".join(f"- item {i} ![i](u{i}.png)\n" for i in range(100))
    assert try_scan(body, 1) is None  # a list: the reference parser reads it
    result = scan(body, 1, 60)
    assert result.cut is not None and result.cut.column == 1
    assert 3 < result.cut.line < 100
    full = parse(body, 1)
    assert items(result) == before(full, result.cut)
    assert result.first_block == full.first_block
    one_line = "- " + "*a " * 100
    cut_in_line = scan(one_line, 7, 10)
    assert cut_in_line.cut is not None and cut_in_line.cut.line == 7
    assert cut_in_line.cut.column > 1  # the first line is cut within it


def test_a_small_body_is_never_cut() -> None:
    """The scanner remembers what it found at a position, as markdown-it does:
    nested brackets cost polynomial, not exponential, time and constructs."""
    rng = random.Random(20250101)
    atoms = ["![", "[", "]", "(", ")", "![a](", "a", " ", "\\", "`", "<", ">", "<!--", "\n", "]("]
    for _ in range(300):
        body = "".join(rng.choice(atoms) for _ in range(rng.randint(50, 200)))
        assert scan(body, 1).cut is None, body
    body = "!]([a][<img src=x>](x[![![![a](\\(![\\(<![[a]([![a](&amp;b) [\\(<!--!![a]("
    assert scan(body, 3).cut is None
    assert scan(body, 3).images == parse(body, 3).images


# ------------------------------------------------------------------ exact fast paths

SMALL_HOSTILE = {
    "unclosed-image-destinations": fill("![a](", 3000),
    "unclosed-image-destinations-with-url": fill("![a](b", 3000),
    "open-image-brackets": fill("![", 2000),
    "nested-image-brackets": fill("![[", 2000),
    "open-image-labels": fill("![a", 2000),
    "brackets-then-image": "[" * 500 + "![a](b)",
    "parentheses-33-deep": "![a](" + "(" * 33 + "x" + ")" * 33 + ")",
    "parentheses-32-deep": "![b](" + "(" * 32 + "x" + ")" * 32 + ")",
    "balanced-parentheses": "![a](" + "(a)" * 1000 + ")",
    "escaped-parentheses": "![a](" + "\\)" * 1000 + ")",
    "angle-destination": "![a](<" + "b\\>" * 500 + ">)",
    "long-title": '![a](b "' + "t\\" * 1000 + '")',
    "open-titles": fill('![a](b "', 3000),
    "code-spans-in-a-label": "![" + "`a` " * 500 + "](u)",
    "backtick-runs": "![x](y) " + "`` " + "` " * 500 + "``",
    "definitions-with-long-titles": '[a]: /u "' + "t" * 3000 + '"\n\n![a]',
}


@pytest.mark.parametrize("name", list(SMALL_HOSTILE))
def test_fast_paths_agree_with_markdown_it(name: str) -> None:
    body = SMALL_HOSTILE[name]
    got, want = scan(body, 4, 10**9), parse(body, 4)
    assert got.cut is None
    for field in FIELDS:
        assert getattr(got, field) == getattr(want, field), field


# ------------------------------------------------------------------ the limit in the config


def test_the_limit_is_read_from_the_config(tmp_path: Path) -> None:
    (tmp_path / ".fmlint.toml").write_text("[limits]\nmax-body-constructs = 3\n", encoding="utf-8")
    config = load_config(cwd=tmp_path)
    assert config.limits == Limits(max_body_constructs=3)
    text = FM + "# A title\n\n## One\n\n## Two\n\n## Three\n"
    findings = lint_text(text, "_posts/2020-01-01-x.md", config)
    (cut,) = [f for f in findings if f.rule == "FM004"]
    assert (cut.line, cut.column) == (11, 1)
    assert "more than 3 Markdown constructs" in cut.message
    (tmp_path / ".fmlint.toml").write_text("[limits]\nmax-body-constructs = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max-body-constructs"):
        load_config(cwd=tmp_path)


def test_the_default_limit_leaves_the_example_alone(tmp_path: Path) -> None:
    config = Config(root=tmp_path, site_root=tmp_path)
    findings = lint_text(EXAMPLE.read_text(encoding="utf-8"), "_posts/a.md", config)
    assert not [f for f in findings if f.rule == "FM004"]
    assert Limits().max_body_constructs == MAX_CONSTRUCTS
