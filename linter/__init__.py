"""fmlint: a linter for the front matter and structure of Markdown content collections."""

__version__ = "0.1.0"
