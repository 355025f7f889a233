"""ontology/ctoc.ttl: header, labels and definitions of every term, the README term list, and the alignments at work."""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pytest
from owlrl import DeductiveClosure, OWLRL_Semantics
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg_build.namespaces import CTOC, ELI, ELI_DL, ID, UNDO, VANN
from tests.conftest import ONTOLOGY

TTL = ONTOLOGY / "ctoc.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/ctoc-kg/ontology")
KINDS = {"classes": OWL.Class, "object properties": OWL.ObjectProperty, "datatype properties": OWL.DatatypeProperty,
         "annotation properties": OWL.AnnotationProperty}
CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def ontology() -> Graph:
    graph = Graph()
    with TTL.open("rb") as handle:
        graph.parse(handle, format="turtle")
    return graph


def declared(kind: URIRef) -> set[URIRef]:
    return {s for s in ontology().subjects(RDF.type, kind) if isinstance(s, URIRef) and s.startswith(str(CTOC))}


def terms() -> set[URIRef]:
    return set().union(*(declared(k) for k in KINDS.values()))


@cache
def readme_terms() -> dict[str, set[str]]:
    """The `ctoc-terms` block of ontology/README.md: kind -> local names."""
    text = (ONTOLOGY / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```ctoc-terms\n(.*?)```", text, re.S)
    assert block, "ontology/README.md has no ctoc-terms block"
    listed: dict[str, set[str]] = {}
    for kind, names in re.findall(r"^(\w[\w ]*):\n((?:  .*\n)+)", block.group(1), re.M):
        listed[kind] = set(names.split())
    return listed


def test_header_for_pylode() -> None:
    g, o = ontology(), ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in g
    assert {t.language for t in g.objects(o, DCTERMS.title)} == {"en", "zh"}
    assert g.value(o, DCTERMS.description) is not None
    creator = g.value(o, DCTERMS.creator)
    assert isinstance(creator, URIRef) and g.value(creator, FOAF.name) is not None
    for p in (DCTERMS.created, DCTERMS.modified):
        assert g.value(o, p) == Literal("2026-11-28", datatype=XSD.date)
    assert g.value(o, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(o, VANN.preferredNamespacePrefix) == Literal("ctoc")
    assert g.value(o, VANN.preferredNamespaceUri) == Literal(str(CTOC))


def test_version_is_the_package_version() -> None:
    g, v = ontology(), version("ctoc-kg")
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{v}")
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal(v)


def test_no_blank_nodes() -> None:
    assert not [t for t in ontology() if any(isinstance(x, BNode) for x in t)]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_readme_lists_exactly_the_declared_terms(kind: str) -> None:
    listed = readme_terms()[kind]
    assert listed, kind
    assert {CTOC[n] for n in listed} == declared(KINDS[kind])


@pytest.mark.parametrize("term", sorted(terms()), ids=lambda t: t.removeprefix(str(CTOC)))
def test_term_has_labels_definition_and_is_defined_by(term: URIRef) -> None:
    g = ontology()
    labels = {lit.language: lit for lit in g.objects(term, RDFS.label) if isinstance(lit, Literal)}
    assert set(labels) == {"en", "zh"} and len(list(g.objects(term, RDFS.label))) == 2
    assert CJK.search(str(labels["zh"])), f"Chinese label of {term} has no Chinese"
    definitions = {lit.language: lit for lit in g.objects(term, SKOS.definition) if isinstance(lit, Literal)}
    assert set(definitions) == {"en", "zh"} and len(list(g.objects(term, SKOS.definition))) == 2
    assert CJK.search(str(definitions["zh"])), f"Chinese definition of {term} has no Chinese"
    assert g.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


def test_class_labels_are_unique() -> None:
    for language in ("en", "zh"):
        labels = [str(lit) for c in declared(OWL.Class) for lit in ontology().objects(c, RDFS.label)
                  if lit.language == language]
        assert len(labels) == len(set(labels)), language


def test_class_definitions_name_their_genus() -> None:
    """Genus–differentia: a class below another ctoc: class is defined as 'A(n) <that class's label> …'."""
    g = ontology()
    for cls in declared(OWL.Class):
        parents = [p for p in g.objects(cls, RDFS.subClassOf) if p in declared(OWL.Class)]
        definition = definition_in(cls, "en")
        genera = [str(lit) for p in parents for lit in g.objects(p, RDFS.label) if lit.language == "en"]
        if genera:
            assert any(re.match(rf"An? {re.escape(genus)}\b", definition) for genus in genera), (cls, definition)


def test_chinese_class_definitions_name_their_genus() -> None:
    """Genus–differentia in Chinese: a class below another ctoc: class is defined as '…的<that class's label>'."""
    g = ontology()
    for cls in declared(OWL.Class):
        parents = [p for p in g.objects(cls, RDFS.subClassOf) if p in declared(OWL.Class)]
        genera = [str(lit) for p in parents for lit in g.objects(p, RDFS.label) if lit.language == "zh"]
        if genera:
            assert any(genus in definition_in(cls, "zh") for genus in genera), (cls, definition_in(cls, "zh"))


def definition_in(term: URIRef, language: str) -> str:
    return next(str(d) for d in ontology().objects(term, SKOS.definition) if d.language == language)


def test_property_definitions_start_with_a_verb() -> None:
    for p in declared(OWL.ObjectProperty) | declared(OWL.DatatypeProperty) | declared(OWL.AnnotationProperty):
        assert re.match(r"(Relates|Gives|Names|Counts|States) ", definition_in(p, "en")), p
        assert re.match(r"(将|给出|指明|计算|说明|以)", definition_in(p, "zh")), p


def test_external_terms_are_the_verified_ones() -> None:
    """Every external term the axioms use is listed in the header comment that says where it was checked."""
    text = TTL.read_text(encoding="utf-8")
    comment = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    g = ontology()
    used = {o for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range)
            for o in g.objects(None, p) if isinstance(o, URIRef)}
    external = {o for o in used if not o.startswith(str(CTOC)) and not o.startswith(str(XSD))
                and o != RDF.langString}
    for term in sorted(external):
        prefix, _, name = g.namespace_manager.normalizeUri(term).partition(":")
        assert f"{prefix}:{name}" in comment, f"{prefix}:{name} is used but not among the verified terms"


def test_jointmeetingwith_is_symmetric_and_alignments_as_agreed() -> None:
    g = ontology()
    assert (CTOC.jointMeetingWith, RDF.type, OWL.SymmetricProperty) in g
    expected = [
        (CTOC.TextUnit, RDFS.subClassOf, ELI.WorkSubdivision),
        (CTOC.Provision, RDFS.subClassOf, ELI.LegalResourceSubdivision),
        (CTOC.MeetingReport, RDFS.subClassOf, UNDO.MeetingReport),  # issue 10: a note is a report, not a meeting report
        (CTOC.Membership, RDFS.subClassOf, ORG.Membership),
        (CTOC.subOrganizationOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
        (CTOC.cites, RDFS.subPropertyOf, ELI.cites),
        (CTOC.statedIn, RDFS.subPropertyOf, PROV.wasDerivedFrom),
    ]
    assert all(t in g for t in expected)


# -- the alignments at work: a small graph shaped like the report's, closed under OWL 2 RL ------------

REPORT = ID["report/wg-international-cooperation/2012-10-15"]
ITEM = URIRef(f"{REPORT}/para_37/item_c")
ART = ID["convention/untoc/art_18/para_13"]
REC = URIRef(f"{ITEM}/recommendation")


def closure(extra: list[tuple[URIRef, URIRef, URIRef]] | None = None) -> Graph:
    """Ontology plus para 37(c) as the build maps it: who requests whom, and what it cites."""
    g = Graph()
    for t in ontology():
        g.add(t)
    wg, unodc = ID["body/wg-international-cooperation"], ID["body/unodc"]
    member_states, io = ID["group/member-states"], ID["group/relevant-international-organizations"]
    person, part = ID["person/karen-kramer"], URIRef(f"{REPORT}/para_14/participation/karen-kramer")
    membership = ID["network/ioc-platform/membership/FRA"]
    data = [
        (ITEM, RDF.type, CTOC.Item), (ITEM, CTOC.inReport, REPORT), (ITEM, CTOC.cites, ART),
        (REC, RDF.type, CTOC.Recommendation), (REC, CTOC.proponent, wg), (REC, CTOC.statedIn, ITEM),
        (REC, CTOC.addressee, member_states), (REC, CTOC.addressee, io),
        (REC, CTOC.action, ID["concept/action/requests"]), (REC, CTOC.action, ID["concept/action/invites"]),
        (ART, RDF.type, CTOC.ArticleParagraph), (wg, RDF.type, CTOC.WorkingGroup),
        (wg, CTOC.jointMeetingWith, ID["body/wg-technical-assistance"]),
        (part, RDF.type, CTOC.Participation), (part, CTOC.participant, person), (part, CTOC.inNameOf, unodc),
        (membership, RDF.type, CTOC.Membership), (membership, ORG.member, ID["state/FRA"]),
    ]
    for t in data + (extra or []):
        g.add(t)
    DeductiveClosure(OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    return g


def errors(g: Graph) -> list[str]:
    return [str(m) for node in g.subjects(RDF.type, ERRNS.ErrorMessage) for m in g.objects(node, ERRNS.error)]


def test_closure_of_a_recommendation_reaches_eli_undo_prov_and_org() -> None:
    g = closure()
    assert not errors(g)
    inferred = [
        (ITEM, RDF.type, ELI.WorkSubdivision), (ITEM, DCTERMS.isPartOf, REPORT),
        (ITEM, ELI.cites, ART), (ART, RDF.type, ELI.LegalResourceSubdivision),
        (REC, RDF.type, UNDO.Relation), (REC, RDF.type, PROV.Entity), (REC, PROV.wasDerivedFrom, ITEM),
        (REC, UNDO.hasProponent, ID["body/wg-international-cooperation"]),
        (REC, UNDO.hasReceiver, ID["group/member-states"]), (REC, UNDO.hasSemantics, ID["concept/action/invites"]),
        (ID["group/member-states"], RDF.type, FOAF.Agent), (ID["concept/action/requests"], RDF.type, SKOS.Concept),
        (ID["body/wg-international-cooperation"], RDF.type, ORG.OrganizationalUnit),
        (ID["body/wg-technical-assistance"], CTOC.jointMeetingWith, ID["body/wg-international-cooperation"]),
        (URIRef(f"{REPORT}/para_14/participation/karen-kramer"), ELI_DL.had_participant_person,
         ID["person/karen-kramer"]),
        (URIRef(f"{REPORT}/para_14/participation/karen-kramer"), RDF.type, ELI_DL.Participation),
        (ID["person/karen-kramer"], RDF.type, FOAF.Person), (ID["person/karen-kramer"], RDF.type, ELI.Person),
        (ID["network/ioc-platform/membership/FRA"], RDF.type, ORG.Membership),
    ]
    missing = [t for t in inferred if t not in g]
    assert not missing, missing
    assert (ITEM, RDF.type, ELI.LegalResourceSubdivision) not in g  # a report paragraph is no legal act


def test_disjoint_classes_are_reported() -> None:
    """A node typed both State and Person, or a paragraph typed as an agent, makes the graph inconsistent."""
    assert errors(closure([(ID["state/ECU"], RDF.type, CTOC.State), (ID["state/ECU"], RDF.type, CTOC.Person)]))
    assert errors(closure([(ITEM, RDF.type, CTOC.Body)]))


# -- OWL 2 DL: HermiT (bundled with owlready2, run on Java) over the ontology and the built data ------------


def hermit(sources: list[Path], folder: Path) -> list[str]:
    """Run HermiT over the N-Triples of `sources` (Turtle or N-Triples); return the unsatisfiable classes.

    Raises owlready2's OwlReadyInconsistentOntologyError when the whole is inconsistent and OwlReadyJavaError
    when HermiT refuses the input (such as a datatype outside the OWL 2 datatype map)."""
    from owlready2 import Nothing, World, sync_reasoner_hermit  # imported late: only these tests need it

    world = World()
    for index, source in enumerate(sources):
        target = source
        if source.suffix != ".nt":
            target = folder / f"input-{index}.nt"
            target.write_bytes(Graph().parse(source, format="turtle").serialize(format="nt", encoding="utf-8"))
        world.get_ontology(target.as_uri()).load(format="ntriples")
    sync_reasoner_hermit(world, debug=0)
    return sorted(str(c.iri) for c in world.inconsistent_classes() if c is not Nothing)


def test_hermit_finds_ontology_and_build_consistent_with_no_unsatisfiable_class(built_dist: Path,
                                                                                tmp_path: Path) -> None:
    assert hermit([TTL, built_dist / "kg.nt"], tmp_path) == []


def test_hermit_reports_an_unsatisfiable_class_and_an_inconsistent_graph(tmp_path: Path) -> None:
    """The check above can fail: a class below two disjoint classes is unsatisfiable, a node in both is
    inconsistent."""
    from owlready2 import OwlReadyInconsistentOntologyError

    bad_class = tmp_path / "bad-class.ttl"
    bad_class.write_text(f"<{CTOC}StatePerson> a <{OWL.Class}> ;"
                         f" <{RDFS.subClassOf}> <{CTOC.State}> , <{CTOC.Person}> .\n", encoding="utf-8")
    assert hermit([TTL, bad_class], tmp_path) == [f"{CTOC}StatePerson"]
    bad_node = tmp_path / "bad-node.ttl"
    bad_node.write_text(f"<{ID}state/ECU> a <{CTOC.State}> , <{CTOC.Person}> .\n", encoding="utf-8")
    with pytest.raises(OwlReadyInconsistentOntologyError):
        hermit([TTL, bad_node], tmp_path)
