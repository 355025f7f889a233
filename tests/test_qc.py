"""Ontology quality control: every ontology/qc/<rule>-violation.rq returns no rows on the seed build plus
ontology/ctoc.ttl, follows the house style (rule comment, severity first, ctoc: namespace only), and is
made to fire by at least one broken fixture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rdflib import Graph

from kg_build.reason.closure import load_ontology
from kg_build.validate.qc import QC_DIR, QcQuery, load_qc, qc_store, query_rows
from tests.conftest import FIXTURES

QUERIES = load_qc(QC_DIR)


@pytest.fixture(scope="module")
def store(kg: Graph) -> object:
    return qc_store(kg, load_ontology())


def test_qc_queries_exist() -> None:
    assert len(QUERIES) >= 13
    assert all(path.name.endswith("-violation.rq") for path in QC_DIR.iterdir())


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_qc_query_returns_no_rows_on_the_seed(query: QcQuery, store: object) -> None:
    assert query_rows(store, query) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_qc_query_style(query: QcQuery) -> None:
    first = query.text.splitlines()[0]
    assert first.startswith("# rule: ") and len(first) > 20
    assert "SELECT" in query.text and "?severity ?focus" in query.text
    # filtered to the project's namespace: its own terms, or what its resources use
    assert re.search(r'STRSTARTS\(STR\(\?(focus|property|s)\), "https://w3id\.org/ctoc-kg/', query.text)


def test_every_qc_query_is_exercised_by_a_fixture() -> None:
    fired = set()
    for sidecar in (FIXTURES / "invalid").glob("*.expect.yaml"):
        for expectation in yaml.safe_load(sidecar.read_text(encoding="utf-8")).get("expect") or []:
            fired.add(expectation["check"])
    assert {q.check for q in QUERIES} - fired == set()


def test_a_qc_query_without_its_rule_line_is_refused(tmp_path: Path) -> None:
    from kg_build.errors import UsageError

    (tmp_path / "x-violation.rq").write_text("SELECT ?severity WHERE {}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="rule"):
        load_qc(tmp_path)
