"""``python -m linter`` works like ``fmlint``."""

from linter.cli import entry

entry()
