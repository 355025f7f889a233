"""The static site inside ``ctoc-kg serve``: the front's ``site_handler`` hook answering from ``dist/site``
with the same content negotiation as the web-server rules (kg_build/publish/site/conneg.py); files are
streamed from disk, never read whole."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from kg_build.publish.site.conneg import content_type, resolve, respond
from kg_build.sparql.serve import Handler, SparqlFront, text_answer

SITE_METHODS = frozenset({"GET", "HEAD"})


def site_handler(root: Path) -> Handler:
    """A handler serving the site folder `root` (read-only) for any path no other route takes."""
    root = root.resolve()

    async def handle(front: SparqlFront, request: Request) -> Response:
        if request.method not in SITE_METHODS:
            return text_answer(405, f"{request.method} is not allowed on {request.url.path}",
                               {"Allow": ", ".join(sorted(SITE_METHODS))})
        raw_path = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        path = raw_path.decode("latin-1")  # percent-encoded as sent: conneg decodes it strictly
        accept = request.headers.get("accept")
        answer = resolve(root, path, accept)
        if answer.status == 200 and answer.path is not None and answer.media_type is not None:
            return FileResponse(answer.path, media_type=content_type(answer.media_type), headers={"Vary": "Accept"})
        status, body, headers = respond(root, path, accept)  # a redirect, 404 or 406: a line, built by conneg
        media = headers.pop("Content-Type", "text/plain; charset=utf-8")
        headers.pop("Content-Length", None)  # Starlette sets it
        return Response(body, status, headers, media_type=media)

    return handle


def find_site(dist: Path) -> Path | None:
    """The built site of a dist folder, or None when the build wrote none."""
    site = dist / "site"
    return site if (site / "index.html").is_file() else None
