"""Streaming merges of sorted line files: the corpus files are assembled from sorted partitions without
holding them in memory (heapq.merge reads one line of each file at a time)."""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

FAN_IN = 256  # files merged at once: far below any open-file limit; more sources are merged in rounds


def union(streams: Iterable[Iterator[str]]) -> Iterator[str]:
    """The sorted union of sorted line streams, each line once."""
    last = None
    for line in heapq.merge(*streams):
        if line != last:
            yield line
            last = line


def difference(lines: Iterator[str], minus: Iterator[str]) -> Iterator[str]:
    """The lines of sorted stream `lines` that sorted stream `minus` lacks."""
    other = next(minus, None)
    for line in lines:
        while other is not None and other < line:
            other = next(minus, None)
        if line != other:
            yield line


def merge_files(sources: Iterable[Path], target: Path, minus: Path | None = None) -> int:
    """Write the sorted union of the sorted files `sources` to `target` (without the lines of sorted file
    `minus`); return the number of lines written."""
    sources = list(sources)
    if len(sources) > FAN_IN:
        with tempfile.TemporaryDirectory(prefix=".merge-", dir=target.parent) as tmp:
            rounds = [Path(tmp) / f"{i}.nt" for i in range(0, len(sources), FAN_IN)]
            for start, part in zip(range(0, len(sources), FAN_IN), rounds, strict=True):
                merge_files(sources[start : start + FAN_IN], part)
            return merge_files(rounds, target, minus)
    count = 0
    with ExitStack() as stack, target.open("w", encoding="utf-8", newline="\n") as out:
        streams = [stack.enter_context(_lines(path)) for path in sources]
        merged = union(streams)
        if minus is not None:
            merged = difference(merged, stack.enter_context(_lines(minus)))
        for line in merged:
            out.write(line)
            count += 1
    return count


class _lines:
    """A sorted file's lines as a context-managed iterator (closed with the merge)."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open(encoding="utf-8", newline="\n")

    def __enter__(self) -> Iterator[str]:
        return iter(self.handle)

    def __exit__(self, *_: object) -> None:
        self.handle.close()
