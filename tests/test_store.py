"""The build's persistent store: `query`, `stats` and the Python API read it (nothing parsed) and answer as
the N-Triples files do, asserted and inferred triples alike; a build folder without a store still works from
its files; `stats` prints the table the asserted graph gives."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

import kg_build
from kg_build.cli import main
from kg_build.namespaces import CTOC
from kg_build.publish.stats import format_summary, summary_store
from kg_build.publish.store import STORE_DIR, has_store
from kg_build.sparql.query import OxigraphEngine, build_data, data_files, make_engine, run_query

QUERY = "entities_per_kind"  # counts inferred classes (ctoc:TextUnit) as well as asserted ones


@pytest.fixture(scope="module")
def store_only(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the build whose N-Triples files are emptied: only its store can answer."""
    folder = tmp_path_factory.mktemp("store-only") / "dist"
    folder.mkdir()
    shutil.copytree(built_dist / STORE_DIR, folder / STORE_DIR)
    for name in ("kg.nt", "inferred.nt"):
        (folder / name).write_text("", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def files_only(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the build with its N-Triples files and no store (a build made before stores)."""
    folder = tmp_path_factory.mktemp("files-only") / "dist"
    folder.mkdir()
    for name in ("kg.nt", "inferred.nt"):
        shutil.copyfile(built_dist / name, folder / name)
    return folder


def expected_table(built_dist: Path) -> str:
    """The summary table computed the old way, with rdflib over kg.nt."""
    graph = Graph().parse(built_dist / "kg.nt", format="nt")
    counts = Counter(str(c)[len(str(CTOC)):] for c in graph.objects(None, RDF.type) if str(c).startswith(str(CTOC)))
    width = max([len(k) for k in counts] + [len("triples")])
    rows = [f"  {name:<{width}}  {count:>7}" for name, count in sorted(counts.items())]
    return "\n".join([*rows, f"  {'triples':<{width}}  {len(graph):>7}"])


def test_build_writes_a_store_of_both_files(built_dist: Path, store) -> None:  # noqa: ANN001
    lines = {name: len((built_dist / name).read_bytes().splitlines()) for name in ("kg.nt", "inferred.nt")}
    assert has_store(built_dist)
    assert len(store) == lines["kg.nt"] + lines["inferred.nt"]
    assert build_data(built_dist).store == built_dist


def test_stats_reads_the_store(built_dist: Path, store_only: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--dist", str(store_only)]) == 0
    printed = capsys.readouterr().out.split("\n", 1)[1].rstrip("\n")
    assert printed == expected_table(built_dist)


def test_stats_without_a_store_reads_kg_nt(built_dist: Path, files_only: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert not has_store(files_only)
    assert main(["stats", "--dist", str(files_only)]) == 0
    assert capsys.readouterr().out.split("\n", 1)[1].rstrip("\n") == expected_table(built_dist)
    assert format_summary(summary_store(files_only)) == format_summary(summary_store(built_dist))


def test_query_reads_the_store(built_dist: Path, store_only: Path, files_only: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI answers the same table from the store alone as from the files alone, inferred classes included."""
    tables = {}
    for name, folder in (("store", store_only), ("files", files_only)):
        assert main(["query", QUERY, "--dist", str(folder), "--format", "csv"]) == 0
        tables[name] = capsys.readouterr().out
    assert tables["store"] == tables["files"]
    assert ",TextUnit," in tables["store"] and ",Paragraph," in tables["store"]


def test_engines_and_api_agree_with_and_without_a_store(store_only: Path, files_only: Path) -> None:
    text = (Path(kg_build.__file__).parent.parent / "queries" / f"{QUERY}.rq").read_text(encoding="utf-8")
    from_store = run_query(make_engine("oxigraph", store_only), text).rows
    from_files = run_query(OxigraphEngine(data_files(files_only)), text).rows
    assert from_store == from_files and len(from_store) > 10
    assert kg_build.query(QUERY, dist=store_only) == kg_build.query(QUERY, dist=files_only)
    assert len(kg_build.load(store_only)) == len(kg_build.load(files_only))
