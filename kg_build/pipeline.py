"""The pipeline, wired once: report files -> parse -> map -> graph (later stages plug in here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg_build.discover import ReportFile, find_reports
from kg_build.mapping import ReportIris, map_document, report_iris
from kg_build.model import Document
from kg_build.namespaces import bind_prefixes
from kg_build.parse import parse_file


@dataclass
class ParsedReport:
    """One report through the pipeline: its file, document model and IRIs."""

    file: ReportFile
    doc: Document
    iris: ReportIris


@dataclass
class BuildResult:
    """What a build produced: the asserted graph, the reports it read and any warnings."""

    graph: Graph
    reports: list[ParsedReport]
    warnings: list[str] = field(default_factory=list)


def parse_reports(sources: list[Path]) -> list[ParsedReport]:
    """Parse every report found under `sources`."""
    parsed = []
    for report in find_reports(sources):
        doc = parse_file(report.path)
        parsed.append(ParsedReport(report, doc, report_iris(doc, report)))
    return parsed


def build_graph(sources: list[Path]) -> BuildResult:
    """Run parse and map over every report under `sources` into one asserted graph."""
    graph = bind_prefixes(Graph())
    reports = parse_reports(sources)
    for report in reports:
        map_document(report.doc, report.file, report.iris, graph)
    return BuildResult(graph, reports)
