"""Stage 7b: the linked-data publication of a build, written into the staging folder after ``kg.nt``:
dumps with checksums, ``void.ttl``, the ontology documentation and the static site, the other formats of
the ontology and of ``void.ttl`` (what ``/ontology`` and ``/dataset`` negotiate between), and the web-server
rules for serving the whole build folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Graph, URIRef

from kg_build.errors import InputError
from kg_build.pipeline import BuildResult
from kg_build.publish.dumps import jsonld, rdfxml, write_checksums, write_dumps
from kg_build.publish.notebook import write_notebook_page
from kg_build.publish.ontodoc import ONTOLOGY_FILE, load_ontology, write_ontology_docs
from kg_build.publish.output import write_text
from kg_build.publish.site.conneg import htaccess, nginx_conf
from kg_build.publish.site.pages import SITE_DIR, write_site
from kg_build.publish.site.query_editor import write_query_editor
from kg_build.publish.void import load_dataset_info, write_void
from kg_build.serialize import canonical_ntriples

INFERRED_FILE = "inferred.nt"


def inferred_graph(result: BuildResult, folder: Path) -> Graph | None:
    """The inferred triples of this build: ``inferred.nt`` when an earlier step wrote it into `folder`,
    else a graph the build result carries as ``inferred``; None when the build did not reason."""
    path = folder / INFERRED_FILE
    if path.exists():
        graph = Graph()
        with path.open("rb") as handle:
            graph.parse(handle, format="nt")
        return graph
    found = getattr(result, "inferred", None)
    return found if isinstance(found, Graph) else None


def publish_all(result: BuildResult, folder: Path, works: list[URIRef] | None = None) -> list[str]:
    """Write every publication output into `folder` (the works' IRIs name the dumps' graphs); return notes on
    steps that could not run."""
    reports = works if works is not None else [URIRef(str(r.iris.work)) for r in result.reports]
    inferred = inferred_graph(result, folder)
    notes = write_ontology_docs(folder)
    try:
        ontology = load_ontology()
    except InputError:
        ontology = None  # already reported by write_ontology_docs
    dumps = write_dumps(result.graph, reports, folder, inferred)
    write_void(result.graph, dumps, folder, inferred)
    write_site(result.graph, folder, inferred, ontology, load_dataset_info())
    notes += write_notebook_page(folder)
    notes += write_query_editor(folder / SITE_DIR)
    write_checksums(folder, [d.name for d in dumps] + ["void.ttl"])
    if ontology is not None:
        write_ontology_formats(folder / "ontology", ontology)
    void = Graph().parse(folder / "void.ttl", format="turtle")
    write_formats(folder, "void", void)
    write_text(folder, ".htaccess", htaccess(SITE_DIR))
    write_text(folder, "nginx.conf", nginx_conf(SITE_DIR))
    return notes


def write_formats(folder: Path, stem: str, graph: Graph) -> None:
    """``{stem}.jsonld``, ``.nt`` and ``.rdf`` beside ``{stem}.ttl``: the formats a thing's IRI negotiates."""
    write_text(folder, f"{stem}.jsonld", jsonld(graph))
    write_text(folder, f"{stem}.nt", canonical_ntriples(graph))
    write_text(folder, f"{stem}.rdf", rdfxml(graph))


def write_ontology_formats(folder: Path, ontology: Graph) -> None:
    """The ontology as ``ctoc.{ttl,jsonld,nt,rdf}`` and its documentation also as ``ctoc.html``, so
    ``/ontology`` answers 303 to ``/ontology/ctoc.{ext}`` like any other thing (the copy keeps the page's
    relative links)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / ONTOLOGY_FILE.name).is_file():
        shutil.copyfile(ONTOLOGY_FILE, folder / ONTOLOGY_FILE.name)
    write_formats(folder, ONTOLOGY_FILE.stem, ontology)
    if (folder / "index.html").is_file():
        shutil.copyfile(folder / "index.html", folder / f"{ONTOLOGY_FILE.stem}.html")
