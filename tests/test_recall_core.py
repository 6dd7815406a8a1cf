"""Recall of the core (document, YAML, schema) over the generated corpus:
every injected defect of a core kind is found in its file, at the line the
ground truth gives, and files without a defect get no error at all.

The corpus (conftest ``corpus``: 600 articles, seed 3, 20 % defects) is
linted once per module, in-process, like ``fmlint check .`` run in its folder.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from linter.config import load_config
from linter.findings import Finding, Severity
from linter.runner import run

# kind -> the codes that may report it
CORE_KINDS: dict[str, tuple[str, ...]] = {
    "missing_required_field": ("FM201",),
    "wrong_type": ("FM203", "FM204"),
    "malformed_date": ("FM205", "FM107"),
    "bad_origin_url": ("FM205", "FM206"),
    "bad_language": ("FM207", "FM206"),
    "bad_category": ("FM207",),
    "bad_code": ("FM206",),
    "yaml_syntax_error": ("FM107",),
    "unclosed_front_matter": ("FM105",),
    "duplicate_yaml_key": ("FM109",),
    "yaml_bool_coercion": ("FM204",),
}


class Linted:
    def __init__(self, corpus: Path) -> None:
        meta = json.loads((corpus / "defects.json").read_text(encoding="utf-8"))
        self.defects: list[dict[str, Any]] = meta["defects"]
        result = run(["."], load_config(cwd=corpus), cwd=corpus, use_cache=False)
        self.files_checked = result.files_checked
        self.paths = result.paths
        self.by_path: dict[str, list[Finding]] = defaultdict(list)
        for finding in result.findings:
            self.by_path[finding.path].append(finding)

    def found(self, defect: dict[str, Any]) -> bool:
        codes = CORE_KINDS[defect["kind"]]
        line = defect["line"]
        for finding in self.by_path.get(defect["path"], []):
            if finding.rule not in codes or finding.severity is not Severity.ERROR:
                continue
            if line is not None and finding.line != line:
                continue
            if defect["kind"] == "missing_required_field" and f"`{defect['field']}`" not in (
                finding.message
            ):
                continue
            return True
        return False

    def describe(self, defect: dict[str, Any]) -> str:
        there = [(f.line, f.column, f.rule) for f in self.by_path.get(defect["path"], [])]
        return (
            f"  {defect['path']}: {defect['kind']} at line {defect['line']} "
            f"({defect['detail']!r}); found {there}"
        )


@pytest.fixture(scope="module")
def linted(corpus: Path) -> Linted:
    return Linted(corpus)


def recall_table(linted: Linted) -> str:
    rows = []
    for kind in CORE_KINDS:
        of_kind = [d for d in linted.defects if d["kind"] == kind]
        hits = sum(linted.found(d) for d in of_kind)
        rows.append(f"  {kind:<24} {hits}/{len(of_kind)}")
    return "recall per kind:\n" + "\n".join(rows)


def test_the_whole_corpus_was_checked(linted: Linted, corpus: Path) -> None:
    assert linted.files_checked == 600
    assert all(path.startswith("_posts/") for path in linted.paths)
    kinds = {d["kind"] for d in linted.defects}
    assert set(CORE_KINDS) <= kinds, f"the corpus no longer has {set(CORE_KINDS) - kinds}"


@pytest.mark.parametrize("kind", list(CORE_KINDS))
def test_every_core_defect_is_found_in_its_file_at_its_line(linted: Linted, kind: str) -> None:
    of_kind = [d for d in linted.defects if d["kind"] == kind]
    assert of_kind, f"no {kind} defect in the corpus"
    missed = [d for d in of_kind if not linted.found(d)]
    hits = len(of_kind) - len(missed)
    assert not missed, (
        f"{kind}: recall {hits}/{len(of_kind)} ({hits / len(of_kind):.0%}); "
        f"expected one of {', '.join(CORE_KINDS[kind])} at the truth's line\n"
        + "\n".join(linted.describe(d) for d in missed)
        + "\n"
        + recall_table(linted)
    )


def test_files_without_a_defect_have_no_error(linted: Linted) -> None:
    defective = {d["path"] for d in linted.defects}
    clean = [p for p in linted.paths if p not in defective]
    assert len(clean) == 480
    # the earlier file of a duplicated code shares it too: FM501 rightly sits on both
    originals = {
        d["detail"].removeprefix("same code as ")
        for d in linted.defects
        if d["kind"] == "duplicate_code"
    }
    false_alarms = [
        f"  {f.path}:{f.line}:{f.column}: {f.rule} {f.message}"
        for path in clean
        for f in linted.by_path.get(path, [])
        if f.severity is Severity.ERROR and not (f.rule == "FM501" and path in originals)
    ]
    assert not false_alarms, (
        f"{len(false_alarms)} error(s) in {len({a.split(':')[0] for a in false_alarms})} of "
        f"{len(clean)} defect-free files:\n" + "\n".join(false_alarms[:30])
    )
