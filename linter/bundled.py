"""Where the bundled schemas are, without importing jsonschema."""

from __future__ import annotations

from pathlib import Path

# the top-level schemas/ folder ships inside the package as linter/schemas (see
# pyproject.toml); an editable install reads it where it is
_PACKAGED = Path(__file__).resolve().parent / "schemas"
SCHEMAS_DIR = (
    _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "schemas"
)


_ARTICLE_SCHEMA = SCHEMAS_DIR / "article.schema.json"


def bundled_schema_path() -> Path:
    """The default article schema (``schemas/article.schema.json``)."""
    return _ARTICLE_SCHEMA
