"""The published build inside ``ctoc-kg serve``: the front's ``site_handler`` hook answering from ``dist/``
(the site's paths from ``dist/site``, plus ``/ontology``, ``/dataset`` and the dumps under ``/dist/``) with
the same Cool-URI rules as the web-server rules (kg_build/publish/site/conneg.py): 303 for a thing's IRI,
ETag, Last-Modified, Link and 304 for documents. Files are streamed from disk, never read whole."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from kg_build.publish.ontodoc import load_ontology
from kg_build.publish.site.conneg import DISK, Tree, head_fields, message, resolve
from kg_build.publish.site.served import PAGE_LIST, ServedSite
from kg_build.publish.store import has_store, open_store
from kg_build.publish.void import load_dataset_info
from kg_build.sparql.serve import Handler, SparqlFront, text_answer

SITE_METHODS = frozenset({"GET", "HEAD"})


def web_root(site: Path) -> tuple[Path, str]:
    """The folder served and the site's folder inside it: the whole build when `site` sits in one (beside
    ``kg.nt``), else the site alone."""
    build = site.parent
    return (build, site.name) if (build / "kg.nt").is_file() else (site, "")


def site_handler(site: Path, tree: Tree = DISK) -> Handler:
    """A handler serving the build around the site folder `site` (read-only) for any path no route takes; `tree`
    renders the pages the folder does not hold (a served site)."""
    root, site_dir = web_root(site.resolve())

    async def handle(front: SparqlFront, request: Request) -> Response:
        if request.method not in SITE_METHODS:
            return text_answer(405, f"{request.method} is not allowed on {request.url.path}",
                               {"Allow": ", ".join(sorted(SITE_METHODS))})
        raw_path = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        path = raw_path.decode("latin-1")  # percent-encoded as sent: conneg decodes it strictly
        # a rendered page is rendered off the event loop; the ETag hashes a file once per version
        answer = await run_in_threadpool(resolve, root, path, request.headers.get("accept"), site_dir, tree)
        status, headers = await run_in_threadpool(head_fields, answer, request.headers.get("if-none-match"))
        if status == 200 and answer.body is not None:
            media = headers.pop("Content-Type")
            return Response(answer.body, status, headers, media_type=media)
        if status == 200 and answer.path is not None:
            media = headers.pop("Content-Type")
            return FileResponse(answer.path, media_type=media, headers=headers)
        media = headers.pop("Content-Type", None)
        return Response(message(status) if status != 304 else b"", status, headers, media_type=media)

    return handle


def find_site(dist: Path) -> Path | None:
    """The built site of a dist folder, or None when the build wrote none."""
    site = dist / "site"
    return site if (site / "index.html").is_file() else None


def served_site(dist: Path) -> ServedSite | None:
    """The site of a build that chose to serve it from its store (a page list and a store, no static pages)."""
    if not (dist / PAGE_LIST).is_file() or not has_store(dist):
        return None
    return ServedSite(dist / "site", open_store(dist), dist / PAGE_LIST, load_ontology(), load_dataset_info())


def build_site_handler(dist: Path) -> Handler | None:
    """The site hook for a build folder: its static site, else its site served from the store, else none."""
    if (site := find_site(dist)) is not None:
        return site_handler(site)
    if (served := served_site(dist)) is not None:
        return site_handler(dist / "site", served)
    return None
