"""Errors outside GraphQL's own answers, all as JSON (docs/rules.md, "Request limits"):
`{"errors": [{"message": ..., "extensions": {"code": ...}}]}`, the shape GraphQL errors have.

- `MaskFaults`: any exception escaping a route is answered 500 with the message "Unexpected
  error." and `extensions.code = "INTERNAL"`, `extensions.requestId` (the X-Request-ID echoed
  back), and logged with that id, as schema/protection.py masks faults inside GraphQL.
- `http_error`: Starlette's HTTPException (unknown route 404, wrong method 405) as JSON.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("marketplace.errors")

_HTTP_CODES = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND",
               405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE", 429: "RATE_LIMITED"}


def error_body(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def error_response(status: int, message: str, code: str | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, code or _HTTP_CODES.get(status, "BAD_REQUEST")),
                        status_code=status, headers=headers)


async def http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


class MaskFaults:
    """Answers an exception escaping the app with a masked JSON 500 (when no response has
    started yet; otherwise the exception goes on and the server drops the connection)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            request_id = (scope.get("state") or {}).get("request_id")
            log.error("unexpected error (request %s) on %s %s", request_id, scope.get("method"),
                      scope.get("path"), exc_info=exc)
            if started:
                raise
            body = json.dumps(error_body("Unexpected error.", "INTERNAL",
                                         requestId=request_id)).encode()
            await send({"type": "http.response.start", "status": 500, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
