"""Where each IRI's page lives in the static site, and relative links between pages.

``https://w3id.org/ctoc-kg/id/state/ECU`` -> ``id/state/ECU/index.html``; a hash IRI such as
``{unit}#quote`` lives on its base page. Folder names are the IRI's decoded path segments, links
percent-encode them again, and every link is relative and names ``index.html``, so the site works
from any folder, behind any web server and from ``file://``.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from kg_build.namespaces import BASE, ID

UNSAFE_SEGMENTS = {"": "_empty_", ".": "_dot_", "..": "_dotdot_"}

Segments = tuple[str, ...]


def split_fragment(iri: str) -> tuple[str, str]:
    """``(base, fragment)`` of an IRI; the fragment is empty when there is none."""
    base, _, fragment = iri.partition("#")
    return base, fragment


def page_iri(iri: str) -> str | None:
    """The IRI whose page shows `iri` (itself without fragment), or None when it is not under ``id/``."""
    base, _ = split_fragment(iri)
    return base if base.startswith(str(ID)) and len(base) > len(str(ID)) else None


def _segment(raw: str) -> str:
    """A folder name for one IRI path segment: decoded, never empty, ``.``, ``..`` or holding a slash."""
    name = unquote(raw).replace("/", "%2F").replace("\x00", "")
    return UNSAFE_SEGMENTS.get(name, name)


def segments(iri: str) -> Segments:
    """The folder of an IRI's page, relative to the site root: ``("id", "state", "ECU")``."""
    page = page_iri(iri)
    if page is None:
        raise ValueError(f"not a resource IRI of this dataset: {iri}")
    return tuple(_segment(s) for s in page[len(BASE):].split("/"))


def href(from_folder: Segments, to_folder: Segments, file: str = "index.html", fragment: str = "") -> str:
    """A relative link from a page in `from_folder` to `file` in `to_folder` (with an optional fragment)."""
    parts = [".."] * len(from_folder) + [quote(s, safe="") for s in to_folder] + ([file] if file else [])
    link = "/".join(parts) or "./"
    return link + ("#" + quote(fragment, safe="/:@!$&'()*+,;=-._~") if fragment else "")


def iri_href(from_folder: Segments, iri: str) -> str | None:
    """A relative link to an IRI's page (and its fragment), or None for IRIs outside the dataset."""
    if page_iri(iri) is None:
        return None
    return href(from_folder, segments(iri), fragment=split_fragment(iri)[1])
