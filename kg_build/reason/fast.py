"""Stage 5, the fast engine: the OWL 2 RL closure for exactly the axiom kinds this engine lists, by set
operations in Python over the graph's triples, equal to owlrl's closure after the same trim (tested).

The ontology (and any RDF/RDFS/OWL statement in the data) may use only the kinds in SUPPORTED: named
classes and properties related by rdfs:subClassOf, rdfs:subPropertyOf, rdfs:domain, rdfs:range,
owl:equivalentClass, owl:equivalentProperty, owl:inverseOf and owl:disjointWith, and properties declared
owl:SymmetricProperty or owl:TransitiveProperty. `ensure_supported` refuses anything else (a restriction,
a list, owl:sameAs, a functional property …) in one line, so a new axiom kind fails loudly instead of
silently changing the answers. With those kinds every OWL 2 RL rule that can say something about the data is
one of prp-spo1, prp-symp, prp-inv, prp-trp, prp-eqp, prp-dom, prp-rng, cax-sco, cax-eqc (consequences) and
cax-dw and dt-not-type (inconsistencies), plus owlrl's typing of literals by their datatype (dt-type2 and the
XSD subsumptions), which only matters for the datatype disjointness owlrl adds (a literal with a datatype
range it does not have). The work is one pass over the graph and a fixpoint over the triples of the few
properties with property axioms, so it needs no partitioning: the rules are local to a triple, except
disjointness, which needs each node's types over the whole graph.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from kg_build.errors import InputError

Triple = tuple[Node, Node, Node]

BUILT_IN = (str(RDF), str(RDFS), str(OWL))
# Axioms between named terms: the predicate of each kind this engine implements.
AXIOM_PREDICATES = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
                              OWL.equivalentProperty, OWL.inverseOf, OWL.disjointWith})
# Property characteristics this engine implements (rdf:type objects).
CHARACTERISTICS = frozenset({OWL.SymmetricProperty, OWL.TransitiveProperty})
# Declarations and annotations: no OWL 2 RL rule derives anything about the data from them.
DECLARATIONS = frozenset({OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                          RDF.Property, OWL.NamedIndividual, OWL.Ontology, RDFS.Datatype, OWL.Thing})
ANNOTATIONS = frozenset({RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.versionIRI})
SUPPORTED = AXIOM_PREDICATES | CHARACTERISTICS | DECLARATIONS | ANNOTATIONS | {RDF.type}
# Built-in classes an axiom may name: the top class and datatypes (XSD's are always allowed).
BUILT_IN_CLASSES = frozenset({OWL.Thing, RDFS.Resource, RDFS.Literal, RDF.langString, RDF.PlainLiteral,
                              RDF.XMLLiteral})
CLASS_AXIOMS = frozenset({RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range})
PROPERTY_AXIOMS = frozenset({RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf})
_DATATYPES = frozenset(OWL_RL_Datatypes)
_TYPE = RDF.type  # rdflib's namespace attributes are slow in a loop
DISJOINT_MESSAGE = "Disjoint classes {} and {} have a common individual {}"
LITERAL_MESSAGE = "Lexical value of the literal '{}' does not match its datatype ({})"
CHECK_EVERY = 65536  # triples between deadline checks


class UnsupportedAxiom(InputError):
    """The ontology (or the data) uses an axiom kind the fast engine does not implement."""


class Deadline(Exception):
    """The fast closure ran past its deadline (closure.py turns it into ReasonTimeout)."""


@dataclass(frozen=True)
class Schema:
    """The axioms, closed: each term with its super-classes (super-properties), reflexive and transitive."""

    superclasses: dict[Node, frozenset[Node]]
    superproperties: dict[Node, frozenset[Node]]
    domains: dict[Node, frozenset[Node]]
    ranges: dict[Node, frozenset[Node]]
    inverses: dict[Node, frozenset[Node]]
    symmetric: frozenset[Node]
    transitive: frozenset[Node]
    disjoint: tuple[tuple[Node, Node], ...]

    def ancestors(self, cls: Node) -> frozenset[Node]:
        return self.superclasses.get(cls) or frozenset({cls})

    def deriving_properties(self) -> frozenset[Node]:
        """Properties whose triples yield other triples: a super-property, an inverse, symmetry, transitivity."""
        strict = {p for p, sups in self.superproperties.items() if len(sups) > 1}
        return frozenset(strict | set(self.inverses) | self.symmetric | self.transitive)

    def target_properties(self) -> frozenset[Node]:
        """Properties a derived triple can have."""
        supers = {q for sups in self.superproperties.values() for q in sups}
        return frozenset(self.deriving_properties() | supers | {q for qs in self.inverses.values() for q in qs})

    def typing_properties(self) -> frozenset[Node]:
        """Properties with a domain or a range."""
        return frozenset(set(self.domains) | set(self.ranges))


def ensure_supported(graph: Graph, path: Path | str = "ontology") -> None:
    """Raise UnsupportedAxiom (one line: file, line of first use, axiom, term) on any RDF/RDFS/OWL statement
    outside SUPPORTED: a kind this engine lacks would otherwise change the closure without a word."""
    _ensure_supported_triples(schema_triples(graph), path, graph)


def _ensure_supported_triples(triples: Iterable[Triple], path: Path | str, graph: Graph | None = None) -> None:
    for s, p, o in triples:
        problem = _unsupported(s, p, o)
        if problem:
            line = _line_of(path, graph, p if p != RDF.type else o) if graph is not None else 0
            raise UnsupportedAxiom(path, line, f"the fast reasoner does not support {problem}; use --engine "
                                   "owlrl or add the axiom kind to kg_build/reason/fast.py")


def schema_triples(graph: Graph) -> Iterator[Triple]:
    """The statements whose predicate, or rdf:type object, is an RDF, RDFS or OWL term."""
    for s, p, o in graph:
        if _built_in(p) and (p != RDF.type or _built_in(o)) and p not in ANNOTATIONS:
            yield s, p, o


def _unsupported(s: Node, p: Node, o: Node) -> str:
    """What is wrong with a schema triple for this engine, or '' when it is a supported axiom."""
    name = _short(p if p != RDF.type else o)
    if p not in SUPPORTED or (p == RDF.type and o not in SUPPORTED):
        return f"{name} (on {_short(s)})"
    if isinstance(s, BNode) or isinstance(o, BNode):
        return f"{name} with an anonymous class or property (on {_short(s)})"
    if p == RDF.type:
        return ""
    if _built_in(s) or str(s).startswith(str(XSD)):
        return f"{name} on the built-in term {_short(s)}"
    if p in PROPERTY_AXIOMS and _built_in(o) and o not in ANNOTATIONS:
        return f"{name} {_short(o)} (on {_short(s)})"
    if p in CLASS_AXIOMS and _built_in(o) and o not in BUILT_IN_CLASSES:
        return f"{name} {_short(o)} (on {_short(s)})"
    if p == OWL.disjointWith and _built_in(o):
        return f"{name} {_short(o)} (on {_short(s)})"
    return ""


def _built_in(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(BUILT_IN)


def _short(node: Node) -> str:
    for prefix, ns in (("rdf", RDF), ("rdfs", RDFS), ("owl", OWL), ("xsd", XSD)):
        if isinstance(node, URIRef) and str(node).startswith(str(ns)):
            return f"{prefix}:{str(node)[len(str(ns)):]}"
    return "a blank node" if isinstance(node, BNode) else str(node)


def _line_of(path: Path | str, graph: Graph, term: Node) -> int:
    """The first line of the file `path` naming `term` (full IRI or prefixed name), 0 when not found."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    forms = [f"<{term}>"] + [f"{prefix}:{str(term)[len(str(ns)):]}" for prefix, ns in graph.namespaces()
                             if str(term).startswith(str(ns)) and prefix]
    return next((n for n, line in enumerate(lines, 1) if any(form in line for form in forms)), 0)


def read_schema(triples: Iterable[Triple]) -> Schema:
    """The supported axioms among `triples`, closed as owlrl's scm-* rules close them."""
    sub_class, sub_property = defaultdict(set), defaultdict(set)
    domains, ranges, inverses = defaultdict(set), defaultdict(set), defaultdict(set)
    symmetric, transitive, disjoint = set(), set(), []
    for s, p, o in triples:
        if p == RDFS.subClassOf:
            sub_class[s].add(o)
        elif p == OWL.equivalentClass:
            sub_class[s].add(o)
            sub_class[o].add(s)
        elif p == RDFS.subPropertyOf:
            sub_property[s].add(o)
        elif p == OWL.equivalentProperty:
            sub_property[s].add(o)
            sub_property[o].add(s)
        elif p == RDFS.domain:
            domains[s].add(o)
        elif p == RDFS.range:
            ranges[s].add(o)
        elif p == OWL.inverseOf:
            inverses[s].add(o)
            inverses[o].add(s)
        elif p == OWL.disjointWith:
            disjoint.append((s, o))
        elif p == RDF.type and o == OWL.SymmetricProperty:
            symmetric.add(s)
        elif p == RDF.type and o == OWL.TransitiveProperty:
            transitive.add(s)
    return Schema(_reflexive_transitive(sub_class), _reflexive_transitive(sub_property), _frozen(domains),
                  _frozen(ranges), _frozen(inverses), frozenset(symmetric), frozenset(transitive),
                  tuple(sorted(set(disjoint))))


def _reflexive_transitive(parents: dict[Node, set[Node]]) -> dict[Node, frozenset[Node]]:
    """Each node of `parents` with everything reachable from it, itself included."""
    closed = {}
    for start in parents:
        seen, todo = {start}, [start]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        closed[start] = frozenset(seen)
    return closed


def _frozen(mapping: dict[Node, set[Node]]) -> dict[Node, frozenset[Node]]:
    return {key: frozenset(values) for key, values in mapping.items()}


@dataclass
class Facts:
    """What one pass over the asserted triples collects for the rules."""

    types: dict[Node, set[Node]]  # asserted rdf:type objects per node
    typing: list[Triple]  # triples of properties with a domain or range and no other property axiom
    deriving: set[Triple]  # triples of properties with property axioms
    targets: set[Triple]  # triples of the properties derived triples can have (to tell derived from asserted)
    literals: set[Literal]  # literals whose datatype is an OWL RL datatype
    schema: list[Triple]  # RDF/RDFS/OWL statements (ensure_supported checks those of the data)


# What collect does with a triple, by its predicate (bit flags: a property can be typing and a target).
OTHER, TYPE, DERIVING, TYPING, SCHEMA, TARGET = 0, 1, 2, 4, 8, 16


def collect(graphs: Iterable[Graph], schema: Schema, deadline: float) -> Facts:
    """One pass over `graphs`: the rdf:type statements, the triples the rules read, the typed literals and
    the schema statements."""
    facts = Facts(defaultdict(set), [], set(), set(), set(), [])
    kinds = _predicate_kinds(schema)
    types, literals, datatypes = facts.types, facts.literals, _DATATYPES
    for graph in graphs:
        for n, t in enumerate(graph):
            if n % CHECK_EVERY == 0:
                _check(deadline)
            s, p, o = t
            if isinstance(o, Literal) and o.datatype in datatypes:
                literals.add(o)
            kind = kinds.get(p)
            if kind is None:
                kind = kinds[p] = SCHEMA if _built_in(p) and p not in ANNOTATIONS else OTHER
            if not kind:
                continue
            if kind & TYPE:
                types[s].add(o)
                if _built_in(o):
                    facts.schema.append(t)
            elif kind & DERIVING:
                facts.deriving.add(t)
            elif kind & TYPING:
                facts.typing.append(t)
            elif kind & SCHEMA:
                facts.schema.append(t)
            if kind & TARGET:
                facts.targets.add(t)
    return facts


def _predicate_kinds(schema: Schema) -> dict[Node, int]:
    """The flags of every property the schema names."""
    kinds: dict[Node, int] = defaultdict(int)
    for p in schema.typing_properties():
        kinds[p] |= TYPING
    for p in schema.deriving_properties():
        kinds[p] = (kinds[p] & ~TYPING) | DERIVING  # a deriving property's triples are typed from the closure
    for p in schema.target_properties():
        kinds[p] |= TARGET
    kinds[_TYPE] = TYPE
    return dict(kinds)


def indexed_axioms(graph: Graph) -> list[Triple]:
    """The supported axioms of `graph`, read from its predicate index (no pass over the whole graph)."""
    found = [t for p in AXIOM_PREDICATES for t in graph.triples((None, p, None))]
    return found + [t for c in CHARACTERISTICS for t in graph.triples((None, RDF.type, c))]


def derive_triples(asserted: set[Triple], schema: Schema, deadline: float) -> set[Triple]:
    """The fixpoint of prp-spo1, prp-eqp, prp-symp, prp-inv and prp-trp from `asserted`, asserted ones included."""
    known: set[Triple] = set()
    outgoing: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
    incoming: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
    todo = list(asserted)
    while todo:
        t = todo.pop()
        if t in known:
            continue
        known.add(t)
        if len(known) % CHECK_EVERY == 0:
            _check(deadline)
        x, p, y = t
        todo.extend((x, q, y) for q in schema.superproperties.get(p, ()) if q != p)
        todo.extend((y, q, x) for q in schema.inverses.get(p, ()))
        if p in schema.symmetric:
            todo.append((y, p, x))
        if p in schema.transitive:
            outgoing[p][x].add(y)
            incoming[p][y].add(x)
            todo.extend((x, p, z) for z in outgoing[p].get(y, ()))
            todo.extend((w, p, y) for w in incoming[p].get(x, ()))
    return known


def node_types(facts: Facts, triples: Iterable[Triple], schema: Schema, deadline: float) -> dict[Node, set[Node]]:
    """Each node's direct types: asserted (with owlrl's XSD subsumptions of an asserted datatype), from the
    domains and ranges of the triples it is in, and for typed literals their datatype and its super-types."""
    direct: dict[Node, set[Node]] = defaultdict(set)
    for node, classes in facts.types.items():
        direct[node] = set(classes)
        if not classes.isdisjoint(_DATATYPES):
            direct[node].update(sup for cls in classes for sup in OWL_Datatype_Subsumptions.get(cls, ()))
    for literal in facts.literals:
        direct[literal].add(literal.datatype)
        direct[literal].update(OWL_Datatype_Subsumptions.get(literal.datatype, ()))
    for n, (x, p, y) in enumerate(triples):
        if n % CHECK_EVERY == 0:
            _check(deadline)
        if p in schema.domains:
            direct[x].update(schema.domains[p])
        if p in schema.ranges:
            direct[y].update(schema.ranges[p])
    return direct


def used_datatypes(facts: Facts) -> set[Node]:
    """The datatypes owlrl counts as used: of the graph's literals, asserted as types, and their super-types."""
    used = {lit.datatype for lit in facts.literals}
    used.update(cls for classes in facts.types.values() for cls in classes & _DATATYPES)
    used.update(sup for dt in list(used) for sup in OWL_Datatype_Subsumptions.get(dt, ()))
    return used


def fast_closure(data: Graph, ontology: Graph, deadline: float,
                 ontology_path: Path | str = "ontology") -> tuple[list[Triple], list[str]]:
    """The triples the OWL 2 RL closure of data + ontology adds (none of them asserted; before the trim) and its
    inconsistencies.
    Raises UnsupportedAxiom for an axiom kind outside SUPPORTED, Deadline past `deadline` (perf_counter)."""
    ensure_supported(ontology, ontology_path)
    schema = read_schema([*schema_triples(ontology), *indexed_axioms(data)])
    facts = collect((data, ontology), schema, deadline)
    return close(facts, schema, deadline)


def close(facts: Facts, schema: Schema, deadline: float,
          typing: Iterable[Triple] | None = None) -> tuple[list[Triple], list[str]]:
    """The rules over collected facts: what the closure adds and its inconsistencies. `typing`: the triples of
    the typing properties when `facts.typing` does not hold them (streamed from a store, not kept)."""
    _ensure_supported_triples(facts.schema, "the asserted graph")
    _check(deadline)
    closed = derive_triples(facts.deriving, schema, deadline)
    typing_triples = facts.typing if typing is None else _chain(facts.typing, typing)
    direct = node_types(facts, _chain(typing_triples, closed), schema, deadline)
    _check(deadline)
    used = used_datatypes(facts)
    disjoint = schema.disjoint + tuple((a, b) for a, _, b in OWLRL_Datatypes_Disjointness if a in used and b in used)
    added = [t for t in closed if t not in facts.targets]
    errors = literal_errors(facts.literals)
    cache: dict[frozenset[Node], tuple[frozenset[Node], list[tuple[Node, Node]]]] = {}
    for n, (node, classes) in enumerate(direct.items()):
        if n % CHECK_EVERY == 0:
            _check(deadline)
        key = frozenset(classes)
        if key not in cache:
            full = frozenset(c for cls in key for c in schema.ancestors(cls))
            cache[key] = full, [(a, b) for a, b in disjoint if a in full and b in full]
        full, clashes = cache[key]
        errors += [DISJOINT_MESSAGE.format(a, b, node) for a, b in clashes]
        if not isinstance(node, Literal):
            asserted = facts.types.get(node, set())
            added += [(node, _TYPE, cls) for cls in full if cls not in asserted]
    return added, sorted(set(errors))


def literal_errors(literals: Iterable[Literal]) -> list[str]:
    """owlrl's dt-not-type: a literal whose lexical form its (OWL RL) datatype rejects."""
    errors = []
    for lit in literals:
        try:
            AltXSDToPYTHON.get(lit.datatype, str)(str(lit))
        except ValueError:
            errors.append(LITERAL_MESSAGE.format(lit, lit.datatype))
    return errors


def _chain(*parts: Iterable[Triple]) -> Iterator[Triple]:
    for part in parts:
        yield from part


def _check(deadline: float) -> None:
    if time.perf_counter() > deadline:
        raise Deadline("the OWL RL closure (fast engine) did not finish in time")
