"""The work a worker process does: identify a report file (which work it belongs to), and build one work's
partition (read -> extract -> link -> map -> reason -> validate), written as sorted canonical N-Triples with its
inferred triples and findings into the cache.

A process prepares the shared state once (`Shared`: registries, the reference data mapped, the check context);
with the `fork` start method the workers inherit the parent's, so nothing is computed twice."""

from __future__ import annotations

import json
import time
from array import array
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg_build.extract.rules import extract
from kg_build.link.linker import link
from kg_build.map.reference import ReferenceMapper
from kg_build.namespaces import bind_prefixes
from kg_build.pipeline import ParsedReport, map_work, parse_report, works
from kg_build.read.discover import ReportFile
from kg_build.reference.entities import Registries
from kg_build.serialize import canonical_ntriples
from kg_build.validate.findings import Finding
from kg_build.validate.partition import CheckContext, PartitionCheck, check_partition

ASSERTED = "asserted.nt"
INFERRED = "inferred.nt"
RESULT = "result.json"
FINDINGS = "findings.json"
NODES = "nodes.bin"
FOREIGN = "foreign.txt"


@dataclass
class Shared:
    """What every partition is built and checked against: the registries, the reference data mapped once (its
    canonical lines, the nodes it labels) and the check context (ontology, compiled shapes, QC rules, the
    reference data's closure)."""

    registries: Registries
    reference_lines: frozenset[str]
    labelled: frozenset[URIRef]
    context: CheckContext

    @classmethod
    def prepare(cls) -> Shared:
        registries = Registries()
        graph = bind_prefixes(Graph())
        ReferenceMapper(graph, registries).map_registries()
        labelled = frozenset(s for s, o in graph.subject_objects(RDFS.label)
                             if isinstance(s, URIRef) and isinstance(o, Literal) and o.language in ("en", "zh"))
        text = canonical_ntriples(graph)
        return cls(registries, frozenset(lines(text)), labelled, CheckContext.build(text))


@dataclass
class WorkResult:
    """What a work's build reports besides its partition files (kept as result.json beside them)."""

    work: str
    files: list[str]
    doc_warnings: list[str] = field(default_factory=list)
    alignment: list[str] = field(default_factory=list)
    link_warnings: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    triples: int = 0
    inferred: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        (folder / RESULT).write_text(json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, indent=1),
                                     encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> WorkResult:
        return cls(**json.loads((folder / RESULT).read_text(encoding="utf-8")))


def lines(text: str) -> list[str]:
    """The lines of canonical N-Triples text, each with its newline."""
    return text.splitlines(keepends=True)


def identify(report: ReportFile) -> tuple[str, str]:
    """The work IRI and language of a report file (what groups texts of one symbol into one work)."""
    parsed = parse_report(report)
    return str(parsed.iris.work), parsed.iris.language


def build_work(shared: Shared, files: list[ReportFile], folder: Path) -> WorkResult:
    """Build one work's partition into `folder`: its asserted triples (without the reference data's), its
    inferred triples (without the reference data's closure) and result.json."""
    clock = Clock()
    registries = shared.registries
    registries.used.clear()
    reports: list[ParsedReport] = [parse_report(report) for report in files]
    clock.lap("read")
    for report in reports:
        report.facts = extract(report.doc, registries)
    links = link([r.facts for r in reports], registries)
    clock.lap("extract+link")
    graph = Graph()  # the work's own triples: the reference data is mapped once, in `shared`
    [group] = works(reports)
    alignment = map_work(group, ReferenceMapper(graph, registries, shared.labelled))
    asserted = [line for line in lines(canonical_ntriples(graph)) if line not in shared.reference_lines]
    clock.lap("map")
    check = check_partition(shared.context, "".join(asserted), str(group[0].iris.work))
    clock.lap("reason+validate")
    write_lines(folder / ASSERTED, asserted)
    save_check(folder, check)
    result = WorkResult(str(group[0].iris.work), [str(r.file.path) for r in group],
                        [w for r in group for w in r.doc.warnings], alignment, links.warnings,
                        sorted(registries.used), len(asserted), check.inferred_nt.count("\n"), clock.laps)
    result.save(folder)
    return result


def save_check(folder: Path, check: PartitionCheck) -> None:
    """A partition's check beside its triples: inferred.nt, findings.json, nodes.bin (the hashes of the nodes
    it mentions, which tell the corpus pass the nodes that partitions share) and foreign.txt (the IRIs of those
    outside its work, one a line: the names of the shared ones)."""
    (folder / INFERRED).write_text(check.inferred_nt, encoding="utf-8", newline="\n")
    (folder / FINDINGS).write_text(json.dumps([asdict(f) for f in check.findings], ensure_ascii=False, indent=0),
                                   encoding="utf-8")
    (folder / NODES).write_bytes(check.nodes.tobytes())
    (folder / FOREIGN).write_text("".join(iri + "\n" for iri in check.foreign), encoding="utf-8", newline="\n")


def load_check(folder: Path) -> PartitionCheck:
    """The check `save_check` kept (its inferred text is left in the file: the merge reads it from there)."""
    findings = [Finding(**f) for f in json.loads((folder / FINDINGS).read_text(encoding="utf-8"))]
    nodes = array("q")
    nodes.frombytes((folder / NODES).read_bytes())
    foreign = (folder / FOREIGN).read_text(encoding="utf-8").splitlines()
    return PartitionCheck("", findings, nodes, foreign=foreign)


def write_lines(path: Path, text_lines: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.writelines(text_lines)


class Clock:
    """Seconds per named stage."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 4)
        self.last = now
