"""Reading the series (issue 10): report texts in their real formats and languages (tests/fixtures/series/),
checked against what a reader reads from them (NAME.expect.yaml), and built together as one corpus."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg_build.extract.kinds import document_kind
from kg_build.extract.rules import extract
from kg_build.namespaces import CTOC, ELI, OA
from kg_build.read.model import Document, Kind
from kg_build.read.parse import parse_file
from kg_build.reference.entities import Registries

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT / "tests" / "fixtures" / "series"
SEED = ROOT / "data" / "reports" / "wg-international-cooperation-2012.zh.txt"
FIXTURES = sorted(p.name.removesuffix(".expect.yaml") for p in SERIES.glob("*.expect.yaml"))
ID = "https://w3id.org/ctoc-kg/id/"
ROLES = {"masthead": "masthead", "symbol": "symbol", "parent-body": "parentBody", "distribution": "distribution",
         "issue-date": "issueDate", "language": "language", "original-language": "originalLanguage", "body": "body",
         "session": "session", "dateline": "dateline", "agenda-item": "agendaItem",
         "agenda-item-title": "agendaItemTitle", "title": "title", "subtitle": "subtitle"}
KINDS = {"chapter": Kind.CHAPTER, "section": Kind.SECTION, "subsection": Kind.SUBSECTION, "paragraph": Kind.PARAGRAPH,
         "item": Kind.ITEM, "footnote": Kind.FOOTNOTE, "annex": Kind.ANNEX, "annex_row": Kind.ANNEX_ROW}


@cache
def expected(name: str) -> dict[str, Any]:
    return yaml.safe_load((SERIES / f"{name}.expect.yaml").read_text(encoding="utf-8"))


@cache
def parsed(name: str) -> Document:
    return parse_file(SERIES / f"{name}.txt")


def body_units(doc: Document) -> list[str]:
    return [u.eid for u in doc.units if u.kind is not Kind.HEADER_LINE]


# -- item 1: one parser, the format of each language as data ------------------------------------------------

@pytest.mark.parametrize("name", FIXTURES)
def test_header_lines_and_their_roles(name: str) -> None:
    doc, want = parsed(name), expected(name)
    assert doc.language == want["language"]
    assert doc.header.symbol == want["symbol"]
    assert doc.header.issued == want["issued"]
    got = [(u.line, u.role.value, u.text) for u in doc.units if u.kind is Kind.HEADER_LINE and u.role]
    assert got == [(h["line"], ROLES[h["role"]], h["text"]) for h in want["header"]]


@pytest.mark.parametrize("name", FIXTURES)
def test_units_in_document_order(name: str) -> None:
    doc, want = parsed(name), expected(name)["units"]
    assert body_units(doc) == want["eids"]
    assert {k: len(doc.of_kind(kind)) for k, kind in KINDS.items()} == want["counts"]
    if "lines" in want:
        assert {eid: doc.unit(eid).line for eid in want["lines"]} == want["lines"]


@pytest.mark.parametrize("name", FIXTURES)
def test_meeting_dates_place_and_session(name: str) -> None:
    doc, want = parsed(name), expected(name)
    meeting = want["meeting"]
    if meeting is None:  # the General Assembly series: no dateline, no meeting dates
        assert doc.header.meeting_dates == ()
    else:
        assert list(doc.header.meeting_dates) == meeting["dates"]
        assert doc.header.place == meeting["place"]
    assert doc.header.session == want["body"].get("session")
    issued_before = bool(doc.header.meeting_dates) and doc.header.issued < min(doc.header.meeting_dates)
    assert issued_before == want["issued_before_meeting"]


@pytest.mark.parametrize("name", FIXTURES)
def test_footnotes_numbered_or_starred_at_a_page_foot(name: str) -> None:
    doc, want = parsed(name), expected(name).get("footnotes") or {}
    assert {u.eid for u in doc.of_kind(Kind.FOOTNOTE)} == set(want)
    for eid, note in want.items():
        unit = doc.unit(eid)
        assert (unit.line, unit.text) == (note["line"], note["text"])
        marked = [u.eid for u in doc.units if eid.removeprefix("fn_") in u.footnote_markers]
        assert marked and (note["marked_in"] == "header" or marked == [note["marked_in"]])


@pytest.mark.parametrize("name", FIXTURES)
def test_page_breaks_are_healed_across_a_footnote(name: str) -> None:
    doc = parsed(name)
    for brk in expected(name).get("page_breaks") or []:
        unit = doc.unit(brk["unit"])
        assert [p.line for p in unit.pieces][0] == brk["lines"][0] and unit.pieces[-1].line == brk["lines"][-1]
        assert brk["healed"] in unit.text


@pytest.mark.parametrize("name", FIXTURES)
def test_paragraph_openings(name: str) -> None:
    doc = parsed(name)
    for number, opening in (expected(name).get("paragraphs") or {}).items():
        assert doc.unit(number).text[: len(opening)] == opening


@pytest.mark.parametrize("name", FIXTURES)
def test_kind_of_document_from_the_title_words(name: str) -> None:
    assert document_kind(parsed(name)) == expected(name)["kind"]


# -- punctuation and spacing never decide a fact --------------------------------------------------------------

@pytest.fixture(scope="module")
def registries() -> Registries:
    """The series-wide registries of data/registries/: every State, the Convention and its Protocols, the bodies."""
    return Registries()


def speakers(doc: Document, registries: Registries) -> list[tuple[str, str | None]]:
    return [(s.name, s.speaker) for s in extract(doc, registries).statements]


def test_half_width_speakers_list_reads_as_full_width(tmp_path: Path, registries: Registries) -> None:
    text = (SERIES / "wg-tip-2015.zh.txt").read_text(encoding="utf-8")
    full = tmp_path / "wg-tip-2015.zh.txt"
    full.write_text(text.replace("发言:", "发言：").replace(",", "，"), encoding="utf-8")
    want = expected("wg-tip-2015.zh")["speakers"]
    half = speakers(parsed("wg-tip-2015.zh"), registries)
    assert [key for _, key in half[: len(want["states"])]] == [f"state/{code}" for code in want["states"]]
    assert [name for name, _ in half[: len(want["states"])]] == want["states_as_written"]
    assert half == speakers(parse_file(full), registries)


def test_english_speakers_list_names_the_same_states(registries: Registries) -> None:
    """Names holding "and" and brackets are read whole: the States of both languages' lists are the same."""
    zh = speakers(parsed("wg-tip-2015.zh"), registries)
    en = speakers(parsed("wg-tip-2015.en"), registries)
    states = [f"state/{code}" for code in expected("wg-tip-2015.en")["speakers"]["states"]]
    assert [key for _, key in en[: len(states)]] == states == [key for _, key in zh[: len(states)]]


def seed_facts(tmp_path: Path, text: str) -> tuple[int, int, int]:
    path = tmp_path / SEED.name
    path.write_text(text, encoding="utf-8")
    x = extract(parse_file(path), Registries())
    states = {s.speaker for s in x.statements if s.speaker and s.speaker.startswith("state/")}
    return len(x.statements), len(states), len([c for c in x.citations if c.target == "provision"])


def test_shipped_report_in_half_width_punctuation_keeps_its_facts(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert seed_facts(tmp_path, text) == (34, 31, 12)
    half = text.translate(str.maketrans({"：": ":", "，": ",", "（": "(", "）": ")"}))
    assert half != text
    assert seed_facts(tmp_path, half) == (34, 31, 12)


def test_shipped_report_without_the_space_in_its_header_keeps_its_citations(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.strip())
    assert " " in first.strip()
    squeezed = text.replace(first, first.replace(" ", ""), 1)
    assert seed_facts(tmp_path, squeezed)[2] == 12


# -- items 2-4: the corpus, one work per symbol, kinds, validation --------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, str]:
    out = tmp_path_factory.mktemp("series") / "dist"
    run = subprocess.run([sys.executable, "-m", "kg_build.cli.app", "build", str(SERIES), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]  # validated: the note issued before its session included
    return Graph().parse(out / "kg.nt", format="nt"), run.stderr


def test_two_languages_are_one_work_with_two_expressions(corpus: tuple[Graph, str]) -> None:
    g, _ = corpus
    work = URIRef(ID + "doc/CTOC/COP/WG.4/2015/6")
    assert set(g.objects(work, ELI.is_realized_by)) == {URIRef(f"{work}/zh"), URIRef(f"{work}/en")}
    reports = set(g.subjects(RDF.type, CTOC.Report))
    assert reports == {URIRef(ID + "doc/" + s) for s in ("CTOC/COP/WG.4/2015/6", "CTOC/COP/2016/2", "A/55/383")}


@pytest.mark.parametrize("eid", ["para_6", "para_3/item_b", "fn_star", "chp_2/subsec_1", "annex/row_3"])
def test_aligned_units_carry_both_texts_and_an_anchor_per_expression(corpus: tuple[Graph, str], eid: str) -> None:
    g, _ = corpus
    unit = URIRef(ID + "doc/CTOC/COP/WG.4/2015/6/" + eid)
    texts = {t.language: str(t) for t in g.objects(unit, CTOC.text) if isinstance(t, Literal)}
    assert set(texts) == {"zh", "en"}
    for lang in ("zh", "en"):
        doc = parsed(f"wg-tip-2015.{lang}")
        assert texts[lang] == doc.unit(eid).text
        anchor = URIRef(f"{unit}#anchor-{lang}")
        assert (unit, CTOC.textAnchor, anchor) in g
        position = URIRef(f"{unit}#position-{lang}")
        start = int(g.value(position, OA.start))
        end = int(g.value(position, OA.end))
        assert (start, end) == (doc.unit(eid).start, doc.unit(eid).end)
        assert str(g.value(URIRef(f"{unit}#quote-{lang}"), OA.exact)) == doc.source.text[start:end]
    assert len(set(g.objects(unit, CTOC.textAnchor))) == 2


def test_aligned_texts_warn_of_no_missing_unit(corpus: tuple[Graph, str]) -> None:
    _, stderr = corpus
    assert "absent in the" not in stderr


def test_a_unit_one_language_lacks_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    zh = (SERIES / "wg-tip-2015.zh.txt").read_text(encoding="utf-8")
    (tmp_path / "in" / "wg-tip-2015.zh.txt").write_text(zh, encoding="utf-8")
    en = (SERIES / "wg-tip-2015.en.txt").read_text(encoding="utf-8")
    cut = en.replace("\nCriminal justice responses to trafficking in persons\n", "\n")
    assert cut != en
    (tmp_path / "in" / "wg-tip-2015.en.txt").write_text(cut, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kg_build.cli.app", "build", str(tmp_path / "in"), "--out",
                          str(tmp_path / "dist")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "wg-tip-2015.zh.txt:31: chp_2/subsec_1: present in the zh text, absent in the en text" in run.stderr


@pytest.mark.parametrize(("symbol", "kind"), [("CTOC/COP/WG.4/2015/6", CTOC.MeetingReport),
                                              ("CTOC/COP/2016/2", CTOC.NoteBySecretariat),
                                              ("A/55/383", CTOC.MeetingReport)])
def test_kinds_of_document_are_classes(corpus: tuple[Graph, str], symbol: str, kind: URIRef) -> None:
    g, _ = corpus
    assert (URIRef(ID + "doc/" + symbol), RDF.type, kind) in g


def test_note_issued_before_its_session_and_ga_report_without_dateline(corpus: tuple[Graph, str]) -> None:
    g, _ = corpus
    note = URIRef(ID + "doc/CTOC/COP/2016/2")
    issued = g.value(note, URIRef("http://purl.org/dc/terms/issued")).toPython()
    first = g.value(note, CTOC.firstMeetingDate).toPython()
    assert issued == date(2016, 8, 10) < first == date(2016, 10, 17)
    assert g.value(URIRef(ID + "doc/A/55/383"), CTOC.firstMeetingDate) is None


@pytest.mark.parametrize("name", ["wg-tip-2015.zh", "wg-tip-2015.en", "cop-note-2016.en", "ga-series.zh"])
def test_states_of_each_unit_in_text_order(name: str, registries: Registries) -> None:
    """Every State the text names, linked in its unit, in text order (with the States of the test registry)."""
    x = extract(parsed(name), registries)
    for eid, codes in (expected(name).get("states") or {}).items():
        found = [m.key for m in x.mentions if m.span.unit == eid and m.mention_type == "State"]
        assert found == [f"state/{code}" for code in codes], eid


# -- item 5: queries across reports, on the shipped report and the series fixtures -----------------------------

CORPUS_EXPECTED = sorted((ROOT / "queries" / "expected" / "corpus").glob("*.csv"))


@pytest.fixture(scope="module")
def corpus_graph(tmp_path_factory: pytest.TempPathFactory, registries: Registries) -> Graph:
    folder = tmp_path_factory.mktemp("corpus")
    for source in [*SERIES.glob("*.txt"), SEED, SEED.with_suffix(".yaml")]:
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    from kg_build.pipeline import build_graph
    return build_graph([folder], registries).graph


@pytest.mark.parametrize("expected_csv", CORPUS_EXPECTED, ids=lambda p: p.stem)
def test_corpus_query(corpus_graph: Graph, expected_csv: Path) -> None:
    import csv
    with expected_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    result = corpus_graph.query((ROOT / "queries" / f"{expected_csv.stem}.rq").read_text(encoding="utf-8"))
    assert [str(v) for v in result.vars] == rows[0]
    got = sorted(tuple("" if v is None else str(v) for v in row) for row in result)
    assert got == sorted(tuple(r) for r in rows[1:])


# -- acts and their issuers, every act of a list, in both languages --------------------------------------------

@pytest.mark.parametrize("name", FIXTURES)
def test_acts_of_each_fixture_under_the_issuer_the_text_names(name: str, registries: Registries) -> None:
    """Every act the expectation file lists (the members of a list too), keyed under its named issuer."""
    x = extract(parsed(name), registries)
    got = [(c.span.unit, c.key) for c in x.citations if c.target == "act"]
    want = [(a["unit"], f"{a['kind']}/{a['issuer']}/{a['number'].replace('/', '-')}") for a in expected(name)["acts"]]
    assert got == want


def second_paragraph(tmp_path: Path, language: str, text: str) -> Document:
    """The wg-tip-2015 report of `language` with its paragraph 2 replaced by `text` (a report the test writes)."""
    source = (SERIES / f"wg-tip-2015.{language}.txt").read_text(encoding="utf-8")
    old = next(line for line in source.splitlines() if line.startswith("2. "))
    path = tmp_path / f"wg-tip-2015.{language}.txt"
    path.write_text(source.replace(old, f"2. {text}"), encoding="utf-8")
    return parse_file(path)


@pytest.mark.parametrize(("language", "text", "acts"), [
    ("en", "The Working Group recalled General Assembly resolution 55/25.", ["resolution/ga/55-25"]),
    ("en", "The Working Group recalled General Assembly resolutions 53/111 and 54/126.",
     ["resolution/ga/53-111", "resolution/ga/54-126"]),
    ("en", "In its resolutions 5/2 and 6/1, the Conference decided that the Working Group should continue.",
     ["resolution/cop-untoc/5-2", "resolution/cop-untoc/6-1"]),
    ("en", "In its decisions 3/1, 3/2 and 4/5, the Conference of the Parties requested the Secretariat to report.",
     ["decision/cop-untoc/3-1", "decision/cop-untoc/3-2", "decision/cop-untoc/4-5"]),
    ("en", "The Ad Hoc Committee, which the General Assembly established by its resolution 53/111, met in Vienna.",
     ["resolution/ga/53-111"]),
    ("en", "In its resolutions 55/25 and 55/255, the Assembly urged all States to ratify the instruments.",
     ["resolution/ga/55-25", "resolution/ga/55-255"]),
    ("en", "The Economic and Social Council, in its resolution 2004/25, and the Commission, in its resolution 24/1, "
           "took note of the work.", ["resolution/ecosoc/2004-25", "resolution/ccpcj/24-1"]),
    ("zh", "大会第55/25号决议通过了该公约。", ["resolution/ga/55-25"]),
    ("zh", "大会第53/111和第54/126号决议设立了特设委员会。", ["resolution/ga/53-111", "resolution/ga/54-126"]),
    ("zh", "缔约方会议在其第 5/2 号和第 6/1 号决议中决定，工作组应当继续工作。",
     ["resolution/cop-untoc/5-2", "resolution/cop-untoc/6-1"]),
    ("zh", "缔约方会议在其第 3/1 号、第 3/2 号和第 4/5 号决定中请秘书处提出报告。",
     ["decision/cop-untoc/3-1", "decision/cop-untoc/3-2", "decision/cop-untoc/4-5"]),
    ("zh", "经济及社会理事会在其第 2004/25 号决议中和预防犯罪和刑事司法委员会在其第 24/1 号决议中注意到这项工作。",
     ["resolution/ecosoc/2004-25", "resolution/ccpcj/24-1"]),
])
def test_every_act_of_a_list_under_its_named_issuer(tmp_path: Path, registries: Registries, language: str,
                                                   text: str, acts: list[str]) -> None:
    x = extract(second_paragraph(tmp_path, language, text), registries)
    assert [c.key for c in x.citations if c.target == "act" and c.span.unit == "para_2"] == acts
    assert not [w for w in x.warnings if "without its issuer" in w]


@pytest.mark.parametrize(("language", "text", "quote", "line"), [
    ("en", "The meeting recalled resolution 7/1 and decisions 8/3 and 8/4.", "resolution 7/1", 20),
    ("zh", "会议回顾了第 7/1 号决议和第 8/3 号、第 8/4 号决定。", "第 7/1 号决议", 23),
])
def test_an_act_without_a_named_issuer_is_an_unlinked_mention_and_a_warning(
        tmp_path: Path, registries: Registries, language: str, text: str, quote: str, line: int) -> None:
    """No issuer named, none settled by acts.yaml: never the report's body; the words stay as an unlinked
    mention of a Decision or Resolution, with a warning naming file, line and quote."""
    x = extract(second_paragraph(tmp_path, language, text), registries)
    assert not [c for c in x.citations if c.target == "act" and c.span.unit == "para_2"]
    unlinked = [(m.mention_type, m.key) for m in x.mentions if m.span.unit == "para_2"
                and m.mention_type in ("Decision", "Resolution")]
    assert unlinked == [("Resolution", None), ("Decision", None), ("Decision", None)]
    assert any(w.startswith(f"wg-tip-2015.{language}.txt:{line}: para_2: {quote!r}: act cited without its issuer")
               and w.endswith("(unlinked mention)") for w in x.warnings), x.warnings


def test_an_unissued_act_is_an_unlinked_mention_in_the_graph(tmp_path: Path, registries: Registries) -> None:
    from kg_build.pipeline import build_graph
    second_paragraph(tmp_path, "en", "The meeting recalled resolution 7/1.")
    graph = build_graph([tmp_path / "wg-tip-2015.en.txt"], registries).graph
    para_2 = URIRef(ID + "doc/CTOC/COP/WG.4/2015/6/para_2")
    mentions = [m for m in graph.subjects(CTOC.mentionIn, para_2)
                if str(graph.value(m, CTOC.mentionType)) == "Resolution"]
    assert [str(graph.value(m, CTOC.mentionText)) for m in mentions] == ["resolution 7/1"]
    assert graph.value(mentions[0], CTOC.refersTo) is None
    assert not list(graph.objects(para_2, CTOC.cites))


# -- recommendations stated by a paragraph without items --------------------------------------------------------

@pytest.mark.parametrize(("language", "text", "outcome"), [
    ("zh", "工作组请联合国毒品和犯罪问题办公室继续收集数据。",
     (("body/wg-trafficking-in-persons",), ("body/unodc",), ("requests",))),
    ("en", "The Working Group requested the United Nations Office on Drugs and Crime to continue to gather data.",
     (("body/wg-trafficking-in-persons",), ("body/unodc",), ("requests",))),
    ("zh", "大会还请秘书处提出报告。", (("body/ga",), ("body/secretariat",), ("requests",))),
    ("en", "The General Assembly also requested the Secretariat to report.",
     (("body/ga",), ("body/secretariat",), ("requests",))),
    ("zh", "会上讨论了执法合作。工作组建议各缔约国加强合作。", (("body/wg-trafficking-in-persons",),
                                                        ("group/states-parties",), ("recommends",))),
    ("en", "Cooperation was discussed. The Working Group recommended that States parties strengthen cooperation.",
     (("body/wg-trafficking-in-persons",), ("group/states-parties",), ("recommends",))),
])
def test_a_paragraph_without_items_states_a_recommendation(tmp_path: Path, registries: Registries, language: str,
                                                           text: str, outcome: tuple[tuple[str, ...], ...]) -> None:
    """A sentence opening with its proponent, then the recommendation cue or an action word with its addressee."""
    x = extract(second_paragraph(tmp_path, language, text), registries)
    found = [(o.kind, o.outcome_id, o.proponents, o.addressees, o.actions) for o in x.outcomes if o.unit == "para_2"]
    assert found == [("recommendation", "2", *outcome)]


@pytest.mark.parametrize(("language", "text"), [
    ("zh", "还强调了非正式警察网络的重要性，建议工作组下次会议讨论这一问题。"),  # no proponent opens the sentence
    ("en", "The importance of informal police networks was stressed; it was recommended that the Working Group "
           "discuss them."),
    ("zh", "工作组交流了经验。"),  # the proponent, but no recommendation or addressed action
    ("en", "The Working Group exchanged experience."),
    ("zh", "联合国打击跨国有组织犯罪公约缔约方会议在其第 4/4 号决定中设立了工作组。"),  # a body, but not its verb
    ("en", "In its decision 4/4, the Conference of the Parties established the Working Group."),
])
def test_a_paragraph_without_a_proponent_and_its_verb_states_none(tmp_path: Path, registries: Registries,
                                                                  language: str, text: str) -> None:
    x = extract(second_paragraph(tmp_path, language, text), registries)
    assert not [o for o in x.outcomes if o.unit == "para_2"]


# -- topics: English cues give an English report the topics of its Chinese text ---------------------------------

def test_every_topic_has_english_cues(registries: Registries) -> None:
    cues = yaml.safe_load((ROOT / "data" / "rules" / "en.yaml").read_text(encoding="utf-8"))["concept_cues"]
    assert set(cues["topics"]) == set(registries.concepts["topics"])
    assert all(cues["topics"].values())


def topics_of(doc: Document, registries: Registries) -> dict[str, tuple[str, ...]]:
    return {o.unit: o.topics for o in extract(doc, registries).outcomes}


@pytest.mark.parametrize(("zh", "en", "topics"), [
    ("工作组建议各缔约国利用视频会议开展司法协助和引渡。",
     "The Working Group recommended that States parties use videoconferencing for mutual legal assistance and "
     "extradition.", ("extradition", "mutual-legal-assistance", "videoconferencing")),
    ("工作组建议各缔约国通过中心当局交流关于没收文化财产的数据。",
     "The Working Group recommended that States parties exchange, through their central authorities, data on the "
     "confiscation of cultural property.",
     ("central-authorities", "confiscation-and-disposal", "cultural-property", "data-collection")),
    ("工作组建议各缔约国在控制下交付中加强警察间合作，并利用区域网络。",
     "The Working Group recommended that States parties strengthen police cooperation in controlled deliveries "
     "and use regional networks.", ("police-cooperation", "regional-networks", "special-investigative-techniques")),
    ("工作组建议各缔约国就银行保密和刑事诉讼的移交交流经验。",
     "The Working Group recommended that States parties exchange experience on bank secrecy and the transfer of "
     "criminal proceedings.", ("bank-information", "transfer-of-criminal-proceedings")),
])
def test_a_report_and_its_english_text_get_the_same_topics(tmp_path: Path, registries: Registries, zh: str,
                                                           en: str, topics: tuple[str, ...]) -> None:
    (tmp_path / "zh").mkdir()
    (tmp_path / "en").mkdir()
    got_zh = topics_of(second_paragraph(tmp_path / "zh", "zh", zh), registries)["para_2"]
    got_en = topics_of(second_paragraph(tmp_path / "en", "en", en), registries)["para_2"]
    assert got_zh == got_en == topics


def test_the_fixture_pair_gets_the_same_topics_per_outcome(registries: Registries) -> None:
    zh = topics_of(parsed("wg-tip-2015.zh"), registries)
    assert zh == topics_of(parsed("wg-tip-2015.en"), registries)
    assert zh["para_4/item_c"] == ("central-authorities", "mutual-legal-assistance")


def test_english_acts_in_the_graph_under_their_issuers(registries: Registries) -> None:
    """The English text alone: General Assembly resolution 55/25 is id/resolution/ga/55-25, and the list
    "resolutions 5/2 and 6/1" after "In its decision 4/4, the Conference of the Parties" is the Conference's."""
    from kg_build.pipeline import build_graph
    graph = build_graph([SERIES / "wg-tip-2015.en.txt"], registries).graph
    work = ID + "doc/CTOC/COP/WG.4/2015/6/"
    assert set(graph.objects(URIRef(work + "para_1"), CTOC.cites)) == {URIRef(ID + "resolution/ga/55-25")}
    assert set(graph.objects(URIRef(work + "para_2"), CTOC.cites)) == {
        URIRef(ID + key) for key in ("decision/cop-untoc/4-4", "resolution/cop-untoc/5-2", "resolution/cop-untoc/6-1")}
    assert graph.value(URIRef(ID + "resolution/ga/55-25"), CTOC.adoptedBy) == URIRef(ID + "body/ga")


# -- names no registry knows, in prose enumerations and observer lists: unlinked mentions with a warning -------

@pytest.mark.parametrize(("language", "text", "unknown", "known"), [
    ("en", "The representatives of Kyrgyzstan, Freedonia and Mongolia described their systems.", "Freedonia",
     ["state/KGZ", "state/MNG"]),
    ("zh", "吉尔吉斯斯坦、自由国和蒙古的代表介绍了本国的制度。", "自由国", ["state/KGZ", "state/MNG"]),
    ("en", "The observers for the European Union and the Regional Conference on Migration also made statements.",
     "the Regional Conference on Migration", ["organization/eu"]),
    ("zh", "欧洲联盟和区域移民会议的观察员也作了发言。", "区域移民会议", ["organization/eu"]),
])
def test_a_name_no_registry_knows_in_a_list_is_an_unlinked_mention_and_a_warning(
        tmp_path: Path, registries: Registries, language: str, text: str, unknown: str, known: list[str]) -> None:
    """Between two States of an enumeration in prose, or among the observers named before the statement verb:
    the entry no registry knows is kept (never dropped) and named in a warning with file, line and quote."""
    x = extract(second_paragraph(tmp_path, language, text), registries)
    mentions = [(m.span.text, m.key) for m in x.mentions if m.span.unit == "para_2" and m.mention_type in
                ("State", "Organization")]
    assert [key for _, key in mentions if key] == known
    assert [name for name, key in mentions if key is None] == [unknown]
    assert [w.split(": ", 1)[1] for w in x.warnings if "para_2" in w and "not found" in w] == [
        f"para_2: {unknown!r}: name not found in the registries (unlinked mention)"]


@pytest.mark.parametrize(("language", "text"), [
    ("en", "The representatives of Argentina, Thailand and South Africa described their systems."),
    ("zh", "阿根廷、泰国和南非的代表介绍了本国的制度。"),
    ("en", "The observers for the European Union and the International Organization for Migration also made "
           "statements."),
    ("en", "The Working Group on Trafficking in Persons held its sixth meeting at CTOC/COP/WG.4/2015/6."),
])
def test_known_names_and_symbols_give_no_unlinked_mention(tmp_path: Path, registries: Registries, language: str,
                                                          text: str) -> None:
    """Lists of known names leave nothing over (the "the" between them names nothing), and the COP of a
    document symbol is the symbol's, not a mention of the Conference."""
    x = extract(second_paragraph(tmp_path, language, text), registries)
    assert not [m for m in x.mentions if m.span.unit == "para_2" and m.key is None]
    assert not [m for m in x.mentions if m.span.unit == "para_2" and m.span.text == "COP"]
    assert not [w for w in x.warnings if "para_2" in w]


def test_an_english_report_reads_its_own_meeting_number(registries: Registries) -> None:
    """"The Working Group on Trafficking in Persons held its sixth meeting": 6, as 第六次会议 in Chinese."""
    assert extract(parsed("wg-tip-2015.en"), registries).meeting_number == 6
    assert extract(parsed("wg-tip-2015.zh"), registries).meeting_number == 6


@pytest.mark.parametrize(("language", "text", "unknown"), [
    ("en", "The observers for the Holy See and the Sovereign Military Order of Malta also made statements.",
     "the Sovereign Military Order of Malta"),
    ("zh", "教廷和马耳他主权军事医院骑士团的观察员也作了发言。", "马耳他主权军事医院骑士团"),
])
def test_a_name_holding_a_state_name_is_not_that_state(tmp_path: Path, registries: Registries, language: str,
                                                       text: str, unknown: str) -> None:
    """The Sovereign Military Order of Malta is not Malta (not_names): an unlinked mention and a warning."""
    x = extract(second_paragraph(tmp_path, language, text), registries)
    assert [(m.span.text, m.key) for m in x.mentions if m.span.unit == "para_2"] == [
        ("the Holy See" if language == "en" else "教廷", "state/VAT"), (unknown, None)]
    assert [s.speaker for s in x.statements if s.unit == "para_2"] == ["state/VAT", None]
    assert any(f"para_2: {unknown!r}: name not found in the registries" in w for w in x.warnings)
