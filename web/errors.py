"""Errors outside GraphQL's own answers, all as JSON (docs/rules.md, "Request limits"):
`{"errors": [{"message": ..., "extensions": {"code": ...}}]}`, the shape GraphQL errors have.

- web/edge.py answers any exception escaping a route with a masked 500 of this shape.
- `http_error`: Starlette's HTTPException (unknown route 404, wrong method 405) as JSON.
"""
from __future__ import annotations

from typing import Any, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

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
