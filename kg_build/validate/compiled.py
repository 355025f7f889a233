"""SHACL Core on pyoxigraph: the shapes compiled once into plans (paths and targets as SPARQL, constraint
components as set operations), evaluated over a store with the same findings as pyshacl (tested).

Every shape's targets and property paths become SPARQL queries, each run once over the whole store and cached
(``?this <path> ?value`` for all pairs, ``?x rdf:type/rdfs:subClassOf* <C>`` for a class), so a component is
checked per value node in Python without a query per focus node. A shape using a component or path form not
listed in COMPONENTS / PATH_FORMS is refused at compile time, in one line naming the shape and the term, so a
new kind of constraint fails loudly instead of silently passing. SPARQL constraints of top-level node shapes run
in bulk (sparql_constraints.py); any other SPARQL constraint is refused the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg_build.errors import UsageError
from kg_build.store_terms import LiteralTable, literal_table, to_rdflib
from kg_build.validate.findings import Finding
from kg_build.validate.focus import iri_terms
from kg_build.validate.sparql_constraints import BulkConstraint, run_bulk, split_shapes, term_text

# Constraint parameters this compiler evaluates (the components ontology/shapes/ uses, and close relatives).
COMPONENTS = {
    SH["class"]: "ClassConstraintComponent", SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent", SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent", SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent", SH.maxLength: "MaxLengthConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent", SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent", SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH["in"]: "InConstraintComponent", SH["or"]: "OrConstraintComponent", SH["not"]: "NotConstraintComponent",
    SH.node: "NodeConstraintComponent", SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent", SH.lessThan: "LessThanConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH.qualifiedValueShape: "QualifiedValueShape",
}
# Parameters read with another one, or that are no constraint at all.
AUXILIARY = {SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.path, SH.property, SH.message, SH.severity,
             SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.name, SH.description,
             SH.order, SH.group, SH.deactivated, SH.sparql, SH.declare, SH.prefixes, SH.defaultValue}
PATH_FORMS = {SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath}
NODE_KINDS = {SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,), SH.BlankNodeOrIRI: (BNode, URIRef),
              SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal)}
STRING_TYPES = (None, RDF.langString, XSD.string)


class CompileError(UsageError):
    """A shapes graph uses a SHACL feature the compiled validator does not evaluate."""


@dataclass
class Shape:
    """One shape, compiled: its path (SPARQL and display text), constraints and nested shapes."""

    node: Node
    check: str
    severity: str
    messages: tuple[str, ...]
    path: str | None = None
    path_text: str = ""
    constraints: list[tuple[URIRef, object]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    targets: list[tuple[URIRef, Node]] = field(default_factory=list)
    reports: bool = True  # results of this shape are findings (False: only its conformance matters)


@dataclass
class CompiledShapes:
    """The top-level shapes (those with targets) and the SPARQL constraints run in bulk."""

    shapes: list[Shape]
    bulk: list[BulkConstraint]


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile every shape with a target (and what it references); CompileError on an unsupported feature."""
    core, bulk = split_shapes(shapes)
    leftover = sorted({str(s) for s, _ in core.subject_objects(SH.sparql)})
    if leftover:
        raise CompileError(f"could not validate: shape {leftover[0]}: a SPARQL constraint on a nested or property "
                           "shape is not supported by the compiled validator (kg_build/validate/compiled.py)")
    compiler = _Compiler(shapes)
    roots = {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
             for s in shapes.subjects(p, None)}
    roots |= {s for s in shapes.subjects(RDF.type, SH.NodeShape) if _implicit_class(shapes, s)}
    top = [compiler.shape(s, reports=True) for s in sorted(roots, key=str)]
    return CompiledShapes([s for s in top if s is not None], bulk)


def _implicit_class(shapes: Graph, shape: Node) -> bool:
    return (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes


class _Compiler:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.done: dict[tuple[Node, bool], Shape | None] = {}
        self.owners: dict[Node, str] = {}  # nested anonymous shape -> the name of the shape that uses it

    def shape(self, node: Node, reports: bool, parent: Node | None = None) -> Shape | None:
        key = (node, reports)
        if key in self.done:
            return self.done[key]
        g = self.g
        if _true(g.value(node, SH.deactivated)):
            self.done[key] = None
            return None
        severity = g.value(node, SH.severity) or SH.Violation
        messages = tuple(sorted(str(m) for m in g.objects(node, SH.message)))
        shape = Shape(node, self._check(node, parent), str(severity).rsplit("#", 1)[-1], messages, reports=reports)
        self.done[key] = shape
        path = g.value(node, SH.path)
        if path is not None:
            shape.path, shape.path_text = self.path(path, node), _render(g, path)
        for p, o in sorted(g.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
            if not str(p).startswith(str(SH)) or p in AUXILIARY:
                continue
            if p not in COMPONENTS:
                raise CompileError(f"could not validate: shape {self._name(node)}: {_sh(p)} is not supported by the "
                                   "compiled validator (kg_build/validate/compiled.py)")
            shape.constraints.append((p, self.parameter(node, p, o)))
        for prop in sorted(g.objects(node, SH.property), key=str):
            nested = self.shape(prop, reports, parent=node)
            if nested is not None:
                shape.properties.append(nested)
        for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
            shape.targets += [(p, o) for o in g.objects(node, p)]
        if _implicit_class(g, node):
            shape.targets.append((SH.targetClass, node))
        has_results = shape.constraints and reports
        if has_results and not messages:
            raise CompileError(f"could not validate: shape {self._name(node)} has no sh:message (every shape "
                               "that reports results needs one)")
        return shape

    def parameter(self, node: Node, p: URIRef, o: Node) -> object:
        g = self.g
        if p == SH.pattern:
            return re.compile(str(o), _flags(str(g.value(node, SH.flags) or "")))
        if p in (SH.languageIn, SH["in"]):
            items = list(Collection(g, o))
            return {str(i).lower() for i in items} if p == SH.languageIn else set(map(_plain, items))
        if p in (SH["or"],):
            return [self._nested(n, node) for n in Collection(g, o)]
        if p in (SH["not"], SH.node):
            return self._nested(o, node)
        if p == SH.qualifiedValueShape:
            if _true(g.value(node, SH.qualifiedValueShapesDisjoint)):
                raise CompileError(f"could not validate: shape {self._name(node)}: sh:qualifiedValueShapesDisjoint "
                                   "is not supported by the compiled validator")
            low, high = g.value(node, SH.qualifiedMinCount), g.value(node, SH.qualifiedMaxCount)
            return (self._nested(o, node), None if low is None else int(low), None if high is None else int(high))
        if p in (SH.lessThan, SH.lessThanOrEquals):
            return f"<{o}>"
        if p in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
            return int(o)
        if p == SH.nodeKind and o not in NODE_KINDS:
            raise CompileError(f"could not validate: shape {self._name(node)}: unknown sh:nodeKind {o}")
        return o

    def _nested(self, node: Node, owner: Node) -> Shape:
        self.owners.setdefault(node, f"{self._name(owner)} (a shape it uses)")
        shape = self.shape(node, reports=False)
        if shape is None:  # a deactivated shape conforms
            return Shape(node, "", "Violation", ())
        return shape

    def path(self, path: Node, shape: Node) -> str:
        """The SHACL path as a SPARQL property path; CompileError on a form SHACL does not define."""
        g = self.g
        if isinstance(path, URIRef):
            return f"<{path}>"
        if g.value(path, RDF.first) is not None:
            return "(" + "/".join(self.path(p, shape) for p in Collection(g, path)) + ")"
        forms = [(p, o) for p, o in g.predicate_objects(path)]
        if len(forms) != 1 or forms[0][0] not in PATH_FORMS:
            raise CompileError(f"could not validate: shape {self._name(shape)}: a path form the compiled validator "
                               "does not support")
        form, inner = forms[0]
        if form == SH.alternativePath:
            return "(" + "|".join(self.path(p, shape) for p in Collection(g, inner)) + ")"
        op = {SH.inversePath: "^", SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}[form]
        return f"^({self.path(inner, shape)})" if op == "^" else f"({self.path(inner, shape)}){op}"

    def _check(self, node: Node, parent: Node | None) -> str:
        """The finding's check: the shape's IRI, or for an anonymous shape its parent's IRI and path (as pyshacl)."""
        if isinstance(node, URIRef):
            return str(node)
        holder = parent if parent is not None else self.g.value(None, SH.property, node)
        path = self.g.value(node, SH.path)
        if isinstance(holder, URIRef) and path is not None:
            return f"{holder}/{_render(self.g, path)}"
        return str(holder) if isinstance(holder, URIRef) else "(anonymous shape)"

    def _name(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return str(node)
        return self.owners.get(node) or self._check(node, None)


def _render(graph: Graph, path: Node) -> str:
    from kg_build.validate.shapes import render_path

    return render_path(graph, path)


def _sh(term: Node) -> str:
    return "sh:" + str(term)[len(str(SH)):] if str(term).startswith(str(SH)) else str(term)


def _true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _flags(text: str) -> int:
    return sum({"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(c, 0) for c in text)


def _plain(node: Node) -> Node:
    """A literal with xsd:string as the plain literal rdflib reads from N-Triples (so both compare equal)."""
    if isinstance(node, Literal) and node.datatype == XSD.string:
        return Literal(str(node))
    return node


# ---------------------------------------------------------------------------------------------- evaluation


Result = tuple[Shape, Node, str, Node | None]  # shape, focus node, component, value


class Evaluator:
    """Evaluates compiled shapes over one store (asserted and inferred triples, queried as their union)."""

    def __init__(self, store: ox.Store, graphs: list[ox.NamedNode | ox.DefaultGraph] | None = None,
                 literals: LiteralTable | None = None) -> None:
        self.store = store
        self.graphs = graphs
        self.literals = literals or {}
        self._pairs: dict[str, dict[Node, set[Node]]] = {}
        self._instances: dict[Node, set[Node]] = {}
        self._failing: dict[Node, dict[Node, bool]] = defaultdict(dict)
        self.limited = False  # set by findings(limited=True): pairs and instances fetched for the nodes asked only
        self._some_pairs: dict[str, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self._asked: dict[str, set[Node]] = defaultdict(set)
        self._member: dict[Node, dict[Node, bool]] = defaultdict(dict)

    def query(self, text: str) -> ox.QuerySolutions:
        if self.graphs is None:
            return self.store.query(text, use_default_graph_as_union=True)
        return self.store.query(text, default_graph=self.graphs)

    def pairs(self, path: str, subjects: Iterable[Node] | None = None) -> dict[Node, set[Node]]:
        """Every (subject, value) of a SPARQL path in the store, by subject (one query per path); when the
        evaluator is limited and `subjects` are given, those of these subjects only (each fetched once)."""
        if self.limited and subjects is not None and path not in self._pairs:
            return self._pairs_of(path, subjects)
        if path not in self._pairs:
            found: dict[Node, set[Node]] = defaultdict(set)
            for row in self.query(f"SELECT ?s ?o WHERE {{ ?s {path} ?o }}"):
                self._add_pair(found, path, row[0], row[1])
            self._pairs[path] = found
        return self._pairs[path]

    def _pairs_of(self, path: str, subjects: Iterable[Node]) -> dict[Node, set[Node]]:
        asked = self._asked[path]
        todo = {s for s in subjects if s not in asked}
        if any(isinstance(s, BNode) for s in todo):  # a blank node cannot be named in a query: the whole path
            return self.pairs(path)
        found = self._some_pairs[path]
        for chunk in _chunks(sorted(str(s) for s in todo if isinstance(s, URIRef))):
            terms = ' '.join(iri_terms(chunk))
            for row in self.query(f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {terms} }} ?s {path} ?o }}"):
                self._add_pair(found, path, row[0], row[1])
        asked |= todo
        return found

    def _add_pair(self, found: dict[Node, set[Node]], path: str, s: ox.Term, o: ox.Term) -> None:
        predicate = ox.NamedNode(path[1:-1]) if path.startswith("<") else None
        originals = self.literals.get((s, predicate, o)) if predicate and isinstance(o, ox.Literal) else None
        if originals:
            found[to_rdflib(s)].update(originals)
        else:
            found[to_rdflib(s)].add(to_rdflib(o))

    def instances(self, cls: Node, nodes: Iterable[Node] | None = None) -> set[Node]:
        """SHACL instances of `cls`: rdf:type/rdfs:subClassOf* in the data; when the evaluator is limited and
        `nodes` are given, those of these nodes that are (each asked once)."""
        if self.limited and nodes is not None and cls not in self._instances:
            memo = self._member[cls]
            todo = {n for n in nodes if n not in memo}
            if any(isinstance(n, BNode) for n in todo):
                return self.instances(cls)
            for chunk in _chunks(sorted(str(n) for n in todo if isinstance(n, URIRef))):
                query = (f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {' '.join(iri_terms(chunk))} }} "
                         f"?x <{RDF.type}>/<{RDFS.subClassOf}>* {cls.n3()} }}")
                memo.update((to_rdflib(row[0]), True) for row in self.query(query))
            memo.update((n, False) for n in todo if n not in memo)
            return {n for n, member in memo.items() if member}
        if cls not in self._instances:
            query = f"SELECT DISTINCT ?x WHERE {{ ?x <{RDF.type}>/<{RDFS.subClassOf}>* {cls.n3()} }}"
            self._instances[cls] = {to_rdflib(row[0]) for row in self.query(query)}
        return self._instances[cls]

    def _objects_of(self, predicate: Node, nodes: set[Node]) -> set[Node]:
        """Those of `nodes` that are the object of `predicate` somewhere (IRIs only: asked by name)."""
        found: set[Node] = set()
        for chunk in _chunks(sorted(str(n) for n in nodes if isinstance(n, URIRef))):
            terms = ' '.join(iri_terms(chunk))
            query = f"SELECT DISTINCT ?o WHERE {{ VALUES ?o {{ {terms} }} ?s <{predicate}> ?o }}"
            found.update(to_rdflib(row[0]) for row in self.query(query))
        return found

    def focus_nodes(self, shape: Shape, only: set[Node] | None = None) -> set[Node]:
        """The shape's focus nodes (those among `only`, when the evaluator is limited)."""
        if self.limited and only is not None:
            return self._limited_focus(shape, only)
        nodes: set[Node] = set()
        for kind, term in shape.targets:
            if kind == SH.targetClass:
                nodes |= self.instances(term)
            elif kind == SH.targetSubjectsOf:
                nodes |= set(self.pairs(f"<{term}>"))
            elif kind == SH.targetObjectsOf:
                nodes.update(v for values in self.pairs(f"<{term}>").values() for v in values)
            else:
                nodes.add(term)
        return nodes

    def _limited_focus(self, shape: Shape, only: set[Node]) -> set[Node]:
        nodes: set[Node] = set()
        for kind, term in shape.targets:
            if kind == SH.targetClass:
                nodes |= self.instances(term, only)
            elif kind == SH.targetSubjectsOf:
                pairs = self.pairs(f"<{term}>", only)
                nodes.update(n for n in only if pairs.get(n))
            elif kind == SH.targetObjectsOf:
                nodes |= self._objects_of(term, only)
            else:
                nodes.add(term)
        return nodes & only

    def results(self, shape: Shape, focus: Iterable[Node]) -> list[Result]:
        """The validation results of `shape` on `focus` (its own constraints' and its property shapes')."""
        focus = set(focus)
        values = self.values(shape, focus)
        out: list[Result] = []
        for param, arg in shape.constraints:
            out += self.component(shape, param, arg, values)
        for prop in shape.properties:
            out += self.results(prop, focus)
        return out

    def values(self, shape: Shape, focus: set[Node]) -> dict[Node, set[Node]]:
        if shape.path is None:
            return {f: {f} for f in focus}
        pairs = self.pairs(shape.path, focus)
        return {f: pairs.get(f, set()) for f in focus}

    def failing(self, shape: Shape, nodes: Iterable[Node]) -> set[Node]:
        """The nodes that do not conform to `shape` (memoized per shape and node)."""
        memo = self._failing[shape.node]
        todo = {n for n in nodes if n not in memo}
        if todo:
            bad = {r[1] for r in self.results(shape, todo)}
            memo.update((n, n in bad) for n in todo)
        return {n for n in nodes if memo[n]}

    def component(self, shape: Shape, param: URIRef, arg: object,
                  values: dict[Node, set[Node]]) -> list[Result]:
        name = COMPONENTS[param]
        if param == SH.minCount:
            return [(shape, f, name, None) for f, vs in values.items() if len(vs) < arg]  # type: ignore[operator]
        if param == SH.maxCount:
            return [(shape, f, name, None) for f, vs in values.items() if len(vs) > arg]  # type: ignore[operator]
        if param == SH.uniqueLang:
            return [(shape, f, name, None) for f, vs in values.items() if _true(arg) and _duplicate_lang(vs)]
        if param == SH.qualifiedValueShape:
            inner, low, high = arg  # type: ignore[misc]
            out = []
            bad = self.failing(inner, {v for vs in values.values() for v in vs})
            for f, vs in values.items():
                count = len(vs - bad)
                if high is not None and count > high:
                    out.append((shape, f, "QualifiedMaxCountConstraintComponent", None))
                if low is not None and count < low:
                    out.append((shape, f, "QualifiedMinCountConstraintComponent", None))
            return out
        if param in (SH.lessThan, SH.lessThanOrEquals):
            others = self.pairs(arg, values)  # type: ignore[arg-type]
            strict = param == SH.lessThan
            return [(shape, f, name, v) for f, vs in values.items() for v in vs
                    if any(not _less(v, o, strict) for o in others.get(f, ()))]
        if param in (SH["or"], SH["not"], SH.node):
            every = {v for vs in values.values() for v in vs}
            if param == SH["or"]:
                bad = every
                for member in arg:  # type: ignore[attr-defined]
                    bad = bad & self.failing(member, bad)
            elif param == SH["not"]:
                bad = every - self.failing(arg, every)  # type: ignore[arg-type]
            else:
                bad = self.failing(arg, every)  # type: ignore[arg-type]
            return [(shape, f, name, v) for f, vs in values.items() for v in vs if v in bad]
        if param == SH["class"]:
            members = self.instances(arg, {v for vs in values.values() for v in vs})  # type: ignore[arg-type]
            return [(shape, f, name, v) for f, vs in values.items() for v in vs
                    if isinstance(v, Literal) or v not in members]
        test = VALUE_TESTS[param]
        return [(shape, f, name, v) for f, vs in values.items() for v in vs if not test(v, arg)]

    def findings(self, compiled: CompiledShapes, only: set[Node] | None = None, limited: bool = False
                 ) -> list[Finding]:
        """Every finding of the compiled shapes (about the focus nodes in `only`, when given): core constraints,
        then the bulk SPARQL constraints. `limited` asks the store about those nodes and the values they lead to
        only (a few nodes of a large store) instead of reading each path and class once whole."""
        found: set[Finding] = set()
        self.limited = limited and only is not None
        for shape in compiled.shapes:
            focus = self.focus_nodes(shape, only)
            if only is not None:
                focus &= only
            if not focus:
                continue
            for result in self.results(shape, focus):
                found.add(to_finding(result))
        names = None if only is None else {str(n) for n in only}
        bulk = run_bulk(compiled.bulk, self.store, self.graphs, names if self.limited else None)
        found.update(f for f in bulk if names is None or f.focus in names)
        return sorted(found)


def _chunks(items: list[str], size: int = 2000) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def to_finding(result: Result) -> Finding:
    shape, focus, component, value = result
    return Finding(shape.severity, shape.check, str(focus), component, shape.path_text,
                   term_text(value) if isinstance(value, (URIRef, Literal)) else "",
                   shape.messages[0] if shape.messages else "")


def _duplicate_lang(values: set[Node]) -> bool:
    langs = [v.language.lower() for v in values if isinstance(v, Literal) and v.language]
    return len(langs) != len(set(langs))


def _datatype(v: Node, rule: Node) -> bool:
    """pyshacl's datatype test: the literal's datatype, and a well-formed lexical form for the XSD types it knows."""
    if not isinstance(v, Literal):
        return False
    if rule == RDFS.Literal:
        return True
    if rule == RDF.langString:
        return bool(v.language) and isinstance(v.value, str)
    if rule == XSD.string and v.datatype is None and not v.language:
        return isinstance(v.value, str)
    if v.datatype != rule:
        return rule == RDFS.Datatype and v.datatype is not None
    if getattr(v, "ill_typed", None) is True:
        return False
    from datetime import date, datetime, time
    from decimal import Decimal

    kinds = {XSD.string: (str, bytes), XSD.integer: (int,), XSD.float: (float,), XSD.decimal: (Decimal,),
             XSD.boolean: (bool,), XSD.date: (date,), XSD.time: (time,), XSD.dateTime: (datetime,)}
    return isinstance(v.value, kinds[rule]) if rule in kinds else True


def _string(v: Node) -> str | None:
    """A value as pyshacl's string-based components read it (None for a blank node)."""
    if isinstance(v, BNode):
        return None
    if isinstance(v, Literal) and v.value is not None and v.datatype in STRING_TYPES:
        return str(v.value)
    return str(v)


def _pattern(v: Node, regex: re.Pattern[str]) -> bool:
    text = _string(v)
    return text is not None and regex.search(text) is not None


def _language_in(v: Node, langs: set[str]) -> bool:
    if not isinstance(v, Literal) or not v.language:
        return False
    lang = v.language.lower()
    return "*" in langs or lang in langs or lang.split("-")[0] in langs


def _range(strict: bool, above: bool) -> object:
    """A min/max (in/ex)clusive test as pyshacl compares: literals only, strings only with strings."""
    def test(v: Node, bound: Literal) -> bool:
        if not isinstance(v, Literal) or isinstance(v.value, str) != isinstance(bound.value, str):
            return False
        try:
            order = _compare(v, bound)
        except (TypeError, NotImplementedError):
            return False
        if above:
            return order > 0 if strict else order >= 0
        return order < 0 if strict else order <= 0
    return test


def _compare(a: Literal, b: Literal) -> int:
    from pyshacl.rdfutil.compare import compare_literal

    return compare_literal(a, b)


def _less(v: Node, other: Node, strict: bool) -> bool:
    """pyshacl's lessThan(OrEquals) test of a value against one value of the other property."""
    def key(n: Node) -> tuple[bool, object]:
        if isinstance(n, URIRef):
            return True, str(n)
        if isinstance(n, Literal) and isinstance(n.value, str):
            return True, n.value
        return False, n
    a_str, a = key(v)
    b_str, b = key(other)
    if a_str != b_str:
        return False
    try:
        return bool(a < b) if strict else bool(a <= b)  # type: ignore[operator]
    except TypeError:
        return False


VALUE_TESTS = {
    SH.datatype: _datatype,
    SH.nodeKind: lambda v, kind: isinstance(v, NODE_KINDS[kind]),
    SH.pattern: _pattern,
    SH.languageIn: _language_in,
    SH.minLength: lambda v, n: (s := _string(v)) is not None and len(s) >= n if n else True,
    SH.maxLength: lambda v, n: (s := _string(v)) is not None and len(s) <= n,
    SH.minInclusive: _range(strict=False, above=True),
    SH.minExclusive: _range(strict=True, above=True),
    SH.maxInclusive: _range(strict=False, above=False),
    SH.maxExclusive: _range(strict=True, above=False),
    SH["in"]: lambda v, allowed: v in allowed,
}


def compiled_findings(store: ox.Store, compiled: CompiledShapes,
                      graphs: list[ox.NamedNode | ox.DefaultGraph] | None = None,
                      literals: LiteralTable | None = None) -> list[Finding]:
    """The SHACL findings of the compiled shapes over `store` (the union of its graphs, or `graphs`), reading
    the literals the store altered from `literals` (literal_table)."""
    return Evaluator(store, graphs, literals).findings(compiled)


def graph_findings(data: Graph, compiled: CompiledShapes) -> list[Finding]:
    """The SHACL findings of the compiled shapes over an rdflib graph (loaded into an in-memory store)."""
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return compiled_findings(store, compiled, literals=literal_table(data))
