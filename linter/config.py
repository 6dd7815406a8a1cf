"""Configuration: ``.fmlint.toml`` or ``[tool.fmlint]`` in ``pyproject.toml``,
found by walking up from the current directory, parsed once into typed,
frozen objects.  Unknown or ill-typed keys are a :class:`ConfigError` naming
the key and the file.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from linter.bundled import SCHEMAS_DIR
from linter.document import Limits
from linter.findings import Severity
from linter.rules.base import OptionError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

CONFIG_FILENAME = ".fmlint.toml"
DEFAULT_CACHE_DIR = ".fmlint_cache"


class ConfigError(Exception):
    """A config that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Collection:
    """A group of files sharing a schema, chosen by globs relative to the
    config's folder."""

    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    schema: Path | None = None  # None: the top-level schema


@dataclass(frozen=True)
class RuleSettings:
    severity: Severity | None = None  # None: the rule's default
    enabled: bool = True  # severity = "off" disables
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    root: Path  # the folder of the config file, or the current directory
    source: Path | None = None
    schema: Path | None = None  # None: the bundled article schema
    collections: tuple[Collection, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # raw, by code or name
    limits: Limits = field(default_factory=Limits)
    allow_remote_refs: bool = False
    site_root: Path | None = None
    collection_roots: tuple[Path, ...] = ()  # empty: git-tracked files, else the walked paths
    cache_dir: Path | None = None  # None: <root>/.fmlint_cache

    @property
    def cache_path(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.root / DEFAULT_CACHE_DIR

    def with_cli(self, select: list[str] | None = None, ignore: list[str] | None = None) -> Config:
        """Command-line --select replaces the config's; --ignore adds to it."""
        return replace(
            self,
            select=tuple(select) if select else self.select,
            ignore=self.ignore + tuple(ignore or ()),
        )


_TOP_KEYS = {
    "schema",
    "collections",
    "exclude",
    "select",
    "ignore",
    "per-file-ignores",
    "rules",
    "limits",
    "allow-remote-refs",
    "site-root",
    "collection-roots",
    "cache-dir",
}
_LIMIT_KEYS = {
    "max-file-size": "max_file_size",
    "max-aliases": "max_aliases",
    "max-depth": "max_depth",
    "max-nodes": "max_nodes",
    "max-body-constructs": "max_body_constructs",
}
_COLLECTION_KEYS = {"include", "exclude", "schema"}


def find_config(start: Path) -> Path | None:
    """The nearest ``.fmlint.toml``, or ``pyproject.toml`` with a
    ``[tool.fmlint]`` table, in ``start`` or its parents."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        # a broken file that mentions our table is reported (by load_config), not
        # silently skipped in favour of the defaults or a config further up
        return "[tool.fmlint" in text
    return isinstance(data.get("tool"), dict) and "fmlint" in data["tool"]


def load_config(path: Path | None = None, cwd: Path | None = None) -> Config:
    """Load ``path``, or the config found from ``cwd``; defaults when none."""
    cwd = (cwd or Path.cwd()).resolve()
    if path is None:
        path = find_config(cwd)
        if path is None:
            return Config(root=cwd)
    path = path.resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        tool = raw.get("tool")
        table = tool.get("fmlint") if isinstance(tool, dict) else None
        section = "[tool.fmlint]"
        if table is None:
            raise ConfigError(f"{path}: no [tool.fmlint] table")
    else:
        table, section = raw, "the top level"
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {section} must be a table")
    return parse_config(table, path, section)


def parse_config(table: Mapping[str, Any], source: Path, section: str = "[tool.fmlint]") -> Config:
    root = source.parent
    where = f"{source}: "
    _reject_unknown(table, _TOP_KEYS, where, section)

    def path_of(key: str, value: Any) -> Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}`{key}` must be a path (a string), got {value!r}")
        return (root / value).resolve()

    def schema_of(key: str, value: Any) -> Path:
        """A path, or the name of a bundled schema (``jekyll-post``)."""
        if isinstance(value, str) and value and not value.endswith(".json") and "/" not in value:
            bundled = SCHEMAS_DIR / f"{value}.schema.json"
            if bundled.is_file():
                return bundled
        return path_of(key, value)

    def strings(key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}`{key}` must be a list of strings, got {value!r}")
        return tuple(value)

    def globs(key: str, value: Any) -> tuple[str, ...]:
        from linter.discovery import PatternError, check_globs

        patterns = strings(key, value)
        try:
            check_globs(patterns)
        except PatternError as error:
            raise ConfigError(f"{where}`{key}`: {error}") from None
        return patterns

    config = Config(root=root, source=source)
    changes: dict[str, Any] = {}
    if "schema" in table:
        changes["schema"] = schema_of("schema", table["schema"])
    if "exclude" in table:
        changes["exclude"] = globs("exclude", table["exclude"])
    if "select" in table:
        changes["select"] = strings("select", table["select"])
    if "ignore" in table:
        changes["ignore"] = strings("ignore", table["ignore"])
    if "allow-remote-refs" in table:
        if not isinstance(table["allow-remote-refs"], bool):
            raise ConfigError(f"{where}`allow-remote-refs` must be true or false")
        changes["allow_remote_refs"] = table["allow-remote-refs"]
    if "site-root" in table:
        changes["site_root"] = path_of("site-root", table["site-root"])
    if "cache-dir" in table:
        changes["cache_dir"] = path_of("cache-dir", table["cache-dir"])
    if "collection-roots" in table:
        changes["collection_roots"] = tuple(
            path_of("collection-roots", v)
            for v in strings("collection-roots", table["collection-roots"])
        )
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{where}`per-file-ignores` must be a table of glob = [codes]")
        changes["per_file_ignores"] = tuple(
            (glob, strings(f"per-file-ignores.{glob}", codes)) for glob, codes in pfi.items()
        )
        globs("per-file-ignores", list(pfi))
    if "limits" in table:
        changes["limits"] = _parse_limits(table["limits"], where)
    if "collections" in table:
        changes["collections"] = _parse_collections(table["collections"], where, schema_of, globs)
    if "rules" in table:
        rules = table["rules"]
        if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
            raise ConfigError(
                f"{where}`rules` must be a table of tables, e.g. [tool.fmlint.rules.FM306]"
            )
        changes["rules"] = rules
    return replace(config, **changes)


def _parse_limits(value: Any, where: str) -> Limits:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}`limits` must be a table")
    _reject_unknown(value, set(_LIMIT_KEYS), where, "[limits]")
    fields = {}
    for key, number in value.items():
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ConfigError(f"{where}`limits.{key}` must be a positive integer, got {number!r}")
        fields[_LIMIT_KEYS[key]] = number
    return Limits(**fields)


def _parse_collections(
    value: Any, where: str, path_of: Any, strings: Any
) -> tuple[Collection, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(
            f"{where}`collections` must be an array of tables ([[tool.fmlint.collections]])"
        )
    collections = []
    for index, entry in enumerate(value):
        label = f"collections[{index}]"
        _reject_unknown(entry, _COLLECTION_KEYS, where, label)
        if "include" not in entry:
            raise ConfigError(f"{where}`{label}` needs `include` (a list of globs)")
        collections.append(
            Collection(
                include=strings(f"{label}.include", entry["include"]),
                exclude=strings(f"{label}.exclude", entry.get("exclude", [])),
                schema=path_of(f"{label}.schema", entry["schema"]) if "schema" in entry else None,
            )
        )
    return tuple(collections)


def _reject_unknown(table: Mapping[str, Any], known: set[str], where: str, section: str) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise ConfigError(f"{where}unknown key `{key}` in {section}{hint}")


def resolve_rule_settings(
    config: Config, codes: Mapping[str, Any], names: Mapping[str, str]
) -> dict[str, RuleSettings]:
    """Check ``[rules.X]`` tables against the rules' declared options.

    ``codes`` maps each rule code to its class (anything with ``options``),
    ``names`` maps rule names to codes.
    """
    where = f"{config.source}: " if config.source else ""
    settings: dict[str, RuleSettings] = {}
    for key, table in config.rules.items():
        code = key if key in codes else names.get(key)
        if code is None:
            close = difflib.get_close_matches(key, [*codes, *names], n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise ConfigError(f"{where}`rules.{key}`: no rule with this code or name{hint}")
        if code in settings:
            first = next(
                k for k in config.rules if k != key and (k == code or names.get(k) == code)
            )
            raise ConfigError(
                f"{where}`rules.{first}` and `rules.{key}` both configure {code}; keep one table"
            )
        declared = codes[code].options
        severity: Severity | None = None
        enabled = True
        options: dict[str, Any] = {}
        for option, value in table.items():
            if option == "severity":
                if value == "off":
                    enabled = False
                elif value in ("error", "warning"):
                    severity = Severity(value)
                else:
                    raise ConfigError(
                        f'{where}`rules.{key}.severity` must be "error", "warning" or '
                        f'"off", got {value!r}'
                    )
                continue
            if option not in declared:
                close = difflib.get_close_matches(option, list(declared), n=1)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                known = ", ".join(declared) or "none"
                raise ConfigError(
                    f"{where}`rules.{key}.{option}`: unknown option (options of {code}: "
                    f"{known}){hint}"
                )
            try:
                options[option] = declared[option].parse(option, value)
            except OptionError as error:
                raise ConfigError(f"{where}`rules.{key}`: {error}") from None
        settings[code] = RuleSettings(severity, enabled, options)
    return settings
