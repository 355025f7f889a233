"""A larger graph for benchmarks and load tests: the build replicated N times, each copy's resource IRIs
rewritten (id/... -> id/copy-K/...) so copies do not merge; vocabulary IRIs and literals stay as they are."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from kg_build.namespaces import ID


def replicate(lines: Iterable[str], copies: int) -> Iterator[str]:
    """N-Triples lines of `copies` copies; copy 0 is the original."""
    original = list(lines)
    base = f"<{ID}"
    for copy in range(copies):
        prefix = base if copy == 0 else f"<{ID}copy-{copy}/"
        for line in original:
            yield line if copy == 0 else line.replace(base, prefix)


def write_replicated(dist: Path, out: Path, copies: int) -> Path:
    """Write a dist folder whose kg.nt holds `copies` copies of dist's graph files; return `out`."""
    out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    for name in ("kg.nt", "inferred.nt"):
        if (dist / name).is_file():
            lines += [line.rstrip("\n") for line in (dist / name).open(encoding="utf-8") if line.strip()]
    with (out / "kg.nt").open("w", encoding="utf-8") as handle:
        for line in replicate(lines, copies):
            handle.write(line + "\n")
    return out
