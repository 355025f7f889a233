"""Content negotiation for the published build (Cool URIs, the httpRange-14 way).

A *thing's* IRI answers **303 See Other** to the document describing it in the format its Accept header
prefers, with ``Link: rel="describedby"`` to every format: a site folder asked without its trailing slash
(``/id/state/ECU`` → ``/id/state/ECU/index.ttl``), ``/ontology`` (→ ``/ontology/ctoc.ttl``) and ``/dataset``
(→ ``/dist/void.ttl``). A *document* (a file, or a folder URL ending in ``/``: its ``index.html``) answers 200
with ``ETag`` (SHA-256 of its bytes), ``Last-Modified`` (its mtime) and ``Link: rel="alternate"`` to its other
formats, and 304 to a matching ``If-None-Match``. Nothing acceptable: 406 naming the formats offered.

Layouts: the site alone at the web root (``site_dir=""``) or the whole build folder at the web root
(``site_dir="site"``: the site's paths, plus ``/ontology``, ``/dataset`` and the dumps under ``/dist/``, the
path of ``download_base``). One table drives the Python resolver (``ctoc-kg serve``, the tests) and the
rules written for Apache (``.htaccess``) and nginx, which approximate q-values with ordered regexes
(``RULES``: agreeing with the resolver whenever the client's preferred acceptable type is listed first).
"""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

VARIANTS: tuple[tuple[str, str], ...] = (  # server preference order: HTML first
    ("text/html", "html"),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"),
)
EXT_TYPES: dict[str, str] = {ext: media for media, ext in VARIANTS}
SUFFIX_TYPES: dict[str, str] = {
    **{f".{ext}": media for media, ext in VARIANTS},
    ".nq": "application/n-quads", ".trig": "application/trig", ".css": "text/css", ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png", ".txt": "text/plain", ".conf": "text/plain", ".sha256": "text/plain", ".dot": "text/plain",
}
TEXTUAL = ("text/", "application/ld+json", "application/n-triples", "application/rdf+xml", "application/n-quads",
           "application/trig", "image/svg+xml")
NOT_ACCEPTABLE = "not acceptable: offered are " + ", ".join(m for m, _ in VARIANTS)
DUMPS_PATH = "/dist/"  # the path of data/dataset.yaml's download_base under the IRI base


@dataclass(frozen=True)
class Thing:
    """A non-site IRI of the build folder layout: its URL path, the folder (under the web root) and stem of
    its documents (``{stem}.{ext}``), and the URL path of that folder."""

    path: str
    folder: str
    stem: str
    url_folder: str


THINGS: tuple[Thing, ...] = (
    Thing("/ontology", "ontology", "ctoc", "/ontology/"),
    Thing("/dataset", "", "void", DUMPS_PATH),
)


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``(media range, q)`` pairs of an Accept header; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """The q of the most specific range matching `offer`, and that specificity (2 exact, 1 type/*, 0 */*)."""
    best: tuple[int, float] | None = None
    kind = offer.split("/")[0]
    for media, q in ranges:
        spec = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if spec >= 0 and (best is None or spec > best[0]):
            best = (spec, q)
    return (best[1], best[0]) if best else (0.0, -1)


def negotiate(accept: str | None, offers: tuple[str, ...] = tuple(m for m, _ in VARIANTS)) -> str | None:
    """The offer the client prefers most (ties go to the earlier offer); None when it accepts none (406)."""
    ranges = parse_accept(accept)
    scored = [(_quality(offer, ranges)[0], -i, offer) for i, offer in enumerate(offers)]
    q, _, offer = max(scored)
    return offer if q > 0 else None


def listed(media: str) -> str:
    """A PCRE matching an Accept header that lists `media` with a q other than 0 (nginx and Apache)."""
    not_zero = r"(?![^,]*q\s*=\s*0(?:\.0*)?\s*(?:,|$))"
    return rf"(?:^|,)\s*{re.escape(media)}\s*(?:;{not_zero}[^,]*)?(?:,|$)"


EMPTY = r"^\s*$"
# The web servers' negotiation: the first rule whose pattern matches the Accept header (case-insensitively)
# and whose file exists wins. Exact types first (HTML, then RDF in server order), then wildcards.
RULES: tuple[tuple[str, str], ...] = (
    *((listed(media), ext) for media, ext in VARIANTS),
    *((f"{EMPTY}|{listed('*/*')}|{listed(media.split('/')[0] + '/*')}", ext) for media, ext in VARIANTS),
)


def rule_choice(accept: str | None, exts: tuple[str, ...]) -> str | None:
    """What the nginx and Apache rules choose among the available `exts` (tests compare it with negotiate)."""
    for pattern, ext in RULES:
        if ext in exts and re.search(pattern, accept or "", re.IGNORECASE):
            return ext
    return None


@dataclass(frozen=True)
class Answer:
    """What to send: status, file (for 200), media type, redirect location (for 303), Link header values; `body`
    and `modified` for a document rendered on request instead of read from `path`."""

    status: int
    path: Path | None = None
    media_type: str | None = None
    location: str | None = None
    links: tuple[str, ...] = ()
    body: bytes | None = None
    modified: float | None = None


class Tree:
    """The documents a web root holds: files on disk. A served site (kg_build/publish/site/served.py) adds the
    documents it renders on request under a folder that is not on disk."""

    def is_file(self, path: Path) -> bool:
        return path.is_file()

    def is_dir(self, path: Path) -> bool:
        return path.is_dir()

    def rendered(self, path: Path) -> tuple[bytes, float] | None:
        """The bytes and modification time of a document rendered on request; None for a file on disk."""
        return None


DISK = Tree()


def inside(root: Path, decoded: str) -> Path | None:
    """The real path `decoded` (a fully percent-decoded URL path) names under `root`, or None when it is not
    a plain relative path that stays inside `root` once symbolic links are resolved."""
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    base = root.resolve()
    target = base.joinpath(*parts).resolve()
    return target if target == base or target.is_relative_to(base) else None


def link(url: str, rel: str, ext: str) -> str:
    """One Link header value."""
    return f'<{url}>; rel="{rel}"; type="{EXT_TYPES[ext]}"'


def variants_of(folder: Path, stem: str, tree: Tree = DISK) -> tuple[str, ...]:
    """The extensions of the documents ``{stem}.{ext}`` present in `folder`, in server order."""
    return tuple(ext for _, ext in VARIANTS if tree.is_file(folder / f"{stem}.{ext}"))


def see_other(folder: Path, stem: str, url_folder: str, accept: str | None, tree: Tree = DISK) -> Answer:
    """A thing's IRI: 303 to its document in the negotiated format, 406 when none is acceptable."""
    exts = variants_of(folder, stem, tree)
    if not exts:
        return Answer(404)
    links = tuple(link(f"{url_folder}{stem}.{ext}", "describedby", ext) for ext in exts)
    chosen = negotiate(accept, tuple(EXT_TYPES[e] for e in exts))
    if chosen is None:
        return Answer(406, links=links)
    ext = next(e for m, e in VARIANTS if m == chosen)
    return Answer(303, location=f"{url_folder}{stem}.{ext}", links=links)


def document(path: Path, url: str, tree: Tree = DISK) -> Answer:
    """A file: 200, with Link alternates to its siblings of the same stem in the other formats."""
    stem, _, ext = path.name.rpartition(".")
    links: tuple[str, ...] = ()
    if ext in EXT_TYPES:
        url_folder = url[: url.rfind("/") + 1]
        links = tuple(link(f"{url_folder}{stem}.{e}", "alternate", e) for e in variants_of(path.parent, stem, tree)
                      if e != ext)
    rendered = tree.rendered(path)
    body, modified = rendered if rendered is not None else (None, None)
    return Answer(200, path, SUFFIX_TYPES.get(path.suffix, "application/octet-stream"), links=links, body=body,
                  modified=modified)


def resolve(root: Path, url_path: str, accept: str | None, site_dir: str = "", tree: Tree = DISK) -> Answer:
    """Map a request path (percent-encoded, as sent) under the web `root` to an answer; `site_dir` names
    the site's folder when `root` is the whole build folder (see the module docstring); `tree` says which
    documents exist (files on disk, or also pages rendered on request)."""
    raw = urlsplit(url_path).path or "/"
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return Answer(404)
    base, rest, mounted = root / site_dir, decoded, False
    if site_dir:
        for thing in THINGS:
            if decoded == thing.path:
                found = inside(root, thing.folder)
                return see_other(found, thing.stem, thing.url_folder, accept) if found else Answer(404)
        if decoded.startswith(DUMPS_PATH):
            base, rest, mounted = root, decoded[len(DUMPS_PATH):], True
        elif decoded.startswith("/ontology/"):
            base, mounted = root, True
    target = inside(base, rest)
    if target is None:
        return Answer(404)
    if tree.is_file(target):
        return document(target, raw, tree)
    if not tree.is_dir(target):
        return Answer(404)
    if raw.endswith("/") or mounted:  # a folder URL, or a folder of files (no IRI) asked without its slash
        if not raw.endswith("/"):
            return Answer(404)
        page = target / "index.html"
        return document(page, raw + "index.html", tree) if tree.is_file(page) else Answer(404)
    return see_other(target, "index", quote(raw, safe="/%:@!$&'()*+,;=-._~") + "/", accept, tree)


def content_type(media_type: str) -> str:
    """The Content-Type header value: UTF-8 declared for every textual type."""
    return f"{media_type}; charset=utf-8" if media_type.startswith(TEXTUAL) else media_type


@lru_cache(maxsize=4096)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """SHA-256 of a file's bytes, remembered while its mtime and size stay the same."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def validators(path: Path) -> dict[str, str]:
    """``ETag`` (the SHA-256 of the bytes, so equal files have equal tags) and ``Last-Modified`` (the mtime)."""
    stat = path.stat()
    return {"ETag": f'"{_digest(str(path), stat.st_mtime_ns, stat.st_size)[:32]}"',
            "Last-Modified": formatdate(stat.st_mtime, usegmt=True)}


def answer_validators(answer: Answer) -> dict[str, str]:
    """The validators of a 200 answer: of its file, or of the bytes rendered for it (same ETag as the file)."""
    if answer.body is not None:
        return {"ETag": f'"{hashlib.sha256(answer.body).hexdigest()[:32]}"',
                "Last-Modified": formatdate(answer.modified or 0, usegmt=True)}
    assert answer.path is not None
    return validators(answer.path)


def matches(if_none_match: str | None, etag: str) -> bool:
    """True when an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET) or is *."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def head_fields(answer: Answer, if_none_match: str | None = None) -> tuple[int, dict[str, str]]:
    """The status and headers of an answer (304 when the client holds the current version); no body."""
    headers = {"Vary": "Accept"}
    if answer.links:
        headers["Link"] = ", ".join(answer.links)
    status = answer.status
    if status == 303 and answer.location:
        headers["Location"] = answer.location
    elif status == 200 and answer.path is not None and answer.media_type is not None:
        headers.update(answer_validators(answer))
        headers["Content-Type"] = content_type(answer.media_type)
        if matches(if_none_match, headers["ETag"]):
            status = 304
            del headers["Content-Type"]
    else:
        headers["Content-Type"] = "text/plain; charset=utf-8"
    return status, headers


def message(status: int) -> bytes:
    """The one-line body of a redirect or an error."""
    return {303: b"", 404: b"not found\n", 406: NOT_ACCEPTABLE.encode("utf-8")}.get(status, b"error\n")


def respond(root: Path, url_path: str, accept: str | None, if_none_match: str | None = None,
            site_dir: str = "", tree: Tree = DISK) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers for a request: what any HTTP front (the test server, `ctoc-kg serve`) sends."""
    answer = resolve(root, url_path, accept, site_dir, tree)
    status, headers = head_fields(answer, if_none_match)
    if status == 200 and answer.body is not None:
        body = answer.body
    elif status == 200 and answer.path is not None:
        body = answer.path.read_bytes()
    else:
        body = b"" if status == 304 else message(status)
    headers["Content-Length"] = str(len(body))
    return status, body, headers


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """Serves a site (or a build folder, with `site_dir`) with content negotiation (read-only: GET and HEAD)."""

    root: Path = Path(".")
    site_dir: str = ""
    server_version = "ctoc-kg-site"

    def do_GET(self) -> None:  # noqa: N802 (the http.server naming)
        self.answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer(with_body=False)

    def answer(self, with_body: bool) -> None:
        status, body, headers = respond(self.root, self.path, self.headers.get("Accept"),
                                        self.headers.get("If-None-Match"), self.site_dir)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        """Quiet: tests and `serve` print their own summaries."""


def make_handler(root: Path, site_dir: str = "") -> type[SiteHandler]:
    """A handler class bound to one web root."""
    return type("BoundSiteHandler", (SiteHandler,), {"root": root.resolve(), "site_dir": site_dir})


def start_site_server(root: Path, port: int = 0, host: str = "127.0.0.1",
                      site_dir: str = "") -> http.server.ThreadingHTTPServer:
    """Serve `root` on a loopback port in a daemon thread; stop it with ``server.shutdown()``."""
    server = http.server.ThreadingHTTPServer((host, port), make_handler(root, site_dir))
    threading.Thread(target=server.serve_forever, name="ctoc-kg-site", daemon=True).start()
    return server


def _textual_suffixes() -> str:
    return " ".join(s for s, m in SUFFIX_TYPES.items() if m.startswith(TEXTUAL))


def htaccess(site_dir: str = "") -> str:
    """Apache rules (mod_rewrite, mod_mime, mod_headers) for the web root: the site (`site_dir` "") or the
    whole build folder (`site_dir` "site"); the document root must be that folder."""
    prefix = f"{site_dir}/" if site_dir else ""
    lines = [
        "# ctoc-kg: Cool URIs by Accept (Apache 2.4: mod_rewrite, mod_mime, mod_headers). A thing's IRI (a folder",
        "# asked without its trailing slash, /ontology, /dataset) answers 303 to its document in the format the",
        "# first matching rule picks (exact types, HTML first, then wildcards; q=0 excludes a type); documents are",
        "# plain files. %{DOCUMENT_ROOT} must be the folder holding this file.",
        "Options -MultiViews -Indexes",
        "DirectoryIndex index.html",
        "DirectorySlash Off",
        "AddDefaultCharset utf-8",
        *(f"AddType {m} {s}" for s, m in SUFFIX_TYPES.items()),
        f"AddCharset utf-8 {_textual_suffixes()}",
        "<IfModule mod_headers.c>",
        "  Header always set Vary Accept",
        '  Header always set Content-Type "text/plain; charset=utf-8" "expr=%{REQUEST_STATUS} == 406"',
        "</IfModule>",
        f'ErrorDocument 406 "{NOT_ACCEPTABLE}"',
        "RewriteEngine On",
    ]
    if site_dir:
        lines += ["# the dumps at download_base (/dist/) and the ontology's files",
                  "RewriteCond %{DOCUMENT_ROOT}/$1 -f [OR]",
                  "RewriteCond %{DOCUMENT_ROOT}/$1index.html -f",
                  "RewriteRule ^dist/(.*)$ $1 [END]",
                  "RewriteRule ^dist/ - [R=404,END]",
                  "RewriteRule ^ontology/ - [END]"]
        for thing in THINGS:
            folder = f"%{{DOCUMENT_ROOT}}/{thing.folder + '/' if thing.folder else ''}{thing.stem}"
            lines += _apache_see_other(f"^{thing.path[1:]}$", folder, f"{thing.url_folder}{thing.stem}")
    lines += ["# a folder URL is its index.html",
              f"RewriteCond %{{DOCUMENT_ROOT}}/{prefix}$1index.html !-f",
              "RewriteRule ^(.*/)?$ - [R=404,END]",
              "# a site folder asked without its trailing slash: the IRI of a thing",
              *_apache_see_other("^(.*[^/])$", f"%{{DOCUMENT_ROOT}}/{prefix}$1/index", "/$1/index")]
    if site_dir:
        lines += [f"RewriteRule ^(.*)$ {prefix}$1 [END]"]
    return "\n".join(lines) + "\n"


def _apache_see_other(pattern: str, files: str, target: str) -> list[str]:
    """Rules answering 303 to ``{target}.{ext}`` for the first rule whose file ``{files}.{ext}`` exists, else 406."""
    lines = []
    for accept, ext in RULES:
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} {accept} [NC]",
                  f"RewriteCond {files}.{ext} -f",
                  f"RewriteRule {pattern} {target}.{ext} [R=303,END]"]
    lines += [f"RewriteCond {files}.{ext} -f{' [OR]' if i < len(VARIANTS) - 1 else ''}"
              for i, (_, ext) in enumerate(VARIANTS)]
    lines += [f"RewriteRule {pattern} - [R=406,END]"]
    return lines


def nginx_conf(site_dir: str = "") -> str:
    """An nginx snippet doing the same (maps for the http block, locations for the server block whose root is
    the site, or with `site_dir` the whole build folder)."""
    prefix = f"/{site_dir}" if site_dir else ""
    maps = "\n".join(f'map $http_accept $ctoc_kg_{i} {{\n    default  none;\n'
                     + (f'    ""  {ext};\n' if accept.startswith(EMPTY) else "")  # nginx skips regexes for ""
                     + f'    "~*{accept}"  {ext};\n}}'
                     for i, (accept, ext) in enumerate(RULES))
    types = "\n".join(f"    {m}  {s[1:]};" for s, m in SUFFIX_TYPES.items())
    charset_types = " ".join(sorted({m for m in SUFFIX_TYPES.values() if m.startswith(TEXTUAL)} - {"text/html"}))
    mounts = ""
    if site_dir:
        mounts = """
# the dumps at download_base (/dist/) and the ontology's files
location ^~ /dist/ {
    add_header Vary Accept always;
    rewrite ^/dist(/.*)$ $1 break;
    try_files $uri ${uri}index.html =404;
}
location ^~ /ontology/ {
    add_header Vary Accept always;
    try_files $uri ${uri}index.html =404;
}
""" + "".join(f"""location = {t.path} {{
{_nginx_see_other(f"$document_root/{t.folder + '/' if t.folder else ''}{t.stem}", f"{t.url_folder}{t.stem}")}
}}
""" for t in THINGS)
    return f"""# ctoc-kg: Cool URIs by Accept for nginx. A thing's IRI (a folder asked without its trailing slash{
", /ontology, /dataset" if site_dir else ""})
# answers 303 to its document in the format the first matching rule picks (exact types, HTML first, then
# wildcards; q=0 excludes a type: nginx cannot compare q-values, so a client listing its preferred type
# after another acceptable one may get that other one); documents are plain files.
# 1. In the http {{ }} block: one map per rule, the rule's format when the Accept header matches it.
{maps}
map $request_uri $ctoc_kg_path {{
    default  /;
    "~^(?<ctoc_kg_p>[^?]*)"  $ctoc_kg_p;
}}

# 2. In the server {{ }} block, with root pointing at the folder holding this file:
types {{
{types}
}}
charset utf-8;
charset_types {charset_types};
{mounts}
location / {{
    add_header Vary Accept always;
    try_files {prefix}$uri @ctoc_kg_thing;
    # a folder URL is its index.html
    location ~ /$ {{
        add_header Vary Accept always;
        try_files {prefix}${{uri}}index.html =404;
    }}
}}
# a folder asked without its trailing slash: the IRI of a thing
location @ctoc_kg_thing {{
{_nginx_see_other(f"$document_root{prefix}$uri/index", "$ctoc_kg_path/index")}
}}
"""


def _nginx_see_other(files: str, target: str) -> str:
    """The body of a location answering 303 to ``{target}.{ext}`` for the first rule whose file exists, else
    406 when the thing has a document, else 404."""
    lines = ["    add_header Vary Accept always;", "    default_type text/plain;"]
    lines += [f"    if (-f {files}.$ctoc_kg_{i}) {{\n        return 303 {target}.$ctoc_kg_{i};\n    }}"
              for i in range(len(RULES))]
    lines += [f'    if (-f {files}.{ext}) {{\n        return 406 "{NOT_ACCEPTABLE}";\n    }}' for _, ext in VARIANTS]
    lines += ["    return 404;"]
    return "\n".join(lines)
