"""Progress on stderr: a bar with counts and ETA (tqdm) when stderr is a terminal, else one summary line per
stage when it ends (what CI logs want)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm


class Stage:
    """One stage's counter: `advance` per item done, `note` for a word on the summary line."""

    def __init__(self, bar: tqdm | None) -> None:
        self.bar, self.done, self.notes = bar, 0, []  # type: ignore[var-annotated]

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)

    def note(self, text: str) -> None:
        self.notes.append(text)


class Progress:
    """Stages reported on `stream` (stderr by default); quiet reports nothing."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.bars = not quiet and self.stream.isatty()

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "item") -> Iterator[Stage]:
        """Report one stage: a live bar on a terminal, one line when it ends otherwise."""
        started = time.perf_counter()
        bar = tqdm(total=total, desc=name, unit=f" {unit}", file=self.stream, leave=False, dynamic_ncols=True,
                   ) if self.bars and total else None
        stage = Stage(bar)
        try:
            yield stage
        finally:
            if bar is not None:
                bar.close()
        if not self.quiet:
            count = f"{stage.done:,} {unit}(s), " if total is not None or stage.done else ""
            extra = "".join(f", {n}" for n in stage.notes)
            print(f"{name}: {count}{time.perf_counter() - started:.1f} s{extra}", file=self.stream, flush=True)
