"""Extraction rules on their own: a small report in other wordings, with a small registry of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg_build.extract.facts import Extraction
from kg_build.extract.rules import extract
from kg_build.read.parse import parse_file
from kg_build.reference.entities import Registries

REPORT = (Path(__file__).parent / "fixtures" / "extract" / "mini-report.zh.txt").read_text(encoding="utf-8")

REGISTRY = {
    "states": [{"iso3": "CHL", "iso2": "CL", "m49": "152", "name_en": "Chile", "name_zh": "智利"},
               {"iso3": "ECU", "iso2": "EC", "m49": "218", "name_en": "Ecuador", "name_zh": "厄瓜多尔"}],
    "bodies": [{"slug": "cop-untoc", "type": "ConferenceOfParties", "name_en": "COP", "name_zh": "缔约方会议"},
               {"slug": "wg-ic", "type": "WorkingGroup", "name_en": "WG", "name_zh": "国际合作问题工作组"},
               {"slug": "secretariat", "type": "Secretariat", "name_en": "Secretariat", "name_zh": "秘书处"}],
    "networks": [{"slug": "net-a", "type": "JudicialNetwork", "name_en": "Network A", "name_zh": "甲网络"}],
    "organizations": [],
    "groups": [{"slug": "states-parties", "name_en": "States parties", "name_zh": "缔约国"}],
    "people": [{"slug": "jane-doe", "name": "Jane Doe", "affiliation": "state/CHL"}],
    "places": [{"slug": "vienna", "name_en": "Vienna", "name_zh": "维也纳"}],
    "conventions": [{"slug": "untoc", "name_en": "UNTOC", "name_zh": "联合国打击跨国有组织犯罪公约",
                     "article_count": 41, "articles": [{"number": 16, "title_en": "Extradition",
                                                        "title_zh": "引渡", "paragraph_count": 17}]}],
    "acts": [{"key": "decision/cop-untoc/6-1", "kind": "decision", "symbol": "6/1", "body": "cop-untoc"}],
    "documents": [],
    "actions": [{"slug": s, "label_en": s, "label_zh": s, "cues_zh": c} for s, c in
                [("requests", ["请"]), ("encourages", ["鼓励"]), ("notes", ["注意到"]), ("invites", ["邀请"]),
                 ("considers", ["考虑"])]],
    "topics": [{"slug": "extradition", "label_en": "Extradition", "label_zh": "引渡", "cues_zh": ["引渡"]}],
    "roles": [], "capacities": [], "regional_groups": [],
}


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    folder = tmp_path_factory.mktemp("extract")
    registry = folder / "registries"
    registry.mkdir()
    for name, entries in REGISTRY.items():
        (registry / f"{name}.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    report = folder / "other.zh.txt"
    report.write_text(REPORT, encoding="utf-8")
    return extract(parse_file(report), Registries(directory=Path(registry)))


def test_context(facts: Extraction) -> None:
    assert (facts.report_body, facts.parent_body, facts.convention) == ("body/wg-ic", "body/cop-untoc", "untoc")


def test_outcomes(facts: Extraction) -> None:
    a, b, *_ = facts.outcomes
    assert (a.outcome_id, a.kind, b.outcome_id, b.kind) == ("1(a)", "recommendation", "1(b)", "conclusion")
    assert a.proponents == ("body/wg-ic",) and b.proponents == ("body/wg-ic",)
    assert a.addressees == ("body/secretariat", "group/states-parties")
    assert a.actions == ("requests", "encourages") and b.actions == ("notes",)
    assert b.cites == ("convention/untoc/art_16/para_3",)
    assert (a.consensus, b.consensus) == (None, False)


def test_verb_of_an_announced_list_is_every_items_action(facts: Extraction) -> None:
    """建议缔约方会议考虑如下： — 'consider' takes the list as its object, so each item carries it; the chapeau of
    paragraph 1 (下列结论和建议：) has no such verb, and 1(a), 1(b) do not."""
    by_id = {o.outcome_id: o for o in facts.outcomes}
    assert by_id["6(a)"].actions == ("considers", "encourages")
    assert by_id["6(b)"].actions == ("considers", "requests")
    assert "considers" not in by_id["1(a)"].actions + by_id["1(b)"].actions


def test_citations(facts: Extraction) -> None:
    cited = {(c.span.unit, c.target, c.key, c.known) for c in facts.citations}
    assert ("para_2", "act", "decision/cop-untoc/6-1", True) in cited
    assert ("para_1/item_b", "provision", "convention/untoc/art_16/para_3", True) in cited
    assert ("para_5", "provision", "convention/untoc/art_99", False) in cited
    assert any("art_99" not in w and "第 99 条" in w and "no such provision" in w for w in facts.warnings)


def test_panel_and_unlinked_person(facts: Extraction) -> None:
    jane, john = facts.participations
    assert (jane.person, jane.name, jane.in_name_of, jane.agenda_item) == (
        "person/jane-doe", "Jane Doe", "state/CHL", "2")
    assert (john.person, john.name, john.in_name_of) == (None, "John Roe", "state/ECU")
    assert any("'John Roe'" in w and "people.yaml" in w for w in facts.warnings)


def test_members_with_note_and_unlinked_member(facts: Extraction) -> None:
    members = [(m.network, m.member, m.name, m.note) for m in facts.memberships]
    assert members == [("network/net-a", "state/CHL", "智利", None),
                       ("network/net-a", "state/ECU", "厄瓜多尔", "加拉帕戈斯"),
                       ("network/net-a", None, "乌有国", None)]


def test_statements(facts: Extraction) -> None:
    said = [(s.unit, s.speaker, s.name, s.capacity) for s in facts.statements]
    assert said == [("para_4", "state/CHL", "智利", "state"), ("para_4", None, "乌有国", "state"),
                    ("para_4", "state/ECU", "厄瓜多尔", "state"), ("para_5", "network/net-a", "甲网络", "observer")]
    unlinked = [m for m in facts.mentions if m.key is None]
    assert {m.span.text for m in unlinked} == {"乌有国", "John Roe"}
    assert all(any(m.span.text in w for w in facts.warnings) for m in unlinked)


def test_questions_and_agenda(facts: Extraction) -> None:
    assert [q.span.text for q in facts.questions] == ["会上有人提问，这种合作如何进行。"]
    assert facts.agenda_items == {"2": ["para_2"]}
