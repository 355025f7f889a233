"""`ctoc-kg build` end to end: the document layer in RDF, provenance, determinism, bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg_build.cli import main
from kg_build.namespaces import CTOC, ELI, OA
from tests import variants
from tests.conftest import SEED

REPORT = URIRef("https://w3id.org/ctoc-kg/id/report/wg-international-cooperation/2012-10-15")
SEED_TEXT = SEED.read_text(encoding="utf-8")


def unit(eid: str) -> URIRef:
    return URIRef(f"{REPORT}/{eid}")


def test_report_node(kg: Graph) -> None:
    assert (REPORT, RDF.type, CTOC.Report) in kg
    assert kg.value(REPORT, URIRef("http://purl.org/dc/terms/issued")) == Literal("2012-11-14", datatype=XSD.date)
    expression = kg.value(REPORT, ELI.is_realized_by)
    assert expression == URIRef(f"{REPORT}/zh")
    assert kg.value(expression, ELI.language) == URIRef(
        "http://publications.europa.eu/resource/authority/language/ZHO")
    source = kg.value(expression, CTOC.sourceFile)
    assert str(kg.value(source, CTOC.sha256)) == "dc22f4451e0fbc76f339abc6299c6c2dd6f97b2ff011c4255f959aa730a73630"


def test_units_in_rdf(kg: Graph) -> None:
    def count(cls: URIRef) -> int:
        return len(set(kg.subjects(RDF.type, cls)))

    assert (count(CTOC.Paragraph), count(CTOC.Item), count(CTOC.Footnote), count(CTOC.AnnexRow)) == (43, 18, 1, 7)
    assert kg.value(unit("para_37/item_a"), ELI.is_part_of) == unit("para_37")
    assert (unit("para_37"), ELI.has_part, unit("para_37/item_f")) in kg
    assert kg.value(unit("para_22"), ELI.is_part_of) == unit("chp_3/sec_d/subsec_1")
    assert kg.value(unit("para_41"), CTOC.text) == Literal("欧洲联盟的代表作了发言。", lang="zh")
    assert kg.value(unit("para_41"), ELI.number) == Literal("41")
    assert (unit("para_39"), CTOC.hasFootnote, unit("fn_1")) in kg
    assert set(kg.objects(unit("annex/row_3"), CTOC.symbolCell)) == {
        Literal("CTOC/COP/WG.2/2012/3"), Literal("CTOC/COP/WG.3/2012/4")}
    assert Literal("第37段(a)项", lang="zh") in set(kg.objects(unit("para_37/item_a"), URIRef(
        "http://www.w3.org/2000/01/rdf-schema#label")))


def test_every_anchor_gives_back_its_quote(kg: Graph) -> None:
    source = SEED_TEXT
    anchors = list(kg.subject_objects(CTOC.textAnchor))
    units = set(kg.subjects(CTOC.inReport, REPORT))
    assert len(units) == 94 and units <= {node for node, _ in anchors}
    assert len(anchors) > len(units)  # mentions and questions carry anchors too
    for node, anchor in anchors:
        selectors = {kg.value(s, RDF.type): s for s in kg.objects(anchor, OA.hasSelector)}
        quote = kg.value(selectors[OA.TextQuoteSelector], OA.exact)
        start = int(kg.value(selectors[OA.TextPositionSelector], OA.start))
        end = int(kg.value(selectors[OA.TextPositionSelector], OA.end))
        assert source[start:end] == str(quote), node
        assert source[:start].endswith(str(kg.value(selectors[OA.TextQuoteSelector], OA.prefix)))


def test_healed_units_are_marked(kg: Graph) -> None:
    healed = {s for s, _ in kg.subject_objects(CTOC.healedBreaks)}
    assert {unit("para_3/item_c"), unit("para_36"), unit("para_39")} <= healed
    assert "在这几天，分别举行了总共五场会议。" in str(kg.value(unit("para_39"), CTOC.text))


def test_no_blank_nodes(built_dist: Path) -> None:
    assert "_:" not in (built_dist / "kg.nt").read_text(encoding="utf-8")


def test_outputs_are_sorted_and_turtle_matches(built_dist: Path, kg: Graph) -> None:
    lines = (built_dist / "kg.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines)) == len(kg)
    turtle = Graph().parse(data=(built_dist / "kg.ttl").read_text(encoding="utf-8"), format="turtle")
    assert set(turtle) == set(kg)


def test_build_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path, built_dist: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"dist{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg_build.cli", "build", "--out", str(out)], check=True, env=env,
                       capture_output=True)
        outputs.append(((out / "kg.nt").read_bytes(), (out / "kg.ttl").read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == (built_dist / "kg.nt").read_bytes()


def test_build_accepts_file_and_folder_sources(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(SEED, folder)
    shutil.copy(SEED.with_suffix(".yaml"), folder)
    assert main(["build", str(folder), "--out", str(tmp_path / "a")]) == 0
    assert main(["build", str(folder / SEED.name), "--out", str(tmp_path / "b")]) == 0
    assert (tmp_path / "a" / "kg.nt").read_bytes() == (tmp_path / "b" / "kg.nt").read_bytes()


def test_stats_prints_the_summary(built_dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--dist", str(built_dist)]) == 0
    out = capsys.readouterr().out
    assert "Paragraph" in out and " 43" in out and "triples" in out


BAD_INPUTS = {
    "empty": (b"", 1, "file is empty"),
    "blank": (b"\n\n  \n", 1, "file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", 1, "not UTF-8 text"),
    "latin1": ("Distr.: Général\n".encode("latin-1") + b"\x00", 1, "not UTF-8 text"),
    "duplicate paragraph": (SEED_TEXT.replace("\n5. 一些发言者指出", "\n4. 一些发言者指出").encode(), 50,
                            "duplicate paragraph number 4"),
    "skipped paragraph": (variants.delete_paragraph(SEED_TEXT, 5).encode(), 50, "paragraph 6 skips ahead"),
    "item outside paragraph": (SEED_TEXT.replace("B. 文件\n", "B. 文件\n\n(a) 孤立的项目；\n").encode(), 176,
                               "item (a) outside any paragraph"),
    "skipped item": (SEED_TEXT.replace("(e) 在讨论区域", "(g) 在讨论区域").encode(), 40, "item (g) skips ahead"),
    "unterminated annex row": (SEED_TEXT.replace("CTOC/COP/2012/9\t4\t秘书处的报告，关于毒品", "CTOC/COP/2012/9\t4\n"
                               "秘书处的报告，关于毒品").encode(), 189, "unterminated annex row"),
    "malformed annex symbol": (SEED_TEXT.replace("CTOC/COP/2012/9\t4", "见上文\t4").encode(), 189,
                               "malformed annex row: '见上文' is not a document symbol"),
    "malformed annex agenda": (SEED_TEXT.replace("CTOC/COP/2012/9\t4", "CTOC/COP/2012/9\t第四项").encode(), 189,
                               "malformed annex row: '第四项' is not a list of agenda items"),
    "too many cells": (SEED_TEXT.replace("CTOC/COP/2012/9\t4\t", "CTOC/COP/2012/9\t4\t\t").encode(), 189,
                       "malformed annex row: expected 3 tab-separated cells, found 4"),
    "unterminated annex title": (SEED_TEXT.replace("文件一览表**", "文件一览表").encode(), 182,
                                 "unterminated annex title"),
    "no chapters": ("只有一行文字。\n".encode(), 1, "no chapter heading"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_one_line_exit_2_nothing_written(tmp_path: Path, case: str) -> None:
    content, line, problem = BAD_INPUTS[case]
    source = tmp_path / "bad.zh.txt"
    source.write_bytes(content)
    source.with_suffix(".yaml").write_text("body: wg-international-cooperation\n", encoding="utf-8")
    out = tmp_path / "dist"
    out.mkdir()
    (out / "kg.nt").write_text("previous build\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kg_build.cli", "build", str(source), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"{source}:{line}: error: "), result.stderr
    assert problem in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zh.txt", "bad.zh.yaml", "dist"]
    assert (out / "kg.nt").read_text(encoding="utf-8") == "previous build\n"


def test_gb18030_report_is_decoded(tmp_path: Path) -> None:
    source = tmp_path / "report.zh.txt"
    source.write_bytes(SEED_TEXT.encode("gb18030"))
    shutil.copy(SEED.with_suffix(".yaml"), source.with_suffix(".yaml"))
    assert main(["build", str(source), "--out", str(tmp_path / "dist")]) == 0
    graph = Graph().parse(tmp_path / "dist" / "kg.nt", format="nt")
    assert graph.value(unit("para_41"), CTOC.text) == Literal("欧洲联盟的代表作了发言。", lang="zh")
    assert Literal("gb18030") in set(graph.objects(None, CTOC.encoding))


def test_missing_source_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "dist")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()
