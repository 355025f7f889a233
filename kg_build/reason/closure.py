"""Stage 5: the OWL 2 RL closure of the asserted graph under ontology/ctoc.ttl, computed by the fast engine
(fast.py, the default) or by owlrl, the reference the fast engine is tested against.

Only what the closure adds about the data is kept (``dist/inferred.nt``): owlrl's reflexive
``owl:sameAs``, literal- and blank-node triples, statements about vocabulary terms and trivial types
are dropped. owlrl's input leaves out triples that cannot yield anything new: those whose predicate
the ontology never mentions (only owlrl's reflexive ``eq-ref`` and the ``owl:sameAs`` replacement
apply to them; a closure with a non-reflexive sameAs is redone on everything), and those whose
predicate has only rdfs:domain/rdfs:range axioms while their subject and object already have those
types (a literal object: by its own datatype, else a datatype clash would go unseen). That halves the
input; the result is the same (tested). owlrl's literal check (rule dt-not-type) still sees every
literal. The run is bounded by a deadline checked inside owlrl's rule loop.
"""

from __future__ import annotations

import os
import re
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from owlrl import DeductiveClosure, OWLRL_Semantics
from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.Namespaces import ERRNS
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg_build.graph_files import read_graph
from kg_build.namespaces import BASE, ID, PREFIXES
from kg_build.paths import ONTOLOGY_DIR
from kg_build.reason.fast import Deadline, Triple, fast_closure
from kg_build.reason.store import store_closure
from kg_build.serialize import canonical_ntriples
from kg_build.store_terms import LiteralTable

ONTOLOGY_FILE = ONTOLOGY_DIR / "ctoc.ttl"
INFERRED_FILE = "inferred.nt"
DEFAULT_TIMEOUT = 600.0  # seconds; owlrl takes about one on the seed, two minutes on a 100x graph
ENGINES = ("fast", "owlrl")

# Predicates of RDF, RDFS and OWL that carry no OWL RL rule about the data (annotations).
ANNOTATION_PREDICATES = frozenset({RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy})
# Types every resource has: saying them adds nothing.
TRIVIAL_TYPES = frozenset({RDFS.Resource, OWL.Thing, OWL.NamedIndividual})
VOCABULARY_PREFIXES = tuple(sorted({str(ns) for ns in PREFIXES.values()} - {str(ID)}))
IRI_IN_MESSAGE = re.compile(r"(?:https?|urn):[^\s,()'\"]+")


class ReasonTimeout(Exception):
    """The closure did not finish within its time bound."""


@dataclass
class Closure:
    """What owlrl added about the data, its inconsistencies (each names resources) and the effort."""

    inferred: Graph
    inconsistencies: list[str] = field(default_factory=list)
    seconds: float = 0.0
    input_triples: int = 0

    def inconsistent_resources(self) -> list[str]:
        """The IRIs named by the inconsistency messages, sorted."""
        return sorted({m for text in self.inconsistencies for m in IRI_IN_MESSAGE.findall(text)})


def load_ontology(path: Path = ONTOLOGY_FILE) -> Graph:
    """The ontology graph; a missing or unparsable file is an InputError."""
    return read_graph([path])


def _bounded_semantics(deadline: float) -> type[OWLRL_Semantics]:
    """OWLRL_Semantics that raises ReasonTimeout once `deadline` (perf_counter) has passed."""

    class Bounded(OWLRL_Semantics):
        calls = 0

        def rules(self, t, cycle_num):  # type: ignore[no-untyped-def]
            Bounded.calls += 1
            if Bounded.calls % 4096 == 0 and time.perf_counter() > deadline:
                raise ReasonTimeout(f"the OWL RL closure did not finish in time (cycle {cycle_num})")
            super().rules(t, cycle_num)

    return Bounded


def mentioned_terms(ontology: Graph, data: Graph) -> set[URIRef]:
    """Every IRI the schema talks about: in the ontology, or in the data's RDF/RDFS/OWL statements."""
    terms = {n for s, _, o in ontology for n in (s, o) if isinstance(n, URIRef)}
    for s, p, o in data:
        if _structural(p) and p != RDF.type:
            terms.update(n for n in (s, o) if isinstance(n, URIRef))
        elif p == RDF.type and _is_vocabulary(o, (str(RDF), str(RDFS), str(OWL))):
            terms.add(s) if isinstance(s, URIRef) else None
    return terms


def _structural(p: URIRef) -> bool:
    return _is_vocabulary(p, (str(RDF), str(RDFS), str(OWL))) and p not in ANNOTATION_PREDICATES


def _is_vocabulary(node: object, prefixes: tuple[str, ...] = VOCABULARY_PREFIXES) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(prefixes)


def reasoner_input(data: Graph, ontology: Graph, prune: bool = True) -> Graph:
    """The triples that can fire a rule with a new consequence: typing, RDF/RDFS/OWL statements, and triples
    of predicates the schema names, except those whose only rules are domain and range and whose subject
    (and object) is already asserted to be of those classes (the consequence follows from its type); and one
    triple for each OWL RL datatype of the data's literals, as owlrl declares disjoint only the datatypes in use."""
    if not prune:
        return data
    terms = mentioned_terms(ontology, data)
    nodes_in_data = {n for t in data for n in (t[0], t[2]) if n in terms}
    ancestors = class_ancestors(ontology)
    simple = {p: dr for p, dr in domain_range_only(ontology).items() if p not in nodes_in_data}
    types: dict[Node, set[Node]] = {}
    for node, cls in data.subject_objects(RDF.type):
        types.setdefault(node, set()).update(ancestors.get(cls, {cls}))
    kept = Graph()
    datatypes: dict[Node, tuple[Node, Node, Node]] = {}
    for t in data:
        s, p, o = t
        if _structural(p):
            kept.add(t)
        elif p in terms and not (p in simple and _implied(simple[p], types.get(s, set()), o, types)):
            kept.add(t)
        elif isinstance(o, Literal) and o.datatype in OWL_RL_Datatypes:
            datatypes.setdefault(o.datatype, t)
    for t in datatypes.values():
        kept.add(t)  # nothing follows from it (its consequences are implied, or its predicate has no axiom)
    return kept


def _implied(domain_range: tuple[set[Node], set[Node]], subject_types: set[Node], obj: Node,
             types: dict[Node, set[Node]]) -> bool:
    """Whether rdfs:domain / rdfs:range say nothing new: the subject (object) already has those types."""
    domains, ranges = domain_range
    if not domains <= subject_types:
        return False
    if isinstance(obj, Literal):
        return ranges <= literal_types(obj)
    return isinstance(obj, URIRef) and ranges <= types.get(obj, set())


def literal_types(lit: Literal) -> set[Node]:
    """The types owlrl gives a literal whatever its triples say (dt-type2 and the XSD subsumptions): a range
    outside them is a new type, which can clash with a disjoint datatype, so its triple must be kept."""
    if lit.datatype not in OWL_RL_Datatypes:
        return set()
    return {lit.datatype, *OWL_Datatype_Subsumptions.get(lit.datatype, ())}


def class_ancestors(ontology: Graph) -> dict[Node, set[Node]]:
    """Each named class with every class it is a subclass of (itself included), from the ontology."""
    parents: dict[Node, set[Node]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        parents.setdefault(sub, set()).add(sup)
    for a, b in ontology.subject_objects(OWL.equivalentClass):
        parents.setdefault(a, set()).add(b)
        parents.setdefault(b, set()).add(a)
    ancestors: dict[Node, set[Node]] = {}
    for cls in parents:
        seen, todo = {cls}, [cls]
        while todo:
            for sup in parents.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        ancestors[cls] = seen
    return ancestors


def domain_range_only(ontology: Graph) -> dict[Node, tuple[set[Node], set[Node]]]:
    """Properties about which the ontology says nothing but their kind, named-class domains and ranges,
    annotations, and that they are some property's super-property: their only OWL RL rules are prp-dom/rng."""
    kinds = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}
    candidates = {p for p, kind in ontology.subject_objects(RDF.type) if kind in kinds}
    result = {}
    for p in candidates:
        domains, ranges, simple = set(), set(), True
        for pred, obj in ontology.predicate_objects(p):
            if pred == RDFS.domain and isinstance(obj, URIRef):
                domains.add(obj)
            elif pred == RDFS.range and isinstance(obj, URIRef):
                ranges.add(obj)
            elif pred == RDF.type:
                simple &= obj in kinds
            else:
                simple &= not _structural(pred)
        simple &= all(pred == RDFS.subPropertyOf for _, pred in ontology.subject_predicates(p))
        if simple:
            result[p] = (domains, ranges)
    return result


def compute_closure(data: Graph, ontology: Graph, timeout: float = DEFAULT_TIMEOUT, prune: bool = True,
                    engine: str = "fast", ontology_path: Path | str = ONTOLOGY_FILE) -> Closure:
    """The OWL 2 RL closure of `data` under `ontology`, trimmed to what it says about the data, by `engine`:
    "fast" (fast.py; refuses an axiom kind it lacks, naming `ontology_path`) or "owlrl" (input pruned unless
    `prune` is false). Raises ReasonTimeout after `timeout` seconds."""
    if engine not in ENGINES:
        raise ValueError(f"unknown reasoning engine {engine!r}: one of {', '.join(ENGINES)}")
    started = time.perf_counter()
    if engine == "fast":
        try:
            added, errors = fast_closure(data, ontology, started + timeout, ontology_path)
        except Deadline as err:
            raise ReasonTimeout(str(err)) from None
        trimmed = trim(added, None, ontology)
        return Closure(trimmed, errors, time.perf_counter() - started, len(data) + len(ontology))
    source = reasoner_input(data, ontology, prune)
    inferred, errors = _owlrl(source, ontology, started + timeout)
    if prune and any(s != o for s, o in inferred.subject_objects(OWL.sameAs)):
        # owl:sameAs copies every statement of a node, mentioned predicate or not: redo on everything
        source = data
        inferred, errors = _owlrl(source, ontology, started + timeout)
    errors += literal_errors(data) if source is not data else []
    trimmed = trim(inferred, data, ontology)
    return Closure(trimmed, sorted(set(errors)), time.perf_counter() - started, len(source) + len(ontology))


def compute_store_closure(store: ox.Store, ontology: Graph, timeout: float = DEFAULT_TIMEOUT,
                          ontology_path: Path | str = ONTOLOGY_FILE, graph: ox.NamedNode | None = None,
                          literals: LiteralTable | None = None) -> Closure:
    """compute_closure with the fast engine over the triples of `graph` (default: the default graph) of a
    pyoxigraph store (reason/store.py), `literals` holding the input's literals the store altered."""
    started = time.perf_counter()
    try:
        added, errors = store_closure(store, ontology, started + timeout, ontology_path, graph, literals)
    except Deadline as err:
        raise ReasonTimeout(str(err)) from None
    return Closure(trim(added, None, ontology), errors, time.perf_counter() - started, len(store) + len(ontology))


def _owlrl(data: Graph, ontology: Graph, deadline: float) -> tuple[Graph, list[str]]:
    """Run owlrl over data + ontology (one store) into a destination graph; return it and owlrl's errors."""
    store = Dataset(default_union=True)
    asserted = store.graph(URIRef(BASE + "graph/asserted"))
    for t in data:
        asserted.add(t)
    for t in ontology:
        asserted.add(t)
    destination = store.graph(URIRef(BASE + "graph/inferred"))
    with warnings.catch_warnings():  # owlrl calls rdflib's deprecated Dataset.default_context per triple
        warnings.simplefilter("ignore", DeprecationWarning)
        DeductiveClosure(_bounded_semantics(deadline), axiomatic_triples=False, datatype_axioms=False).expand(
            store, destination=destination
        )
    errors = [str(m) for node in destination.subjects(RDF.type, ERRNS.ErrorMessage)
              for m in destination.objects(node, ERRNS.error)]
    return destination, errors


def literal_errors(data: Graph) -> list[str]:
    """owlrl's dt-not-type check (a literal whose lexical form its datatype rejects), on every literal."""
    errors = []
    for lit in {o for o in data.objects() if isinstance(o, Literal) and o.datatype in OWL_RL_Datatypes}:
        try:
            AltXSDToPYTHON.get(lit.datatype, str)(str(lit))
        except ValueError:
            errors.append(f"Lexical value of the literal '{lit}' does not match its datatype ({lit.datatype})")
    return errors


def trim(inferred: Iterable[Triple], data: Graph | None, ontology: Graph) -> Graph:
    """Keep only new, non-trivial triples about data resources (no vocabulary terms, literals, blank nodes);
    `data` None: `inferred` holds no asserted triple."""
    schema = {n for t in ontology for n in (t[0], t[2]) if isinstance(n, URIRef) and not str(n).startswith(str(ID))}
    kept = Graph()
    same_as, rdf_type = OWL.sameAs, RDF.type
    for s, p, o in inferred:
        if isinstance(s, (Literal, BNode)) or isinstance(o, BNode) or isinstance(p, BNode):
            continue
        if (p == same_as and s == o) or (p == rdf_type and o in TRIVIAL_TYPES):
            continue
        if s in schema or _is_vocabulary(s) or (data is not None and (s, p, o) in data):
            continue
        kept.add((s, p, o))
    return kept


def format_inconsistencies(closure: Closure) -> str:
    """One line per inconsistency, then the resources they name."""
    lines = [f"inconsistent: {text}" for text in closure.inconsistencies]
    lines.append("resources: " + ", ".join(closure.inconsistent_resources()))
    return "\n".join(lines)


def write_inferred(folder: Path, closure: Closure) -> Path:
    """Write the closure as sorted canonical N-Triples to folder/inferred.nt (replaced atomically)."""
    path = folder / INFERRED_FILE
    partial = folder / f".{INFERRED_FILE}.partial"
    partial.write_text(canonical_ntriples(closure.inferred), encoding="utf-8", newline="\n")
    os.replace(partial, path)
    return path
