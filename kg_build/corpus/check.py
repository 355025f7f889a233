"""Validation of the merged build: the shapes and QC rules on the asserted graph with the merged closure, plus
the reasoner's inconsistencies the partitions found; validation.txt is written, a violation stops the build."""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

from kg_build.reason.closure import Closure, load_ontology
from kg_build.validate.shapes import (
    VALIDATION_FILE,
    ValidationFailed,
    ValidationReport,
    _sort_key,
    format_text,
    inconsistency_findings,
    validate_graph,
)


def check_merged(asserted: Graph, folder: Path, inconsistencies: list[str]) -> ValidationReport:
    """Validate `asserted` with `folder`/inferred.nt; write `folder`/validation.txt. Raises ValidationFailed
    (exit 1, nothing published) on an inconsistency or a violation."""
    inferred = Graph()
    inferred.parse(folder / "inferred.nt", format="nt")
    report = validate_graph(asserted, load_ontology(), inferred=inferred, whole_build=True,
                            inputs=["kg.nt", "inferred.nt"])
    found = inconsistency_findings(Closure(inferred, inconsistencies))
    report.findings = sorted(set(report.findings) | set(found), key=_sort_key)
    text = format_text(report)
    (folder / VALIDATION_FILE).write_text(text, encoding="utf-8", newline="\n")
    if not report.conforms:
        print(text, file=sys.stderr, end="")
        print("ctoc-kg: validation failed: the build was not published", file=sys.stderr)
        raise ValidationFailed(report)
    return report
