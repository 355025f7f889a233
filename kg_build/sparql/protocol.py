"""The SPARQL 1.1 Protocol query request, read strictly: the parameters of a GET, a form POST or a direct
POST, with every malformed part (percent-encoding, UTF-8, body length, slow body) a 4xx, never a 500."""

from __future__ import annotations

import asyncio
import re
import urllib.parse

from starlette.requests import ClientDisconnect, Request

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class BadRequest(Exception):
    """A request the endpoint cannot take: `status` and a one-line message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_urlencoded(raw: bytes, where: str) -> dict[str, list[str]]:
    """`name=value&...` (a query string or a form body) decoded strictly: bad %-escapes or UTF-8 are a 400."""
    if _BAD_PERCENT.search(raw):
        raise BadRequest(400, f"bad percent-encoding in the {where}")
    try:
        text = raw.decode("utf-8")
        return urllib.parse.parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(400, f"the {where} is not percent-encoded UTF-8") from None


async def read_body(request: Request, max_bytes: int, seconds: float) -> bytes:
    """The request body, at most `max_bytes` (413) and received within `seconds` (408)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or not declared.isascii()):
        raise BadRequest(400, f"bad Content-Length {declared!r}")  # h11 refuses these first; kept for any stack
    if declared is not None and int(declared) > max_bytes:
        raise BadRequest(413, f"request body over {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise BadRequest(413, f"request body over {max_bytes} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise BadRequest(408, f"request body not received within {seconds:g} s") from None
    except ClientDisconnect:
        raise BadRequest(400, "the client closed the connection before its body was complete") from None
    return b"".join(chunks)


async def sparql_params(request: Request, max_bytes: int, seconds: float) -> dict[str, list[str]]:
    """The protocol parameters of a query request: the URL's, plus a form body's or a direct POST's query."""
    params = parse_urlencoded(request.scope.get("query_string", b""), "query string")
    if request.method != "POST":
        return params
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == UPDATE:
        raise BadRequest(403, "updates are refused: this is a read-only endpoint")
    if media not in (FORM, DIRECT):
        raise BadRequest(415, f"unsupported Content-Type {media!r}: send a form or a sparql-query")
    body = await read_body(request, max_bytes, seconds)
    if media == FORM:
        for key, values in parse_urlencoded(body, "form body").items():
            params.setdefault(key, []).extend(values)
        return params
    try:
        params["query"] = [body.decode("utf-8")]
    except UnicodeDecodeError as err:
        raise BadRequest(400, f"the query is not UTF-8 (byte {err.start})") from None
    return params
