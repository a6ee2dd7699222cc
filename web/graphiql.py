"""GraphiQL at GET /graphql (for browsers), with every script and style served by this server
from /static/graphiql/ (web/graphiql_assets.py puts them there at install time; README,
GraphiQL). When the assets are missing the page says how to install them instead of loading
anything from elsewhere."""
from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from web.graphiql_assets import STATIC_DIR, installed

STATIC_URL = "/static/graphiql"
TEMPLATE = Path(__file__).resolve().parent / "graphiql.html"
MISSING = """<!doctype html><html><head><title>GraphiQL is not installed</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>GraphiQL's assets are not installed</h1>
<p>Run <code>./dev demo</code> (or <code>python -m web.graphiql_assets</code>) on the server:
it fetches the pinned GraphiQL files once, and this page then loads them from this server.</p>
<p>The API itself works: POST GraphQL requests to this URL.</p></body></html>"""


def graphiql_page() -> Response:
    if not installed():
        return HTMLResponse(MISSING, status_code=503)
    return HTMLResponse(TEMPLATE.read_text(encoding="utf-8").replace("{{STATIC}}", STATIC_URL))


def static_files() -> StaticFiles:
    """The asset folder (it may not exist yet: the page above reports that)."""
    return StaticFiles(directory=STATIC_DIR, check_dir=False)
