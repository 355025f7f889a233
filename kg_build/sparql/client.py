"""A SPARQL 1.1 Protocol client over SPARQLWrapper: POST, a timeout, retries with exponential backoff on
5xx/timeouts/connection errors, digest or basic auth, and no redirect following (a redirected update
would be replayed as a GET and look like a success)."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from rdflib import Graph
from SPARQLWrapper import ASK, CONSTRUCT, DESCRIBE, INSERT, JSON, POST, SELECT, TURTLE, URLENCODED, SPARQLWrapper

from kg_build.errors import UsageError
from kg_build.sparql.printable import printable
from kg_build.sparql.results import Result, from_sparql_json
from kg_build.sparql.terms import checked_iri, to_ntriples

QUERY_TYPES = (SELECT, ASK, CONSTRUCT, DESCRIBE)
MESSAGE_CHARS = 600  # an endpoint error message, at most
BODY_BYTES = 2000  # of an error response's body, read at most
TRANSIENT = (TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException, urllib.error.URLError)


class EndpointError(UsageError):
    """The endpoint failed or refused a request; `transient` is True for errors worth retrying. The message is
    made printable (remote text may hold terminal escapes) and kept to one line."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(printable(" ".join(message.split()), limit=MESSAGE_CHARS))
        self.transient = transient


def http_error(url: str, code: int, reason: object, body: bytes) -> EndpointError:
    """One line for an HTTP error status: the code, the reason phrase and the start of the body, all printable;
    5xx is transient."""
    said = " ".join(body[:BODY_BYTES].decode("utf-8", "replace").split())
    return EndpointError(f"{url}: HTTP {code} {printable(str(reason), 60)}" + (f": {printable(said)}" if said else ""),
                         transient=code >= 500)


class _RefuseRedirect(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an error instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 (urllib's signature)
        raise EndpointError(f"{req.full_url} answered HTTP {code} redirect to {printable(newurl, 120)}: refused"
                            " (use the final URL)")


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper that sends its requests through our own opener (auth, no redirects) instead of the
    process-wide one, and turns HTTP errors into EndpointErrors with the body made printable."""

    opener: urllib.request.OpenerDirector

    def _query(self):  # noqa: ANN202 (SPARQLWrapper's signature)
        request = self._createRequest()
        try:
            response = self.opener.open(request, timeout=self.timeout) if self.timeout else self.opener.open(request)
            return response, self.returnFormat
        except urllib.error.HTTPError as err:
            with err:
                body = _read_some(err)
            raise http_error(self.endpoint, err.code, err.reason, body) from None


def _read_some(response: object) -> bytes:
    """Up to BODY_BYTES of an error response's body (a hostile server may send gigabytes, or hang up)."""
    try:
        return response.read(BODY_BYTES)  # type: ignore[attr-defined]
    except (OSError, http.client.HTTPException):
        return b""


def _first_line(err: BaseException) -> str:
    """The first line of an error's message (rdflib's parsers append the document after it)."""
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__


def _message(err: BaseException) -> str:
    """One line from a urllib or http.client error."""
    text = " ".join(str(err).split())
    return text if text else type(err).__name__


@dataclass
class Endpoint:
    """A SPARQL endpoint URL with the request settings shared by `query --endpoint` and `push`."""

    url: str
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 0.5
    user: str | None = None
    password: str | None = None
    default_graphs: list[str] = field(default_factory=list)

    def _opener(self) -> urllib.request.OpenerDirector:
        """An opener with our redirect policy and, when credentials are set, digest and basic auth."""
        handlers: list[urllib.request.BaseHandler] = [_RefuseRedirect()]
        if self.user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.url, self.user, self.password or "")
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
            handlers.append(urllib.request.HTTPBasicAuthHandler(passwords))
        return urllib.request.build_opener(*handlers)

    def _wrapper(self, text: str, fmt: str, form: str) -> _Wrapper:
        """A configured SPARQLWrapper for one request. The form comes from our own parse: SPARQLWrapper's guess
        (a regex over the text) takes `?addressee` or a comment saying "addressed" for an ADD update."""
        wrapper = _Wrapper(self.url)
        wrapper.opener = self._opener()
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setTimeout(max(1, round(self.timeout)))
        wrapper.setReturnFormat(fmt)
        for graph in self.default_graphs:
            wrapper.addDefaultGraph(graph)
        wrapper.setQuery(text)
        wrapper.queryType = form if form in QUERY_TYPES else INSERT  # any update form: sent as `update=`
        return wrapper

    def _send(self, text: str, fmt: str, retries: int, form: str) -> bytes:
        """POST one request; retry transient failures `retries` times with exponential backoff."""
        attempt = 0
        while True:
            try:
                response, _ = self._wrapper(text, fmt, form)._query()
                with response:
                    return response.read()
            except EndpointError as err:
                if not err.transient:
                    raise
                error = err
            except TRANSIENT as err:
                error = EndpointError(f"{self.url}: {_message(err)}", transient=True)
            if attempt >= retries:
                raise error
            time.sleep(self.backoff * (2**attempt))
            attempt += 1

    def select(self, text: str, form: str = "SELECT") -> Result:
        """Run a SELECT or ASK query and return its result."""
        body = self._send(text, JSON, self.retries, form)
        try:
            return from_sparql_json(json.loads(body))
        except ValueError as err:  # JSONDecodeError, UnicodeDecodeError, and a document of the wrong shape
            raise EndpointError(f"{self.url}: not SPARQL JSON results: {err}") from None

    def construct(self, text: str, form: str = "CONSTRUCT") -> Result:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""
        body = self._send(text, TURTLE, self.retries, form)
        graph = Graph()
        try:
            graph.parse(data=body.decode("utf-8"), format="turtle")
        except Exception as err:  # rdflib's Turtle parser raises many types, with the document in the message
            raise EndpointError(f"{self.url}: not Turtle: {_first_line(err)}") from None
        return Result(form=form, triples=sorted(graph))

    def query(self, text: str, form: str) -> Result:
        """Run any query form."""
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self.construct(text, form)
        result = self.select(text, form)
        if result.form != form:
            raise EndpointError(f"{self.url}: expected a {form} result, got {result.form}")
        return result

    def update(self, text: str, retries: int | None = None) -> None:
        """Send one SPARQL update request (retried only when the caller says it is idempotent)."""
        self._send(text, JSON, self.retries if retries is None else retries, "UPDATE")

    def count(self, graph: str) -> int:
        """The number of triples in a named graph."""
        iri = to_ntriples(checked_iri(graph))
        result = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}")
        try:
            return int(str(result.rows[0]["n"])) if result.rows else 0
        except (KeyError, ValueError):
            raise EndpointError(f"{self.url}: the count of <{graph}> is not an integer: {result.rows[0]}") from None
