"""Linking the whole series: small Chinese reports in the real format (tests/fixtures/link/) name States the
seed never names, General Assembly acts and lists of acts, Protocol articles, the short names shared by
both Conferences, a range of meeting dates; each must come out linked, or loudly not."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg_build.namespaces import CTOC, ELI
from kg_build.pipeline import BuildResult, build_graph
from kg_build.reference.entities import Registries
from tests.conftest import FIXTURES

ID = "https://w3id.org/ctoc-kg/id/"
COP_NOTE = FIXTURES / "link" / "cop-untoc-2015.zh.txt"
REPORT = f"{ID}report/cop-untoc/2015-11-06"
MEETING = URIRef(f"{ID}meeting/cop-untoc/2015-11-06")
UNCAC_HEADER = {"联合国打击跨国有组织犯罪公约 缔约方会议": "联合国反腐败公约 缔约国会议",
                "联合国打击跨国有组织犯罪公约缔约方会议": "联合国反腐败公约缔约国会议"}


def node(path: str) -> URIRef:
    return URIRef(ID + path)


def build_variant(folder: Path, body: str, replacements: dict[str, str]) -> BuildResult:
    """Build a copy of the COP note with some words replaced, its metadata naming `body`."""
    text = COP_NOTE.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    report = folder / "variant.zh.txt"
    report.write_text(text, encoding="utf-8")
    report.with_suffix(".yaml").write_text(f"body: {body}\n", encoding="utf-8")
    return build_graph([report])


def mentioned(graph: Graph, unit: str) -> dict[str, URIRef | None]:
    """Mention text -> the entity it refers to (None when unlinked), for the mentions in one unit."""
    return {str(graph.value(m, CTOC.mentionText)): graph.value(m, CTOC.refersTo)
            for m in graph.subjects(CTOC.mentionIn, URIRef(unit))}


def cited(graph: Graph, unit: str) -> set[URIRef]:
    return set(graph.objects(URIRef(unit), CTOC.cites))


@pytest.fixture(scope="module")
def cop_note() -> BuildResult:
    return build_graph([COP_NOTE])


def test_every_state_named_in_prose_is_linked(cop_note: BuildResult) -> None:
    """Para 2 names 10 States in running prose, 8 of which the seed report never names."""
    states = {v for v in mentioned(cop_note.graph, f"{REPORT}/para_2").values() if v and "/state/" in v}
    assert states == {node(f"state/{c}") for c in
                      ("VNM", "IRN", "GBR", "BRA", "ZAF", "JPN", "MEX", "DEU", "NGA", "IDN")}


def test_unknown_name_in_a_prose_list_of_states_is_a_warning_and_kept(cop_note: BuildResult) -> None:
    """包括智利、乌有国和法国等国: the list says every entry is a State, so the unknown one is not dropped."""
    para_6 = mentioned(cop_note.graph, f"{REPORT}/para_6")
    assert para_6 == {"智利": node("state/CHL"), "乌有国": None, "法国": node("state/FRA")}
    assert "cop-untoc-2015.zh.txt:28: para_6: '乌有国': name not found in the registries (unlinked mention)" \
        in cop_note.warnings


def test_general_assembly_acts_and_lists_of_acts(cop_note: BuildResult) -> None:
    """大会在第55/25号决议中, 大会第53/111和第54/126号决议, 缔约方会议在其第 5/2 号和第 6/1 号决议中."""
    graph = cop_note.graph
    assert cited(graph, f"{REPORT}/para_3") == {
        node("resolution/ga/55-25"), node("resolution/ga/53-111"), node("resolution/ga/54-126"),
        node("resolution/cop-untoc/5-2"), node("resolution/cop-untoc/6-1")}
    assert graph.value(node("resolution/ga/55-25"), CTOC.adoptedBy) == node("body/ga")
    assert graph.value(node("resolution/ga/53-111"), CTOC.symbol) == Literal("53/111")
    assert (node("resolution/cop-untoc/55-25"), None, None) not in graph


def test_an_act_without_its_issuer_is_never_credited_to_the_reports_body(tmp_path: Path) -> None:
    """No body named with the act: the one act of that symbol in acts.yaml (3/2), else a warning (7/1)."""
    acts = "大会在第55/25号决议中通过了该公约。大会第53/111和第54/126号决议设立了特设委员会。"
    result = build_variant(tmp_path, "cop-untoc", {acts: "会议回顾了第 7/1 号决议和其第 3/2 号决定。"})
    assert cited(result.graph, f"{REPORT}/para_3") == {node("decision/cop-untoc/3-2"),
                                                        node("resolution/cop-untoc/5-2"),
                                                        node("resolution/cop-untoc/6-1")}
    assert not [s for s in result.graph.subjects(CTOC.symbol, Literal("7/1"))]
    assert any(w.startswith("variant.zh.txt:20: para_3: '第 7/1 号决议': act cited without its issuer")
               for w in result.warnings), result.warnings


def test_protocol_articles(cop_note: BuildResult) -> None:
    """《贩运人口议定书》第 5 条 and 《偷运移民议定书》第 6 条 cite the Protocols' articles, which the graph has."""
    graph = cop_note.graph
    tip_5, som_6 = node("convention/tip-protocol/art_5"), node("convention/som-protocol/art_6")
    assert cited(graph, f"{REPORT}/para_4") == {tip_5, som_6}
    assert graph.value(tip_5, ELI.number) == Literal("5")
    assert graph.value(tip_5, ELI.is_part_of) == node("convention/tip-protocol")
    titles = {t.language: str(t) for t in graph.objects(tip_5, DCTERMS.title)}
    assert titles == {"en": "Criminalization", "zh": "刑事定罪"}


def test_every_article_of_the_five_instruments_is_in_the_graph(cop_note: BuildResult) -> None:
    graph = cop_note.graph
    counts = {"untoc": 41, "tip-protocol": 20, "som-protocol": 25, "firearms-protocol": 21, "uncac": 71}
    for convention, count in counts.items():
        articles = set(graph.subjects(ELI.is_part_of, node(f"convention/{convention}")))
        assert articles == {node(f"convention/{convention}/art_{n}") for n in range(1, count + 1)}, convention
        assert all({t.language for t in graph.objects(a, DCTERMS.title)} == {"en", "zh"} for a in articles)


def test_conference_short_names_follow_the_reports_instrument(cop_note: BuildResult, tmp_path: Path) -> None:
    """缔约国会议 in a UNTOC text is its Conference of the Parties; in a UNCAC text both short forms are CoSP."""
    assert mentioned(cop_note.graph, f"{REPORT}/para_5")["缔约国会议"] == node("body/cop-untoc")
    assert mentioned(cop_note.graph, f"{REPORT}/para_1")["缔约方会议"] == node("body/cop-untoc")
    uncac = build_variant(tmp_path, "cosp-uncac", UNCAC_HEADER)
    report = f"{ID}report/cosp-uncac/2015-11-06"
    assert mentioned(uncac.graph, f"{report}/para_5")["缔约国会议"] == node("body/cosp-uncac")
    assert mentioned(uncac.graph, f"{report}/para_1")["缔约方会议"] == node("body/cosp-uncac")
    assert node("resolution/cosp-uncac/5-2") in cited(uncac.graph, f"{report}/para_3")


def test_a_unit_naming_both_conferences_keeps_them_apart(kg: Graph) -> None:
    """Seed para 9: 反腐败公约缔约国会议 … 有组织犯罪公约缔约方会议 … 由缔约方会议和缔约国会议双双决定."""
    para_9 = mentioned(kg, f"{ID}report/wg-international-cooperation/2012-10-15/para_9")
    assert para_9["缔约国会议"] == node("body/cosp-uncac") and para_9["缔约方会议"] == node("body/cop-untoc")


def test_a_date_range_is_stated_as_a_range(cop_note: BuildResult) -> None:
    """2015年11月6日至9日: first and last day, and no meeting day the text does not name."""
    graph = cop_note.graph
    assert graph.value(MEETING, CTOC.startDate) == Literal("2015-11-06", datatype=XSD.date)
    assert graph.value(MEETING, CTOC.endDate) == Literal("2015-11-09", datatype=XSD.date)
    assert not set(graph.objects(MEETING, CTOC.hasMeetingDay))
    assert not set(graph.subjects(RDF.type, CTOC.MeetingDay))


def test_listed_days_are_meeting_days(kg: Graph) -> None:
    """The seed's 2012年10月15日、16日和18日 names three days; the meeting spans 15 to 18 October."""
    meeting = node("meeting/wg-international-cooperation/2012-10-15")
    days = {str(kg.value(d, CTOC.date)) for d in kg.objects(meeting, CTOC.hasMeetingDay)}
    assert days == {"2012-10-15", "2012-10-16", "2012-10-18"}
    assert kg.value(meeting, CTOC.startDate) == Literal("2012-10-15", datatype=XSD.date)
    assert kg.value(meeting, CTOC.endDate) == Literal("2012-10-18", datatype=XSD.date)


def test_session_and_sittings(cop_note: BuildResult) -> None:
    """The title's 第八届会议 and para 1's 共举行了10次会议."""
    assert cop_note.graph.value(MEETING, CTOC.meetingSession) == Literal(8)
    assert cop_note.graph.value(MEETING, CTOC.numberOfSittings) == Literal(10)


def test_gazetteer_keeps_the_language_of_each_name() -> None:
    registries = Registries()
    english = registries.gazetteer_for("en").find("Viet Nam and the Islamic Republic of Iran")
    assert [m.key for m in english] == ["state/VNM", "state/IRN"]
    assert not registries.gazetteer_for("zh").find("Viet Nam and the Islamic Republic of Iran")
    chinese = registries.gazetteer_for("zh").find("越南社会主义共和国和伊朗")
    assert [m.key for m in chinese] == ["state/VNM", "state/IRN"]


def test_a_phrase_holding_a_name_names_no_state(tmp_path: Path) -> None:
    """发展中国家 ("developing countries") holds 中国 but names no State (not_names in data/rules/zh.yaml)."""
    result = build_variant(tmp_path, "cop-untoc", {"编写一份": "为发展中国家和中国编写一份"})
    para_5 = [(str(result.graph.value(m, CTOC.mentionText)), result.graph.value(m, CTOC.refersTo))
              for m in result.graph.subjects(CTOC.mentionIn, URIRef(f"{REPORT}/para_5"))]
    assert sorted(para_5) == sorted([("缔约国会议", node("body/cop-untoc")), ("秘书处", node("body/secretariat")),
                                     ("中国", node("state/CHN"))])
