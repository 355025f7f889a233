"""Reference data for the whole series: States, conventions and bodies checked against the UN's numbers and ISO.

These tests hold data/registries/states.yaml, conventions.yaml, bodies.yaml and organizations.yaml to
what is known outside the reports: 193 Member States and 2 observer States, ISO 3166-1 codes
(pycountry), the UN regional groups' sizes, the article counts of the Convention, its three Protocols
and the Convention against Corruption, and names and aliases that do not collide.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any

import pycountry
import pytest
import yaml

from tests.conftest import REGISTRIES

CJK = re.compile(r"[\u3400-\u9fff]")
GROUPS = ("african", "asia-pacific", "eastern-european", "grulac", "weog")
# Sizes of the UN regional groups: the United States, an observer in WEOG, is counted in it (28 + 1);
# Asia-Pacific counts Kiribati, in the group since 2010 (the 53 often quoted predates it). Sum 193.
GROUP_SIZES = {"african": 54, "asia-pacific": 54, "eastern-european": 23, "grulac": 33, "weog": 29}
ARTICLE_COUNTS = {"untoc": 41, "tip-protocol": 20, "som-protocol": 25, "firearms-protocol": 21, "uncac": 71}
PROTOCOLS = {"tip-protocol", "som-protocol", "firearms-protocol"}


@cache
def load(name: str) -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load((REGISTRIES / f"{name}.yaml").read_text(encoding="utf-8")))


def states() -> tuple[dict[str, Any], ...]:
    return load("states")


def ambiguous(name: str) -> set[str]:
    """Aliases a registry file declares ambiguous on its `# ambiguous: a | b` header line."""
    found: set[str] = set()
    for line in (REGISTRIES / f"{name}.yaml").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"#\s*ambiguous:\s*(.*)$", line):
            found |= {a.strip() for a in match.group(1).split("|") if a.strip()}
    return found


# -- States -----------------------------------------------------------------------------------------


def test_193_members_and_2_observer_states() -> None:
    status = Counter(s["un_status"] for s in states())
    assert set(status) <= {"member", "observer", "other"}
    assert status["member"] == 193
    assert sorted(s["iso3"] for s in states() if s["un_status"] == "observer") == ["PSE", "VAT"]


def test_codes_agree_with_pycountry() -> None:
    for s in states():
        country = pycountry.countries.get(alpha_3=s["iso3"])
        assert country is not None, f"{s['iso3']} is not an ISO 3166-1 alpha-3 code"
        assert (s["iso2"], s["m49"]) == (country.alpha_2, country.numeric), s["iso3"]


def test_codes_and_qids_are_unique() -> None:
    for field in ("iso3", "iso2", "m49", "wikidata", "name_en", "name_zh"):
        values = Counter(s[field] for s in states())
        assert not [v for v, n in values.items() if n > 1], f"duplicate {field}"
    assert all(re.fullmatch(r"Q[1-9][0-9]*", s["wikidata"]) for s in states())


def test_members_have_a_regional_group_of_the_uns_size() -> None:
    for s in states():
        if s["un_status"] == "member":
            assert s["regional_group"] in GROUPS, s["iso3"]
        else:
            assert s["regional_group"] is None, s["iso3"]
    sizes = Counter(s["regional_group"] for s in states() if s["un_status"] == "member")
    assert dict(sizes) == GROUP_SIZES
    assert sum(GROUP_SIZES.values()) == 193


@pytest.mark.parametrize(("iso3", "group"), [("USA", "weog"), ("TUR", "weog"), ("ISR", "weog"),
                                             ("KIR", "asia-pacific"), ("CYP", "asia-pacific"),
                                             ("AUS", "weog"), ("GEO", "eastern-european")])
def test_regional_groups_of_borderline_states(iso3: str, group: str) -> None:
    assert next(s for s in states() if s["iso3"] == iso3)["regional_group"] == group


@pytest.mark.parametrize(("iso3", "name_en", "name_zh"), [
    ("VNM", "Viet Nam", "越南"),
    ("TUR", "Türkiye", "土耳其"),
    ("IRN", "Iran (Islamic Republic of)", "伊朗伊斯兰共和国"),
    ("BOL", "Bolivia (Plurinational State of)", "多民族玻利维亚国"),
    ("KOR", "Republic of Korea", "大韩民国"),
    ("GBR", "United Kingdom of Great Britain and Northern Ireland", "大不列颠及北爱尔兰联合王国"),
])
def test_un_short_names(iso3: str, name_en: str, name_zh: str) -> None:
    state = next(s for s in states() if s["iso3"] == iso3)
    assert (state["name_en"], state["name_zh"]) == (name_en, name_zh)


def test_formal_names_drop_the_leading_the() -> None:
    for s in states():
        assert s["formal_en"] and not s["formal_en"].lower().startswith("the "), s["iso3"]
        assert s["formal_zh"], s["iso3"]


def test_common_short_forms_are_aliases() -> None:
    by_iso3 = {s["iso3"]: s for s in states()}
    assert "美国" in by_iso3["USA"]["aliases_zh"] and "United States" in by_iso3["USA"]["aliases_en"]
    assert "英国" in by_iso3["GBR"]["aliases_zh"] and "俄罗斯" in by_iso3["RUS"]["aliases_zh"]
    assert "Russia" in by_iso3["RUS"]["aliases_en"] and "the Netherlands" in by_iso3["NLD"]["aliases_en"]


# -- Conventions ------------------------------------------------------------------------------------


def conventions() -> dict[str, dict[str, Any]]:
    return {c["slug"]: c for c in load("conventions")}


def test_instruments_and_their_article_counts() -> None:
    convs = conventions()
    assert {slug: c["article_count"] for slug, c in convs.items()} == ARTICLE_COUNTS
    for slug, c in convs.items():
        assert [a["number"] for a in c["articles"]] == list(range(1, c["article_count"] + 1)), slug


def test_every_article_has_both_titles() -> None:
    for slug, c in conventions().items():
        for a in c["articles"]:
            assert a["title_en"].strip() and a["title_zh"].strip(), f"{slug} art {a['number']}"
            assert not CJK.search(a["title_en"]) and CJK.search(a["title_zh"]), f"{slug} art {a['number']}"
            if "paragraph_count" in a:
                assert isinstance(a["paragraph_count"], int) and a["paragraph_count"] >= 1


def test_known_article_titles() -> None:
    untoc = conventions()["untoc"]["articles"]
    assert (untoc[17]["title_en"], untoc[17]["title_zh"]) == ("Mutual legal assistance", "司法协助")
    assert untoc[17]["paragraph_count"] == 30 and untoc[15]["paragraph_count"] == 17
    assert conventions()["uncac"]["articles"][45]["title_en"] == "Mutual legal assistance"


# The Chinese titles the header of conventions.yaml records as checked against a published Chinese text.
CHECKED_TITLES_ZH = {
    ("untoc", 1): "宗旨", ("untoc", 2): "术语的使用", ("untoc", 5): "参加有组织犯罪集团行为的刑事定罪",
    ("untoc", 6): "洗钱行为的刑事定罪", ("untoc", 7): "打击洗钱活动的措施", ("untoc", 11): "起诉、判决和制裁",
    ("untoc", 14): "没收的犯罪所得或财产的处置", ("untoc", 15): "管辖权", ("untoc", 26): "加强与执法当局合作的措施",
    ("tip-protocol", 4): "适用范围", ("tip-protocol", 5): "刑事定罪",
    ("tip-protocol", 6): "对人口贩运活动被害人的帮助和保护",
    ("tip-protocol", 15): "争端的解决", ("tip-protocol", 16): "签署、批准、接受、核准和加入"}


def test_checked_chinese_titles_and_the_header_that_records_them() -> None:
    header = "".join(line for line in (REGISTRIES / "conventions.yaml").read_text(encoding="utf-8").splitlines(True)
                     if line.startswith("#"))
    for (slug, number), title in CHECKED_TITLES_ZH.items():
        assert conventions()[slug]["articles"][number - 1]["title_zh"] == title, (slug, number)
        assert f"{number} {title}" in header.replace("\n#   ", "") or (slug, number) == ("untoc", 1), (slug, number)
    assert "untoc art 1 is 宗旨 (was 宗旨说明)" in header
    assert "not verified" in header


def test_protocols_supplement_the_convention() -> None:
    for slug, c in conventions().items():
        assert c["supplements"] == ("untoc" if slug in PROTOCOLS else None), slug
    short = {slug: set(c["aliases_zh"]) for slug, c in conventions().items()}
    assert {"有组织犯罪公约"} <= short["untoc"] and {"贩运人口议定书"} <= short["tip-protocol"]
    assert {"偷运移民议定书"} <= short["som-protocol"] and {"枪支议定书"} <= short["firearms-protocol"]
    assert {"反腐败公约"} <= short["uncac"]
    assert not any("《" in a or "》" in a for names in short.values() for a in names)


# -- Bodies -----------------------------------------------------------------------------------------


def test_bodies_name_their_instrument() -> None:
    convs = set(conventions())
    bodies = {b["slug"]: b for b in load("bodies")}
    for b in bodies.values():
        assert "instrument" in b and (b["instrument"] is None or b["instrument"] in convs), b["slug"]
    for slug in ("ga", "ecosoc", "ccpcj", "cop-untoc", "cosp-uncac", "unodc", "wg-trafficking-in-persons",
                 "wg-smuggling-of-migrants", "wg-firearms", "wg-international-cooperation", "wg-technical-assistance",
                 "ahc-untoc"):
        assert slug in bodies, slug
    assert bodies["cop-untoc"]["instrument"] == "untoc" and bodies["cosp-uncac"]["instrument"] == "uncac"


def test_ambiguous_aliases_resolve_by_instrument() -> None:
    """An alias several bodies share must belong to bodies of different instruments."""
    owners: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for b in load("bodies"):
        for alias in {*b["aliases_zh"], *b["aliases_en"]}:
            owners[alias].append(b)
    for alias in ambiguous("bodies"):
        instruments = [b["instrument"] for b in owners[alias]]
        assert len(instruments) > 1, f"{alias} is declared ambiguous but only one body has it"
        assert None not in instruments and len(set(instruments)) == len(instruments), alias


# -- Names and aliases, every file ------------------------------------------------------------------

NAMED_FILES = ("states", "bodies", "organizations", "conventions")


@pytest.mark.parametrize("name", NAMED_FILES)
def test_no_alias_shared_by_two_entries_unless_marked(name: str) -> None:
    key = "iso3" if name == "states" else "slug"
    owners: dict[str, set[str]] = defaultdict(set)
    for e in load(name):
        forms = {e["name_en"], e["name_zh"], *e.get("aliases_zh", []), *e.get("aliases_en", []),
                 *(e[f] for f in ("formal_en", "formal_zh") if f in e)}
        for form in forms:
            owners[form].add(e[key])
    shared = {form: keys for form, keys in owners.items() if len(keys) > 1}
    assert set(shared) <= ambiguous(name), f"{name}: aliases of several entries: {shared}"


@pytest.mark.parametrize("name", NAMED_FILES)
def test_chinese_names_are_chinese_and_english_names_are_not(name: str) -> None:
    for e in load(name):
        for field in ("name_zh", "formal_zh"):
            if field in e:
                assert CJK.search(e[field]), f"{name}: {field} {e[field]!r} has no CJK character"
        for alias in e.get("aliases_zh", []):
            assert CJK.search(alias), f"{name}: aliases_zh {alias!r} has no CJK character"
        for field in ("name_en", "formal_en"):
            if field in e:
                assert not CJK.search(e[field]), f"{name}: {field} {e[field]!r} has CJK characters"
        for alias in e.get("aliases_en", []):
            assert not CJK.search(alias), f"{name}: aliases_en {alias!r} has CJK characters"
