"""A larger graph for benchmarks and load tests: the build replicated N times, each copy's resource IRIs
rewritten (id/... -> id/copy-K/...) so copies do not merge; vocabulary stays shared: ontology terms, SKOS
concepts (id/concept/..., which queries name by IRI) and literals are as they are."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from kg_build.namespaces import ID


def replicate(lines: Iterable[str], copies: int) -> Iterator[str]:
    """N-Triples lines of `copies` copies; copy 0 is the original."""
    original = list(lines)
    base, shared = f"<{ID}", f"<{ID}concept/"
    for copy in range(copies):
        prefix = f"<{ID}copy-{copy}/"
        for line in original:
            if copy == 0:
                yield line
            else:
                yield line.replace(shared, "\0").replace(base, prefix).replace("\0", shared)


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


def write_replicated_build(dist: Path, out: Path, copies: int) -> Path:
    """Write a build folder whose kg.nt and inferred.nt each hold `copies` copies of dist's (asserted and
    inferred kept apart, as a build writes them, so that `write_store` can index it); return `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("kg.nt", "inferred.nt"):
        if not (dist / name).is_file():
            continue
        lines = [line.rstrip("\n") for line in (dist / name).open(encoding="utf-8") if line.strip()]
        with (out / name).open("w", encoding="utf-8") as handle:
            for line in replicate(lines, copies):
                handle.write(line + "\n")
    return out
