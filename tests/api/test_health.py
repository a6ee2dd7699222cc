from __future__ import annotations

from typing import Any


async def test_healthz_and_readyz(gql: Any) -> None:
    assert (await gql.http.get("/healthz")).text == "ok"
    ready = await gql.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"database_write": "ok"}}
    assert ready.headers["x-request-id"]
