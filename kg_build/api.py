"""The Python API for notebooks and scripts: load a build, run library queries or SPARQL text, list the library.

Everything goes through the embedded engine the CLI uses (`kg_build.sparql.query`): every text is vetted by the
query guard, and keyword bindings reach pyoxigraph as RDF terms (a VALUES row of serialized terms, checked by
the guard again), never as raw text.
Rows come back as dicts of plain Python values (see `python_value`), in a `Rows` list that turns into a pandas
DataFrame with `.to_frame()` when pandas is installed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg_build.errors import UsageError

if TYPE_CHECKING:
    import pandas
    import pyoxigraph

    from kg_build.sparql.query import OxigraphEngine
    from kg_build.sparql.results import Result
    from kg_build.sparql.terms import Term

Value = str | int | float | bool | Decimal | datetime.date | datetime.datetime | None

# Literals of these datatypes become Python numbers, booleans and dates; every other literal its lexical form.
_INTEGERS = {"integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
             "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"}
_NATIVE = {str(XSD[name]) for name in (*_INTEGERS, "decimal", "double", "float", "boolean", "date", "dateTime")}
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class UnknownQuery(UsageError, LookupError):
    """A query name that is not in the library."""


class Rows(list[dict[str, Value]]):
    """A query's rows (one dict per solution, every projected variable a key, None when unbound) and the
    variables in the order the query projects them."""

    def __init__(self, rows: list[dict[str, Value]], variables: list[str]) -> None:
        super().__init__(rows)
        self.variables = variables

    def to_frame(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame with one column per variable (pandas must be installed)."""
        try:
            import pandas
        except ImportError:
            raise UsageError("Rows.to_frame needs pandas: pip install pandas") from None
        return pandas.DataFrame(list(self), columns=self.variables)


@dataclass(frozen=True)
class LibraryQuery:
    """One query of the library (queries/NAME.rq) as its header describes it."""

    name: str
    title: str
    question_en: str
    question_zh: str
    parameters: dict[str, str] = field(default_factory=dict)  # variable name -> what to bind it to
    example: list[str] = field(default_factory=list)  # NAME=VALUE bindings its expected rows use
    path: Path = Path()


def queries(queries_dir: str | Path | None = None) -> list[LibraryQuery]:
    """The query library (default: queries/ of the working directory, else the project's), sorted by name."""
    from kg_build.sparql.query import library

    return [LibraryQuery(name=i.name, title=i.title, question_en=i.en, question_zh=i.zh, parameters=dict(i.params),
                         example=list(i.example), path=i.path)
            for i in library(_queries_dir(queries_dir))]


def load(dist: str | Path = "dist") -> pyoxigraph.Store:
    """A pyoxigraph Store holding the build in `dist`: its persistent store opened read-only when it has one
    (kg.nt in the default graph, inferred.nt in the named graph ``.../graph/inferred``: query it with
    `use_default_graph_as_union=True` to see both), else a new in-memory store of kg.nt and inferred.nt."""
    from kg_build.sparql.query import build_data, make_engine_for

    engine = make_engine_for("oxigraph", build_data(Path(dist)))
    return engine.store  # type: ignore[union-attr]


def query(name_or_text: str | Path, dist: str | Path = "dist", queries_dir: str | Path | None = None,
          **bind: object) -> Rows:
    """Run a library query (by name), a .rq file or SPARQL text on the build in `dist`; keyword arguments bind
    projected variables (`line=134`, `article=URIRef(...)`, `heading='"视频会议"@zh'`). ASK gives one row
    {"ask": bool}; CONSTRUCT and DESCRIBE rows of subject, predicate, object. Raises QueryRefused for what the
    guard refuses (SERVICE, FROM <url>, updates, syntax errors), UnknownQuery for a name not in the library."""
    from kg_build.sparql.query import run_query

    text = _query_text(name_or_text, _queries_dir(queries_dir))
    bindings = {name: to_term(name, value) for name, value in bind.items()}
    return _rows(run_query(_engine(*_signature(Path(dist))), text, bindings))


def to_term(name: str, value: object) -> Term:
    """A binding as an RDF term: rdflib terms as given (IRIs checked), bool/int/float/Decimal/date/datetime as
    typed literals, a str read like `ctoc-kg query --bind` (`<iri>`, `"text"@zh`, digits, else a plain literal)."""
    from kg_build.sparql.terms import checked_iri, parse_binding

    if isinstance(value, URIRef):
        return checked_iri(str(value))
    if isinstance(value, Literal | BNode):
        return value
    if isinstance(value, bool | int | float | Decimal | datetime.date):
        return Literal(value)
    if isinstance(value, str):
        return parse_binding(f"{name}={value}")[1]
    raise UsageError(f"cannot bind ?{name} to a {type(value).__name__} (give a str, number, date or rdflib term)")


def python_value(term: Term | None) -> Value:
    """A result term as a Python value: IRIs and blank nodes their str; literals of xsd integer types int,
    xsd:decimal Decimal, xsd:double/float float, xsd:boolean bool, xsd:date date, xsd:dateTime datetime; every
    other literal (strings, @zh/@en text, other datatypes, ill-typed values) its lexical form."""
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in _NATIVE:
        native = term.toPython()
        return str(term) if isinstance(native, Literal) else native
    return str(term)


def _queries_dir(queries_dir: str | Path | None) -> Path:
    from kg_build.sparql.query import default_queries_dir

    return Path(queries_dir) if queries_dir is not None else default_queries_dir()


def _query_text(name_or_text: str | Path, queries_dir: Path) -> str:
    """The SPARQL text of a library name, a .rq file, or the text itself (anything that is not one word)."""
    source = str(name_or_text)
    if isinstance(name_or_text, Path) or source.endswith(".rq"):
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"{path}: no such query file")
        return path.read_text(encoding="utf-8")
    if not _NAME.match(source):
        return source
    path = queries_dir / f"{source}.rq"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(queries_dir.glob("*.rq"))) or "none"
        raise UnknownQuery(f"no query named {source!r} in {queries_dir} (known: {known}); see kg_build.queries()")
    return path.read_text(encoding="utf-8")


def _signature(dist: Path) -> tuple[tuple[str, int, int], ...]:
    """The build's data files (and store folder) with their modification times and sizes: a rebuild, which
    replaces the folder, gives a new signature."""
    from kg_build.publish.store import STORE_DIR
    from kg_build.sparql.query import build_data

    data = build_data(dist)
    paths = [*data.files, *([data.store / STORE_DIR] if data.store is not None else [])]
    return tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


@lru_cache(maxsize=2)
def _engine(*files: tuple[str, int, int]) -> OxigraphEngine:
    """One loaded engine per build, reused by every query on it: the build's store when the signature names
    one, else its N-Triples files loaded in memory."""
    from kg_build.publish.store import STORE_DIR
    from kg_build.sparql.query import OxigraphEngine

    paths = [Path(path) for path, _, _ in files]
    stores = [path.parent for path in paths if path.name == STORE_DIR]
    return OxigraphEngine.opened(stores[0]) if stores else OxigraphEngine(paths)


def _rows(result: Result) -> Rows:
    """A Result as Rows of Python values."""
    if result.form == "ASK":
        return Rows([{"ask": bool(result.boolean)}], ["ask"])
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        names = ["subject", "predicate", "object"]
        return Rows([dict(zip(names, map(python_value, t), strict=True)) for t in result.triples], names)
    return Rows([{v: python_value(row.get(v)) for v in result.variables} for row in result.rows], result.variables)

