"""A progress bar on stderr for long runs in a terminal; never on stdout."""

from __future__ import annotations

import time
from typing import TextIO

MIN_FILES = 300  # below this a run is too short for a bar to help


class ProgressBar:
    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.shown = False
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if total < MIN_FILES:
            return
        now = time.monotonic()
        if done != total and now - self.last < 0.1:
            return
        self.last = now
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} files")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
