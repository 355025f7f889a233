"""Shared test paths and fixtures: one build of the seed report per session, in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from kg_build.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
REPORTS = DATA / "reports"
SEED = REPORTS / "wg-international-cooperation-2012.zh.txt"
REGISTRIES = DATA / "registries"
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Caches go to a temporary folder (CTOC_KG_CACHE, inherited by the CLI in subprocesses), never the tree."""
    import os

    os.environ["CTOC_KG_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `ctoc-kg build` of data/ into a temporary dist folder (built once per session)."""
    out = tmp_path_factory.mktemp("build") / "dist"
    assert main(["build", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def kg(built_dist: Path) -> Graph:
    """The asserted graph of the seed build."""
    graph = Graph()
    with (built_dist / "kg.nt").open("rb") as handle:
        graph.parse(handle, format="nt")
    return graph


@pytest.fixture(scope="session")
def store(built_dist: Path) -> pyoxigraph.Store:
    """The seed build's persistent store, opened read-only."""
    from kg_build.publish.store import open_store

    return open_store(built_dist)
