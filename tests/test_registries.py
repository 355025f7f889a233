"""Curated registries: schema, unique keys, cross-references, codes checked with CLDR. The report-specific
registries (networks, groups, people, acts, documents) are read from the report; the series-wide reference
data (States, bodies, organizations, the five instruments) is checked against CLDR here and against ISO and the
UN's numbers in tests/test_reference_data.py, not against one report's text."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
import yaml
from babel import Locale
from babel.core import get_global
from rdflib import Graph
from rdflib.namespace import RDFS

from kg_build.namespaces import CTOC
from tests.conftest import ONTOLOGY, REGISTRIES, REPORTS

UN_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
CONCEPT_KEYS = ("slug", "label_en", "label_zh", "definition_en", "cues_zh", "source")
# Required keys, then optional keys, of each registry file (data/registries/<name>.yaml).
SCHEMAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "languages": (("name_en", "name_zh", "iso639_1", "eu_authority"), ("source",)),
    "states": (("iso3", "iso2", "m49", "wikidata", "name_en", "formal_en", "aliases_en", "name_zh", "formal_zh",
                "aliases_zh", "regional_group", "un_status", "source"), ()),
    "conventions": (("slug", "name_en", "name_zh", "aliases_zh", "aliases_en", "supplements", "article_count",
                     "articles", "source"), ("wikidata", "short_en")),
    "bodies": (("slug", "type", "instrument", "name_en", "name_zh", "aliases_zh", "aliases_en", "part_of",
                "established_by", "joint_meeting_with", "serves_as_secretariat_of", "source"), ()),
    "networks": (("slug", "type", "name_en", "name_zh", "aliases_zh", "supported_by", "established_under",
                  "region_en", "region_zh", "planned", "source"), ()),
    "organizations": (("slug", "type", "name_en", "name_zh", "aliases_zh", "source"), ("wikidata",)),
    "people": (("slug", "name", "affiliation", "source"), ()),
    "groups": (("slug", "name_en", "name_zh", "aliases_zh", "source"), ()),
    "acts": (("key", "kind", "symbol", "body", "session", "number", "title_en", "year", "source"), ("title_zh",)),
    "documents": (("symbol", "source"), ("title_en",)),
    "places": (("slug", "name_en", "name_zh", "wikidata", "country", "source"), ()),
    "actions": (CONCEPT_KEYS, ()),
    "topics": ((*CONCEPT_KEYS, "articles"), ()),
    "roles": (CONCEPT_KEYS, ()),
    "capacities": (CONCEPT_KEYS, ()),
    "regional_groups": (CONCEPT_KEYS, ()),
}
KEY_FIELD = {"languages": "iso639_1", "states": "iso3", "acts": "key", "documents": "symbol"}  # else "slug"
AGENT_PREFIX = {"states": "state", "bodies": "body", "networks": "network", "organizations": "organization",
                "groups": "group", "people": "person"}
TYPE_SUPERCLASS = {"bodies": "Body", "networks": "Network", "organizations": "IntergovernmentalOrganization"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@cache
def entries(name: str) -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load((REGISTRIES / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list) and data, f"{name}.yaml is not a non-empty YAML list"
    assert all(isinstance(e, dict) for e in data), f"{name}.yaml has an entry that is not a mapping"
    return tuple(data)


@cache
def report_text() -> str:
    """Every report text, joined: the names, cues and symbols of the registries must occur in it."""
    files = sorted(REPORTS.glob("*.txt"))
    assert files, "no report in data/reports/"
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def paragraph(number: int) -> str:
    """The text of paragraph `number` of the seed report (from its number to the next paragraph)."""
    match = re.search(rf"^{number}\. (.*?)(?=^\d+\. |\Z)", report_text(), re.M | re.S)
    assert match, f"paragraph {number} not found"
    return match.group(1)


def key_of(name: str, entry: dict[str, Any]) -> str:
    return str(entry[KEY_FIELD.get(name, "slug")])


def agent_keys() -> set[str]:
    return {f"{prefix}/{key_of(name, e)}" for name, prefix in AGENT_PREFIX.items() for e in entries(name)}


def slugs(name: str) -> set[str]:
    return {key_of(name, e) for e in entries(name)}


def ontology_classes() -> Graph:
    graph = Graph()
    with (ONTOLOGY / "ctoc.ttl").open("rb") as handle:
        graph.parse(handle, format="turtle")
    return graph


def test_every_registry_file_has_a_schema_here() -> None:
    files = {p.stem for p in REGISTRIES.glob("*.yaml")}
    assert files, "no registry file found"
    assert files == set(SCHEMAS)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_entries_have_the_schema_keys(name: str) -> None:
    required, optional = SCHEMAS[name]
    for entry in entries(name):
        assert set(required) <= set(entry), f"{name}: {entry} lacks {set(required) - set(entry)}"
        assert set(entry) <= {*required, *optional}, f"{name}: unknown keys {set(entry) - {*required, *optional}}"
        if "source" in required:
            assert isinstance(entry["source"], str) and entry["source"].strip(), f"{name}: empty source in {entry}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_keys_are_unique_and_well_formed(name: str) -> None:
    keys = [key_of(name, e) for e in entries(name)]
    assert len(keys) == len(set(keys)), f"{name}: duplicate keys"
    if KEY_FIELD.get(name, "slug") == "slug":
        assert all(SLUG.match(k) for k in keys), f"{name}: slug not lower-case-hyphenated: {keys}"


def test_agent_keys_unique_across_files() -> None:
    keys = [f"{p}/{key_of(n, e)}" for n, p in AGENT_PREFIX.items() for e in entries(n)]
    assert len(keys) == len(set(keys))


def test_wikidata_ids_are_qids_and_unique() -> None:
    qids = [str(e["wikidata"]) for name in SCHEMAS for e in entries(name) if "wikidata" in e]
    assert qids and all(re.fullmatch(r"Q[0-9]+", q) for q in qids), qids
    assert len(qids) == len(set(qids))


def test_state_codes_are_strings_of_the_right_shape() -> None:
    """Quoted codes: unquoted, YAML reads Norway's `NO` as false and an M49 `032` as 32."""
    for s in entries("states"):
        assert isinstance(s["iso2"], str) and re.fullmatch(r"[A-Z]{2}", s["iso2"]), s
        assert isinstance(s["iso3"], str) and re.fullmatch(r"[A-Z]{3}", s["iso3"]), s
        assert isinstance(s["m49"], str) and re.fullmatch(r"[0-9]{3}", s["m49"]), s
    for field in ("iso2", "iso3", "m49"):
        values = [s[field] for s in entries("states")]
        assert len(values) == len(set(values)), f"duplicate {field}"


@pytest.mark.parametrize("language", UN_LANGUAGES)
def test_every_iso2_has_a_cldr_name(language: str) -> None:
    territories = Locale(language).territories
    missing = [s["iso2"] for s in entries("states") if not territories.get(s["iso2"])]
    assert not missing, f"no CLDR {language} name for {missing}"


def test_alpha3_and_m49_agree_with_alpha2_in_cldr() -> None:
    """CLDR's territory aliases map each alpha-3 and numeric code to its alpha-2: an independent check."""
    aliases = get_global("territory_aliases")
    for s in entries("states"):
        assert aliases.get(s["iso3"]) == [s["iso2"]], s["iso3"]
        assert aliases.get(s["m49"]) == [s["iso2"]], s["m49"]
    for place in entries("places"):
        assert place["country"] in aliases, place


def test_state_regional_groups_resolve() -> None:
    """Every Member State is in a regional group of regional_groups.yaml; observers and others in none."""
    groups = slugs("regional_groups")
    assert groups == {"african", "asia-pacific", "eastern-european", "grulac", "weog"}
    assert {s["regional_group"] for s in entries("states") if s["un_status"] == "member"} == groups
    assert {s["regional_group"] for s in entries("states") if s["un_status"] != "member"} == {None}


def test_state_names_include_the_cldr_chinese_name() -> None:
    """The gazetteer finds a State by its CLDR Chinese name too (name, formal name or alias); CLDR's 巴勒斯坦领土
    ("Palestinian Territories") is not a name of the State of Palestine."""
    zh = Locale("zh").territories
    missing = [s["iso3"] for s in entries("states")
               if zh.get(s["iso2"]) not in {s["name_zh"], s["formal_zh"], *s["aliases_zh"]}]
    assert missing == ["PSE"]


def test_entity_types_are_classes_of_the_ontology() -> None:
    graph = ontology_classes()
    for name, top in TYPE_SUPERCLASS.items():
        for entry in entries(name):
            cls = CTOC[entry["type"]]
            assert CTOC[top] in set(graph.transitive_objects(cls, RDFS.subClassOf)), f"{name}: {entry['type']}"


def test_body_references_resolve() -> None:
    bodies, acts = slugs("bodies"), slugs("acts")
    by_slug = {b["slug"]: b for b in entries("bodies")}
    for b in entries("bodies"):
        assert b["part_of"] is None or b["part_of"] in bodies, b["slug"]
        assert set(b["established_by"]) <= acts, b["slug"]
        assert set(b["serves_as_secretariat_of"]) <= bodies, b["slug"]
        for other in b["joint_meeting_with"]:
            assert b["slug"] in by_slug[other]["joint_meeting_with"], f"joint meeting {b['slug']}-{other} one-sided"


def test_agent_references_resolve() -> None:
    agents = agent_keys()
    for n in entries("networks"):
        assert set(n["supported_by"]) | set(n["established_under"]) <= agents, n["slug"]
        assert isinstance(n["planned"], bool)
    for p in entries("people"):
        assert p["affiliation"] is None or p["affiliation"] in agents, p["slug"]


def test_acts_keys_match_their_fields() -> None:
    bodies = slugs("bodies")
    for a in entries("acts"):
        assert a["kind"] in ("decision", "resolution") and a["body"] in bodies
        assert a["key"] == f"{a['kind']}/{a['body']}/{a['session']}-{a['number']}"
        assert a["symbol"] == f"{a['session']}/{a['number']}" and isinstance(a["symbol"], str)


def test_convention_articles_are_consistent() -> None:
    for c in entries("conventions"):
        numbers = [a["number"] for a in c["articles"]]
        assert len(numbers) == len(set(numbers)) and all(1 <= n <= c["article_count"] for n in numbers)
        assert sorted(numbers) == list(range(1, c["article_count"] + 1)), c["slug"]
        for article in c["articles"]:
            assert {"number", "title_en", "title_zh"} <= set(article) <= {*article, "paragraph_count"}
            assert article.get("paragraph_count", 1) >= 1
    counts = {c["slug"]: c["article_count"] for c in entries("conventions")}
    assert counts == {"untoc": 41, "tip-protocol": 20, "som-protocol": 25, "firearms-protocol": 21, "uncac": 71}


def test_topic_articles_resolve() -> None:
    """A topic's articles are keyed by their instrument (no instrument is assumed) and exist in it."""
    articles = {c["slug"]: {a["number"] for a in c["articles"]} for c in entries("conventions")}
    for t in entries("topics"):
        assert isinstance(t["articles"], dict), t["slug"]
        for instrument, numbers in t["articles"].items():
            assert set(numbers) <= articles[instrument], (t["slug"], instrument)


@pytest.mark.parametrize("name", ["actions", "topics", "roles", "capacities", "regional_groups"])
def test_concept_labels_are_unique(name: str) -> None:
    for field in ("label_en", "label_zh"):
        labels = [e[field] for e in entries(name)]
        assert len(labels) == len(set(labels)), f"{name}: duplicate {field}"


# -- names, cues and symbols read from the report ---------------------------------------------------


@pytest.mark.parametrize("name", ["networks", "groups"])
def test_chinese_names_occur_in_the_report(name: str) -> None:
    """Report-specific registries: every name_zh and alias occurs in a report."""
    for e in entries(name):
        assert e["name_zh"] in report_text(), f"{name}: {e['name_zh']} not in any report"
        for alias in e["aliases_zh"]:
            assert alias in report_text(), f"{name}: alias {alias} not in any report"


@pytest.mark.parametrize("name", ["actions", "topics", "roles", "capacities"])
def test_cues_occur_in_the_report(name: str) -> None:
    for e in entries(name):
        assert e["cues_zh"], f"{name}: {e['slug']} has no cue"
        for cue in e["cues_zh"]:
            assert cue in report_text(), f"{name}: cue {cue} not in any report"


def _covered(text: str, names: list[str]) -> tuple[list[str], str]:
    """The names found in `text` (longest first) and what is left once they are removed."""
    found = []
    for n in sorted(names, key=len, reverse=True):
        if n in text:
            found.append(n)
            text = text.replace(n, "")
    return found, text


def test_paragraph_40_speakers_are_the_registry_states() -> None:
    """Para 40 lists 31 States; the registry's names cover the list with nothing but separators left."""
    listing = paragraph(40).split("：", 1)[1].split("。", 1)[0]
    found, rest = _covered(listing, [s["name_zh"] for s in entries("states")])
    assert len(found) == 31
    assert set(rest) <= {"、", "和"}, rest


def test_paragraph_17_platform_members_are_registry_states() -> None:
    members = re.search(r"（由(.*?)联络点组成）", paragraph(17)).group(1)
    found, rest = _covered(members, [s["name_zh"] for s in entries("states")])
    assert sorted(found) == sorted(["科摩罗", "法国", "马达加斯加", "毛里求斯", "塞舌尔"])
    assert set(rest.replace("（留尼汪）", "")) <= {"、", "和"}, rest


def test_people_as_the_report_names_them() -> None:
    names = {p["name"] for p in entries("people")}
    latin = re.compile(r"[A-Z][a-zá-úñ]+(?: (?:de )?[A-Z][a-zá-úñ]+)+")
    assert set(latin.findall(paragraph(10) + paragraph(14))) == names
    states = {f"state/{s['iso3']}": s["name_zh"] for s in entries("states")}
    unodc = next(b for b in entries("bodies") if b["slug"] == "unodc")
    for p in entries("people"):
        if p["affiliation"] in states:
            assert f"{p['name']}（{states[p['affiliation']]}）" in report_text(), p["slug"]
        elif p["affiliation"] == "body/unodc":
            clause = next(c for c in paragraph(14).split("；") if p["name"] in c)
            assert any(n in clause for n in [unodc["name_zh"], *unodc["aliases_zh"]]), p["slug"]


def test_documents_are_the_symbols_the_report_gives() -> None:
    symbols = set(re.findall(r"\b[A-Z]{2,}(?:/[A-Za-z0-9.]+)+", report_text()))
    assert symbols == {d["symbol"] for d in entries("documents")}
    assert len(symbols) == 8


def test_acts_are_the_decisions_and_resolutions_the_report_cites() -> None:
    cited = set(re.findall(r"第 (\d+/\d+) 号(决定|决议)", report_text()))
    kinds = {"decision": "决定", "resolution": "决议"}
    assert cited == {(a["symbol"], kinds[a["kind"]]) for a in entries("acts")}
    assert ("5/7", "决议") in cited


def test_untoc_articles_the_report_cites_are_there() -> None:
    untoc = next(c for c in entries("conventions") if c["slug"] == "untoc")
    paragraphs = {a["number"]: a.get("paragraph_count") for a in untoc["articles"]}
    cited = {int(n) for n in re.findall(r"第 (\d+) 条", report_text())}
    assert cited == {14, 16, 18, 20, 21, 31} and cited <= set(paragraphs)
    assert all(paragraphs[a] for a in cited), "a cited article lacks its paragraph count"
    pairs = {(int(a), int(p)) for a, p in re.findall(r"第 (\d+) 条[，,]?\s*第 (\d+) 款", report_text())}
    assert pairs == {(18, 18), (18, 8), (18, 13), (31, 5)}
    assert all(p <= paragraphs[a] for a, p in pairs)


def test_registry_slugs_resolve_for_report_metadata() -> None:
    """The metadata file beside each report names its body by a slug of bodies.yaml."""
    bodies = slugs("bodies")
    for meta in sorted(REPORTS.glob("*.yaml")):
        assert yaml.safe_load(meta.read_text(encoding="utf-8"))["body"] in bodies, meta.name

