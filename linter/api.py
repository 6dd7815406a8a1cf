"""The Python API: the CLI is a thin layer over these two functions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from linter.config import Config, ConfigError, load_config
from linter.findings import Finding, RunResult
from linter.runner import UsageError, run


def _config_or_found(config: Config | None) -> Config:
    """``config``, or the one found from the current directory; a broken
    config file is a UsageError, as documented, like a broken schema."""
    if config is not None:
        return config
    try:
        return load_config()
    except ConfigError as error:
        raise UsageError(str(error)) from None


def lint_text(text: str, path: str = "<text>", config: Config | None = None) -> list[Finding]:
    """Lint one article held in memory.  ``path`` is used in findings and to
    pick the collection's schema; collection-wide rules see only this text.
    Raises ``linter.runner.UsageError`` for an unusable config or schema."""
    from linter.runner import lint_text as _lint_text

    return _lint_text(text, path, _config_or_found(config))


def lint_paths(
    paths: Sequence[str | Path],
    config: Config | None = None,
    *,
    jobs: int | None = None,
    use_cache: bool = False,
) -> RunResult:
    """Lint files and folders like ``fmlint check``; findings are sorted by
    path, line and column.  The cache is off by default for API use.  Raises
    ``linter.runner.UsageError`` for a missing path, an unusable config or schema."""
    return run(
        [str(p) for p in paths],
        _config_or_found(config),
        jobs=jobs,
        use_cache=use_cache,
    )
