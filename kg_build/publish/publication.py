"""Stage 7b: the linked-data publication of a build, written into the staging folder after ``kg.nt`` and
``inferred.nt``: the persistent store, dumps with checksums, ``void.ttl``, the ontology documentation and the
static site, the other formats of the ontology and of ``void.ttl`` (what ``/ontology`` and ``/dataset``
negotiate between), and the web-server rules for serving the whole build folder. No rdflib graph of the data
is made."""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Graph, URIRef

from kg_build.errors import InputError
from kg_build.progress import Progress
from kg_build.publish.dumps import jsonld, rdfxml, write_checksums, write_dumps
from kg_build.publish.notebook import write_notebook_page
from kg_build.publish.ontodoc import ONTOLOGY_FILE, load_ontology, write_ontology_docs
from kg_build.publish.output import write_text
from kg_build.publish.site.conneg import htaccess, nginx_conf
from kg_build.publish.site.pages import SITE_DIR
from kg_build.publish.site.query_editor import write_query_editor
from kg_build.publish.site.writer import site_mode
from kg_build.publish.store import STORE_DIR, has_store, open_store, write_store
from kg_build.publish.void import load_dataset_info, write_void
from kg_build.serialize import canonical_ntriples


def publish_all(folder: Path, works: list[URIRef], site: str = "static", previous: Path | None = None,
                processes: int = 1, progress: Progress | None = None) -> list[str]:
    """Write every publication output into `folder`, which holds the sorted ``kg.nt`` and ``inferred.nt`` of a
    build, and `works` the report IRIs (one named graph each in the quad dumps): first the persistent store,
    then the dumps (streamed from the files), the statistics (SPARQL on the store) and the rest. The site is
    static (pages unchanged since the `previous` build folder are hard-linked from it; `processes` share the
    pages) or served (``ctoc-kg serve`` renders each page from the store). `progress` hears one line per step.
    Return notes on steps that could not run."""
    progress = progress or Progress(quiet=True)
    if not has_store(folder):  # the build wrote it to validate on
        write_store(folder)
    store = open_store(folder)
    with progress.stage("publish ontology docs"):
        notes = write_ontology_docs(folder)
        try:
            ontology = load_ontology()
        except InputError:
            ontology = None  # already reported by write_ontology_docs
        if ontology is not None:
            write_ontology_formats(folder / "ontology", ontology)
    with progress.stage("publish dumps"):
        dumps = write_dumps(folder, works)
    with progress.stage("publish void"):
        write_void(store, dumps, folder)
        write_checksums(folder, [d.name for d in dumps] + ["void.ttl"])
        write_formats(folder, "void", Graph().parse(folder / "void.ttl", format="turtle"))
    with progress.stage(f"publish site ({site})") as stage:
        pages = site_mode(site, folder / STORE_DIR if processes > 1 else store, folder, ontology,
                          load_dataset_info(), previous, processes)
        stage.note(f"{pages.pages:,} pages, {pages.linked:,} unchanged (linked from the build replaced)")
        notes += write_notebook_page(folder)
        notes += write_query_editor(folder / SITE_DIR)
        write_text(folder, ".htaccess", htaccess(SITE_DIR))
        write_text(folder, "nginx.conf", nginx_conf(SITE_DIR))
    del store  # closes the read-only store before the folder moves into place
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
