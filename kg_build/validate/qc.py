"""Ontology quality control: the SPARQL queries of ontology/qc/<rule>-violation.rq, each returning no rows.

Each query opens with ``# rule: ...`` (what it checks) and may say ``# scope: whole-build`` when it
only makes sense over a complete build (a term "never used" in a partial file is no news). Rows start
with ``?severity`` ("Violation" or "Warning"), then ``?focus``, ``?value`` and ``?message``. The queries
run with pyoxigraph over the asserted graph plus the ontology: fast on large graphs, and with no
closure, so a missing type is not papered over by inference. Queries must not use SERVICE or FROM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg_build.errors import UsageError
from kg_build.paths import ONTOLOGY_DIR
from kg_build.validate.findings import Finding
from kg_build.validate.focus import with_values

QC_DIR = ONTOLOGY_DIR / "qc"
WHOLE_BUILD = "whole-build"
FORBIDDEN = re.compile(r"\b(SERVICE|FROM|LOAD)\b", re.IGNORECASE)
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class QcQuery:
    """One QC rule: its name (file stem), the rule in words, its scope and its SPARQL text."""

    name: str
    rule: str
    scope: str
    text: str

    @property
    def check(self) -> str:
        return f"qc:{self.name}"

    def focused(self, focus: Iterable[str]) -> QcQuery:
        """The query limited to its rows about the `focus` IRIs (focus.py: a VALUES ?focus block)."""
        text = with_values(self.text, "focus", focus)
        if text is None:
            raise UsageError(f"could not validate: {self.name}.rq has no WHERE {{ group")
        return replace(self, text=text)


def load_qc(directory: Path = QC_DIR) -> list[QcQuery]:
    """Every ``*-violation.rq`` of `directory`, sorted by name; a query without its rule line is refused."""
    queries = []
    for path in sorted(directory.glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        rule = re.search(r"^#\s*rule:\s*(.+)$", text, re.MULTILINE)
        if rule is None:
            raise UsageError(f"could not validate: {path} has no '# rule: ...' line")
        scope = re.search(r"^#\s*scope:\s*(\S+)", text, re.MULTILINE)
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        if FORBIDDEN.search(body):
            raise UsageError(f"could not validate: {path} uses SERVICE, FROM or LOAD")
        queries.append(QcQuery(path.name.removesuffix(".rq"), rule.group(1).strip(),
                               scope.group(1) if scope else "any", text))
    return queries


def qc_store(asserted: Graph, ontology: Graph) -> ox.Store:
    """An in-memory pyoxigraph store holding the asserted graph and the ontology."""
    store = ox.Store()
    for graph in (asserted, ontology):
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return store


def run_qc(
    queries: list[QcQuery], asserted: Graph, ontology: Graph, *, whole_build: bool, notes: list[str] | None = None
) -> list[Finding]:
    """Run every query that applies and return its rows as findings; skipped queries are noted."""
    return qc_findings(qc_store(asserted, ontology), queries, whole_build=whole_build, notes=notes)


def qc_findings(store: ox.Store, queries: list[QcQuery], *, whole_build: bool, notes: list[str] | None = None,
                graphs: list[ox.NamedNode | ox.DefaultGraph] | None = None,
                focus: set[str] | None = None) -> list[Finding]:
    """The rows of every query that applies, as findings (over `graphs` when given); whole-build queries are
    skipped, and noted, unless `whole_build`; with `focus`, the per-report queries give only their rows about
    those nodes (QcQuery.focused)."""
    findings = []
    for query in queries:
        if query.scope == WHOLE_BUILD and not whole_build:
            if notes is not None:
                notes.append(f"skipped {query.check} (needs the whole build: pass --whole-build)")
            continue
        if focus is not None and query.scope != WHOLE_BUILD:
            if not focus:
                continue
            query = query.focused(focus)
        for row in query_rows(store, query, graphs):
            findings.append(Finding(row["severity"], query.check, row.get("focus", ""), query.name,
                                    value=row.get("value", ""), message=row.get("message", query.rule)))
    return findings


def query_rows(store: ox.Store, query: QcQuery,
               graphs: list[ox.NamedNode | ox.DefaultGraph] | None = None) -> list[dict[str, str]]:
    """The rows of one query (over `graphs` as its default graph, when given) as strings; a bad query or
    severity means the QC itself is broken."""
    try:
        solutions = store.query(query.text) if graphs is None else store.query(query.text, default_graph=graphs)
    except SyntaxError as err:
        raise UsageError(f"could not validate: {query.name}.rq: {err}") from None
    names = [v.value for v in solutions.variables]
    if not names or names[0] != "severity":
        raise UsageError(f"could not validate: {query.name}.rq: the first column must be ?severity")
    rows = []
    for solution in solutions:
        row = {name: _text(solution[name]) for name in names if solution[name] is not None}
        if row.get("severity") not in SEVERITIES:
            raise UsageError(f"could not validate: {query.name}.rq: severity {row.get('severity')!r}")
        rows.append(row)
    return rows


def _text(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    return term.value if isinstance(term, ox.NamedNode) else str(term)
