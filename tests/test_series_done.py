"""Issue 10's "Done when", held as a test: a corpus the project had never seen (tests/fixtures/series-done/: the
Chinese and English texts of one report of the Working Group on the Smuggling of Migrants and the English report
of the Working Group on Firearms, no metadata files, half-width punctuation, star footnotes, States the shipped
report never names) builds with exit 0, both expressions hang on one work with aligned units, every State,
article, act and body is linked to its resource, and every name no registry knows is a warning."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg_build.namespaces import CTOC, ELI, OA
from kg_build.read.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
DONE = ROOT / "tests" / "fixtures" / "series-done"
ID = "https://w3id.org/ctoc-kg/id/"
SOM = ID + "doc/CTOC/COP/WG.7/2013/5"
FIREARMS = ID + "doc/CTOC/COP/WG.6/2014/5"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, str, str]:
    """The corpus built as a user builds it: the command line, no cache."""
    out = tmp_path_factory.mktemp("done") / "dist"
    run = subprocess.run([sys.executable, "-m", "kg_build.cli.app", "build", str(DONE), "--out", str(out),
                          "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return Graph().parse(out / "kg.nt", format="nt"), run.stdout, run.stderr


def test_the_build_validates(build: tuple[Graph, str, str]) -> None:
    _, stdout, _ = build
    assert "built 3 report(s)" in stdout
    assert "validated: conforms — 0 violation(s)" in stdout


def test_one_work_per_symbol_with_an_expression_per_language(build: tuple[Graph, str, str]) -> None:
    g, _, _ = build
    assert set(g.subjects(RDF.type, CTOC.Report)) == {URIRef(SOM), URIRef(FIREARMS)}
    assert set(g.objects(URIRef(SOM), ELI.is_realized_by)) == {URIRef(SOM + "/zh"), URIRef(SOM + "/en")}
    assert set(g.objects(URIRef(FIREARMS), ELI.is_realized_by)) == {URIRef(FIREARMS + "/en")}
    assert (URIRef(SOM), RDF.type, CTOC.MeetingReport) in g and (URIRef(FIREARMS), RDF.type, CTOC.MeetingReport) in g


def test_every_unit_of_the_two_texts_is_one_iri_with_both_texts_and_an_anchor_each(
        build: tuple[Graph, str, str]) -> None:
    g, _, stderr = build
    docs = {lang: parse_file(DONE / f"wg-som-2013.{lang}.txt") for lang in ("zh", "en")}
    eids = [u.eid for u in docs["zh"].units]
    assert eids == [u.eid for u in docs["en"].units] and len(eids) == 35
    assert {URIRef(f"{SOM}/{eid}") for eid in eids} == set(g.subjects(CTOC.inReport, URIRef(SOM)))
    for eid in eids:
        unit = URIRef(f"{SOM}/{eid}")
        texts = {t.language: str(t) for t in g.objects(unit, CTOC.text) if isinstance(t, Literal)}
        assert texts == {lang: doc.unit(eid).text for lang, doc in docs.items()}, eid
        for lang, doc in docs.items():
            start = int(g.value(URIRef(f"{unit}#position-{lang}"), OA.start))
            end = int(g.value(URIRef(f"{unit}#position-{lang}"), OA.end))
            assert (start, end) == (doc.unit(eid).start, doc.unit(eid).end)
            assert str(g.value(URIRef(f"{unit}#quote-{lang}"), OA.exact)) == doc.source.text[start:end]
        assert set(g.objects(unit, CTOC.textAnchor)) == {URIRef(f"{unit}#anchor-zh"), URIRef(f"{unit}#anchor-en")}
    assert "absent in the" not in stderr


def test_the_page_breaks_across_star_footnotes_are_healed(build: tuple[Graph, str, str]) -> None:
    g, _, _ = build
    texts = {t.language: str(t) for t in g.objects(URIRef(SOM + "/para_8"), CTOC.text)}
    assert texts["en"].endswith("The representative of the Secretariat introduced agenda item 2.")
    assert texts["zh"].endswith("秘书处代表介绍了议程项目 2。")
    notes = {str(t) for t in g.objects(URIRef(SOM + "/fn_star"), CTOC.text)}
    assert notes == {"CTOC/COP/WG.7/2013/1。", "CTOC/COP/WG.7/2013/1."}
    assert {str(t) for t in g.objects(URIRef(FIREARMS + "/fn_star"), CTOC.text)} == {"Submitted on 3 March 2014."}


def linked(g: Graph, work: str, mention_type: str) -> dict[tuple[str, str], list[str]]:
    """(unit, language) -> the entity keys of that unit's mentions of one type, in text order."""
    found: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for mention in g.subjects(CTOC.mentionType, Literal(mention_type)):
        unit = str(g.value(mention, CTOC.mentionIn))
        if not unit.startswith(work + "/"):
            continue
        text = g.value(mention, CTOC.mentionText)
        target = g.value(mention, CTOC.refersTo)
        start = int(str(mention).rsplit("/", 1)[1].split("-")[0])
        found[(unit.removeprefix(work + "/"), text.language)].append(
            (start, str(target).removeprefix(ID) if target else f"unlinked:{text}"))
    return {key: [k for _, k in sorted(hits)] for key, hits in found.items()}


SOM_STATES = {  # unit -> the States it names, in the order of both texts' prose
    "para_5": ["state/GTM", "state/LKA", "state/TUN", "state/PAK", "state/NER"],
    "para_6": ["state/KGZ", "state/MNG", "state/ZWE", "state/CIV"],
    "para_9": ["state/BOL", "state/MDA", "state/LAO", "state/COD", "state/TTO", "state/VCT", "state/GNB",
               "state/VEN"],
    "para_10": ["state/VAT", "state/PSE"],
}


def test_every_state_of_both_texts_is_linked(build: tuple[Graph, str, str]) -> None:
    g, _, _ = build
    got = linked(g, SOM, "State")
    assert {unit for unit, _ in got} == set(SOM_STATES)
    for unit, states in SOM_STATES.items():
        assert got[(unit, "en")] == states, unit
        assert sorted(got[(unit, "zh")]) == sorted(states), unit  # Chinese word order may differ
    assert linked(g, FIREARMS, "State") == {
        ("para_4", "en"): ["state/KGZ", "state/MNG", "state/ZWE", "state/FJI", "state/CZE"],  # "the Czech Republic"
        ("para_5", "en"): ["state/GMB"],  # "the Gambia"
        ("para_7", "en"): ["state/BIH", "state/CPV", "state/MKD", "state/SWZ", "state/CZE", "state/KGZ", "state/LKA"],
    }


def speakers(g: Graph, work: str) -> set[tuple[str, str]]:
    return {(str(g.value(s, CTOC.speaker)).removeprefix(ID) if g.value(s, CTOC.speaker) else "unlinked",
             str(g.value(s, CTOC.statedIn)).removeprefix(work + "/"))
            for s in g.subjects(RDF.type, CTOC.Statement) if str(s).startswith(work + "/")}


def test_speakers_of_half_width_lists_and_observers(build: tuple[Graph, str, str]) -> None:
    g, _, _ = build
    assert speakers(g, SOM) == {*((k, "para_9") for k in SOM_STATES["para_9"]),
                                ("state/VAT", "para_10"), ("state/PSE", "para_10"), ("organization/eu", "para_11"),
                                ("organization/iom", "para_11"), ("organization/interpol", "para_11")}
    assert speakers(g, FIREARMS) == {*((k, "para_7") for k in
                                       ("state/BIH", "state/CPV", "state/MKD", "state/SWZ", "state/CZE",
                                        "state/KGZ", "state/LKA")),
                                     ("organization/eu", "para_8")}  # the other observer: an unlinked mention


def citations(g: Graph, work: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for c in g.subjects(RDF.type, CTOC.Citation):
        unit = str(g.value(c, CTOC.citingUnit))
        if unit.startswith(work + "/"):
            found[unit.removeprefix(work + "/")].add(str(g.value(c, CTOC.cited)).removeprefix(ID))
    return dict(found)


def test_every_article_and_act_is_cited_under_its_instrument_and_issuer(build: tuple[Graph, str, str]) -> None:
    g, _, _ = build
    assert citations(g, SOM) == {
        "para_1": {"resolution/ga/55-25", "resolution/ga/53-111", "resolution/ga/54-126"},
        "para_2": {"resolution/cop-untoc/5-3"},
        "para_3/item_a": {"convention/som-protocol/art_6"},
        "para_3/item_b": {"convention/som-protocol/art_6/para_3", "convention/untoc/art_11"},
        "para_4": {"convention/som-protocol/art_8", "convention/som-protocol/art_16"},
        "para_5": {"convention/som-protocol/art_6/para_1"},
        "fn_star": {"doc/CTOC/COP/WG.7/2013/1"},
        "annex/row_2": {"convention/som-protocol/art_6"},
    }
    assert citations(g, FIREARMS) == {
        "para_1": {"resolution/ga/55-255", "decision/cop-untoc/5-4"},
        "para_2": {"resolution/cop-untoc/6-2", "resolution/cop-untoc/7-2", "resolution/ecosoc/2011-34"},
        "para_3/item_a": {"convention/firearms-protocol/art_8/para_1"},
        "para_3/item_b": {"convention/firearms-protocol/art_7", "convention/firearms-protocol/art_12",
                          "convention/untoc/art_28"},
        "para_4": {"convention/firearms-protocol/art_10"},
        "para_5": {"convention/firearms-protocol/art_5", "convention/firearms-protocol/art_8"},
    }
    issuers = {str(act).removeprefix(ID): str(g.value(act, CTOC.adoptedBy)).removeprefix(ID)
               for act in {*g.subjects(RDF.type, CTOC.Resolution), *g.subjects(RDF.type, CTOC.Decision)}
               if str(act).removeprefix(ID).split("/")[1] in ("ga", "ecosoc")}
    assert issuers == {"resolution/ga/55-25": "body/ga", "resolution/ga/53-111": "body/ga",
                       "resolution/ga/54-126": "body/ga", "resolution/ga/55-255": "body/ga",
                       "resolution/ecosoc/2011-34": "body/ecosoc"}
    article = URIRef(ID + "convention/som-protocol/art_6")  # the Protocol's article, from conventions.yaml
    assert (article, RDF.type, CTOC.Article) in g
    assert g.value(article, ELI.is_part_of) == URIRef(ID + "convention/som-protocol")
    assert {str(t) for t in g.objects(article, DCTERMS.title)} == {"Criminalization", "刑事定罪"}


def test_every_body_is_linked_and_no_name_inside_a_symbol_is_a_mention(build: tuple[Graph, str, str]) -> None:
    g, _, _ = build
    som = linked(g, SOM, "Body")
    assert som[("para_1", "en")] == ["body/ga", "body/ga", "body/ahc-untoc"]
    assert som[("para_1", "zh")] == ["body/ga", "body/ga", "body/ahc-untoc"]
    assert som[("para_4", "en")] == som[("para_4", "zh")] == ["body/unodc", "body/unodc"]
    assert som[("header/line_7", "en")] == som[("header/line_7", "zh")] == ["body/wg-smuggling-of-migrants"]
    firearms = linked(g, FIREARMS, "Body")
    assert firearms[("para_1", "en")] == ["body/ga", "body/cop-untoc", "body/wg-firearms"]
    assert firearms[("para_2", "en")] == ["body/cop-untoc", "body/ecosoc"]
    assert ("header/line_1", "en") not in firearms  # "United Nations CTOC/COP/WG.6/2014/5": COP is the symbol's
    assert ("fn_star", "en") not in som and ("header/line_2", "en") not in som
    for work, body in ((SOM, "wg-smuggling-of-migrants"), (FIREARMS, "wg-firearms")):
        meeting = g.value(URIRef(work), CTOC.reportOf)
        assert g.value(meeting, CTOC.meetingOf) == URIRef(ID + f"body/{body}")
        assert g.value(meeting, CTOC.meetingNumber) == Literal(2)  # "held its second meeting", 第二次会议
        assert g.value(meeting, CTOC.place) == URIRef(ID + "place/vienna")


def test_the_meeting_days_are_those_the_dateline_names(build: tuple[Graph, str, str]) -> None:
    """A range (11-13 November) states its first and last day; "26 and 27 May" names two meeting days."""
    g, _, _ = build
    som, firearms = g.value(URIRef(SOM), CTOC.reportOf), g.value(URIRef(FIREARMS), CTOC.reportOf)
    assert (str(g.value(som, CTOC.startDate)), str(g.value(som, CTOC.endDate))) == ("2013-11-11", "2013-11-13")
    assert not list(g.objects(som, CTOC.hasMeetingDay))
    days = sorted(str(g.value(d, CTOC.date)) for d in g.objects(firearms, CTOC.hasMeetingDay))
    assert days == ["2014-05-26", "2014-05-27"]


def test_nothing_named_is_dropped_without_a_warning(build: tuple[Graph, str, str]) -> None:
    """The one name no registry knows is an unlinked mention and a warning with file, line and quote; the other
    warnings are the acts data/registries/acts.yaml does not list (linked all the same, under their issuers)."""
    g, _, stderr = build
    unlinked = [(str(g.value(m, CTOC.mentionIn)).removeprefix(ID), str(g.value(m, CTOC.mentionText)))
                for m in g.subjects(RDF.type, CTOC.Mention) if g.value(m, CTOC.refersTo) is None]
    assert unlinked == [("doc/CTOC/COP/WG.6/2014/5/para_8", "the Regional Conference on Migration")]
    warnings = [line.removeprefix("warning: ") for line in stderr.splitlines() if line.startswith("warning: ")]
    assert [w for w in warnings if "acts.yaml" not in w] == [
        "wg-firearms-2014.en.txt:47: para_8: 'the Regional Conference on Migration': name not found in the "
        "registries (unlinked mention)"]
    assert len([w for w in warnings if w.endswith("act not in data/registries/acts.yaml")]) == 13
