"""Content negotiation for the static site: a request for an IRI's folder gets ``index.html``,
``index.ttl``, ``index.jsonld`` or ``index.nt`` by its Accept header (q-values, wildcards, specificity).

One table drives the Python resolver (used by ``ctoc-kg serve`` and the tests) and the rules written for
Apache (``.htaccess``) and nginx, so all three answer alike. HTML for a folder asked without its trailing
slash is redirected to it, so the page's relative links resolve.
"""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

VARIANTS: tuple[tuple[str, str], ...] = (  # server preference order: HTML first
    ("text/html", "index.html"),
    ("text/turtle", "index.ttl"),
    ("application/ld+json", "index.jsonld"),
    ("application/n-triples", "index.nt"),
)
SUFFIX_TYPES: dict[str, str] = {
    ".html": "text/html", ".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
    ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain", ".conf": "text/plain",
}
TEXTUAL = ("text/", "application/ld+json", "application/n-triples", "image/svg+xml")


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


@dataclass(frozen=True)
class Answer:
    """What to send: status, file (for 200), media type, redirect location (for 302)."""

    status: int
    path: Path | None = None
    media_type: str | None = None
    location: str | None = None


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


def resolve(root: Path, url_path: str, accept: str | None) -> Answer:
    """Map a request path (percent-encoded, as sent) under the site `root` to an answer."""
    raw = urlsplit(url_path).path or "/"
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return Answer(404)
    target = inside(root, decoded)
    if target is None:
        return Answer(404)
    if target.is_file():
        return Answer(200, target, SUFFIX_TYPES.get(target.suffix, "application/octet-stream"))
    if not target.is_dir():
        return Answer(404)
    offers = tuple(m for m, f in VARIANTS if (target / f).is_file())
    if not offers:
        return Answer(404)
    chosen = negotiate(accept, offers)
    if chosen is None:
        return Answer(406)
    if chosen == "text/html" and not raw.endswith("/"):
        return Answer(302, location=raw + "/")
    return Answer(200, target / dict((m, f) for m, f in VARIANTS)[chosen], chosen)


def content_type(media_type: str) -> str:
    """The Content-Type header value: UTF-8 declared for every textual type."""
    return f"{media_type}; charset=utf-8" if media_type.startswith(TEXTUAL) else media_type


def respond(root: Path, url_path: str, accept: str | None) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers (Content-Type, Content-Length, Vary, Location) for a request to the site:
    what any HTTP front (the test server, `ctoc-kg serve`) sends."""
    result = resolve(root, url_path, accept)
    headers = {"Vary": "Accept"}
    if result.status == 302 and result.location:
        headers["Location"] = quote(result.location, safe="/%:@!$&'()*+,;=-._~")
        body = b""
    elif result.status == 200 and result.path is not None and result.media_type is not None:
        body = result.path.read_bytes()
        headers["Content-Type"] = content_type(result.media_type)
    else:
        message = {404: "not found", 406: "not acceptable: this resource has " +
                   ", ".join(m for m, _ in VARIANTS)}.get(result.status, "error")
        body = (message + "\n").encode("utf-8")
        headers["Content-Type"] = "text/plain; charset=utf-8"
    headers["Content-Length"] = str(len(body))
    return result.status, body, headers


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """Serves a site folder with content negotiation (read-only: GET and HEAD)."""

    root: Path = Path(".")
    server_version = "ctoc-kg-site"

    def do_GET(self) -> None:  # noqa: N802 (the http.server naming)
        self.answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer(with_body=False)

    def answer(self, with_body: bool) -> None:
        status, body, headers = respond(self.root, self.path, self.headers.get("Accept"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        """Quiet: tests and `serve` print their own summaries."""


def make_handler(root: Path) -> type[SiteHandler]:
    """A handler class bound to one site folder."""
    return type("BoundSiteHandler", (SiteHandler,), {"root": root.resolve()})


def start_site_server(root: Path, port: int = 0, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """Serve `root` on a loopback port in a daemon thread; stop it with ``server.shutdown()``."""
    server = http.server.ThreadingHTTPServer((host, port), make_handler(root))
    threading.Thread(target=server.serve_forever, name="ctoc-kg-site", daemon=True).start()
    return server


def htaccess() -> str:
    """Apache rules (mod_rewrite, mod_headers, mod_mime) for the site folder."""
    lines = [
        "# ctoc-kg static site: content negotiation by Accept (Apache 2.4: mod_rewrite, mod_mime, mod_headers).",
        "# An IRI's folder answers index.html to browsers, and RDF to clients that ask for it without",
        "# listing text/html. If the site is not at the server root, set RewriteBase to its URL path.",
        "Options -MultiViews -Indexes",
        "DirectoryIndex index.html",
        "# mod_dir would redirect /id/state/ECU to /id/state/ECU/ before the RDF rules run: the rules below do it",
        "DirectorySlash Off",
        "AddDefaultCharset utf-8",
        *(f"AddType {m} {Path(f).suffix}" for m, f in VARIANTS[1:]),
        "AddCharset utf-8 .html .ttl .jsonld .nt",
        "<IfModule mod_headers.c>",
        "  Header always append Vary Accept",
        "</IfModule>",
        "RewriteEngine On",
    ]
    for media, file in VARIANTS[1:]:
        pattern = media.replace("+", "\\+").replace(".", "\\.")
        lines += [
            f"# {media}",
            "RewriteCond %{HTTP_ACCEPT} !text/html",
            f"RewriteCond %{{HTTP_ACCEPT}} {pattern}",
            "RewriteCond %{REQUEST_FILENAME} -d",
            f"RewriteCond %{{REQUEST_FILENAME}}/{file} -f",
            f"RewriteRule ^(.+?)/?$ $1/{file} [L,T={media}]",
        ]
    lines += [
        "# HTML: a folder asked without its trailing slash is redirected to it (the page's links are relative)",
        "RewriteCond %{REQUEST_FILENAME} -d",
        "RewriteRule ^(.*[^/])$ %{REQUEST_URI}/ [R=302,L]",
    ]
    return "\n".join(lines) + "\n"


def nginx_conf() -> str:
    """An nginx snippet doing the same negotiation (two ``map``s for the http block, locations for the server)."""
    cases = "\n".join(f'    "~*{m.replace("+", "[+]")}"  {Path(f).suffix[1:]};' for m, f in VARIANTS)
    return f"""# ctoc-kg static site: content negotiation by Accept for nginx.
# 1. In the http {{ }} block: the variant each Accept header gets (first match wins: browsers list text/html),
#    and the same for a request without a trailing slash, where HTML must first go to the folder URL.
map $http_accept $ctoc_kg_ext {{
    default  html;
{cases}
}}
map $ctoc_kg_ext $ctoc_kg_rdf {{
    html     "-";
    default  $ctoc_kg_ext;
}}

# 2. In the server {{ }} block, with root pointing at this folder (dist/site):
types {{
    text/html              html;
    text/turtle            ttl;
    application/ld+json    jsonld;
    application/n-triples  nt;
}}
charset utf-8;
charset_types text/turtle application/ld+json application/n-triples;
index index.html;

location / {{
    add_header Vary Accept always;
    try_files $uri $uri/index.$ctoc_kg_ext $uri/index.html =404;
    # an IRI without a trailing slash: RDF is served at once; HTML goes to the folder URL (relative links)
    location ~ [^/]$ {{
        add_header Vary Accept always;
        try_files $uri $uri/index.$ctoc_kg_rdf @ctoc_kg_folder;
    }}
}}
location @ctoc_kg_folder {{
    add_header Vary Accept always;
    if (!-d $request_filename) {{
        return 404;
    }}
    return 302 $uri/;
}}
"""
