"""GraphQL over HTTP for tests: the client that posts documents (in-process ASGI transport or a
real server) and fresh e-mail addresses."""
from __future__ import annotations

import uuid
from typing import Any

import httpx


class GraphQLClient:
    """Sends GraphQL documents over HTTP (in-process ASGI transport or a real server)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(self, query: str, variables: dict[str, Any] | None = None,
                  token: str | None = None, **extra: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        body.update(extra)
        return await self.http.post("/graphql", json=body, headers=headers)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None,
                       token: str | None = None) -> dict[str, Any]:
        response = await self.raw(query, variables, token)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def data(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None) -> dict[str, Any]:
        """The `data` of a response that must have no top-level errors."""
        body = await self(query, variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]  # type: ignore[no-any-return]


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """The body without `extensions.cost` (docs/rules.md, "Documents and persisted queries"),
    which must be there, as the two whole numbers it holds, when the document parsed."""
    cost = body["extensions"]["cost"]
    assert set(cost) == {"requestedQueryCost", "maximumAvailable"}, cost
    assert all(isinstance(v, int) for v in cost.values()), cost
    rest = {k: v for k, v in body["extensions"].items() if k != "cost"}
    return {**{k: v for k, v in body.items() if k != "extensions"},
            **({"extensions": rest} if rest else {})}
