"""Text results memoised on disk by the digest of what produced them (the ontology's HTML documentation, its
class diagram, the notebook page): a build with unchanged inputs reads them back instead of running pyLODE,
Graphviz or nbconvert again. Entries are written whole (temporary file, rename); a failure is never stored."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable

from kg_build import __version__
from kg_build.paths import cache_dir


def memo_text(kind: str, inputs: list[str | bytes], produce: Callable[[], str]) -> str:
    """The text `produce()` gives for `inputs`, from the cache when an earlier run stored it."""
    h = hashlib.sha256(f"{kind}\0{__version__}".encode())
    for part in inputs:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(hashlib.sha256(data).digest())
    path = cache_dir() / "memo" / kind / f"{h.hexdigest()}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    text = produce()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".memo-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full cache only costs the next run the work again
    return text
