"""Ontology documentation: ``ontology/index.html`` made by pyLODE from ``ontology/ctoc.ttl``, and a class
diagram ``ontology/classes.svg`` (classes, subclass edges, object properties from domain to range) by
Graphviz ``dot``. A missing ontology or ``dot`` is reported, not fatal: the rest of the build goes on."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from kg_build.errors import InputError
from kg_build.namespaces import CTOC, bind_prefixes
from kg_build.paths import ONTOLOGY_DIR
from kg_build.publish.dumps import sorted_node
from kg_build.publish.output import write_text

ONTOLOGY_FILE = ONTOLOGY_DIR / "ctoc.ttl"
DOT_TIMEOUT = 120  # seconds
SCHEMA_ORG_SCRIPT = re.compile(r'(<script id="schema.org" type="application/ld\+json">)(.*?)(</script>)', re.S)


def load_ontology(path: Path = ONTOLOGY_FILE) -> Graph | None:
    """The ontology graph, or None while ``ontology/ctoc.ttl`` does not exist yet."""
    if not path.exists():
        return None
    graph = bind_prefixes(Graph())
    try:
        with path.open("rb") as handle:
            graph.parse(handle, format="turtle")
    except Exception as err:  # rdflib's parsers raise many types; all mean "unusable input"
        raise InputError(path, 0, f"cannot parse as Turtle: {str(err).strip().splitlines()[0:1]}") from None
    return graph


def pylode_html(ontology: Graph) -> str:
    """pyLODE's OntPub page with its CSS inlined (no request to another host)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from pylode.profiles.ontpub import OntPub  # imported late: a heavy import only this step needs

    for handler in [h for h in root.handlers if h not in handlers]:  # pyLODE calls basicConfig(DEBUG) on import
        root.removeHandler(handler)
    root.setLevel(level)
    return stable_schema_org(str(OntPub(ontology, sort_subjects=True).make_html(include_css=True)))


def stable_schema_org(page: str) -> str:
    """Sort the schema.org JSON-LD pyLODE embeds (rdflib writes it in hash order), for byte-identical builds."""

    def canonical(match: re.Match[str]) -> str:
        data = sorted_node(json.loads(match.group(2)))
        if isinstance(data, dict) and isinstance(data.get("@graph"), list):
            data["@graph"] = sorted(data["@graph"], key=lambda n: json.dumps(n, sort_keys=True, ensure_ascii=False))
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
        return f"{match.group(1)}\n{text}\n{match.group(3)}"

    return SCHEMA_ORG_SCRIPT.sub(canonical, page)


def _members(ontology: Graph, node: object) -> list[URIRef]:
    """A class expression as named classes: itself, or the members of an ``owl:unionOf``."""
    if isinstance(node, URIRef):
        return [node]
    if isinstance(node, BNode):
        union = ontology.value(node, OWL.unionOf)
        if union is not None:
            return [m for m in Collection(ontology, union) if isinstance(m, URIRef)]
    return []


def _name(ontology: Graph, term: URIRef) -> str:
    if str(term).startswith(str(CTOC)):
        return str(term)[len(str(CTOC)):]
    try:
        return ontology.namespace_manager.normalizeUri(term)
    except ValueError:
        return str(term)


def class_diagram_dot(ontology: Graph) -> str:
    """Graphviz source of the class diagram, nodes and edges sorted (stable output)."""
    classes = {c for t in (OWL.Class, RDFS.Class) for c in ontology.subjects(RDF.type, t) if isinstance(c, URIRef)}
    edges: set[tuple[URIRef, URIRef, str]] = set()
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            edges.add((sub, sup, ""))
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        if not isinstance(prop, URIRef):
            continue
        for domain in ontology.objects(prop, RDFS.domain):
            for rng in ontology.objects(prop, RDFS.range):
                for d in _members(ontology, domain):
                    for r in _members(ontology, rng):
                        edges.add((d, r, _name(ontology, prop)))
    nodes = classes | {n for s, o, _ in edges for n in (s, o)}
    lines = ["digraph classes {", '  graph [rankdir=RL, ranksep=0.6, nodesep=0.15, fontname="Helvetica", fontsize=10];',
             '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8];']
    for node in sorted(nodes):
        own = str(node).startswith(str(CTOC))
        style = "" if own else ', fillcolor="#ffffff", style="rounded,dashed"'
        lines.append(f'  "{node}" [label="{_name(ontology, node)}", URL="{node}"{style}];')
    for s, o, label in sorted(edges):
        if label:
            lines.append(f'  "{s}" -> "{o}" [label="{label}", color="#8a5a00", fontcolor="#8a5a00"];')
        else:
            lines.append(f'  "{s}" -> "{o}" [arrowhead=empty];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_source: str) -> str:
    """Run Graphviz ``dot -Tsvg`` on the source."""
    dot = shutil.which("dot")
    if dot is None:
        raise FileNotFoundError("Graphviz `dot` is not installed (make setup installs Debian's graphviz)")
    done = subprocess.run([dot, "-Tsvg"], input=dot_source.encode("utf-8"), capture_output=True,
                          timeout=DOT_TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8")


def write_ontology_docs(folder: Path, path: Path = ONTOLOGY_FILE) -> list[str]:
    """Write ``ontology/index.html``, ``classes.dot`` and ``classes.svg`` into `folder`; return notes
    on what could not be made (an empty list when everything was written)."""
    try:
        ontology = load_ontology(path)
    except InputError as err:
        return [f"ontology documentation skipped: {err}"]
    if ontology is None:
        return [f"ontology documentation skipped: {path.name} does not exist yet"]
    notes = []
    out = folder / "ontology"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, out / path.name)
    try:
        write_text(out, "index.html", pylode_html(ontology))
    except Exception as err:  # pyLODE raises its own and rdflib errors on incomplete headers
        notes.append(f"pyLODE could not document {path.name}: {type(err).__name__}: {err}")
    source = class_diagram_dot(ontology)
    write_text(out, "classes.dot", source)
    try:
        write_text(out, "classes.svg", render_svg(source))
    except (FileNotFoundError, RuntimeError, subprocess.TimeoutExpired) as err:
        notes.append(f"class diagram not drawn: {err}")
    return notes
