"""The IRI scheme of the graph (README, "IRIs"), minted in one place for every stage: resources under
``id/``, UN documents by symbol, entities by registry key, Convention provisions in Akoma Ntoso eId style."""

from __future__ import annotations

from urllib.parse import quote

from rdflib import URIRef

from kg_build.namespaces import ID, UNDOCS

CONCEPT_SCHEME = {"actions": "action", "topics": "topic", "roles": "role", "capacities": "capacity",
                  "regional_groups": "regional-group"}


def iri(path: str) -> URIRef:
    """An IRI under ``id/``; each path segment percent-encoded where IRIs need it."""
    return ID[quote(path, safe="/._-~")]


def doc_iri(symbol: str) -> URIRef:
    """A UN document by its symbol, as undocs.org keys it: ``id/doc/CTOC/COP/WG.3/2012/1``."""
    return iri(f"doc/{symbol}")


def undocs_url(symbol: str) -> URIRef:
    """The document's page at undocs.org (rdfs:seeAlso)."""
    return URIRef(UNDOCS + quote(symbol, safe="/._-"))


def entity_iri(key: str) -> URIRef:
    """IRI of an entity key: ``state/ECU`` → ``id/state/ECU``; ``convention/untoc`` → ``id/convention/untoc``."""
    return iri(key)


def act_iri(key: str) -> URIRef:
    """A decision or resolution under its issuer: ``resolution/cop-untoc/5-7`` → ``id/resolution/cop-untoc/5-7``."""
    return iri(key)


def concept_iri(scheme: str, slug: str) -> URIRef:
    """A SKOS concept of a scheme: ``id/concept/action/requests``."""
    return iri(f"concept/{CONCEPT_SCHEME[scheme]}/{slug}")


def article_iri(convention: str, article: int, paragraph: int | None = None) -> URIRef:
    """``id/convention/untoc/art_18`` and ``…/art_18/para_13`` (Akoma Ntoso eId style)."""
    path = f"convention/{convention}/art_{article}"
    return iri(path + (f"/para_{paragraph}" if paragraph is not None else ""))
