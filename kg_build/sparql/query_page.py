"""What a browser gets at /sparql without a query. With the site served, a 303 to the site's query editor
(``/query/``, YASGUI pointed back at /sparql: kg_build/publish/site/query_editor.py); without a site, a
self-contained form that POSTs a query (no script, nothing fetched from another host)."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse, RedirectResponse, Response

EDITOR_PATH = "/query/"
EXAMPLE = "SELECT ?class (COUNT(?s) AS ?n)\nWHERE { ?s a ?class }\nGROUP BY ?class\nORDER BY DESC(?n)"


def query_page(endpoint: str, time_limit: float, has_site: bool) -> Response:
    """The editor of the site (303 See Other) when a site is served, else the small form."""
    if has_site:
        return RedirectResponse(EDITOR_PATH, status_code=303)
    return query_form(endpoint, time_limit)


def query_form(endpoint: str, time_limit: float) -> HTMLResponse:
    """An HTML form posting `query` to `endpoint` (a browser's Accept then gets SPARQL XML results)."""
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ctoc-kg SPARQL endpoint</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
textarea{{width:100%;font-family:monospace;font-size:1rem}}</style></head>
<body><h1>ctoc-kg SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 query endpoint over the ctoc-kg graph (time limit {time_limit:g} s; SERVICE, FROM &lt;url&gt;
and updates are refused). Send queries by GET or POST to <code>{html.escape(endpoint)}</code>.</p>
<form method="post" action="{html.escape(endpoint)}" accept-charset="utf-8">
<p><label for="query">Query</label></p>
<textarea id="query" name="query" rows="12">{html.escape(EXAMPLE)}</textarea>
<p><button type="submit">Run query</button></p>
</form></body></html>
""")
