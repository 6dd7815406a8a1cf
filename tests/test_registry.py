"""Every built-in rule declares itself properly: code, name, docs, family."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import ClassVar

import pytest

from linter.findings import Problem, Severity
from linter.registry import Registry, builtin_rules, load_registry
from linter.rules.base import DOC_SECTIONS, CollectionRule, CoreRule, Option, Rule

CODE_RE = re.compile(r"^FM[0-9]{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# the family (first digit after FM) of the codes each module may define
FAMILY_OF_MODULE = {
    "linter.rules.meta": "0",
    "linter.rules.document": "1",
    "linter.rules.schema": "2",
    "linter.rules.h1": "3",
    "linter.rules.headings": "3",
    "linter.rules.images": "4",
    "linter.rules.unique_fields": "5",
    "linter.rules.filename_date": "5",
    "linter.rules.code_timestamp": "5",
}

BUILTINS = builtin_rules()


def doc_problems(rule: type[Rule]) -> list[str]:
    """What is missing from a rule's documentation (empty when complete)."""
    problems = []
    docs = rule.docs()
    if not docs.summary:
        problems.append("no summary line")
    for title in DOC_SECTIONS:
        if title not in docs.sections:
            problems.append(f"no `## {title}` section")
        elif not docs.sections[title].strip():
            problems.append(f"the `## {title}` section is empty")
    extra = [title for title in docs.sections if title not in DOC_SECTIONS]
    if extra:
        problems.append(f"unexpected sections {extra}")
    if list(docs.sections)[: len(DOC_SECTIONS)] != list(DOC_SECTIONS) and not problems:
        problems.append("sections out of order")
    return problems


def test_there_are_builtin_rules() -> None:
    assert len(BUILTINS) >= 30
    assert {rule.code for rule in BUILTINS} >= {"FM001", "FM101", "FM111", "FM201", "FM208"}


@pytest.mark.parametrize("rule", BUILTINS, ids=lambda r: r.code)
def test_rule_declaration(rule: type[Rule]) -> None:
    assert CODE_RE.match(rule.code), rule.code
    assert NAME_RE.match(rule.name), rule.name
    assert isinstance(rule.severity, Severity)
    assert rule.declaration_errors() == []
    assert rule.origin == "fmlint"
    for key, option in rule.options.items():
        assert NAME_RE.match(key), f"{rule.code}: option {key!r} is not kebab-case"
        assert option.description
        assert option.kind in ("bool", "int", "float", "str", "list[str]", "list[int]")
        option.parse(
            key, list(option.default) if isinstance(option.default, tuple) else option.default
        )


@pytest.mark.parametrize("rule", BUILTINS, ids=lambda r: r.code)
def test_rule_docs_have_the_four_sections(rule: type[Rule]) -> None:
    assert doc_problems(rule) == [], f"{rule.code} {rule.name}"
    info = rule.info()
    for title in DOC_SECTIONS:
        assert f"## {title}\n" in info.docs


@pytest.mark.parametrize("rule", BUILTINS, ids=lambda r: r.code)
def test_codes_match_their_family(rule: type[Rule]) -> None:
    family = FAMILY_OF_MODULE.get(rule.__module__)
    assert family is not None, f"{rule.__module__} is not in FAMILY_OF_MODULE: add its family"
    assert rule.code[2] == family, f"{rule.code} is defined in {rule.__module__}"


def test_core_families_are_core_rules() -> None:
    for rule in BUILTINS:
        if rule.code[2] in "12":
            assert issubclass(rule, CoreRule), rule.code


def test_codes_and_names_are_unique() -> None:
    codes = [rule.code for rule in BUILTINS]
    names = [rule.name for rule in BUILTINS]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    assert not set(codes) & set(names)


def test_docs_codes_list_matches_the_registry() -> None:
    from conftest import REPO

    listed = re.findall(
        r"^- (FM\d{3}) ([a-z0-9-]+)", (REPO / "docs" / "CODES.md").read_text(), re.M
    )
    registry = load_registry(plugins=False)
    for code, name in listed:
        assert code in registry.rules, f"docs/CODES.md lists {code}, which no rule declares"
        assert registry.rules[code].name == name


# ------------------------------------------------------------------ the checks themselves


class Undocumented(Rule):
    """A rule with most of its docs.

    ## What it does
    Something.

    ## Why is this bad?
    Because.

    ## Example
    ```text
    bad
    ```
    """

    code = "XX001"
    name = "undocumented"


class EmptySection(Rule):
    """A rule with an empty section.

    ## What it does
    Something.

    ## Why is this bad?

    ## Example
    bad

    ## Use instead
    good
    """

    code = "XX002"
    name = "empty-section"


def test_the_docs_check_fails_on_a_missing_or_empty_section() -> None:
    assert doc_problems(Undocumented) == ["no `## Use instead` section"]
    assert doc_problems(EmptySection) == ["the `## Why is this bad?` section is empty"]


class BadDeclaration(Rule):
    """x"""

    code = "fm1"
    name = "Bad_Name"


def test_the_registry_refuses_bad_declarations_and_collisions() -> None:
    registry = Registry()
    assert registry.add(BadDeclaration, "plugin-x") is not None
    assert "not like 'ABC123'" in (registry.add(BadDeclaration, "x") or "")
    assert "not kebab-case" in (registry.add(BadDeclaration, "x") or "")
    builtin = load_registry(plugins=False)

    class SameCode(Rule):
        code = "FM301"
        name = "my-h1"

    class SameName(Rule):
        code = "XYZ123"
        name = "missing-h1"

    why = builtin.add(SameCode, "some-plugin")
    assert why is not None and "FM301" in why and "missing-h1" in why
    why = builtin.add(SameName, "some-plugin")
    assert why is not None and "missing-h1" in why and "FM301" in why
    assert builtin.rules["FM301"].name == "missing-h1"  # the built-in is kept


def test_selectors_and_resolution() -> None:
    registry = load_registry(plugins=False)
    assert registry.resolve("FM301") == "FM301"
    assert registry.resolve("missing-h1") == "FM301"
    assert registry.resolve("FM999") is None
    for selector in ("ALL", "FM", "FM3", "FM30", "FM301", "missing-h1"):
        assert registry.is_known_selector(selector)
    for selector in ("FM9", "missing", "fm3"):
        assert not registry.is_known_selector(selector)


def test_collection_rules_and_core_rules_are_marked() -> None:
    kinds = {rule.code: rule for rule in BUILTINS}
    assert issubclass(kinds["FM501"], CollectionRule)
    assert issubclass(kinds["FM201"], CoreRule)


class _Probe(Rule):
    """Probe.

    ## What it does
    a
    ## Why is this bad?
    b
    ## Example
    c
    ## Use instead
    d
    """

    code = "XX100"
    name = "probe"
    options: ClassVar[Mapping[str, Option]] = {"n": Option("int", 1, "a number")}

    def check(self, doc: object) -> Iterable[Problem]:
        return []


def test_a_complete_rule_passes_every_check() -> None:
    assert doc_problems(_Probe) == []
    assert Registry().add(_Probe, "tests") is None


def _dist(folder: Path, name: str, entry_points: str | None) -> None:
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def test_plugin_look_finds_only_distributions_declaring_fmlint_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linter.registry import _may_have_plugins

    site = tmp_path / "site"
    _dist(site, "unrelated", "[console_scripts]\nx = y:z\n")
    _dist(site, "bare", None)
    (site / "old.egg-info").write_text("an egg-info file, not a folder\n")
    monkeypatch.setattr(sys, "path", [str(site), str(tmp_path / "missing"), "a.path.hook"])
    assert _may_have_plugins() is False

    _dist(site, "newsroom-rules", "[fmlint.rules]\nnewsroom = newsroom_rules\n")
    assert _may_have_plugins() is True


def test_plugin_look_defers_to_importlib_metadata_when_it_cannot_see(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linter.registry import _may_have_plugins

    archive = tmp_path / "packages.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert _may_have_plugins() is True

    class DistributionFinder:
        @staticmethod
        def find_distributions(context: object = None) -> list[object]:
            return []

    monkeypatch.setattr(sys, "path", [])
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, DistributionFinder()])
    assert _may_have_plugins() is True
