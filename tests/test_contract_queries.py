"""The contract queries of queries/ return what the report says (queries/expected/NAME.csv,
written by reading the report), compared ignoring row order."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph

from tests.conftest import QUERIES

EXPECTED = sorted((QUERIES / "expected").glob("*.csv"))


def test_every_query_has_expected_results() -> None:
    queries = {p.stem for p in QUERIES.glob("*.rq")}
    assert len(EXPECTED) >= 12
    assert {p.stem for p in EXPECTED} <= queries
    for query in QUERIES.glob("*.rq"):
        header = query.read_text(encoding="utf-8").splitlines()[:2]
        assert header[0].startswith("# Question: ") and header[1].startswith("# 问题："), query.name


def read_expected(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [tuple(r) for r in rows[1:]]


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_contract_query(kg: Graph, expected: Path) -> None:
    columns, rows = read_expected(expected)
    result = kg.query((QUERIES / f"{expected.stem}.rq").read_text(encoding="utf-8"))
    assert [str(v) for v in result.vars] == columns
    got = [tuple("" if v is None else str(v) for v in row) for row in result]
    assert sorted(got) == sorted(rows)
