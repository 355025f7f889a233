"""The parser against facts read from the seed report: counts, numbers, texts, healed breaks, offsets."""

from __future__ import annotations

from datetime import date

import pytest

from kg_build.read.model import Document, HeaderRole, Kind
from kg_build.read.parse import chinese_numeral, is_terminated, join_text, parse_cjk_dates, parse_file
from tests.conftest import SEED


@pytest.fixture(scope="module")
def doc() -> Document:
    return parse_file(SEED)


def test_header(doc: Document) -> None:
    h = doc.header
    assert h.parent_bodies == ("联合国打击跨国有组织犯罪公约 缔约方会议",)
    assert h.body == "国际合作问题工作组"
    assert h.distribution == "General"
    assert h.issued == date(2012, 11, 14)
    assert (h.language, h.original_language) == ("Chinese", "English")
    assert h.symbol is None
    assert h.meeting_dates == (date(2012, 10, 15), date(2012, 10, 16), date(2012, 10, 18))
    assert h.place == "维也纳"
    assert h.title == "2012年10月15日至16日和18日在维也纳举行的 国际合作问题会议的报告"
    roles = [u.role for u in doc.of_kind(Kind.HEADER_LINE)]
    assert roles.count(HeaderRole.TITLE) == 1 and roles.count(HeaderRole.DATELINE) == 1


def test_counts(doc: Document) -> None:
    counts = {kind: len(doc.of_kind(kind)) for kind in Kind}
    assert counts[Kind.CHAPTER] == 5
    assert counts[Kind.SECTION] == 6  # 三.A–D, 五.A–B
    assert counts[Kind.SUBSECTION] == 5
    assert counts[Kind.PARAGRAPH] == 43
    assert counts[Kind.ITEM] == 18  # 3(a)–(f), 8(a)–(d), 37(a)–(f), 38(a)–(b)
    assert counts[Kind.FOOTNOTE] == 1
    assert counts[Kind.ANNEX] == 1
    assert counts[Kind.ANNEX_ROW] == 7


def test_paragraphs_numbered_in_order(doc: Document) -> None:
    assert [p.number for p in doc.of_kind(Kind.PARAGRAPH)] == [str(n) for n in range(1, 44)]
    assert [u.order for u in doc.units] == list(range(1, len(doc.units) + 1))


def test_chapters_sections_subsections(doc: Document) -> None:
    assert [(c.number, c.text) for c in doc.of_kind(Kind.CHAPTER)] == [
        ("一", "引言"), ("二", "结论和建议"), ("三", "审议情况概要"),
        ("四", "关于文化财产的联合讨论成果"), ("五", "会议安排"),
    ]
    assert [(s.parent, s.number) for s in doc.of_kind(Kind.SECTION)] == [
        ("chp_3", "A"), ("chp_3", "B"), ("chp_3", "C"), ("chp_3", "D"), ("chp_5", "A"), ("chp_5", "B"),
    ]
    assert doc.unit("chp_5/sec_b").text == "文件"
    assert [s.text for s in doc.of_kind(Kind.SUBSECTION)] == [
        "引渡（第 16 条）", "视频会议（第 18 条，第 18 款）", "银行信息（第 18 条，第 8 款）",
        "特殊侦查手段（第 20 条）", "刑事诉讼的移交（第 21 条）",
    ]
    assert all(s.parent == "chp_3/sec_d" for s in doc.of_kind(Kind.SUBSECTION))


def test_paragraph_parents(doc: Document) -> None:
    assert doc.unit("para_1").parent == "chp_1"
    assert doc.unit("para_3").parent == "chp_2"
    assert doc.unit("para_22").parent == "chp_3/sec_d/subsec_1"
    assert doc.unit("para_36").parent == "chp_3/sec_d/subsec_5"
    assert doc.unit("para_37").parent == "chp_4"
    assert doc.unit("para_43").parent == "chp_5/sec_b"


def test_paragraph_texts(doc: Document) -> None:
    assert doc.unit("para_41").text == "欧洲联盟的代表作了发言。"
    assert doc.unit("para_43").text == "本报告附件开列了工作组收到的文件。"
    assert doc.unit("para_3").text == "工作组拟订了下列结论和建议："
    assert doc.unit("para_1").text.startswith("联合国打击跨国有组织犯罪公约缔约方会议在其第 3/2 号决定中决定")
    assert doc.unit("para_1").text.endswith("工作组于 2012 年 10 月 15 日、16 日和 18 日在维也纳举行了其第四次会议。")


def test_items(doc: Document) -> None:
    parents = ("para_3", "para_8", "para_37", "para_38")
    items = {p: [i.number for i in doc.of_kind(Kind.ITEM) if i.parent == p] for p in parents}
    assert items == {"para_3": list("abcdef"), "para_8": list("abcd"), "para_37": list("abcdef"), "para_38": list("ab")}
    assert doc.unit("para_8/item_a").text == "工作组与专家会议合并的后果将是什么？"  # written "- (a)"
    assert doc.unit("para_8/item_d").text.startswith("考虑到《反腐败公约》所设专家会议")  # written "(d)"
    assert doc.unit("para_38/item_b").text == "鼓励缔约国对文化财产贩运适用《有组织犯罪公约》，包括关于国际合作的规定。"


def test_inline_item_references_are_not_items(doc: Document) -> None:
    assert "关于以上的问题(a)和(b)" in doc.unit("para_9").text
    assert not [u for u in doc.of_kind(Kind.ITEM) if u.parent == "para_9"]


def test_footnote_and_marker(doc: Document) -> None:
    footnote = doc.unit("fn_1")
    assert footnote.text == "CTOC/COP/WG.3/2012/1。"
    assert doc.unit("para_39").footnote_markers == ["1"]
    assert "议程¹项目 2、3 和 5" in doc.unit("para_39").text


def test_healed_page_breaks(doc: Document) -> None:
    healed = {u.eid: u for u in doc.units if u.healed and u.kind in (Kind.PARAGRAPH, Kind.ITEM)}
    assert set(healed) == {"para_3/item_c", "para_36", "para_39"}
    assert "开展有效协调的重要价值" in healed["para_3/item_c"].text
    assert "转移案件的一个主要考虑因素。" in healed["para_36"].text
    assert "在这几天，分别举行了总共五场会议。" in healed["para_39"].text
    for unit in healed.values():
        assert "\n" not in unit.text and len(unit.pieces) == 2
        quote = doc.source.text[unit.start : unit.end]
        assert "\n\n" in quote and "".join(quote.split()) == "".join(unit.text.split())


def test_annex(doc: Document) -> None:
    assert doc.unit("annex").text == "2012年10月15日、16日和18日在维也纳举行的国际合作问题工作组会议收到的文件一览表"
    rows = [r.cells for r in doc.of_kind(Kind.ANNEX_ROW)]
    assert rows[0] and rows[0].symbols == ("CTOC/COP/WG.3/2012/1",) and rows[0].agenda_items == ("1(b)",)
    assert rows[0].title == "临时议程和说明"
    assert rows[1] and rows[1].agenda_items == ("4", "5")
    assert rows[2] and rows[2].symbols == ("CTOC/COP/WG.2/2012/3", "CTOC/COP/WG.3/2012/4")
    assert rows[6] and rows[6].symbols == ("CTOC/COP/WG.3/2012/CRP.1",) and rows[6].agenda_items == ()
    assert sum(len(r.symbols) for r in rows if r) == 8


def test_every_unit_offsets_give_its_quote(doc: Document) -> None:
    text = doc.source.text
    for unit in doc.units:
        quote = text[unit.start : unit.end]
        assert quote.strip() == quote and quote, unit.eid
        if not unit.healed and unit.kind is not Kind.ANNEX_ROW:
            assert quote == unit.text, unit.eid
        for piece in unit.pieces:
            assert text.count("\n", 0, piece.start) + 1 == piece.line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012年10月15日、16日和18日", [date(2012, 10, 15), date(2012, 10, 16), date(2012, 10, 18)]),
        ("2012年10月15日至16日和18日", [date(2012, 10, 15), date(2012, 10, 16), date(2012, 10, 18)]),
        ("2012 年 10 月 30 日至 11 月 2 日", [date(2012, 10, 30), date(2012, 10, 31), date(2012, 11, 1),
                                          date(2012, 11, 2)]),
        ("2009年11月24日至26日", [date(2009, 11, 24), date(2009, 11, 25), date(2009, 11, 26)]),
        ("没有日期", []),
    ],
)
def test_parse_cjk_dates(text: str, expected: list[date]) -> None:
    assert parse_cjk_dates(text) == expected


def test_small_helpers() -> None:
    assert [chinese_numeral(n) for n in ("一", "九", "十", "十二", "二十", "二十三")] == [1, 9, 10, 12, 20, 23]
    assert is_terminated("结束。") and is_terminated("问题？”") and not is_terminated("在这几天，")
    assert join_text("开展有效", "协调") == "开展有效协调"
    assert join_text("Wilson Merino", "Sánchez") == "Wilson Merino Sánchez"


def test_text_offsets_map_back_to_the_source(doc: Document) -> None:
    """Every character of every unit's healed text maps to the same character in the source."""
    source = doc.source.text
    for unit in doc.units:
        for index, char in enumerate(unit.text):
            if char == " " and unit.healed:
                continue  # a space the join inserted between two Latin words
            assert source[unit.source_offset(index)] == char, (unit.eid, index)
    row = doc.unit("annex/row_2")
    start, end = row.source_span(0, 5)
    assert source[start:end] == "秘书处编写"
