"""The pipeline, wired once: read -> extract per report text, link across reports, then map the reference data
once and each report's document layer and facts, in the order the data flows. Texts of one symbol in several
languages are one work: its primary expression (Chinese when there is one) is mapped first, and a unit that
one language has and another lacks is a build warning."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg_build.extract.facts import Extraction
from kg_build.extract.rules import extract
from kg_build.link.linker import LinkReport, link
from kg_build.map.document import ReportIris, map_document, report_iris
from kg_build.map.facts import FactsMapper
from kg_build.map.reference import ReferenceMapper
from kg_build.namespaces import bind_prefixes
from kg_build.read.discover import ReportFile, find_reports
from kg_build.read.format_rules import DEFAULT_LANGUAGE as PRIMARY_LANGUAGE
from kg_build.read.model import Document
from kg_build.read.parse import parse_file
from kg_build.reference.entities import Registries


@dataclass
class ParsedReport:
    """One report through the pipeline: its file, document model, IRIs and what was extracted."""

    file: ReportFile
    doc: Document
    iris: ReportIris
    facts: Extraction = field(default_factory=Extraction)


@dataclass
class BuildResult:
    """What a build produced: the asserted graph, the reports it read and any warnings."""

    graph: Graph
    reports: list[ParsedReport]
    links: LinkReport = field(default_factory=LinkReport)

    alignment: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return self.alignment + self.links.warnings


def parse_reports(sources: list[Path]) -> list[ParsedReport]:
    """Parse every report found under `sources`."""
    return [parse_report(report) for report in find_reports(sources)]


def parse_report(report: ReportFile) -> ParsedReport:
    """Parse one report file and key it by its IRIs."""
    doc = parse_file(report.path)
    return ParsedReport(report, doc, report_iris(doc, report))


def works(reports: list[ParsedReport]) -> list[list[ParsedReport]]:
    """The reports grouped by work (their IRI), each group's primary expression first (Chinese, then by
    language code), the groups in the order of their first file."""
    groups: dict[str, list[ParsedReport]] = {}
    for report in reports:
        groups.setdefault(str(report.iris.work), []).append(report)
    return [sorted(group, key=lambda r: (r.iris.language != PRIMARY_LANGUAGE, r.iris.language))
            for group in groups.values()]


def alignment_warnings(group: list[ParsedReport]) -> list[str]:
    """A unit one expression of a work has and another lacks: file, line, unit and the languages."""
    warnings = []
    for report in group:
        for other in group:
            if other is report:
                continue
            for unit in report.doc.units:
                if not other.doc.has_unit(unit.eid):
                    warnings.append(f"{report.file.path.name}:{unit.line}: {unit.eid}: present in the "
                                    f"{report.iris.language} text, absent in the {other.iris.language} text "
                                    f"({other.file.path.name})")
    return warnings


def build_graph(sources: list[Path], registries: Registries | None = None) -> BuildResult:
    """Parse, extract, link and map every report under `sources` (with the registries) into one graph."""
    registries = registries or Registries()
    graph = bind_prefixes(Graph())
    reports = parse_reports(sources)
    for report in reports:
        report.facts = extract(report.doc, registries)
    links = link([r.facts for r in reports], registries)
    reference = ReferenceMapper(graph, registries)
    reference.map_registries()
    alignment: list[str] = []
    for group in works(reports):
        alignment += map_work(group, reference)
    return BuildResult(graph, reports, links, alignment)


def map_work(group: list[ParsedReport], reference: ReferenceMapper) -> list[str]:
    """Map one work's expressions (primary first: `works` orders them) and their facts into the reference
    mapper's graph; return the alignment warnings of its expressions."""
    facts = FactsMapper(reference)
    primary = group[0].doc
    for report in group:
        map_document(report.doc, report.file, report.iris, reference.g, None if report.doc is primary else primary)
        facts.map_facts(report.doc, report.iris, report.facts)
    return alignment_warnings(group)
