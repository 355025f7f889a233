"""Run SPARQL queries on the built graph: the query library in queries/, the embedded engines (pyoxigraph by
default, rdflib as the second opinion) and remote endpoints, every query checked by sparql_guard first.

`--bind` values reach the engines as RDF terms: for pyoxigraph and a remote endpoint a VALUES row of terms
serialized by sparql_values (pyoxigraph's optimizer plans from inline data, not from `substitutions`, which it
uses only when the query ends in a VALUES clause of its own), rdflib `initBindings`; never by pasting text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql
from rdflib import Variable

from kg_build.errors import UsageError
from kg_build.paths import QUERIES_DIR
from kg_build.publish.store import has_store, open_store
from kg_build.sparql.guard import CheckedRequest, check
from kg_build.sparql.printable import printable
from kg_build.sparql.results import Result
from kg_build.sparql.terms import Term, from_oxigraph, to_oxigraph
from kg_build.sparql.values import with_values

if TYPE_CHECKING:  # the HTTP client (SPARQLWrapper) is imported by whoever makes an Endpoint, not by every query
    from kg_build.sparql.client import Endpoint

DATA_FILES = ("kg.nt", "inferred.nt")  # the asserted graph, and the inferred one once the build writes it
ENGINES = ("oxigraph", "rdflib")
_HEADER_KEY = re.compile(r"^(?P<key>[A-Za-z\u4e00-\u9fff][A-Za-z_ \u4e00-\u9fff-]*?)\s*[:：]\s*(?P<value>.*)$")
T = TypeVar("T")
_PARAM = re.compile(r"^\??(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:[-—:]\s*)?(?P<text>.*)$")


@dataclass
class QueryInfo:
    """What a library query's header comment says: a title, the question in English and Chinese, its
    parameters (name -> description) and example bindings (NAME=VALUE) used by its expected result."""

    name: str
    path: Path
    title: str = ""
    en: str = ""
    zh: str = ""
    params: dict[str, str] = field(default_factory=dict)
    example: list[str] = field(default_factory=list)


def default_queries_dir() -> Path:
    """queries/ in the working directory when there is one, else the one beside the installed package."""
    here = Path("queries")
    return here if here.is_dir() else QUERIES_DIR


def read_info(path: Path) -> QueryInfo:
    """Parse the leading `#` comment block of a .rq file (`Question:`, `问题：`, `Parameters: ?x — text; ?y — text`,
    `Example: x=value` lines, one binding each; the first line without a known key is the title)."""
    info = QueryInfo(name=path.stem, path=path)
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        match = _HEADER_KEY.match(text)
        key = match.group("key").strip().lower() if match else ""
        value = match.group("value").strip() if match else text
        if key in ("en", "question", "question-en", "english"):
            info.en = value
        elif key in ("zh", "question-zh", "chinese", "问题", "中文"):
            info.zh = value
        elif key in ("param", "params", "parameter", "parameters"):
            for item in value.split(";"):
                param = _PARAM.match(item.strip())
                if param and item.strip().lower() not in ("none", "(none)", "-"):
                    info.params[param.group("name")] = param.group("text").strip()
        elif key in ("example", "bind"):
            binding = value.removeprefix("--bind").strip()
            if "=" in binding:
                info.example.append(binding)  # one NAME=VALUE per line: values may hold spaces
        elif not key and not info.title:
            info.title = text
    return info


def library(queries_dir: Path) -> list[QueryInfo]:
    """Every query of the library, sorted by name."""
    return [read_info(path) for path in sorted(queries_dir.glob("*.rq"))]


def resolve(name_or_file: str, queries_dir: Path) -> Path:
    """A library query by NAME (queries/NAME.rq) or any .rq file by path."""
    as_path = Path(name_or_file)
    if as_path.suffix == ".rq" or as_path.is_file():
        if not as_path.is_file():
            raise UsageError(f"{as_path}: no such query file")
        return as_path
    path = queries_dir / f"{name_or_file}.rq"
    if not path.is_file():
        names = ", ".join(info.name for info in library(queries_dir)) or "none"
        raise UsageError(f"no query named {name_or_file!r} in {queries_dir} (known: {names}); try --list")
    return path


@dataclass(frozen=True)
class BuildData:
    """Where a build's triples are read from: its persistent store (``store/``, kg_build/publish/store.py) when
    `store` names the build folder holding one, else its N-Triples files, parsed on every load."""

    files: tuple[Path, ...]
    store: Path | None = None


def build_data(dist: Path) -> BuildData:
    """The build in `dist`: its store when it has one (opened read-only, nothing parsed), else its files."""
    files = tuple(data_files(dist))
    return BuildData(files, dist if has_store(dist) else None)


def data_files(dist: Path) -> list[Path]:
    """The N-Triples files of a build: kg.nt, plus inferred.nt when the build wrote one."""
    files = [dist / name for name in DATA_FILES if (dist / name).is_file()]
    if not (dist / DATA_FILES[0]).is_file():
        raise UsageError(f"{dist / DATA_FILES[0]} not found: run `ctoc-kg build` first")
    return files


def check_bindings(checked: CheckedRequest, bindings: Mapping[str, Term]) -> None:
    """Refuse a --bind for a variable the query does not have, or (SELECT) does not project: SEP-0007
    substitution, which pyoxigraph implements, binds projected variables only."""
    for name in bindings:
        if name not in checked.variables:
            raise UsageError(f"--bind {name}: the query has no variable ?{name}")
        if checked.projection is not None and name not in checked.projection:
            raise UsageError(f"--bind {name}: ?{name} is not in the SELECT clause (only projected variables bind)")


class Engine(Protocol):
    """Anything that answers a checked query with bindings."""

    def run(self, checked: CheckedRequest, bindings: Mapping[str, Term]) -> Result: ...


def refuse_dataset(checked: CheckedRequest) -> None:
    """The embedded dataset is one default graph: FROM <urn:...> would mean an empty graph to pyoxigraph and
    the whole graph to rdflib, so it is refused rather than answered two ways."""
    if checked.dataset:
        raise UsageError(f"FROM <{checked.dataset[0]}>: the embedded graph has no named graphs (use --endpoint)")


def engine_error(engine: str, err: BaseException) -> UsageError:
    """One line for an evaluation failure (a failing SERVICE, an engine limit), remote text made printable."""
    return UsageError(f"{engine}: query failed: {printable(' '.join(str(err).split()) or type(err).__name__)}")


def materialized(result: Result) -> Result:
    """A streamed result with its rows and triples read into lists."""
    return Result(form=result.form, variables=result.variables, rows=list(result.rows), boolean=result.boolean,
                  triples=list(result.triples))


class OxigraphEngine:
    """The embedded default: an in-memory pyoxigraph store loaded with pyoxigraph's own N-Triples parser, or
    the build's persistent store opened read-only (`opened`), whose default graph is then the union of the
    asserted triples and the inferred graph, so both answer the same."""

    def __init__(self, files: Sequence[Path]) -> None:
        self.store = ox.Store()
        self.union = False
        for path in files:
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)

    @classmethod
    def opened(cls, dist: Path) -> OxigraphEngine:
        """The engine over the store a build wrote into `dist`, opened read-only."""
        engine = cls(())
        engine.store, engine.union = open_store(dist), True
        return engine

    def run(self, checked: CheckedRequest, bindings: Mapping[str, Term]) -> Result:
        """Evaluate with the bound variables as inline data; every row read."""
        return materialized(self.stream(checked, bindings))

    def stream(self, checked: CheckedRequest, bindings: Mapping[str, Term]) -> Result:
        """Evaluate lazily: rows and triples come from pyoxigraph's iterators as they are read."""
        refuse_dataset(checked)
        text, substitutions = checked.text, None
        if bindings and not checked.has_values_clause:
            # inline data, which pyoxigraph's optimizer starts from; it evaluates the whole pattern before
            # filtering on `substitutions` (a bound entity's mentions at 1,000 reports: 9.5 s that way, 0.07 s so)
            text = with_values(text, bindings, checked.computed)
            if check(text, allow_service=True).form != checked.form:  # the row adds inline data, nothing else
                raise UsageError("--bind: the values changed the query's form")
        elif bindings:  # the query ends in its own VALUES clause: the bindings go in beside the text
            substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
        try:
            answer = self.store.query(text, substitutions=substitutions, use_default_graph_as_union=self.union)
        except SyntaxError as err:
            raise UsageError(f"pyoxigraph: {' '.join(str(err).split())}") from None
        except OSError as err:
            raise engine_error("pyoxigraph", err) from None
        if isinstance(answer, ox.QueryBoolean):
            return Result(form="ASK", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            triples = ((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in answer)
            return Result(form=checked.form, triples=_reported(triples, "pyoxigraph"))
        variables = [var.value for var in answer.variables]
        rows = ({name: from_oxigraph(term) for name in variables if (term := solution[name]) is not None}
                for solution in answer)
        return Result(form="SELECT", variables=variables, rows=_reported(rows, "pyoxigraph"))


def _reported(items: Iterator[T], engine: str) -> Iterator[T]:
    """`items`, with an evaluation failure met while reading them (pyoxigraph evaluates lazily: a SERVICE that
    fails, fails here) turned into one line."""
    try:
        yield from items
    except OSError as err:
        raise engine_error(engine, err) from None


class RdflibEngine:
    """The second embedded engine: an rdflib Graph, with remote graph loading switched off. It has no named
    graphs: `GRAPH` is a one-line error (an rdflib 7.6 Dataset would answer it with no rows, but warns that its
    default_context is deprecated on every triple pattern: 165,000 warnings over the library tests)."""

    def __init__(self, files: Sequence[Path]) -> None:
        self.graph = rdflib.Graph()
        for path in files:
            with path.open("rb") as handle:
                self.graph.parse(handle, format="nt")

    def run(self, checked: CheckedRequest, bindings: Mapping[str, Term]) -> Result:
        """Evaluate with `initBindings` for the bound variables."""
        refuse_dataset(checked)
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # FROM <url> must never fetch (the guard refuses it too)
        try:
            answer = self.graph.query(checked.text, initBindings={Variable(k): v for k, v in bindings.items()})
            if answer.type == "ASK":
                return Result(form="ASK", boolean=bool(answer.askAnswer))
            if answer.type in ("CONSTRUCT", "DESCRIBE"):
                return Result(form=checked.form, triples=list(answer.graph or []))
            variables = [str(var) for var in answer.vars or []]
            rows = [{k: v for k, v in zip(variables, row, strict=True) if v is not None} for row in answer]
        except (UsageError, MemoryError):
            raise
        except Exception as err:  # rdflib raises bare Exceptions, URLErrors from SERVICE, ...: all one line
            raise engine_error("rdflib", err) from None
        return Result(form="SELECT", variables=variables, rows=rows)

    def stream(self, checked: CheckedRequest, bindings: Mapping[str, Term]) -> Result:
        """rdflib keeps every row it yields anyway: the same as `run`."""
        return self.run(checked, bindings)


class RemoteEngine:
    """A SPARQL 1.1 endpoint; bindings travel as a VALUES row of serialized RDF terms (`sparql_values`)."""

    def __init__(self, endpoint: Endpoint, allow_service: bool = False) -> None:
        self.endpoint = endpoint
        self.allow_service = allow_service

    def run(self, checked: CheckedRequest, bindings: Mapping[str, Term]) -> Result:
        """Send the query (with its VALUES row) and parse the answer."""
        text = checked.text
        if bindings:
            if checked.has_values_clause:
                raise UsageError("--bind with --endpoint needs a query without a trailing VALUES clause")
            text = with_values(text, bindings, checked.computed)
            check(text, allow_service=self.allow_service)  # belt and braces: the final text passes the guard too
        return self.endpoint.query(text, checked.form)


def make_engine(name: str, dist: Path) -> Engine:
    """An embedded engine over the build in `dist` (pyoxigraph reads its store when it has one)."""
    return make_engine_for(name, build_data(dist))


def make_engine_for(name: str, data: BuildData | Sequence[Path]) -> OxigraphEngine | RdflibEngine:
    """An embedded engine over a build (its store or its files) or over N-Triples files."""
    data = data if isinstance(data, BuildData) else BuildData(tuple(data))
    if name == "oxigraph":
        return OxigraphEngine.opened(data.store) if data.store is not None else OxigraphEngine(data.files)
    if name == "rdflib":
        return RdflibEngine(data.files)
    raise UsageError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")


def run_query(engine: Engine, text: str, bindings: Mapping[str, Term] | None = None,
              allow_service: bool = False) -> Result:
    """Check `text` with the guard (read-only), check the bindings, and run it on `engine`."""
    bindings = dict(bindings or {})
    return engine.run(prepare(text, bindings, allow_service), bindings)


def prepare(text: str, bindings: Mapping[str, Term], allow_service: bool = False) -> CheckedRequest:
    """`text` checked by the guard (read-only) with bindings for variables it projects; UsageError otherwise."""
    checked = check(text, read_only=True, allow_service=allow_service)
    check_bindings(checked, bindings)
    return checked
