"""Stage 7: write the build outputs. Everything goes to a temporary folder beside the target, which
replaces the target only when complete, so a failed build never leaves a half-written ``dist/``."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph

from kg_build.namespaces import bind_prefixes


def canonical_ntriples(graph: Graph) -> str:
    """N-Triples with one triple a line, lines sorted: byte-identical for the same graph."""
    lines = {line for line in graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines() if line}
    return "".join(line + "\n" for line in sorted(lines))


def turtle(graph: Graph) -> str:
    """Readable Turtle with the project's prefixes (rdflib sorts subjects and predicates)."""
    return bind_prefixes(graph).serialize(format="turtle")


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it atomically takes the place of `out`."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_dir(staging, out)


def replace_dir(new: Path, target: Path) -> None:
    """Swap `new` into place of `target` with renames, removing the old content afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{new.name.rsplit('-', 1)[-1]}")
        target.rename(old)
    new.rename(target)
    new_mode = 0o755
    target.chmod(new_mode)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_text(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")
    return path


