"""The rule reference in README.md, made from the rules' own docstrings.

``python -m linter.docs`` prints it; ``python -m linter.docs --write README.md``
replaces the block between the ``rules:start`` and ``rules:end`` markers.  A
test fails when the README's block is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from linter.registry import load_registry

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rule_reference() -> str:
    registry = load_registry(plugins=False)
    lines = [
        "| code | name | default | what it checks |",
        "| --- | --- | --- | --- |",
    ]
    for rule in registry.rules.values():
        info = rule.info()
        lines.append(f"| {info.code} | `{info.name}` | {info.severity.value} | {info.summary} |")
    lines.append("")
    for rule in registry.rules.values():
        if not rule.options:
            continue
        info = rule.info()
        lines.append(f"**{info.code} `{info.name}` options** (`[tool.fmlint.rules.{info.code}]`):")
        lines.append("")
        for key, option in rule.options.items():
            lines.append(
                f"- `{key}` ({option.kind}, default `{toml_value(option.default)}`): {option.description}"
            )
        lines.append("")
    lines.append(
        "`fmlint explain CODE` prints each rule's full documentation (what it does, why, an"
    )
    lines.append("example and the fix).")
    return "\n".join(lines)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def replace_block(text: str, block: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(argv: list[str]) -> int:
    block = rule_reference()
    if len(argv) == 2 and argv[0] == "--write":
        target = Path(argv[1])
        text = target.read_text(encoding="utf-8")
        if START not in text or END not in text:
            print(f"{target}: no {START} ... {END} block", file=sys.stderr)
            return 2
        target.write_text(replace_block(text, block), encoding="utf-8")
        return 0
    print(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
