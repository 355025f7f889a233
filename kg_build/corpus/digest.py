"""Content digests that key the build cache: a report's files, and everything else a partition depends on
(the code, the registries and rules in data/, the ontology, shapes and QC rules, the package version)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from kg_build import __version__
from kg_build.paths import DATA_DIR, ONTOLOGY_DIR, PROJECT_DIR
from kg_build.read.discover import ReportFile

CODE_DIR = PROJECT_DIR / "kg_build"
# What every partition depends on besides its own texts (data/reports/ is the corpus, not an input of each work).
SHARED_INPUTS = (CODE_DIR, DATA_DIR / "registries", DATA_DIR / "rules", ONTOLOGY_DIR)
SHARED_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".csv", ".ttl", ".rq", ".jsonld", ".json", ".tsv", ".txt"})


def digest_files(paths: Iterable[Path], root: Path | None = None) -> str:
    """One sha256 over the names (relative to `root`) and bytes of `paths`, in sorted order."""
    h = hashlib.sha256()
    for path in sorted(paths):
        name = str(path.relative_to(root)) if root else str(path)
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@cache
def shared_digest() -> str:
    """The digest of the code, reference data, rules and ontology a build reads, and the package version:
    any change there invalidates every cached partition."""
    files = [p for folder in SHARED_INPUTS if folder.is_dir() for p in folder.rglob("*")
             if p.is_file() and p.suffix in SHARED_SUFFIXES and "__pycache__" not in p.parts]
    return hashlib.sha256(f"{__version__}\0{digest_files(files, PROJECT_DIR)}".encode()).hexdigest()


def report_digest(report: ReportFile) -> str:
    """The digest of one report text and its metadata file (when it has one), by name and content."""
    files = [report.path] + ([report.meta.path] if report.meta.path else [])
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def combine(*parts: str) -> str:
    """One key from several digests (order matters)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
