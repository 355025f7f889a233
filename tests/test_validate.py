"""`ctoc-kg validate` and the build's own validation: the seed conforms, reports are readable (grouped,
with values and quotes) in three formats, the build refuses to publish a graph with violations, and
anything that prevents validation is exit 2, never "conforms"."""

# ruff: noqa: F811 (the server fixtures are imported from tests/servers.py and used as parameters)
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg_build.cli import main
from kg_build.errors import InputError
from kg_build.graph_files import read_graph
from kg_build.map.reference import ReferenceMapper
from kg_build.namespaces import CTOC
from kg_build.pipeline import map_work
from kg_build.reason.closure import load_ontology
from kg_build.validate.shapes import ValidationFailed, load_shapes, naive_shacl_findings, shacl_findings
from tests.conftest import FIXTURES
from tests.servers import RecordingServer, network_canary, recorder  # noqa: F401 (fixtures)

REPORT = "https://w3id.org/ctoc-kg/id/report/wg-international-cooperation/2012-10-15"
WRONG_TAG = FIXTURES / "invalid" / "wrong-language-tag.ttl"


def test_the_build_validated_itself(built_dist: Path) -> None:
    text = (built_dist / "validation.txt").read_text(encoding="utf-8")
    assert "result: conforms — 0 violation(s)" in text
    assert (built_dist / "inferred.nt").stat().st_size > 0


def test_validate_the_build(built_dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--dist", str(built_dist), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] and report["violations"] == 0
    assert report["inputs"] == [str(built_dist / "kg.nt"), str(built_dist / "inferred.nt")]


def test_seed_fast_path_equals_naive_path(kg: Graph, built_dist: Path) -> None:
    inferred = Graph().parse(built_dist / "inferred.nt", format="nt")
    shapes, ontology = load_shapes(), load_ontology()
    fast = shacl_findings(kg + inferred, shapes)
    naive = naive_shacl_findings(kg, ontology, shapes)
    assert {(f.check, f.component, f.focus, f.value, f.severity) for f in fast} == {
        (f.check, f.component, f.focus, f.value, f.severity) for f in naive}
    assert not [f for f in fast if f.severity == "Violation"]  # same conformance: both conform


def test_text_report_groups_by_shape_and_node_with_value_and_quote(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(WRONG_TAG)]) == 1
    out = capsys.readouterr().out
    block = out[out.index("[Violation] ctocsh:TextUnit-text"):]
    assert "(LanguageInConstraintComponent; 1 node)" in block
    assert "  - id:report/wg-test/2020-01-06/para_1" in block
    assert "value 工作组拟订了下列建议：@fr" in block
    assert "quote: “工作组拟订了下列建议：”" in block
    assert out.rstrip().endswith("result: does NOT conform — 1 violation(s), 0 warning(s)")


def test_turtle_report_is_a_shacl_report_without_blank_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(WRONG_TAG), "--format", "turtle"]) == 1
    report = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert not any(isinstance(n, BNode) for t in report for n in t)
    (result,) = report.subjects(SH.focusNode, URIRef("https://w3id.org/ctoc-kg/id/report/wg-test/2020-01-06/para_1"))
    assert report.value(result, SH.resultSeverity) == SH.Violation
    assert report.value(result, SH.sourceShape) == URIRef("https://w3id.org/ctoc-kg/shapes#TextUnit-text")
    assert report.value(result, SH.sourceConstraintComponent) == SH.LanguageInConstraintComponent
    assert (None, SH.conforms, Literal(False)) in report


def test_build_refuses_to_publish_a_graph_with_violations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Paragraph 37 loses its text: the build exits 1 and the previous dist/ stays as it was."""

    from kg_build.corpus import worker

    def broken_map(group: list, reference: ReferenceMapper) -> list[str]:
        warnings = map_work(group, reference)
        reference.g.remove((URIRef(f"{REPORT}/para_37"), CTOC.text, None))
        return warnings

    out = tmp_path / "dist"
    out.mkdir()
    (out / "kg.nt").write_text("previous build\n", encoding="utf-8")
    monkeypatch.setattr(worker, "map_work", broken_map)
    with pytest.raises(ValidationFailed) as refused:
        main(["build", "--out", str(out), "--no-cache", "--jobs", "1"])
    assert refused.value.code == 1
    assert [(f.check, f.focus) for f in refused.value.report.violations] == [
        ("https://w3id.org/ctoc-kg/shapes#TextUnit-text", f"{REPORT}/para_37")]
    assert "the build was not published" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["kg.nt"]
    assert (out / "kg.nt").read_text(encoding="utf-8") == "previous build\n"
    assert not any(p.name.startswith(".dist.tmp-") for p in tmp_path.iterdir())


MALFORMED_SHAPES = {
    "bad-cardinality": "ctocsh:S a sh:NodeShape ; sh:targetClass ctoc:Paragraph ; "
                       "sh:property [ sh:path ctoc:text ; sh:minCount \"one\" ] .",
    "values-in-sparql": "ctocsh:S a sh:NodeShape ; sh:targetClass ctoc:Paragraph ; sh:sparql [ sh:message \"m\" ; "
                        "sh:select \"SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?x }\" ] .",
    "broken-sparql": "ctocsh:S a sh:NodeShape ; sh:targetClass ctoc:Paragraph ; sh:sparql [ sh:message \"m\" ; "
                     "sh:select \"SELECT $this WHERE { $this ?p \" ] .",
}


@pytest.mark.parametrize("name", sorted(MALFORMED_SHAPES))
def test_unusable_shapes_mean_could_not_validate(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "bad.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ctoc: <https://w3id.org/ctoc-kg/ontology#> .\n"
        "@prefix ctocsh: <https://w3id.org/ctoc-kg/shapes#> .\n" + MALFORMED_SHAPES[name] + "\n", encoding="utf-8")
    assert main(["validate", str(WRONG_TAG), "--shapes", str(shapes)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "could not validate" in captured.err


def test_missing_build_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--dist", str(tmp_path)]) == 2
    assert "run `ctoc-kg build` first" in capsys.readouterr().err


# --- every format the build writes, and nothing fetched while reading ------------------------------------------

def triples_of(graph: Graph) -> set[str]:
    return {" ".join(term.n3() for term in triple) for triple in graph}


def test_reads_every_format_the_build_writes(built_dist: Path) -> None:
    """kg.ttl, kg.rdf and kg.jsonld hold the asserted graph; kg.trig and kg.nq hold it with the inferred one."""
    asserted = triples_of(read_graph([built_dist / "kg.nt"]))
    everything = triples_of(read_graph([built_dist / "kg.nt", built_dist / "inferred.nt"]))
    assert len(everything) > len(asserted) > 7000
    for name in ("kg.ttl", "kg.rdf", "kg.jsonld"):
        assert triples_of(read_graph([built_dist / name])) == asserted, name
    for name in ("kg.trig", "kg.nq"):
        assert triples_of(read_graph([built_dist / name])) == everything, name


def test_validate_a_jsonld_dump_says_each_stage(built_dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It used to stop at `cannot parse as turtle`; every stage now says how long it took on stderr."""
    assert main(["validate", str(built_dist / "kg.jsonld")]) == 0
    captured = capsys.readouterr()
    assert "result: conforms" in captured.out
    stages = captured.err.splitlines()
    assert stages[0].startswith(f"validate: read {len(read_graph([built_dist / 'kg.nt']))} triples from ")
    assert stages[0].endswith(" s") and "kg.jsonld" in stages[0]
    assert any(line.startswith("validate: checked ") for line in stages)


def test_input_format_overrides_the_suffix(built_dist: Path, tmp_path: Path) -> None:
    odd = tmp_path / "graph.data"
    odd.write_bytes((built_dist / "kg.jsonld").read_bytes())
    assert len(read_graph([odd], fmt="json-ld")) == len(read_graph([built_dist / "kg.nt"]))
    with pytest.raises(InputError, match="cannot parse as turtle"):
        read_graph([odd])


RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'


def hostile_xml(url: str) -> dict[str, bytes]:
    body = f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="urn:a"><rdf:value>&x;</rdf:value></rdf:Description>' \
           "</rdf:RDF>\n"
    return {
        "external": f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY x SYSTEM "{url}">\n]>\n{body}'.encode(),
        "file": f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n{body}'
                .encode(),
        "laughs": ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY x "&a;&a;&a;&a;">]>\n'
                   + body).encode(),
        "utf-16": f'<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]>\n{body}'
                  .encode("utf-16"),
    }


@pytest.mark.parametrize("name", ["external", "file", "laughs", "utf-16"])
def test_rdfxml_with_entities_is_refused(tmp_path: Path, recorder: RecordingServer,
                                         capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = tmp_path / f"{name}.rdf"
    path.write_bytes(hostile_xml(recorder.url)[name])
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "<!DOCTYPE> declaration is refused" in err and f"{path}:2:" in err
    assert recorder.requests == []


def hostile_jsonld(url: str) -> dict[str, object]:
    return {
        "remote": {"@context": url, "@id": "urn:a", "name": "x"},
        "file": {"@context": "file:///etc/ctoc-context.jsonld", "@id": "urn:a"},
        "list": {"@context": [{"@vocab": "urn:v#"}, url], "@id": "urn:a"},
        "nested": {"@context": {"@vocab": "urn:v#"}, "@graph": [{"@id": "urn:a", "p": {"@context": url}}]},
        "scoped": {"@context": {"p": {"@id": "urn:p", "@context": url}}, "@id": "urn:a", "p": {"@id": "urn:b"}},
        "import": {"@context": {"@version": 1.1, "@import": url}, "@id": "urn:a"},
    }


@pytest.mark.parametrize("name", ["remote", "file", "list", "nested", "scoped", "import"])
def test_jsonld_contexts_that_would_be_fetched_are_refused(tmp_path: Path, recorder: RecordingServer,
                                                           capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = tmp_path / f"{name}.jsonld"
    path.write_text(json.dumps(hostile_jsonld(recorder.url)[name], indent=1), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is refused: a context that is not embedded" in err and f"{path}:" in err
    assert recorder.requests == []


@pytest.mark.parametrize("fixture", ["negative-offset", "duplicate-paragraph-number", "wrong-language-tag"])
def test_ntriples_are_validated_on_a_bulk_loaded_store_like_turtle(
        fixture: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An N-Triples file takes the bulk-loaded store path (its literals as written, xsd:nonNegativeInteger
    included): the same exit code and JSON report as the same graph in Turtle, which rdflib reads."""
    turtle = FIXTURES / "invalid" / f"{fixture}.ttl"
    ntriples = tmp_path / f"{fixture}.nt"
    ntriples.write_text(read_graph([turtle]).serialize(format="nt"), encoding="utf-8")
    codes, reports = [], []
    for path in (turtle, ntriples):
        codes.append(main(["validate", str(path), "--format", "json"]))
        report = json.loads(capsys.readouterr().out)
        report["inputs"] = []
        report["notes"] = [note.split(" in ")[0] for note in report["notes"]]  # the reasoning's time
        reports.append(report)
    assert codes == [1, 1] and reports[0] == reports[1] and reports[0]["violations"] > 0
