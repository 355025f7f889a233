"""Ontology documentation: ``ontology/index.html`` made by pyLODE from ``ontology/ctoc.ttl``, and a class
diagram ``ontology/classes.svg`` (classes, subclass edges, object properties from domain to range) by
Graphviz ``dot``. A missing ontology or ``dot`` is reported, not fatal: the rest of the build goes on.

pyLODE is given the ctoc: terms only (the declarations of reused terms would each get a section of their
own), one label per term written "English / 中文", and a fragment id per term from its IRI (pyLODE makes
ids from labels, which collide: ``Action``/``action``, or come out empty for a Chinese-first label). Its
page is then made valid HTML in the page's languages by ``html_lang.mark_languages``."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg_build.errors import InputError
from kg_build.memo import memo_text
from kg_build.namespaces import BASE, CTOC, bind_prefixes
from kg_build.paths import ONTOLOGY_DIR
from kg_build.publish.dumps import sorted_node
from kg_build.publish.html_lang import mark_languages
from kg_build.publish.output import write_text

CODE = [Path(__file__).read_bytes(), Path(mark_languages.__code__.co_filename).read_bytes()]  # keys the memo

ONTOLOGY_FILE = ONTOLOGY_DIR / "ctoc.ttl"
DOT_TIMEOUT = 120  # seconds
SCHEMA_ORG_SCRIPT = re.compile(r'(<script id="schema.org" type="application/ld\+json">)(.*?)(</script>)', re.S)
TERM_KINDS = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
LABELS = (RDFS.label, DCTERMS.title)
LANGUAGES = ("en", "zh")  # the order of the two labels in a combined label


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
    documented = for_pylode(ontology)
    page = OntPub(documented, sort_subjects=True)
    page.fids.update(fragment_ids(documented))
    return mark_languages(stable_schema_org(str(page.make_html(include_css=True))))


def for_pylode(ontology: Graph) -> Graph:
    """The ontology as pyLODE should show it: without the declarations of reused terms, and with each
    term's English and Chinese labels (and the header's titles) combined into one "English / 中文"."""
    graph = bind_prefixes(Graph())
    reused = {s for kind in TERM_KINDS for s in ontology.subjects(RDF.type, kind) if not str(s).startswith(BASE)}
    for s, p, o in ontology:
        if s not in reused and p not in LABELS:
            graph.add((s, p, o))
    for s in {s for p in LABELS for s in ontology.subjects(p, None)} - reused:
        for p in LABELS:
            labels = {lit.language: str(lit) for lit in ontology.objects(s, p) if isinstance(lit, Literal)}
            if labels:
                both = [labels[lang] for lang in LANGUAGES if lang in labels]
                rest = [text for lang, text in sorted(labels.items(), key=str) if lang not in LANGUAGES]
                graph.add((s, p, Literal(" / ".join(both + rest))))
    return graph


def fragment_ids(ontology: Graph) -> dict[str, str]:
    """A unique HTML fragment id for every IRI the page documents: the IRI's local name (``Action``,
    ``action``), or its path below the project's base for other resources."""
    ids: dict[str, str] = {}
    subjects = sorted({str(s) for s in ontology.subjects() if isinstance(s, URIRef)})
    for iri in subjects:
        local = iri.rpartition("#")[2] if "#" in iri else iri.removeprefix(BASE).strip("/").replace("/", "-")
        fid = re.sub(r"[^A-Za-z0-9_.-]", "-", local) or "term"
        while fid in ids.values():
            fid += "-"
        ids[iri] = fid
    return ids


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
        write_text(out, "index.html", memo_text("pylode", [path.read_bytes(), version("pylode"), *CODE],
                                                lambda: pylode_html(ontology)))
    except Exception as err:  # pyLODE raises its own and rdflib errors on incomplete headers
        notes.append(f"pyLODE could not document {path.name}: {type(err).__name__}: {err}")
    source = class_diagram_dot(ontology)
    write_text(out, "classes.dot", source)
    try:
        write_text(out, "classes.svg", memo_text("graphviz", [source, shutil.which("dot") or ""],
                                                 lambda: render_svg(source)))
    except (FileNotFoundError, RuntimeError, subprocess.TimeoutExpired) as err:
        notes.append(f"class diagram not drawn: {err}")
    return notes
