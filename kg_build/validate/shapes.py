"""Stage 6: validate a graph with the SHACL shapes of ontology/shapes/ and the QC queries of ontology/qc/.

Shapes run on the asserted graph plus its OWL RL closure (kg_build.reason.closure, computed once by the build
and kept in dist/inferred.nt), without inference: the closure already holds every inferred type, so shapes
may target superclasses such as ctoc:TextUnit or ctoc:Outcome. They are compiled (compiled.py) and evaluated
on a pyoxigraph store (on_store.py), with pyshacl's findings (pyshacl_findings, the tests' reference). The QC
queries run on the asserted graph plus the ontology (not the closure, which would hide a missing type).
Results become findings grouped by shape and focus node, each with the source quote when there is one.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from pyshacl import validate as shacl_validate
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.graph_files import read_graph
from kg_build.namespaces import ID, PREFIXES, SH_CTOC, bind_prefixes
from kg_build.paths import cache_dir
from kg_build.reason.closure import (
    DEFAULT_TIMEOUT,
    IRI_IN_MESSAGE,
    ONTOLOGY_DIR,
    ONTOLOGY_FILE,
    Closure,
)
from kg_build.validate.compiled import CompiledShapes, compile_shapes, graph_findings
from kg_build.validate.findings import Finding
from kg_build.validate.on_store import CheckStore
from kg_build.validate.qc import QC_DIR, QcQuery, load_qc
from kg_build.validate.sparql_constraints import data_store, run_bulk, split_shapes, term_text

SHAPES_DIR = ONTOLOGY_DIR / "shapes"
VALIDATION_FILE = "validation.txt"
QUOTE_WIDTH = 80
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
RESULT = Namespace("urn:ctoc-kg:validation:")
REASONER_CHECK = "reasoner:owl-rl"
IRI_CHECK = "syntax:iri"
BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
FORBIDDEN_IN_CONSTRAINTS = re.compile(r"\b(SERVICE|FROM|VALUES|MINUS)\b", re.IGNORECASE)
DISPLAY_PREFIXES = sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda pn: -len(pn[1]))


@dataclass
class ValidationReport:
    """Every finding of one validation run, and what was validated."""

    inputs: list[str]
    triples: int
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


class ValidationFailed(SystemExit):
    """The build refuses to publish: its validation found violations (exit code 1).

    A SystemExit so that the staging folder is discarded on the way out and `make` stops."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(1)
        self.report = report


# ---------------------------------------------------------------------------------------------- shapes


def load_shapes(directory: Path = SHAPES_DIR) -> Graph:
    """Every ``*.ttl`` of the shapes folder as one graph, checked against SHACL-SHACL; else UsageError."""
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise UsageError(f"could not validate: no shapes in {directory}")
    return _checked_shapes(tuple((f, f.stat().st_mtime_ns, f.stat().st_size) for f in files))


@lru_cache(maxsize=4)
def _checked_shapes(files: tuple[tuple[Path, int, int], ...]) -> Graph:
    """The shapes files parsed and checked once per process (keyed by path, mtime and size); the SHACL-SHACL
    check, a quarter of a small build, runs once per shapes content and pyshacl version (a stamp in the cache)."""
    shapes = read_graph([f for f, _, _ in files])
    stamp = cache_dir() / "shapes-ok" / _shapes_digest([f for f, _, _ in files])
    problems = unsafe_constraints(shapes) if stamp.is_file() else shapes_problems(shapes)
    if problems:
        raise UsageError("could not validate: malformed shapes: " + "; ".join(problems))
    _write_stamp(stamp)
    return shapes


def _shapes_digest(files: list[Path]) -> str:
    """SHA-256 of the shapes files' names and bytes and of the pyshacl version that checked them."""
    digest = hashlib.sha256(f"pyshacl {version('pyshacl')}\n".encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _write_stamp(stamp: Path) -> None:
    """Record a passed check; a cache that cannot be written only costs the check next time."""
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:
        pass


def shapes_problems(shapes: Graph) -> list[str]:
    """Why a shapes graph is unusable: SHACL-SHACL violations, or SPARQL that could reach out (empty if fine)."""
    try:
        conforms, _, text = meta_validate(shapes, inference="none")
    except Exception as err:  # pyshacl raises on shapes it cannot even read
        return [f"pyshacl: {err}"]
    problems = [] if conforms else (
        [line.strip() for line in str(text).splitlines() if "Message:" in line] or ["not valid SHACL (SHACL-SHACL)"])
    return problems + unsafe_constraints(shapes)


def unsafe_constraints(shapes: Graph) -> list[str]:
    """SPARQL constraints that could reach out or that SHACL forbids with pre-bound $this (checked every run)."""
    return ["a SPARQL constraint uses SERVICE, FROM, VALUES or MINUS (SHACL forbids VALUES and MINUS with pre-bound "
            "$this; SERVICE and FROM would reach out)"
            for query in shapes.objects(None, SH.select) if FORBIDDEN_IN_CONSTRAINTS.search(str(query))]


# ---------------------------------------------------------------------------------------------- validation


def validate_graph(
    asserted: Graph,
    ontology: Graph,
    *,
    inferred: Graph | None = None,
    shapes: Graph | None = None,
    qc: list[QcQuery] | None = None,
    whole_build: bool = False,
    inputs: Iterable[str] = (),
) -> ValidationReport:
    """Validate `asserted` (with `inferred`, its closure; computed when None) against shapes and QC queries.

    `whole_build` says the graph is a complete build, so QC rules about unused terms apply."""
    shapes = shapes if shapes is not None else load_shapes()
    qc = qc if qc is not None else load_qc(QC_DIR)
    notes: list[str] = []
    size = len(asserted)
    syntax = iri_syntax_findings(asserted)
    if syntax:  # such triples cannot even be written as N-Triples: report them, validate the rest
        asserted = _without_iris(asserted, {f.focus for f in syntax})
        notes.append(f"left out {len(syntax)} IRI(s) that are not valid IRIs")
    checked = CheckStore.from_graphs(asserted, inferred)
    return validate_store(checked, ontology, shapes=shapes, qc=qc, whole_build=whole_build, inputs=inputs,
                          reason=inferred is None, notes=notes, findings=syntax, triples=size)


def validate_store(
    checked: CheckStore,
    ontology: Graph,
    *,
    shapes: Graph,
    qc: list[QcQuery],
    whole_build: bool,
    inputs: Iterable[str],
    reason: bool,
    notes: list[str] | None = None,
    findings: list[Finding] | None = None,
    triples: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    ontology_path: Path | str = ONTOLOGY_FILE,
    progress: Callable[[str], None] | None = None,
) -> ValidationReport:
    """Validate the store's asserted triples (with its closure, computed first when `reason`): the shapes on
    asserted + inferred, the QC queries on asserted + ontology, each finding with its source quote."""
    notes = notes if notes is not None else []
    findings = list(findings or [])
    say = progress or (lambda line: None)
    started = time.monotonic()
    if reason:
        closure = checked.reason(ontology, timeout, ontology_path)
        notes.append(f"reasoned: {len(closure.inferred)} inferred triples in {closure.seconds:.2f} s")
        findings += inconsistency_findings(closure)
        say(f"reasoned: {len(closure.inferred)} inferred triples in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
    findings += checked.shacl(compiled_shapes(shapes))
    say(f"checked the shapes in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    findings += checked.qc(qc, ontology, whole_build=whole_build, notes=notes)
    say(f"ran the QC queries in {time.monotonic() - started:.1f} s")
    findings = [_with_quote(checked.quote, f) for f in findings]
    size = triples if triples is not None else checked.triples
    return ValidationReport(list(inputs), size, sorted(set(findings), key=_sort_key), notes)


def iri_syntax_findings(graph: Graph) -> list[Finding]:
    """IRIs that RDF forbids (spaces, angle brackets, quotes …): rdflib's lax Turtle parser lets them through."""
    bad = sorted({str(n) for t in graph for n in t if isinstance(n, URIRef) and BAD_IRI.search(str(n))})
    return [Finding("Violation", IRI_CHECK, iri, "IRI syntax", value=iri,
                    message="Not a valid IRI: it contains a space or one of <>\"{}|^`\\.") for iri in bad]


def _without_iris(graph: Graph, iris: set[str]) -> Graph:
    kept = Graph()
    for t in graph:
        if not any(isinstance(n, URIRef) and str(n) in iris for n in t):
            kept.add(t)
    return kept


def inconsistency_findings(closure: Closure) -> list[Finding]:
    """The reasoner's inconsistencies as violations, focused on the first data resource each names."""
    findings = []
    for text in closure.inconsistencies:
        names = [n for n in IRI_IN_MESSAGE.findall(text) if n.startswith(str(ID))]
        findings.append(Finding("Violation", REASONER_CHECK, names[0] if names else "", "OWL RL inconsistency",
                                message=text))
    return findings


def shacl_findings(data: Graph, shapes: Graph) -> list[Finding]:
    """The fast path: the shapes compiled once (compiled.py) and evaluated on pyoxigraph over `data` (which holds
    the closure: no inference), SPARQL constraints in bulk; the same findings as pyshacl_findings (tested)."""
    return graph_findings(data, compiled_shapes(shapes))


def compiled_shapes(shapes: Graph) -> CompiledShapes:
    """The shapes graph compiled, once per graph object (CompileError on a feature the compiler lacks)."""
    cached = _COMPILED.get(id(shapes))
    if cached is None or cached[0] is not shapes:
        cached = _COMPILED[id(shapes)] = (shapes, compile_shapes(shapes))
    return cached[1]


_COMPILED: dict[int, tuple[Graph, CompiledShapes]] = {}


def pyshacl_findings(data: Graph, shapes: Graph) -> list[Finding]:
    """The reference for the compiled path: pyshacl (no inference: the closure is in `data`) for the core
    constraints, and the SPARQL constraints of top-level node shapes once each (sparql_constraints)."""
    core, bulk = split_shapes(shapes)
    findings = run_pyshacl(data, core, inference="none")
    return findings + run_bulk(bulk, data_store(data))


def naive_shacl_findings(asserted: Graph, ontology: Graph, shapes: Graph, inference: str = "owlrl") -> list[Finding]:
    """The reference path the fast one is measured and tested against: pyshacl alone, with its own inference
    (owlrl over the asserted graph plus the ontology) and every SPARQL constraint run per focus node."""
    return run_pyshacl(asserted, shapes, inference=inference, ont_graph=ontology)


def run_pyshacl(data: Graph, shapes: Graph, inference: str, ont_graph: Graph | None = None) -> list[Finding]:
    """Run pyshacl and turn its report graph into findings; any failure is "could not validate"."""
    try:
        _, results, _ = shacl_validate(data, shacl_graph=shapes, ont_graph=ont_graph, inference=inference,
                                       advanced=False, allow_warnings=True, abort_on_first=False)
    except Exception as err:  # any pyshacl failure means "could not validate", never "conforms"
        raise UsageError(f"could not validate: pyshacl failed: {type(err).__name__}: {err}") from None
    if not isinstance(results, Graph):
        raise UsageError("could not validate: pyshacl returned no report graph")
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        findings.append(_finding(results, shapes, result))
    return findings


def _finding(results: Graph, shapes: Graph, result: Node) -> Finding:
    def one(p: URIRef) -> Node | None:
        return results.value(result, p)

    constraint, shape = one(SH.sourceConstraint), one(SH.sourceShape)
    check = constraint if isinstance(constraint, URIRef) else shape
    severity = one(SH.resultSeverity)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    path = one(SH.resultPath)
    value = one(SH.value)
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        check=str(check) if isinstance(check, URIRef) else _describe_shape(shapes, check),
        focus=str(one(SH.focusNode)),
        component=str(one(SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1],
        path=render_path(results, path) if path is not None else "",
        value=term_text(value) if isinstance(value, (URIRef, Literal)) else "",
        message=messages[0] if messages else "",
    )


def _describe_shape(shapes: Graph, shape: Node | None) -> str:
    """A stable name for an anonymous shape: its parent's IRI and its path."""
    if shape is None:
        return ""
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    if isinstance(parent, URIRef) and path is not None:
        return f"{parent}/{render_path(shapes, path)}"
    return str(parent) if isinstance(parent, URIRef) else "(anonymous shape)"


def render_path(graph: Graph, path: Node) -> str:
    """A SHACL path as text: an IRI, ^inverse, a|b alternatives or a/b sequences."""
    if isinstance(path, URIRef):
        return compact(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + render_path(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(render_path(graph, p) for p in Collection(graph, alternatives))
    if graph.value(path, RDF.first) is not None:
        return "/".join(render_path(graph, p) for p in Collection(graph, path))
    return str(path)


def compact(node: Node | str) -> str:
    """An IRI shortened with the project's prefixes for display (``ctoc:text``, ``id:report/…``)."""
    text = str(node)
    for prefix, namespace in DISPLAY_PREFIXES:
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>"


# ---------------------------------------------------------------------------------------------- quotes


def _with_quote(source_quote: Callable[[str], str], finding: Finding) -> Finding:
    """The finding with the (shortened) words behind its focus node, by `source_quote` (CheckStore.quote)."""
    if not finding.focus.startswith(("http://", "https://")):
        return finding
    quote = " ".join(source_quote(finding.focus).split())
    if len(quote) > QUOTE_WIDTH:
        quote = quote[: QUOTE_WIDTH - 1] + "…"
    return Finding(**{**asdict(finding), "quote": quote})


def _sort_key(f: Finding) -> tuple[int, str, str, str, str, str]:
    return (SEVERITY_ORDER.get(f.severity, 3), f.check, f.focus, f.component, f.path, f.value)


# ---------------------------------------------------------------------------------------------- reports


def format_text(report: ValidationReport) -> str:
    """The report for people: counts, then findings grouped by check (shape or QC rule) and focus node."""
    lines = [f"validated: {', '.join(report.inputs) or '(graph)'} ({report.triples} asserted triples)"]
    lines += [f"note: {note}" for note in report.notes]
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        groups.setdefault((f.severity, f.check), []).append(f)
    for (severity, check), findings in groups.items():
        nodes = sorted({f.focus for f in findings})
        lines.append("")
        shown = compact(check) if check.startswith("http") else check
        lines.append(f"[{severity}] {shown}  "
                     f"({findings[0].component}; {len(nodes)} node{'s' if len(nodes) != 1 else ''})")
        lines.append(f"  {findings[0].message}")
        for focus in nodes:
            lines.append(f"  - {compact(focus) if focus else '(no node)'}")
            for f in [f for f in findings if f.focus == focus]:
                detail = "; ".join(x for x in (f"path {f.path}" if f.path else "",
                                               f"value {f.value}" if f.value else "") if x)
                if detail:
                    lines.append(f"      {detail}")
                if f.message != findings[0].message:
                    lines.append(f"      {f.message}")
            quote = next((f.quote for f in findings if f.focus == focus and f.quote), "")
            if quote:
                lines.append(f"      quote: “{quote}”")
    lines.append("")
    verdict = "conforms" if report.conforms else "does NOT conform"
    lines.append(f"result: {verdict} — {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return "\n".join(lines) + "\n"


def format_json(report: ValidationReport) -> str:
    """The report for programs: conformance, counts and every finding with full IRIs."""
    data = {
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "inputs": report.inputs,
        "triples": report.triples,
        "notes": report.notes,
        "findings": [asdict(f) for f in report.findings],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def format_turtle(report: ValidationReport) -> str:
    """The report as a SHACL validation report graph; results get hash IRIs, never blank nodes."""
    g = bind_prefixes(Graph())
    g.bind("sh", SH)
    g.bind("result", RESULT)
    root = RESULT["report"]
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for f in report.findings:
        node = RESULT[hashlib.sha1(json.dumps(asdict(f), sort_keys=True).encode()).hexdigest()[:16]]
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.resultSeverity, SH[f.severity]))
        if f.focus.startswith(("http", "urn:")):
            g.add((node, SH.focusNode, URIRef(f.focus)))
        if "://" in f.check:
            g.add((node, SH.sourceShape, URIRef(f.check)))
        else:
            g.add((node, SH_CTOC.check, Literal(f.check)))
        if f.component:
            component = SH[f.component] if f.component.endswith("ConstraintComponent") else None
            if component is not None:
                g.add((node, SH.sourceConstraintComponent, component))
        if f.message:
            g.add((node, SH.resultMessage, Literal(f.message, lang="en")))
        if f.value:
            g.add((node, SH_CTOC.value, Literal(f.value)))
        if f.quote:
            g.add((node, SH_CTOC.quote, Literal(f.quote, lang="zh")))
    return g.serialize(format="turtle")


FORMATTERS = {"text": format_text, "json": format_json, "turtle": format_turtle}


# ---------------------------------------------------------------------------------------------- build


def write_verdict(folder: Path, report: ValidationReport) -> ValidationReport:
    """Write a build's report as `folder`/validation.txt; on a violation print it and raise ValidationFailed
    (exit 1: the staging folder is discarded, nothing is published)."""
    text = format_text(report)
    (folder / VALIDATION_FILE).write_text(text, encoding="utf-8", newline="\n")
    if not report.conforms:
        print(text, file=sys.stderr, end="")
        print("ctoc-kg: validation failed: the build was not published", file=sys.stderr)
        raise ValidationFailed(report)
    return report
