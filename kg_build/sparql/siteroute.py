"""The static site inside ``ctoc-kg serve``: the front's ``site_handler`` hook answering from ``dist/site``
with the same content negotiation as the web-server rules (kg_build/publish/site/conneg.py)."""

from __future__ import annotations

from pathlib import Path

from kg_build.publish.site.conneg import respond
from kg_build.sparql.serve import Handler, Request, Response, SparqlFront, text_response

SITE_METHODS = frozenset({"GET", "HEAD"})


def site_handler(root: Path) -> Handler:
    """A handler serving the site folder `root` (read-only) for any path no other route takes."""
    root = root.resolve()

    def handle(front: SparqlFront, request: Request) -> Response:
        if request.method not in SITE_METHODS:
            return text_response(405, f"{request.method} is not allowed on {request.path}")
        status, body, headers = respond(root, request.path, request.headers.get("accept"))
        content_type = headers.pop("Content-Type", "text/plain; charset=utf-8")
        headers.pop("Content-Length", None)  # the front sets it
        return Response(status, body, content_type, headers)

    return handle


def find_site(dist: Path) -> Path | None:
    """The built site of a dist folder, or None when the build wrote none."""
    site = dist / "site"
    return site if (site / "index.html").is_file() else None
