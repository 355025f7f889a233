"""SHACL-SPARQL constraints evaluated in bulk: one query per constraint instead of one per focus node.

pyshacl parses and runs a SPARQL constraint's query once for every focus node (for the seed: ~600
parses, 95% of the validation time). Here each constraint of a top-level node shape runs once with
pyoxigraph, ``$this`` as an ordinary variable, and the rows are kept for the shape's focus nodes.
That is equivalent when ``$this`` is bound by a triple pattern of the query's top-level group, which
holds for every constraint in ontology/shapes/ (and the equivalence with pyshacl is tested). Shapes
that other shapes reference, or that use other pre-bound variables, stay with pyshacl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.store_terms import to_rdflib
from kg_build.validate.findings import Finding
from kg_build.validate.focus import with_values

THIS = re.compile(r"\$this\b")
OTHER_PREBOUND = re.compile(r"\$(shapesGraph|currentShape|PATH|value)\b")
MESSAGE_VARIABLE = re.compile(r"\{[?$](\w+)\}")


@dataclass(frozen=True)
class BulkConstraint:
    """A SPARQL constraint of a node shape, ready to run once over the whole data graph."""

    shape: URIRef
    constraint: Node
    query: str
    targets: str
    messages: tuple[str, ...]
    severity: str

    @property
    def check(self) -> str:
        return str(self.constraint) if isinstance(self.constraint, URIRef) else str(self.shape)


def split_shapes(shapes: Graph) -> tuple[Graph, list[BulkConstraint]]:
    """The shapes graph without the SPARQL constraints that can run in bulk, and those constraints."""
    bulk: list[BulkConstraint] = []
    removed: set[tuple[Node, Node, Node]] = set()
    for shape, constraint in shapes.subject_objects(SH.sparql):
        prepared = _prepare(shapes, shape, constraint)
        if prepared is not None:
            bulk.append(prepared)
            removed.add((shape, SH.sparql, constraint))
    core = Graph()
    for t in shapes:
        if t not in removed:
            core.add(t)
    return core, sorted(bulk, key=lambda b: (str(b.shape), b.check))


def _prepare(shapes: Graph, shape: Node, constraint: Node) -> BulkConstraint | None:
    """A BulkConstraint, or None when pyshacl must evaluate it (nested, property shape, other variables)."""
    if not isinstance(shape, URIRef) or shapes.value(shape, SH.path) is not None:
        return None
    if any(True for _ in shapes.subjects(None, shape)):  # referenced by sh:node, sh:or … : evaluated nested
        return None
    if _true(shapes.value(shape, SH.deactivated)) or _true(shapes.value(constraint, SH.deactivated)):
        return None
    select = shapes.value(constraint, SH.select)
    targets = _target_query(shapes, shape)
    if select is None or targets is None or OTHER_PREBOUND.search(str(select)):
        return None
    prefixes = _prefixes(shapes, constraint)
    messages = tuple(sorted(str(m) for m in shapes.objects(constraint, SH.message))) or tuple(
        sorted(str(m) for m in shapes.objects(shape, SH.message)))
    severity = shapes.value(shape, SH.severity) or SH.Violation
    return BulkConstraint(shape, constraint, prefixes + THIS.sub("?this", str(select)), targets, messages,
                          str(severity).rsplit("#", 1)[-1])


def _true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _target_query(shapes: Graph, shape: URIRef) -> str | None:
    """A SELECT of the shape's focus nodes (SHACL instance semantics for sh:targetClass), or None if none."""
    parts = []
    for cls in shapes.objects(shape, SH.targetClass):
        parts.append(f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* <{cls}> }}")
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ ?this <{prop}> ?any }}")
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ ?any <{prop}> ?this }}")
    for node in shapes.objects(shape, SH.targetNode):
        parts.append(f"{{ VALUES ?this {{ {node.n3()} }} }}")
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
        return None  # implicit class targets: left to pyshacl
    return f"SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }}" if parts else None


def data_store(data: Graph) -> ox.Store:
    """An in-memory pyoxigraph store holding `data`."""
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return store


def run_bulk(constraints: list[BulkConstraint], store: ox.Store,
             graphs: list[ox.NamedNode | ox.DefaultGraph] | None = None, only: set[str] | None = None
             ) -> list[Finding]:
    """Evaluate every constraint once over the union of the store's graphs (or `graphs`); one finding per
    distinct (focus, path, value, bindings) row; with `only`, its queries are limited to those focus IRIs."""
    findings: list[Finding] = []
    if only is not None:
        if not only:
            return findings
        constraints = [_focused(c, only) for c in constraints]
    for c in constraints:
        solutions = _query(store, c.query, c, graphs)
        names = [v.value for v in solutions.variables]
        rows = list(solutions)
        if not rows:
            continue
        focus = {_term(s["this"]) for s in _query(store, c.targets, c, graphs)}
        seen = set()
        for solution in rows:
            row = {name: _term(solution[name]) for name in names if solution[name] is not None}
            this = row.get("this")
            if this is None or this not in focus:
                continue
            key = tuple(sorted((k, v.n3()) for k, v in row.items()))
            if key in seen:
                continue
            seen.add(key)
            value = row.get("value", this)
            findings.append(Finding(
                severity=c.severity, check=c.check, focus=str(this), component="SPARQLConstraintComponent",
                path=str(row["path"]) if "path" in row else "", value=term_text(value),
                message=_message(c.messages[0], row) if c.messages else ""))
    return findings


def _focused(c: BulkConstraint, only: set[str]) -> BulkConstraint:
    """The constraint with its query and targets limited to `only` (focus.py), or as it is if it cannot be."""
    query, targets = with_values(c.query, "this", only), with_values(c.targets, "this", only)
    return c if query is None or targets is None else replace(c, query=query, targets=targets)


def term_text(node: Node) -> str:
    """A value as findings show it: an IRI, or a literal's lexical form with its language tag."""
    if isinstance(node, Literal):
        return f"{node}@{node.language}" if node.language else str(node)
    return str(node)


def _query(store: ox.Store, text: str, c: BulkConstraint,
           graphs: list[ox.NamedNode | ox.DefaultGraph] | None) -> ox.QuerySolutions:
    try:
        if graphs is None:
            result = store.query(text, use_default_graph_as_union=True)
        else:
            result = store.query(text, default_graph=graphs)
    except SyntaxError as err:
        raise UsageError(f"could not validate: SPARQL of {c.check}: {err}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise UsageError(f"could not validate: {c.check} is not a SELECT query")
    return result


def _term(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Node:
    """A pyoxigraph term as rdflib's (simple literals without xsd:string, as rdflib parses them)."""
    return to_rdflib(term)


def _message(template: str, row: dict[str, Node]) -> str:
    return MESSAGE_VARIABLE.sub(lambda m: str(row[m.group(1)]) if m.group(1) in row else m.group(0), template)
