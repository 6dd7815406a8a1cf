"""``python -m linter`` works like ``fmlint``."""

from linter.cli import main

raise SystemExit(main())
