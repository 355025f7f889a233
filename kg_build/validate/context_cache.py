"""The check context kept on disk: CheckContext.build parses and closes the reference data and compiles the
shapes (about half a second); the pickled context loads ten times faster. Its file is named by a digest of
everything the context is made of (the reference text, the ontology, the shapes and QC files), so a change
to any of them builds a new one; the folder it lives in (the reference partition's cache entry) is itself
keyed by the code's digest."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from kg_build.reason.closure import ONTOLOGY_FILE
from kg_build.validate.partition import CheckContext
from kg_build.validate.qc import QC_DIR, load_qc
from kg_build.validate.shapes import SHAPES_DIR, load_shapes

PREFIX = "context-"
SUFFIX = ".pickle"


def context_digest(reference_nt: str, ontology_path: Path = ONTOLOGY_FILE, shapes_dir: Path = SHAPES_DIR,
                   qc_dir: Path = QC_DIR) -> str:
    """The sha256 of the reference text and the bytes (and names) of the ontology, shapes and QC files."""
    files = [ontology_path, *(p for folder in (shapes_dir, qc_dir) for p in folder.rglob("*") if p.is_file())]
    h = hashlib.sha256(reference_nt.encode("utf-8"))
    for path in sorted(files):
        h.update(b"\0" + str(path).encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def cached_context(folder: Path, reference_nt: str, ontology_path: Path = ONTOLOGY_FILE,
                   shapes_dir: Path = SHAPES_DIR, qc_dir: Path = QC_DIR) -> CheckContext:
    """The context of `reference_nt` from `folder`, or built (and written there, atomically, replacing an older
    one) when it has none for these inputs or cannot read it."""
    path = folder / f"{PREFIX}{context_digest(reference_nt, ontology_path, shapes_dir, qc_dir)}{SUFFIX}"
    try:
        context = pickle.loads(path.read_bytes())
        if isinstance(context, CheckContext):
            return context
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    context = CheckContext.build(reference_nt, shapes=load_shapes(shapes_dir), qc=load_qc(qc_dir),
                                 ontology_path=ontology_path)
    for old in folder.glob(f"{PREFIX}*{SUFFIX}"):
        old.unlink(missing_ok=True)
    tmp = folder / f".{path.name}.{os.getpid()}"
    tmp.write_bytes(pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)
    return context
