"""The build cache: a folder of entries named by the digest of their inputs, each written into a temporary
folder and renamed into place whole, so a killed build never leaves a half entry and concurrent builds never
see one. Entries a build uses are touched; entries unused for `KEEP_DAYS` are pruned after a build."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
KEEP_DAYS = 14
IDENTITY = "identity.json"


class Cache:
    """Entries under `root/partitions/KEY/` (a work's partition) and `root/identity/KEY.json` (which work a
    report file belongs to)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.partitions = root / "partitions"
        self.identities = root / "identity"

    def partition(self, key: str) -> Path | None:
        """The folder of a cached partition, or None."""
        folder = self.partitions / key
        if folder.is_dir():
            os.utime(folder)
            return folder
        return None

    def build_partition(self, key: str, build: Callable[[Path], T]) -> tuple[Path, T]:
        """Run `build` on a fresh temporary folder and move it into place as the entry for `key`."""
        self.partitions.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=self.partitions))
        try:
            value = build(tmp)
            target = self.partitions / key
            try:
                tmp.rename(target)
            except OSError:  # another build put the same entry in place first: its content is the same
                shutil.rmtree(tmp, ignore_errors=True)
            return target, value
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def identity(self, key: str) -> tuple[str, str] | None:
        path = self.identities / f"{key}.json"
        if not path.is_file():
            return None
        try:
            work, language = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return None
        os.utime(path)
        return str(work), str(language)

    def put_identity(self, key: str, value: tuple[str, str]) -> None:
        self.identities.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".id-", dir=self.identities)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(list(value), out)
        os.replace(tmp, self.identities / f"{key}.json")

    def prune(self, keep_days: float = KEEP_DAYS) -> int:
        """Remove entries not used for `keep_days` and temporary folders of builds that died; return how many."""
        cutoff, removed = time.time() - keep_days * 86400, 0
        for folder in (self.partitions, self.identities):
            for path in folder.iterdir() if folder.is_dir() else ():
                stale = path.name.startswith(".") and path.stat().st_mtime < time.time() - 86400
                if stale or path.stat().st_mtime < cutoff:
                    shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
                    removed += 1
        return removed
