"""Stage 7b: the linked-data publication of a build, written into the staging folder after ``kg.nt``:
dumps with checksums, ``void.ttl``, the ontology documentation and the static site."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from kg_build.errors import InputError
from kg_build.pipeline import BuildResult
from kg_build.publish.dumps import write_checksums, write_dumps
from kg_build.publish.notebook import write_notebook_page
from kg_build.publish.ontodoc import load_ontology, write_ontology_docs
from kg_build.publish.site.pages import SITE_DIR, write_site
from kg_build.publish.site.query_editor import write_query_editor
from kg_build.publish.void import load_dataset_info, write_void

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


def publish_all(result: BuildResult, folder: Path) -> list[str]:
    """Write every publication output into `folder`; return notes on steps that could not run."""
    reports = [URIRef(str(r.iris.work)) for r in result.reports]
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
    return notes
