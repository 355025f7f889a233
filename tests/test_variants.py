"""Other reports of the series parse too: variants generated from the seed by changing its format."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_build.read.model import Document, Kind
from kg_build.read.parse import parse_file
from tests import variants
from tests.conftest import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")
NEW_PARAGRAPH = "另有发言者介绍了本国的新做法。"


@pytest.fixture(scope="module")
def seed_doc() -> Document:
    return parse_file(SEED)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "variant.zh.txt"
    path.write_bytes(text.encode(encoding))
    return path


def texts(doc: Document, kind: Kind) -> list[str]:
    return [u.text for u in doc.of_kind(kind)]


@pytest.mark.parametrize(
    ("name", "make", "encoding"),
    [
        ("crlf", variants.crlf, "utf-8"),
        ("bom", variants.with_bom, "utf-8"),
        ("gb18030", lambda t: t, "gb18030"),
        ("crlf+bom", lambda t: variants.with_bom(variants.crlf(t)), "utf-8"),
    ],
)
def test_encodings_and_line_ends_give_same_units(tmp_path: Path, seed_doc: Document, name: str, make, encoding) -> None:
    doc = parse_file(write(tmp_path, make(SEED_TEXT), encoding))
    assert [(u.eid, u.text) for u in doc.units] == [(u.eid, u.text) for u in seed_doc.units], name
    for unit in doc.units:  # offsets still give back each quote
        assert doc.source.text[unit.start : unit.end].replace("\r", "") == seed_doc.source.text[
            seed_doc.unit(unit.eid).start : seed_doc.unit(unit.eid).end
        ]


def test_inserted_paragraph_renumbers(tmp_path: Path, seed_doc: Document) -> None:
    doc = parse_file(write(tmp_path, variants.insert_paragraph(SEED_TEXT, 4, NEW_PARAGRAPH)))
    paragraphs = doc.of_kind(Kind.PARAGRAPH)
    assert len(paragraphs) == 44
    assert doc.unit("para_5").text == NEW_PARAGRAPH
    assert doc.unit("para_6").text == seed_doc.unit("para_5").text
    assert doc.unit("para_38/item_a").text == seed_doc.unit("para_37/item_a").text
    assert doc.unit("para_40").footnote_markers == ["1"]


def test_deleted_and_renumbered(tmp_path: Path, seed_doc: Document) -> None:
    text = variants.renumber(variants.delete_paragraph(variants.delete_paragraph(SEED_TEXT, 41), 11))
    doc = parse_file(write(tmp_path, text))
    assert len(doc.of_kind(Kind.PARAGRAPH)) == 41
    assert doc.unit("para_11").text == seed_doc.unit("para_12").text
    assert doc.unit("para_40").text == seed_doc.unit("para_42").text


def test_moved_page_breaks(tmp_path: Path, seed_doc: Document) -> None:
    text = variants.heal_page_breaks(SEED_TEXT)
    text = variants.break_line_at(text, "12. 回顾到", 0.5)
    text = variants.break_line_at(text, "(b) 注意到《有组织犯罪公约》", 0.3)
    text = variants.break_line_at(text, "40. 下列国家的代表", 0.6)
    doc = parse_file(write(tmp_path, text))
    healed = {u.eid for u in doc.units if u.healed and u.kind in (Kind.PARAGRAPH, Kind.ITEM)}
    assert healed == {"para_12", "para_37/item_b", "para_40"}
    for kind in (Kind.PARAGRAPH, Kind.ITEM):
        assert texts(doc, kind) == texts(seed_doc, kind)


def test_page_break_around_a_footnote(tmp_path: Path, seed_doc: Document) -> None:
    """A footnote printed at the foot of a page, inside a paragraph cut by that page break."""
    footnote = "¹ CTOC/COP/WG.3/2012/1。\n\n"
    text = SEED_TEXT.replace(footnote, "")
    text = text.replace("在这几天，\n\n分别举行了", f"在这几天，\n\n{footnote}分别举行了")
    doc = parse_file(write(tmp_path, text))
    assert doc.unit("para_39").text == seed_doc.unit("para_39").text
    assert doc.unit("fn_1").text == "CTOC/COP/WG.3/2012/1。"


def test_next_report_of_the_series(tmp_path: Path, seed_doc: Document) -> None:
    """Other headings, another paragraph count, other page breaks and dates, CRLF: one combined variant."""
    text = variants.insert_paragraph(SEED_TEXT, 20, NEW_PARAGRAPH)
    text = variants.heal_page_breaks(text)
    text = variants.break_line_at(text, "15. 讨论中介绍了", 0.4)
    text = text.replace("2012年10月15日、16日和18日，维也纳", "2013年10月28日至30日，维也纳")
    text = text.replace("B. 文件", "B. 收到的文件").replace("引渡（第 16 条）", "引渡问题（第 16 条）")
    doc = parse_file(write(tmp_path, variants.crlf(text)))
    assert len(doc.of_kind(Kind.PARAGRAPH)) == 44
    assert [d.isoformat() for d in doc.header.meeting_dates] == ["2013-10-28", "2013-10-29", "2013-10-30"]
    assert doc.unit("chp_5/sec_b").text == "收到的文件"
    assert doc.unit("chp_3/sec_d/subsec_1").text == "引渡问题（第 16 条）"
    assert doc.unit("para_21").text == NEW_PARAGRAPH
    assert doc.unit("para_15").healed and doc.unit("para_15").text == seed_doc.unit("para_15").text
