"""The GraphQL endpoint (HTTP and graphql-transport-ws WebSocket at /graphql)."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from context import Context, Runtime


class MarketplaceGraphQL(GraphQL):
    def __init__(self, schema: Any, runtime: Runtime) -> None:
        settings = runtime.settings
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,  # queries only: strawberry refuses mutations over GET
            keep_alive=True,
            keep_alive_interval=15,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.cors_origins or (),
        )
        self.runtime = runtime

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        client = request.client.host if request.client else "unknown"
        return Context(
            self.runtime,
            authorization=request.headers.get("authorization"),
            client_ip=client,
            request_id=request.scope.get("state", {}).get("request_id"),
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return await super().render_graphql_ide(request)
