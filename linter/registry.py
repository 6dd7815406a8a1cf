"""Every rule fmlint knows: the built-ins under ``linter.rules`` and the
plugins registered in the ``fmlint.rules`` entry-point group.

Plugins are only ever loaded from installed distributions' entry points,
never from the current directory, so linting a pull request cannot run code
it brings.  A plugin that fails to load, or whose code or name collides with
a rule already registered, is reported by name and skipped; the rest run.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import pkgutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType

import linter.rules
from linter.rules.base import Rule

ENTRY_POINT_GROUP = "fmlint.rules"


@dataclass
class Registry:
    rules: dict[str, type[Rule]] = field(default_factory=dict)  # by code, sorted
    names: dict[str, str] = field(default_factory=dict)  # name -> code
    errors: list[str] = field(default_factory=list)  # plugins that could not be registered

    def add(self, rule: type[Rule], origin: str) -> str | None:
        """Register ``rule``; return why it was refused, or None."""
        problems = rule.declaration_errors()
        if problems:
            return "; ".join(problems)
        if rule.code in self.rules:
            other = self.rules[rule.code]
            return f"code {rule.code} is already used by {other.name} (from {other.origin})"
        if rule.name in self.names:
            return f"name {rule.name} is already used by rule {self.names[rule.name]}"
        if origin != "fmlint":
            # a class attribute, so every part of fmlint sees where the rule came from
            rule.origin = origin
        self.rules[rule.code] = rule
        self.names[rule.name] = rule.code
        return None

    def resolve(self, code_or_name: str) -> str | None:
        """The code for a rule code or kebab-case name, or None."""
        if code_or_name in self.rules:
            return code_or_name
        return self.names.get(code_or_name)

    def is_known_selector(self, selector: str) -> bool:
        """A code, a code prefix (``FM3``), a name or ``ALL``."""
        return (
            selector == "ALL"
            or selector in self.names
            or any(code.startswith(selector) for code in self.rules)
        )


def rules_in_module(module: ModuleType) -> list[type[Rule]]:
    """The concrete rule classes a module defines (not those it imports)."""
    found = []
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, Rule)
            and value.__module__ == module.__name__
            and "code" in vars(value)
        ):
            found.append(value)
    return found


def builtin_rules() -> list[type[Rule]]:
    rules: list[type[Rule]] = []
    for info in sorted(pkgutil.iter_modules(linter.rules.__path__), key=lambda i: i.name):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"linter.rules.{info.name}")
        rules.extend(rules_in_module(module))
    return sorted(rules, key=lambda r: r.code)


def _plugin_rules(loaded: object) -> Iterable[type[Rule]]:
    """An entry point may name a rule class, a module of rules, or a list."""
    if isinstance(loaded, type) and issubclass(loaded, Rule):
        return [loaded]
    if isinstance(loaded, ModuleType):
        return rules_in_module(loaded)
    if isinstance(loaded, (list, tuple)) and all(
        isinstance(r, type) and issubclass(r, Rule) for r in loaded
    ):
        return list(loaded)
    raise TypeError("entry point must name a Rule subclass, a module of rules, or a list of them")


def _may_have_plugins() -> bool:
    """Whether any installed distribution may declare ``fmlint.rules`` entry
    points: a look at each ``*.dist-info``/``*.egg-info`` folder's
    ``entry_points.txt`` on ``sys.path``, a few milliseconds where importing
    ``importlib.metadata`` and asking it costs 25 (a pre-commit run on one
    file pays it every time).  Anything the look cannot see through (a zip
    on the path, a finder of distributions other than the standard one)
    answers yes, so ``importlib.metadata`` then decides."""
    for finder in sys.meta_path:
        if finder is not importlib.machinery.PathFinder and hasattr(finder, "find_distributions"):
            return True
    marker = ENTRY_POINT_GROUP.encode()
    for entry in sys.path:
        folder = entry or "."
        try:
            scan = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError):
            if os.path.isfile(folder):
                return True  # a zip of packages
            continue  # no such folder (or a path hook's name): no distributions there
        except OSError:
            return True
        with scan:
            for item in scan:
                if not item.name.endswith((".dist-info", ".egg-info")):
                    continue
                try:
                    with open(os.path.join(item.path, "entry_points.txt"), "rb") as handle:
                        if marker in handle.read():
                            return True
                except (FileNotFoundError, NotADirectoryError):
                    continue  # no entry points, or an egg-info file
                except OSError:
                    return True
    return False


def load_registry(plugins: bool = True) -> Registry:
    registry = Registry()
    for rule in builtin_rules():
        refused = registry.add(rule, "fmlint")
        if refused:  # pragma: no cover - caught by the test suite
            raise RuntimeError(f"built-in rule {rule.__name__}: {refused}")
    if plugins and _may_have_plugins():
        from importlib import metadata

        for entry_point in sorted(
            metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
        ):
            dist = entry_point.dist.name if entry_point.dist else entry_point.value
            label = f"plugin `{entry_point.name}` ({dist})"
            try:
                rules = _plugin_rules(entry_point.load())
            except Exception as error:  # noqa: BLE001 - any plugin failure is reported, not raised
                registry.errors.append(f"{label} failed to load: {type(error).__name__}: {error}")
                continue
            for rule in rules:
                refused = registry.add(rule, dist)
                if refused:
                    what = f"{getattr(rule, 'code', '?')} ({getattr(rule, 'name', rule.__name__)})"
                    registry.errors.append(f"{label}: rule {what} not registered: {refused}")
    registry.rules = dict(sorted(registry.rules.items()))
    return registry
