"""Dumps: each format parses back (with the network refused) to exactly the triples of kg.nt; the quads put
each report's units in the report's named graph and the rest in the registries graph; checksums match;
the JSON-LD carries the published context inline; the bytes do not depend on the hash seed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg_build.namespaces import CTOC, ID
from kg_build.publish.dumps import INFERRED_GRAPH, REGISTRIES_GRAPH, graph_for, write_dumps
from kg_build.serialize import canonical_ntriples
from tests.conftest import ONTOLOGY, SEED

_network = {"refused": False}


def _audit(event: str, args: tuple) -> None:
    if _network["refused"] and event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        raise RuntimeError(f"network access while parsing: {event} {args[1:2]}")


sys.addaudithook(_audit)


@contextmanager
def no_network() -> Iterator[None]:
    """Refuse any socket connection or URL request inside the block (a canary for fetched contexts)."""
    _network["refused"] = True
    try:
        yield
    finally:
        _network["refused"] = False


def nt_lines(graph: Graph) -> set[str]:
    return {line for line in graph.serialize(format="nt").splitlines() if line.strip()}


def kg_nt_lines(dist: Path) -> set[str]:
    return {line for line in (dist / "kg.nt").read_text(encoding="utf-8").splitlines() if line.strip()}


def report_iri() -> URIRef:
    """The seed report's IRI, by the rule of TERMS.md: body slug from its metadata file and first meeting date."""
    meta = (SEED.with_suffix(".yaml")).read_text(encoding="utf-8")
    body = re.search(r"^body:\s*(\S+)", meta, re.M).group(1)  # type: ignore[union-attr]
    first = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", SEED.read_text(encoding="utf-8"))
    y, m, d = (int(x) for x in first.groups())  # type: ignore[union-attr]
    return ID[f"report/{body}/{y:04d}-{m:02d}-{d:02d}"]


def paragraph_text(number: int) -> str:
    """A numbered paragraph's text as the report file has it (one line, after ``N. ``)."""
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{number}. "):
            return line[len(f"{number}. "):].strip()
    raise AssertionError(f"paragraph {number} not in the report")


@pytest.mark.parametrize(("name", "fmt"), [("kg.ttl", "turtle"), ("kg.jsonld", "json-ld"), ("kg.rdf", "xml")])
def test_dump_parses_back_to_kg_nt(built_dist: Path, name: str, fmt: str) -> None:
    graph = Graph()
    with no_network(), (built_dist / name).open("rb") as handle:
        graph.parse(handle, format=fmt)
    assert nt_lines(graph) == kg_nt_lines(built_dist)


@pytest.mark.parametrize(("name", "fmt"), [("kg.trig", "trig"), ("kg.nq", "nquads")])
def test_quads_split_by_provenance(built_dist: Path, name: str, fmt: str) -> None:
    dataset = Dataset()
    with no_network(), (built_dist / name).open("rb") as handle:
        dataset.parse(handle, format=fmt)
    graphs = {c.identifier: c for c in dataset.graphs() if len(c)}
    asserted = Graph()
    for gid, context in graphs.items():
        if gid != INFERRED_GRAPH:
            asserted += context
    assert nt_lines(asserted) == kg_nt_lines(built_dist)
    if (built_dist / "inferred.nt").exists():
        inferred = Graph().parse(built_dist / "inferred.nt", format="nt")
        assert nt_lines(graphs[INFERRED_GRAPH]) == nt_lines(inferred)
    else:
        assert INFERRED_GRAPH not in graphs
    report = report_iri()
    assert set(graphs) - {INFERRED_GRAPH} == {report, REGISTRIES_GRAPH}
    paragraph_1 = URIRef(f"{report}/para_1")
    assert (paragraph_1, CTOC.text, Literal(paragraph_text(1), lang="zh")) in graphs[report]
    assert all(str(s) == str(report) or str(s).startswith(f"{report}/") or str(s).startswith(f"{report}#")
               for s in graphs[report].subjects())
    assert not any(str(s).startswith(f"{report}/") for s in graphs[REGISTRIES_GRAPH].subjects())
    source_sha = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert any(str(o) == source_sha for o in graphs[REGISTRIES_GRAPH].objects(None, CTOC.sha256))


def test_jsonld_embeds_the_published_context(built_dist: Path) -> None:
    data = json.loads((built_dist / "kg.jsonld").read_text(encoding="utf-8"))
    published = json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert data["@context"] == published
    paragraph_1 = next(n for n in data["@graph"] if n["id"] == f"{report_iri()}/para_1")
    assert paragraph_1["text"] == paragraph_text(1)  # "text" carries @language zh
    assert paragraph_1["partOf"].startswith(str(report_iri()))
    assert paragraph_1["label"]["zh"] and paragraph_1["label"]["en"]


def test_checksums_cover_every_dump(built_dist: Path) -> None:
    listed = {}
    for line in (built_dist / "checksums.sha256").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert {"kg.nt", "kg.ttl", "kg.trig", "kg.nq", "kg.jsonld", "kg.rdf", "void.ttl"} <= set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((built_dist / name).read_bytes()).hexdigest() == digest, name


def test_graph_for_keeps_report_iris_apart() -> None:
    report = URIRef("https://w3id.org/ctoc-kg/id/report/wg/2012-10-15")
    other = URIRef("https://w3id.org/ctoc-kg/id/report/wg/2012-10-150")
    reports = [other, report]
    assert graph_for(URIRef(f"{report}/para_1"), reports) == report
    assert graph_for(URIRef(f"{report}/para_1#quote-zh"), reports) == report
    assert graph_for(URIRef(f"{other}/para_1"), reports) == other
    assert graph_for(URIRef("https://w3id.org/ctoc-kg/id/state/ECU"), reports) == REGISTRIES_GRAPH


def test_inferred_triples_get_their_own_graph(tmp_path: Path) -> None:
    report = URIRef("https://w3id.org/ctoc-kg/id/report/wg/2012-10-15")
    unit = URIRef(f"{report}/para_1")
    asserted = Graph()
    asserted.add((unit, RDF.type, CTOC.Paragraph))
    asserted.add((unit, CTOC.text, Literal("多行\n文本", lang="zh")))
    inferred = Graph()
    inferred.add((unit, RDF.type, CTOC.TextUnit))
    for graph, name in ((asserted, "kg.nt"), (inferred, "inferred.nt")):
        (tmp_path / name).write_text(canonical_ntriples(graph), encoding="utf-8")
    write_dumps(tmp_path, [report])
    for name, fmt in (("kg.trig", "trig"), ("kg.nq", "nquads")):
        back = Dataset()
        back.parse(tmp_path / name, format=fmt)
        assert (unit, RDF.type, CTOC.TextUnit, INFERRED_GRAPH) in back, name
        assert (unit, CTOC.text, Literal("多行\n文本", lang="zh"), report) in back, name
        assert len(back) == 3, name


def test_quads_of_many_reports_are_grouped_by_graph(tmp_path: Path) -> None:
    """TriG writes one block per named graph, graphs sorted, whatever bucket a graph falls in; N-Quads is
    sorted; both hold every triple once, in the graph of its subject's report."""
    reports = [URIRef(f"https://w3id.org/ctoc-kg/id/report/wg/2012-10-{day:02d}") for day in range(1, 31)]
    reports.append(URIRef(f"{reports[0]}0"))  # a report IRI that extends another one
    graph = Graph()
    for report in reports:
        graph.add((report, RDF.type, CTOC.Report))
        for n in range(3):
            graph.add((URIRef(f"{report}/para_{n}"), CTOC.partOf, report))
    graph.add((ID["state/ECU"], RDF.type, CTOC.State))
    (tmp_path / "kg.nt").write_text(canonical_ntriples(graph), encoding="utf-8")
    write_dumps(tmp_path, reports)
    trig_text = (tmp_path / "kg.trig").read_text(encoding="utf-8")
    blocks = re.findall(r"^<([^>]+)> \{$", trig_text, re.M)
    assert blocks == sorted(str(g) for g in [*reports, REGISTRIES_GRAPH])
    lines = (tmp_path / "kg.nq").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(graph)
    dataset = Dataset()
    dataset.parse(tmp_path / "kg.trig", format="trig")
    assert len(dataset) == len(graph)
    for report in reports:
        assert len(dataset.graph(report)) == 4
    assert (ID["state/ECU"], RDF.type, CTOC.State, REGISTRIES_GRAPH) in dataset


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a build but its database (store/: RocksDB files carry ids and timestamps)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.relative_to(folder).parts[0] != "store"}


def test_outputs_do_not_depend_on_the_hash_seed(built_dist: Path, tmp_path: Path) -> None:
    """A build in a process with another hash seed writes the same bytes as the session's build."""
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "kg_build.cli", "build", "--out", str(out)], check=True,
                   env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, timeout=300)
    assert digests(out) == digests(built_dist)
    assert {"site/index.html", "kg.trig", "kg.ttl", "kg.jsonld", "kg.rdf", "kg.nq", "void.ttl"} <= set(digests(out))
    assert (out / "store").is_dir() and (built_dist / "store").is_dir()


def test_context_terms_are_declared_in_the_ontology() -> None:
    """Every compact key of the published context names a term ctoc.ttl declares (no drift), each key once."""
    context = json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    ontology = Graph().parse(ONTOLOGY / "ctoc.ttl", format="turtle")
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    expanded = {}
    for key, value in context.items():
        iri = value["@id"] if isinstance(value, dict) else value
        if key.startswith("@") or key in prefixes or iri.startswith("@"):
            continue
        prefix, _, local = iri.partition(":")
        expanded[key] = prefixes.get(prefix, prefix + ":") + local
    assert len(set(expanded.values())) == len(expanded)
    own = [iri for iri in expanded.values() if iri.startswith(str(CTOC))]
    assert own and all((URIRef(iri), RDF.type, None) in ontology for iri in own)
