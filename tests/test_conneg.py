"""Content negotiation: the Accept parser and chooser, the folder resolver, and the same rules served over
HTTP on a loopback port (303 from a thing's IRI to its document, Vary, 404/406, no path traversal, also
through the build folder's mounts /dist/ and /ontology/)."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg_build.publish.site.conneg import (
    htaccess,
    negotiate,
    nginx_conf,
    parse_accept,
    resolve,
    rule_choice,
    start_site_server,
)

CHROMIUM_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
ALL = ("text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
EXTS = {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
        "application/rdf+xml": "rdf"}


@pytest.mark.parametrize(("accept", "expected"), [
    (CHROMIUM_ACCEPT, "text/html"),
    (None, "text/html"),
    ("", "text/html"),
    ("*/*", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("application/ld+json;q=0.2, text/*;q=0.8", "text/html"),
    ("text/*;q=0.8, text/html;q=0.1", "text/turtle"),
    ("TEXT/TURTLE", "text/turtle"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/html;q=0, text/turtle", "text/turtle"),
    ("application/*", "application/ld+json"),
    ("image/png", None),
    ("text/html;q=0", None),
    ("*/*;q=0", None),
    ("text/turtle;q=abc, application/n-triples", "application/n-triples"),
])
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, ALL) == expected


AGREED = [CHROMIUM_ACCEPT, None, "", "*/*", "text/*", "application/*", "text/turtle", "application/ld+json",
          "application/n-triples", "application/rdf+xml", "TEXT/TURTLE", "text/html;q=0, text/turtle",
          "text/html;q=0.0, application/rdf+xml;q=0.5", "application/rdf+xml, */*;q=0.1", "image/png", "text/html;q=0",
          "*/*;q=0", "text/turtle;q=0.000, application/n-triples", "text/html;level=1;q=0, application/ld+json",
          "text/turtle;q=0.5, application/ld+json;q=0.5", "application/ld+json;charset=utf-8"]
ONLY_PYTHON = ["text/turtle;q=0.5, application/ld+json", "text/html;q=0.1, text/turtle"]


@pytest.mark.parametrize("accept", AGREED)
@pytest.mark.parametrize("offers", [ALL, ALL[:1], ALL[1:], ALL[1:2]])
def test_web_server_rules_agree_with_negotiate(accept: str | None, offers: tuple[str, ...]) -> None:
    """The ordered regex rules nginx and Apache use choose what the q-value negotiation chooses for the
    common headers (the README lists these cases and the limits)."""
    chosen = negotiate(accept, offers)
    assert rule_choice(accept, tuple(EXTS[o] for o in offers)) == (EXTS[chosen] if chosen else None)


@pytest.mark.parametrize("accept", ONLY_PYTHON)
def test_the_rules_limits(accept: str) -> None:
    """Where the rules differ (a preferred type listed after another acceptable one): documented limits."""
    assert rule_choice(accept, tuple(EXTS.values())) != EXTS[negotiate(accept, ALL) or ""]


def test_parse_accept_reads_q_values() -> None:
    ranges = parse_accept("text/turtle;q=0.3, application/ld+json")
    assert ranges == [("text/turtle", 0.3), ("application/ld+json", 1.0)]


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    """A tiny site: one IRI folder with all variants, one with HTML only, a file outside the site root."""
    for name, text in (("index.html", "<p>页面</p>"), ("index.ttl", "<a> <b> <c> ."), ("index.jsonld", "{}"),
                       ("index.nt", "<a> <b> <c> .\n")):
        (tmp_path / "site/id/state/ECU").mkdir(parents=True, exist_ok=True)
        (tmp_path / "site/id/state/ECU" / name).write_text(text, encoding="utf-8")
    (tmp_path / "site/kinds/states").mkdir(parents=True)
    (tmp_path / "site/kinds/states/index.html").write_text("<p>国家</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return tmp_path / "site"


TRAVERSALS = [
    "/../secret.txt", "/%2E%2E/secret.txt", "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt", "/..%2Fsecret.txt",
    "/id/%2E%2E/%2E%2E/../secret.txt", "/id/..%2f..%2fsecret.txt", "/%2F..%2Fsecret.txt",
    "/%2Fetc%2Fpasswd", "/%2fetc/passwd", "//etc/passwd", "/%2F%2Fetc%2Fpasswd", "/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/%2Fproc%2Fself%2Fenviron", "/..%5csecret.txt", "/..\\secret.txt", "/%00/etc/passwd", "/id%00/state",
    "/%252e%252e/secret.txt", "/%c0%ae%c0%ae/secret.txt", "/%ff/secret.txt", "/id/state/ECU/%2e%2e/%2e%2e/%2e%2e/..",
    "/id/link-out/index.html", "/id/link-out", "/link-file",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_resolve_never_leaves_the_site(site: Path, path: str) -> None:
    """Every spelling of a way out (encoded slashes and dots, absolute parts, symbolic links) is a 404."""
    (site / "id/link-out").symlink_to(site.parent, target_is_directory=True)
    (site / "link-file").symlink_to(site.parent / "secret.txt")
    answer = resolve(site, path, None)
    assert answer.status == 404, (path, answer)


@pytest.mark.parametrize("path", [f"/dist{p}" for p in TRAVERSALS if not p.startswith("//")]
                         + [f"/ontology{p}" for p in TRAVERSALS if not p.startswith("//")]
                         + ["/dist/site/../../secret.txt", "/dist/..", "/ontology/..%2f..%2fsecret.txt"])
def test_mounts_never_leave_the_build(site: Path, path: str) -> None:
    """The build folder's mounts (/dist/, /ontology/) hold to the same rule one level up."""
    build = site.parent / "build"
    (build / "ontology").mkdir(parents=True)
    (build / "ontology/ctoc.ttl").write_text("", encoding="utf-8")
    (build / "site").symlink_to(site, target_is_directory=True)
    assert resolve(build, path, None, "site").status == 404, path


def test_resolve(site: Path) -> None:
    ecu = site / "id/state/ECU"
    assert resolve(site, "/id/state/ECU/", CHROMIUM_ACCEPT).path == ecu / "index.html"
    for accept, file in (("text/turtle", "index.ttl"), ("application/ld+json", "index.jsonld"),
                         (CHROMIUM_ACCEPT, "index.html"), ("text/html;q=0, application/n-triples", "index.nt")):
        redirect = resolve(site, "/id/state/ECU", accept)
        assert (redirect.status, redirect.location) == (303, f"/id/state/ECU/{file}")
    assert resolve(site, "/id/state/ECU/index.nt", CHROMIUM_ACCEPT).media_type == "application/n-triples"
    assert resolve(site, "/kinds/states", "text/turtle").status == 406
    assert resolve(site, "/kinds/states/", "text/turtle").path == site / "kinds/states/index.html"
    assert resolve(site, "/id/state/XXX", "text/turtle").status == 404
    assert resolve(site, "/../secret.txt", None).status == 404
    assert resolve(site, "/id/%2E%2E/%2E%2E/../secret.txt", None).status == 404


@pytest.fixture()
def server(site: Path) -> Iterator[tuple[str, int]]:
    httpd = start_site_server(site)
    try:
        yield httpd.server_address[0], httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def fetch(address: tuple[str, int], path: str, accept: str | None, method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(*address, timeout=10)
    conn.request(method, path, headers={"Accept": accept} if accept else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_served_over_http(server: tuple[str, int]) -> None:
    redirect = fetch(server, "/id/state/ECU", "text/turtle")
    assert (redirect.status, redirect.getheader("Location"), redirect.getheader("Vary")) == (
        303, "/id/state/ECU/index.ttl", "Accept")
    turtle = fetch(server, "/id/state/ECU/index.ttl", "text/turtle")
    assert (turtle.status, turtle.getheader("Content-Type")) == (200, "text/turtle; charset=utf-8")
    html = fetch(server, "/id/state/ECU", CHROMIUM_ACCEPT)
    assert (html.status, html.getheader("Location")) == (303, "/id/state/ECU/index.html")
    page = fetch(server, "/id/state/ECU/", CHROMIUM_ACCEPT)
    assert (page.status, page.getheader("Content-Type")) == (200, "text/html; charset=utf-8")
    assert fetch(server, "/id/state/ECU/index.nt", "application/n-triples", method="HEAD").status == 200
    assert fetch(server, "/kinds/states", "application/ld+json").status == 406
    assert fetch(server, "/nothing/here", None).status == 404


def test_server_rules_cover_every_variant() -> None:
    apache, nginx = htaccess(), nginx_conf()
    for media, ext in (("text/turtle", "ttl"), ("application/ld\\+json", "jsonld"), ("application/n\\-triples", "nt"),
                       ("application/rdf\\+xml", "rdf")):
        assert f"index.{ext}" in apache and media in apache and media in nginx
        assert f" {ext};" in nginx
    assert "Vary Accept" in apache and "Vary Accept" in nginx
