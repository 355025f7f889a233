"""Every namespace the project uses, defined once, with `bind_prefixes` for readable serializations."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/ctoc-kg/"
CTOC = Namespace(BASE + "ontology#")
SH_CTOC = Namespace(BASE + "shapes#")
ID = Namespace(BASE + "id/")

ELI = Namespace("http://data.europa.eu/eli/ontology#")
ELI_DL = Namespace("http://data.europa.eu/eli/eli-draft-legislation-ontology#")
UNDO = Namespace("https://w3id.org/un/ontology/undo/")
OA = Namespace("http://www.w3.org/ns/oa#")
VANN = Namespace("http://purl.org/vocab/vann/")
EU_LANG = Namespace("http://publications.europa.eu/resource/authority/language/")
WD = Namespace("http://www.wikidata.org/entity/")
UNDOCS = "https://undocs.org/"

PREFIXES: dict[str, Namespace] = {
    "ctoc": CTOC,
    "ctocsh": SH_CTOC,
    "id": ID,
    "eli": ELI,
    "eli-dl": ELI_DL,
    "undo": UNDO,
    "oa": OA,
    "prov": PROV,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "org": ORG,
    "skos": SKOS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "void": VOID,
    "dcat": DCAT,
    "vann": VANN,
    "wd": WD,
    "eulang": EU_LANG,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on `graph` (replacing rdflib's defaults) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph
