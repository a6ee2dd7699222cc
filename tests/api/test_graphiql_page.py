"""GET /graphql for a browser: GraphiQL whose scripts and styles are all this server's own."""
from __future__ import annotations

import re
from typing import Any

import pytest

from web import graphiql


async def test_the_page_loads_assets_from_this_server_only(gql: Any) -> None:
    response = await gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources and all(s.startswith("/static/graphiql/") or s.startswith("data:")
                           for s in sources), sources
    for source in sources:
        if source.startswith("/static/"):
            asset = await gql.http.get(source)
            assert asset.status_code == 200 and len(asset.content) > 100, source


async def test_without_assets_the_page_says_how_to_install_them(
        gql: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphiql, "installed", lambda: False)
    response = await gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert "web.graphiql_assets" in response.text and "https://" not in response.text
