"""The corpus pass of validation: the findings every partition and the reference data brought from their
workers, the nodes partitions share judged again on the build's store, and the QC rules about the whole build
(validate/partition.py). validation.txt is written; a violation stops the build before anything is published."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg_build.corpus.run import CorpusBuild
from kg_build.corpus.worker import ASSERTED, load_check
from kg_build.publish.store import ASSERTED_FILE, STORE_DIR, write_store
from kg_build.validate.context_cache import cached_context
from kg_build.validate.partition import check_corpus
from kg_build.validate.shapes import ValidationReport, write_verdict


def check_build(corpus: CorpusBuild, folder: Path) -> ValidationReport:
    """Write the build's store into `folder`, validate the merged build on it, write validation.txt. Raises
    ValidationFailed (exit 1, nothing published) on an inconsistency or a violation."""
    reference = corpus.reference.folder  # its cache entry (keyed by the code's digest) keeps the check context
    context = cached_context(reference, (reference / ASSERTED).read_text(encoding="utf-8"))
    write_store(folder)
    store = ox.Store(str(folder / STORE_DIR))
    try:
        report = check_corpus(context, store, [load_check(p.folder) for p in corpus.partitions],
                              load_check(reference), asserted_file=folder / ASSERTED_FILE, triples=corpus.triples)
    finally:
        del store  # closed before publishing opens it read-only
    return write_verdict(folder, report)
