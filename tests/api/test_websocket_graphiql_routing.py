"""A subscription document sent over HTTP (as GraphiQL does when it runs the editor's text before
its own parse of it has caught up: it routes by that stale parse). graphql-core then runs the
subscription field as a query field, with no event, and the answer was a masked INTERNAL
error ("Cannot return null for non-nullable field Subscription.myOrderUpdates")."""
from __future__ import annotations

from typing import Any

from tests.support.factories import make_account
from tests.support.client import GraphQLClient

SUBSCRIPTION = "subscription { myOrderUpdates { type status order { number } } }"


async def test_a_subscription_over_http_is_refused_with_a_typed_error(
        gql: GraphQLClient, runtime: Any) -> None:
    buyer = await make_account(runtime, "BUYER")
    for accept in ("application/json", "application/json, multipart/mixed"):
        response = await gql.http.post("/graphql", json={"query": SUBSCRIPTION},
                                       headers={"Authorization": f"Bearer {buyer.token}",
                                                "Accept": accept})
        body = response.json()
        print(response.status_code, body)
        assert body["errors"][0]["extensions"]["code"] == "QUERY_REJECTED", body
        assert "WebSocket" in body["errors"][0]["message"], body
