"""The domain layer of the seed build: entities, what the report says, provenance of every fact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS

from kg_build.namespaces import CTOC, ELI
from kg_build.pipeline import build_graph
from tests.conftest import FIXTURES, SEED

ID = "https://w3id.org/ctoc-kg/id/"
REPORT = f"{ID}report/wg-international-cooperation/2012-10-15"
FACT_SOURCES = {CTOC.Conclusion: CTOC.statedIn, CTOC.Recommendation: CTOC.statedIn, CTOC.Statement: CTOC.statedIn,
                CTOC.Participation: CTOC.statedIn, CTOC.Membership: CTOC.statedIn, CTOC.Question: CTOC.raisedIn,
                CTOC.Mention: CTOC.mentionIn, CTOC.Citation: CTOC.citingUnit, CTOC.JointMeeting: CTOC.statedIn,
                CTOC.MeetingDay: CTOC.statedIn, CTOC.Meeting: CTOC.statedIn, CTOC.AgendaItem: CTOC.statedIn}
UNIT_CLASSES = {CTOC.HeaderLine, CTOC.Chapter, CTOC.Section, CTOC.Subsection, CTOC.Paragraph, CTOC.Item,
                CTOC.Footnote, CTOC.Annex, CTOC.AnnexRow}


def node(path: str) -> URIRef:
    return URIRef(ID + path)


def test_no_fact_lacks_its_source_unit(kg: Graph) -> None:
    checked = 0
    for cls, prop in FACT_SOURCES.items():
        for fact in set(kg.subjects(RDF.type, cls)):
            units = set(kg.objects(fact, prop))
            assert units, f"{fact} has no {prop}"
            for unit in units:
                assert set(kg.objects(unit, RDF.type)) & UNIT_CLASSES, f"{fact}: {unit} is not a text unit"
                assert kg.value(unit, CTOC.textAnchor) is not None
            checked += 1
    assert checked > 250


def test_registry_entities_point_to_their_registry_file(kg: Graph) -> None:
    for cls in (CTOC.State, CTOC.Person, CTOC.JudicialNetwork, CTOC.WorkingGroup, CTOC.Decision):
        for entity in set(kg.subjects(RDF.type, cls)):
            sources = set(kg.objects(entity, PROV.wasDerivedFrom))
            assert any((s, RDF.type, CTOC.RegistryFile) in kg for s in sources), entity
            labels = {lit.language for lit in kg.objects(entity, RDFS.label)}
            assert {"en", "zh"} <= labels, entity


def test_states_carry_codes_and_cldr_names(kg: Graph) -> None:
    ecuador = node("state/ECU")
    assert kg.value(ecuador, CTOC.iso3166Alpha2) == Literal("EC")
    assert kg.value(ecuador, CTOC.m49) == Literal("218")
    assert kg.value(ecuador, CTOC.wikidata) == URIRef("http://www.wikidata.org/entity/Q736")
    names = {lit.language: str(lit) for lit in kg.objects(ecuador, CTOC.cldrName)}
    assert names == {"ar": "الإكوادور", "en": "Ecuador", "es": "Ecuador", "fr": "Équateur", "ru": "Эквадор",
                     "zh": "厄瓜多尔"}
    assert Literal("厄瓜多尔", lang="zh") in set(kg.objects(ecuador, RDFS.label))
    assert len(set(kg.subjects(RDF.type, CTOC.State))) == 199  # every State of the series-wide reference data
    named = {kg.value(m, CTOC.refersTo) for m in kg.subjects(CTOC.mentionType, Literal("State"))} - {None}
    assert len(named) == 35  # 31 speakers (para 40) + Comoros, Madagascar, Mauritius, Seychelles (para 17);
    # Ecuador, Chile and France are among the speakers


def test_outcomes_as_the_report_states_them(kg: Graph) -> None:
    rec = URIRef(f"{REPORT}/para_37/item_a/recommendation")
    assert (rec, RDF.type, CTOC.Recommendation) in kg
    assert (rec, CTOC.cites, node("convention/untoc/art_18/para_13")) in kg
    assert (rec, CTOC.addressee, node("group/member-states")) in kg
    assert (rec, CTOC.action, node("concept/action/requests")) in kg
    assert (rec, CTOC.topic, node("concept/topic/cultural-property")) in kg
    assert set(kg.objects(rec, CTOC.proponent)) == {node("body/wg-international-cooperation"),
                                                     node("body/wg-technical-assistance")}
    conclusion = URIRef(f"{REPORT}/para_3/item_f/conclusion")
    assert kg.value(conclusion, CTOC.consensusReached) == Literal(False)
    assert len(set(kg.subjects(RDF.type, CTOC.Recommendation))) == 11
    assert len(set(kg.subjects(RDF.type, CTOC.Conclusion))) == 3


def test_questions(kg: Graph) -> None:
    units = {str(kg.value(q, CTOC.raisedIn)).removeprefix(REPORT + "/") for q in kg.subjects(RDF.type, CTOC.Question)}
    assert units == {"para_6", "para_7", "para_8/item_a", "para_8/item_b", "para_8/item_c", "para_8/item_d", "para_35"}


def test_meeting(kg: Graph) -> None:
    meeting = node("meeting/wg-international-cooperation/2012-10-15")
    assert kg.value(URIRef(REPORT), CTOC.reportOf) == meeting
    assert kg.value(meeting, CTOC.meetingNumber) == Literal(4)  # "第四次会议" (paras 1 and 39)
    assert kg.value(meeting, CTOC.numberOfSittings) == Literal(5)  # "总共五场会议" (para 39)
    assert kg.value(meeting, CTOC.meetingOf) == node("body/wg-international-cooperation")
    items = {str(kg.value(i, ELI.number)) for i in kg.objects(meeting, CTOC.hasAgendaItem)}
    assert items == {"1(b)", "2", "3", "4", "5", "6", "7"}
    joint = URIRef(f"{meeting}/joint/2012-10-18")
    assert set(kg.objects(joint, CTOC.meetingOf)) == {node("body/wg-international-cooperation"),
                                                       node("body/wg-technical-assistance")}


def test_network_membership_note(kg: Graph) -> None:
    membership = node("network/ioc-platform/membership/FRA")
    assert kg.value(membership, ORG.member) == node("state/FRA")
    assert kg.value(membership, CTOC.memberNote) == Literal("留尼汪", lang="zh")


def test_unlinked_mention_is_a_warning_and_kept(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace("摩洛哥和以色列", "摩洛哥、乌有之乡和以色列")
    report = tmp_path / "variant.zh.txt"
    report.write_text(text, encoding="utf-8")
    report.with_suffix(".yaml").write_text("body: wg-international-cooperation\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kg_build.cli", "build", str(report), "--out", str(tmp_path / "d")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "warning: variant.zh.txt:168: para_40: '乌有之乡': name not found in the registries" in result.stderr
    graph = Graph().parse(tmp_path / "d" / "kg.nt", format="nt")
    mentions = [m for m in graph.subjects(CTOC.mentionText, Literal("乌有之乡", lang="zh"))]
    assert len(mentions) == 1 and graph.value(mentions[0], CTOC.refersTo) is None
    assert len(set(graph.subjects(RDF.type, CTOC.Statement))) == 34  # the unlinked speaker makes no statement


def test_unused_registry_entries_are_reported(tmp_path: Path) -> None:
    """Report-specific entries no report uses are listed; the series-wide reference data (199 States, every
    body, organization and instrument) is complete by design and never listed."""
    note = FIXTURES / "link" / "cop-untoc-2015.zh.txt"
    result = subprocess.run([sys.executable, "-m", "kg_build.cli", "build", str(note), "--out", str(tmp_path / "d")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("registry entries no report uses"))
    assert line.startswith("registry entries no report uses (17): network/aiamp, ")
    assert "person/mauro-miedico" in line and "resolution/cop-untoc/5-7" in line
    assert "state/" not in result.stdout and "organization/" not in result.stdout and "body/" not in result.stdout
    seed = subprocess.run([sys.executable, "-m", "kg_build.cli", "build", "--out", str(tmp_path / "s")],
                          capture_output=True, text=True)
    assert "registry entries no report uses" not in seed.stdout  # every report-specific entry is used


def test_an_act_missing_from_the_registry_claims_no_registry_source(tmp_path: Path) -> None:
    """A decision the text cites but acts.yaml lacks is still a node, without prov:wasDerivedFrom acts.yaml."""
    report = tmp_path / "mini.zh.txt"
    report.write_bytes((Path(__file__).parent / "fixtures" / "extract" / "mini-report.zh.txt").read_bytes())
    (tmp_path / "mini.zh.yaml").write_text("body: wg-international-cooperation\n", encoding="utf-8")
    graph = build_graph([report]).graph
    unknown, known = node("decision/cop-untoc/6-1"), node("decision/cop-untoc/3-2")
    assert (unknown, RDF.type, CTOC.Decision) in graph and graph.value(unknown, PROV.wasDerivedFrom) is None
    assert (None, CTOC.cited, unknown) in graph
    assert graph.value(known, PROV.wasDerivedFrom) == node("source/registry/acts.yaml")


def test_topic_articles_belong_to_the_instrument_topics_yaml_names(tmp_path: Path, kg: Graph) -> None:
    """topics.yaml keys a topic's articles by instrument: none is assumed by the code (a Protocol's article
    stays the Protocol's)."""
    import shutil

    from kg_build.map.reference import ReferenceMapper
    from kg_build.reference.entities import REGISTRY_DIR, Registries

    assert set(kg.objects(node("concept/topic/extradition"), CTOC.relatedProvision)) == {
        node("convention/untoc/art_16")}
    registries = tmp_path / "registries"
    shutil.copytree(REGISTRY_DIR, registries)
    topics = registries / "topics.yaml"
    text = topics.read_text(encoding="utf-8")
    assert "  articles: {untoc: [16]}\n" in text
    topics.write_text(text.replace("  articles: {untoc: [16]}\n", "  articles: {tip-protocol: [5], untoc: [16]}\n",
                                   1), encoding="utf-8")
    graph = Graph()
    ReferenceMapper(graph, Registries(registries)).map_registries()
    assert set(graph.objects(node("concept/topic/extradition"), CTOC.relatedProvision)) == {
        node("convention/tip-protocol/art_5"), node("convention/untoc/art_16")}
    assert graph.value(node("convention/tip-protocol/art_5"), ELI.is_part_of) == node("convention/tip-protocol")
