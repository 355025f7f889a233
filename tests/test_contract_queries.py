"""The contract queries of queries/ return what the report says (queries/expected/NAME.csv, written by
reading the report), compared ignoring row order; queries/expected/snapshots/NAME.csv are regression
snapshots of the build's own constructs (saved from its output, see queries/README.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph

from tests.conftest import QUERIES

SNAPSHOTS = sorted((QUERIES / "expected" / "snapshots").glob("*.csv"))
EXPECTED = sorted((QUERIES / "expected").glob("*.csv")) + SNAPSHOTS
# Where the build's answer differs from what the report says: the expected file keeps the report's rows.
def test_every_query_has_expected_results() -> None:
    queries = {p.stem for p in QUERIES.glob("*.rq")}
    assert len(EXPECTED) >= 12
    assert {p.stem for p in EXPECTED} <= queries
    assert len({p.stem for p in EXPECTED}) == len(EXPECTED), "a query is read from the report or snapshotted, not both"
    for query in QUERIES.glob("*.rq"):
        header = query.read_text(encoding="utf-8").splitlines()[:2]
        assert header[0].startswith("# Question: ") and header[1].startswith("# 问题："), query.name


def read_expected(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [tuple(r) for r in rows[1:]]


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: str(p.relative_to(QUERIES / "expected").with_suffix("")))
def test_contract_query(kg: Graph, expected: Path) -> None:
    columns, rows = read_expected(expected)
    result = kg.query((QUERIES / f"{expected.stem}.rq").read_text(encoding="utf-8"))
    assert [str(v) for v in result.vars] == columns
    got = [tuple("" if v is None else str(v) for v in row) for row in result]
    assert sorted(got) == sorted(rows)


HEADER_KEYS = ("# Question: ", "# 问题：", "# Columns: ", "# Parameters: ")


@pytest.mark.parametrize("query", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_library_query_is_documented(query: Path) -> None:
    """Each query has the four header lines, an example per parameter, expected rows, and a line in the index."""
    lines = query.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    for key in HEADER_KEYS:
        assert any(line.startswith(key) for line in header), f"{query.name}: no {key.strip()!r} line"
    parameters = next(line for line in header if line.startswith("# Parameters: ")).removeprefix("# Parameters: ")
    examples = [line for line in header if line.startswith("# Example: ")]
    assert (parameters.strip() == "none") == (not examples), f"{query.name}: a parameter needs an # Example: line"
    expected = [QUERIES / "expected" / folder / f"{query.stem}.csv" for folder in ("", "examples", "snapshots")]
    assert any(path.is_file() for path in expected), f"{query.name}: no expected results"
    assert f"[`{query.stem}`]({query.name})" in (QUERIES / "README.md").read_text(encoding="utf-8")


def test_library_has_competency_questions_beyond_the_contract() -> None:
    """The contract's twelve queries plus at least fifteen more competency questions."""
    assert len(list(QUERIES.glob("*.rq"))) >= 12 + 15
