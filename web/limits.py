"""Size limits on what a client sends (docs/rules.md, "Request limits"), as pure ASGI, so
nothing is read whole before it is counted.

- HTTP (`BodyLimit`, every route and method): a Content-Length above settings.max_body_bytes
  is answered 413 at once, without reading the body; a body without one (chunked) is counted
  as it streams, and the request is answered 413 as soon as the count passes the limit (the
  app's own answer, if any, is dropped). The 413 body is JSON, code PAYLOAD_TOO_LARGE. A
  Content-Length that is not a number is a 400. Up to DRAIN_BYTES past the limit are read
  and dropped before answering (`_drain`), so such a client reads the 413 rather than a reset.
- WebSocket (`limit_messages`): a message above the same limit closes the socket with 1009
  ("message too big", RFC 6455's code); the app sees a disconnect. `marketplace serve` also
  gives uvicorn this limit (ws_max_size), so such a frame is refused before it is buffered.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import error_body

MESSAGE_TOO_BIG = 1009
DRAIN_BYTES = 256 * 1024
DRAIN_SECONDS = 2.0


class BodyTooLarge(Exception):
    pass


async def _answer(send: Send, status: int, message: str, code: str) -> None:
    body = json.dumps(error_body(message, code)).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.app(scope, *limit_messages(receive, send, self.max_bytes))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"The request body is larger than {self.max_bytes} bytes."
        declared = [v for k, v in scope.get("headers") or [] if k == b"content-length"]
        if declared:
            try:
                length = int(declared[0])
            except ValueError:
                await _answer(send, 400, "Content-Length is not a number.", "BAD_REQUEST")
                return
            if length > self.max_bytes:
                if length - self.max_bytes <= DRAIN_BYTES:
                    await _drain(receive)
                await _answer(send, 413, too_large, "PAYLOAD_TOO_LARGE")
                return
        received = 0
        refused = started = False
        more = True

        async def counted() -> Message:
            nonlocal received, refused, more
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                more = bool(message.get("more_body"))
                if received > self.max_bytes:
                    refused = True
                    raise BodyTooLarge(too_large)
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refused:
                return  # whatever the app answers to a body cut short
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except BodyTooLarge:
            pass
        except Exception:
            if not refused:
                raise
        if refused and not started:
            if more:
                await _drain(receive)
            await _answer(send, 413, too_large, "PAYLOAD_TOO_LARGE")


async def _drain(receive: Receive) -> None:
    """Reads and drops what is left of a refused body, up to DRAIN_BYTES and DRAIN_SECONDS
    (a "lingering close"): a client a little over the limit then reads the 413 instead of a
    connection reset; a larger body is cut off when the server closes the connection."""
    left = DRAIN_BYTES
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            while left > 0:
                message = await receive()
                if message["type"] != "http.request":
                    return
                left -= len(message.get("body", b""))
                if not message.get("more_body"):
                    return
    except TimeoutError:
        return


def limit_messages(receive: Receive, send: Send, max_bytes: int) -> tuple[Receive, Send]:
    """(receive, send) for a WebSocket app: a message above `max_bytes` closes the socket
    with 1009 and reaches the app as a disconnect; the app's later sends are dropped."""
    closed = False

    async def checked_receive() -> Message:
        nonlocal closed
        message = await receive()
        if message["type"] == "websocket.receive" and not closed:
            text: Any = message.get("text")
            if text is not None:  # UTF-8 takes 1 to 4 bytes a character
                size = len(text) if len(text) * 4 <= max_bytes else len(text.encode())
            else:
                size = len(message.get("bytes") or b"")
            if size > max_bytes:
                closed = True
                await send({"type": "websocket.close", "code": MESSAGE_TOO_BIG,
                            "reason": "message too big"})
                return {"type": "websocket.disconnect", "code": MESSAGE_TOO_BIG}
        return message

    async def checked_send(message: Message) -> None:
        if not closed:
            await send(message)

    return checked_receive, checked_send
