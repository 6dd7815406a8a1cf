#!/usr/bin/env python3
"""The benchmark's FLOOR: the least work any front-matter linter must do.

One process that reads every Markdown file under DIR, splits off the YAML
front matter, parses it with PyYAML's C loader, turns dates into RFC 3339
strings and validates the result with ONE jsonschema validator (formats on)
built once from the shared article schema.  No Markdown parsing, no reporting
beyond a one-line JSON summary on stdout:

    {"files": 50000, "valid": 47500, "invalid": 2500, "errors": 2600, ...}

Usage: python bench/floor.py DIR [--schema PATH]

``bench/run.py`` runs this as a subprocess, so interpreter start-up and the
imports count, exactly as they do for ``python -m linter check``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
from pathlib import Path

import jsonschema
import yaml

DEFAULT_SCHEMA = Path(__file__).resolve().parents[2] / "shared/bench/article.schema.json"
SKIPPED_DIRS = frozenset({".git", "_site", "node_modules", "vendor", ".fmlint_cache"})
SUFFIXES = (".md", ".markdown")
# '---' on the first line, then everything up to a line that is '---' or '...'
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$", re.M | re.S)
EMPTY_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:---|\.\.\.)[ \t]*\r?$", re.M)


def markdown_files(top: str) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        found.extend(os.path.join(folder, f) for f in files if f.endswith(SUFFIXES))
    found.sort()
    return found


def rfc3339(value: object) -> object:
    """Datetimes (and dates) become strings, recursively, as the schema expects."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # PyYAML gives naive datetimes for values without an offset
            return value.isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: rfc3339(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rfc3339(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    if not args.dir.is_dir():
        print(f"floor: {args.dir}: not a directory", file=sys.stderr)
        return 2
    try:
        schema = json.loads(args.schema.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"floor: cannot read schema {args.schema}: {error}", file=sys.stderr)
        return 2
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    loader = yaml.CSafeLoader  # AttributeError without libyaml: the floor needs the C loader

    counts: dict[str, float] = {
        "files": 0,
        "valid": 0,
        "invalid": 0,
        "errors": 0,
        "no_front_matter": 0,
        "yaml_errors": 0,
        "not_a_mapping": 0,
    }
    for path in markdown_files(str(args.dir)):
        counts["files"] += 1
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", errors="replace")
        match = FRONT_MATTER.match(text)
        if match is None:
            if EMPTY_FRONT_MATTER.match(text) is None:
                counts["no_front_matter"] += 1
                counts["invalid"] += 1
                continue
            yaml_text = ""
        else:
            yaml_text = match.group(1)
        try:
            data = yaml.load(yaml_text, Loader=loader)
        except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
            # ValueError: a timestamp that is no date, e.g. 2024-13-45T08:24:49Z
            counts["yaml_errors"] += 1
            counts["invalid"] += 1
            continue
        if data is None:
            data = {}
        if not isinstance(data, dict):
            counts["not_a_mapping"] += 1
            counts["invalid"] += 1
            continue
        try:
            errors = sum(1 for _ in validator.iter_errors(rfc3339(data)))
        except (TypeError, ValueError):  # e.g. non-string keys the validator cannot handle
            errors = 1
        counts["errors"] += errors
        counts["valid" if errors == 0 else "invalid"] += 1
    counts["seconds_inside"] = round(time.perf_counter() - started, 4)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
