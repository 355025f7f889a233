"""Parse a SPARQL request with rdflib's parser, without evaluating it, and refuse what would reach out.

Every engine we use (rdflib, pyoxigraph, the Oxigraph server, Virtuoso) follows `SERVICE` to any URL and
rdflib fetches `FROM <url>`; so each query is checked here before it reaches an engine: `SERVICE`
(unless allowed), `FROM`/`FROM NAMED`/`USING` naming a URL, `LOAD`, and any update in read-only contexts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Identifier, Variable

from kg_build.errors import UsageError

# IRIs in these schemes name a graph without pointing anywhere; any other absolute IRI is a URL.
INERT_SCHEMES = frozenset({"urn", "tag"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

# rdflib's pyparsing grammar keeps parse state in shared objects: two threads parsing at once corrupt it for
# good (every later parse fails), so all parses go through one lock.
_PARSE_LOCK = threading.Lock()

QUERY_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


class QueryRefused(UsageError):
    """A request the guard will not pass on; `status` is the HTTP status a server should answer with."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CheckedRequest:
    """A request that passed the guard: its text, whether it is a query or an update, and its form."""

    text: str
    kind: str  # "query" | "update"
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE
    projection: tuple[str, ...] | None = None  # SELECT variables; None for SELECT *
    computed: frozenset[str] = frozenset()  # SELECT variables assigned there: `(expr AS ?x)`
    variables: frozenset[str] = field(default_factory=frozenset)
    has_values_clause: bool = False
    dataset: tuple[str, ...] = ()  # IRIs named by FROM / FROM NAMED


def _walk(node: object) -> Iterator[object]:
    """Yield every node of an rdflib parse tree (CompValue, ParseResults, lists, terms), depth first."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)


def _is_url(iri: object) -> bool:
    """True for any IRI that could be dereferenced: every absolute IRI outside the inert schemes, or a relative one."""
    match = _SCHEME.match(str(iri))
    return match is None or match.group(1).lower() not in INERT_SCHEMES


def _syntax_error(err: ParseException, kind: str) -> QueryRefused:
    """One readable line for a parse error."""
    return QueryRefused(f"SPARQL syntax error ({kind}) at line {err.lineno}, column {err.col}: {err.msg}", status=400)


def _refusals(tree: object, allow_service: bool) -> Iterator[str]:
    """Yield one message per construct in `tree` that would make an engine reach another server or file."""
    for node in _walk(tree):
        if not isinstance(node, CompValue):
            continue
        if node.name == "ServiceGraphPattern" and not allow_service:
            yield f"SERVICE {_show(_field(node, 'term'))} is refused: it would make the engine call another server"
        elif node.name in ("DatasetClause", "UsingClause"):
            iri = _field(node, "default") if _field(node, "default") is not None else _field(node, "named")
            keyword = "FROM" if node.name == "DatasetClause" else "USING"
            if _field(node, "named") is not None:
                keyword += " NAMED"
            if iri is not None and _is_url(iri):
                yield (f"{keyword} {_show(iri)} is refused: the dataset is the build's graph, not a URL"
                       " (name a graph in the store with a urn: IRI, or use the endpoint's default graph)")
        elif node.name == "Load":
            yield f"LOAD {_show(_field(node, 'iri'))} is refused: it would fetch a document"


def _field(node: CompValue, key: str) -> object:
    """A CompValue's field or None (CompValue.get returns the key itself when the field is missing)."""
    return dict.get(node, key)


def _show(term: object) -> str:
    """A term as written in SPARQL, for messages."""
    return term.n3() if isinstance(term, Identifier) else str(term)


def _variables(tree: object) -> frozenset[str]:
    """The names of every variable in a parse tree."""
    return frozenset(str(node) for node in _walk(tree) if isinstance(node, Variable))


def _projection(query: CompValue) -> tuple[str, ...] | None:
    """The SELECT clause's variable names (aliases included), or None for `SELECT *` and other forms."""
    projection = _field(query, "projection")
    if query.name != "SelectQuery" or not projection:
        return None
    names = []
    for item in projection:
        var = _field(item, "var") if _field(item, "var") is not None else _field(item, "evar")
        names.append(str(var))
    return tuple(names)


def _computed(query: CompValue) -> frozenset[str]:
    """The SELECT clause's `(expr AS ?x)` variables."""
    if query.name != "SelectQuery":
        return frozenset()
    return frozenset(str(_field(item, "evar")) for item in _field(query, "projection") or []
                     if _field(item, "evar") is not None)


def check(text: str, *, read_only: bool = True, allow_service: bool = False) -> CheckedRequest:
    """Parse `text` as a query (or, when not read-only, an update) and refuse what would reach out.

    Raises QueryRefused with one line saying why; returns what callers need to know about the request.
    """
    with _PARSE_LOCK:
        return _check(text, read_only=read_only, allow_service=allow_service)


def _check(text: str, *, read_only: bool, allow_service: bool) -> CheckedRequest:
    """`check` while holding the parse lock."""
    try:
        prologue, query = parseQuery(text)
    except ValueError as err:  # rdflib's \\u expansion meets an invalid code point
        raise QueryRefused(f"SPARQL syntax error: {err}", status=400) from None
    except ParseException as query_err:
        try:
            update = parseUpdate(text)
        except (ParseException, ValueError):
            raise _syntax_error(query_err, "query") from None
        if read_only:
            raise QueryRefused("updates are refused: this is a read-only query interface") from None
        reasons = list(_refusals(update, allow_service))
        if reasons:
            raise QueryRefused(reasons[0]) from None
        return CheckedRequest(text=text, kind="update", form="UPDATE", variables=_variables(update))
    reasons = list(_refusals(query, allow_service))
    if reasons:
        raise QueryRefused(reasons[0])
    return CheckedRequest(
        text=text,
        kind="query",
        form=QUERY_FORMS.get(query.name, query.name),
        projection=_projection(query),
        computed=_computed(query),
        variables=_variables(query),
        has_values_clause=_field(query, "valuesClause") is not None,
        dataset=tuple(str(_field(c, "default") or _field(c, "named")) for c in _field(query, "datasetClause") or []),
    )
