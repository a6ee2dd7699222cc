"""The outermost ASGI layer of the app: one wrapper, one `send` wrapper, for what every HTTP
request needs (docs/architecture.md, "Where a request's time goes"):

- a request id: the client's X-Request-ID when it is sane (alphanumeric, at most 64
  characters), else 16 random hex digits; kept in `scope["state"]["request_id"]` and echoed
  back in the X-Request-ID response header (WebSocket handshakes get the id in their state);
- masked faults: any exception escaping the app before its response started is answered 500
  with `{"errors": [{"message": "Unexpected error.", "extensions": {"code": "INTERNAL",
  "requestId": ...}}]}` and logged with the request id, as schema/protection.py masks faults
  inside GraphQL (after the response started, the exception goes on and the server drops the
  connection);
- HTTP metrics (adapters/metrics.py): `http_requests_total` and
  `http_request_duration_seconds` by method, route path (the path of the route the router
  chose; anything unrouted is "other") and status.
"""
from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.metrics import Metrics
from web.errors import error_body

log = logging.getLogger("marketplace.errors")


def request_id_of(scope: Scope) -> str:
    """The request's id, set into its scope's state: the client's, or a new one."""
    sent = b""
    for key, value in scope.get("headers") or ():
        if key == b"x-request-id":
            sent = value  # the last one, as dict(headers) took it
    text = sent.decode("latin-1")
    request_id = text if text.isalnum() and len(text) <= 64 else os.urandom(8).hex()
    scope.setdefault("state", {})["request_id"] = request_id
    return request_id


class HttpEdge:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                request_id_of(scope)
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        header = (b"x-request-id", request_id.encode())
        status = 500
        responded = False

        async def edge_send(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message.setdefault("headers", []).append(header)
            await send(message)

        try:
            try:
                await self.app(scope, receive, edge_send)
            except Exception as exc:
                log.error("unexpected error (request %s) on %s %s", request_id,
                          scope.get("method"), scope.get("path"), exc_info=exc)
                if responded:
                    raise
                await _masked(edge_send, request_id)
        finally:
            route: Any = scope.get("route")
            path = getattr(route, "path", None) or "other"
            self.metrics.observe_http(scope["method"], path, status,
                                      time.perf_counter() - started)


async def _masked(send: Send, request_id: str) -> None:
    body = json.dumps(error_body("Unexpected error.", "INTERNAL",
                                 requestId=request_id)).encode()
    await send({"type": "http.response.start", "status": 500, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class GraphQLFirst:
    """The innermost layer: GET and POST of the GraphQL route go straight to its view, without
    Starlette's router and exception middleware, the scope given what the router gives it
    (the route, its endpoint, no path parameters); Starlette's HTTPException is answered as
    the exception middleware answers it (`on_http_error`). Everything else goes on to the
    router."""

    def __init__(self, app: ASGIApp, route: Any, on_http_error: Any) -> None:
        self.app = app
        self.route = route
        self.path = route.path
        self.on_http_error = on_http_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"] != self.path or scope.get("root_path")
                or scope["method"] not in ("GET", "POST")):
            await self.app(scope, receive, send)
            return
        scope["route"], scope["endpoint"], scope["path_params"] = (
            self.route, self.route.endpoint, {})
        try:
            await self.route.endpoint(scope, receive, send)
        except StarletteHTTPException as exc:
            response = await self.on_http_error(Request(scope, receive), exc)
            await response(scope, receive, send)
