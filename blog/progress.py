"""A terminal progress bar that appears only for work that takes longer than a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY_SECONDS = 1.0
WIDTH = 30


class ProgressBar:
    """Callable progress sink: `bar(stage, done, total)`; silent unless the stream is a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        stream = sys.stderr if stream is None else stream  # looked up now: tests swap sys.stderr
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if not self.shown and time.monotonic() - self.started < DELAY_SECONDS:
            return
        self.shown = True
        filled = WIDTH * done // total
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r{stage:<8} [{bar}] {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        """Clear the bar's line so the summary starts on a clean line."""
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
