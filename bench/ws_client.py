"""A lean graphql-transport-ws subscriber for bench/fanout.py: one asyncio Protocol per socket
that speaks just enough WebSocket (RFC 6455) to subscribe and to stamp the first `next`.

Why not the `websockets` library, as before: on this 2-core machine the bench's client
processes share one core while the server has the other, and a client library's per-message
work (frame objects, queues, a task per receive, JSON parsing before the stamp) delayed the
stamps of the last of 5,000 deliveries by a good part of a second, so the bench measured its
clients. This client stamps `time.time()` in `data_received`, when the frame's bytes reach
the process, before anything else is done with them, and parses only the message's type.

What it implements: the HTTP upgrade with the graphql-transport-ws subprotocol, masked client
frames (text, pong, close), unmasked server frames of any length, WebSocket pings answered,
graphql-transport-ws connection_init / connection_ack / subscribe / next / error / complete
and its ping/pong messages. Not: fragmented messages (the server sends none), extensions
(per-message deflate is off on our server, and not offered here).
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from typing import Any

_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA


def frame(opcode: int, payload: bytes) -> bytes:
    """A client frame: FIN, `opcode`, masked (RFC 6455 5.3) with a random key."""
    key = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    mask = (key * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(n, "big")
    return head + key + masked


def parse_frames(buffer: bytearray) -> list[tuple[int, bytes]]:
    """Whole server frames at the start of `buffer` (removed from it): (opcode, payload)."""
    frames = []
    while len(buffer) >= 2:
        opcode, n, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
        if n == 126:
            if len(buffer) < 4:
                break
            n, at = int.from_bytes(buffer[2:4], "big"), 4
        elif n == 127:
            if len(buffer) < 10:
                break
            n, at = int.from_bytes(buffer[2:10], "big"), 10
        if len(buffer) < at + n:
            break
        frames.append((opcode, bytes(buffer[at:at + n])))
        del buffer[:at + n]
    return frames


class Subscriber(asyncio.Protocol):
    """One socket: upgrade, connection_init (with `init`), subscribe (with `subscribe`) once
    acknowledged, then `arrival` is the time the first `next` without errors reached the
    process (None if an error or complete came instead)."""

    def __init__(self, host: str, path: str, init: dict[str, Any],
                 subscribe: dict[str, Any]) -> None:
        self.host, self.path = host, path
        self.init, self.subscribe = init, subscribe
        loop = asyncio.get_running_loop()
        # done once the subscribe is sent (or the socket is gone)
        self.opened: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.upgraded = False
        self.buffer = bytearray()
        self.arrival: float | None = None
        self.done: asyncio.Future[float | None] = loop.create_future()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())

    def data_received(self, data: bytes) -> None:
        stamp = time.time()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[:end]).split(b"\r\n", 1)[0]
            if b" 101 " not in status + b" ":
                self._end(None)
                return
            del self.buffer[:end + 4]
            self.upgraded = True
            self._send({"type": "connection_init", "payload": self.init})
        for opcode, payload in parse_frames(self.buffer):
            if opcode == _PING:
                self._write(frame(_PONG, payload))
            elif opcode == _CLOSE:
                self._end(None)
            elif opcode == _TEXT:
                self._message(payload, stamp)

    def _message(self, payload: bytes, stamp: float) -> None:
        if payload.startswith(b'{"id"') and b'"type":"next"' in payload[:64]:
            self._end(None if b'"errors"' in payload else stamp)
            return
        message = json.loads(payload)
        kind = message.get("type")
        if kind == "connection_ack":
            self._send({"id": "1", "type": "subscribe", "payload": self.subscribe})
            self._opened()
        elif kind == "ping":
            self._send({"type": "pong"})
        elif kind == "next":
            self._end(None if message["payload"].get("errors") else stamp)
        elif kind in ("error", "complete"):
            self._end(None)

    def _send(self, message: dict[str, Any]) -> None:
        self._write(frame(_TEXT, json.dumps(message).encode()))

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _opened(self) -> None:
        if not self.opened.done():
            self.opened.set_result(None)

    def _end(self, arrival: float | None) -> None:
        self._opened()
        if not self.done.done():
            self.arrival = arrival
            self.done.set_result(arrival)

    def connection_lost(self, exc: Exception | None) -> None:
        self._end(None)

    def close(self) -> None:
        self._write(frame(_CLOSE, (1000).to_bytes(2, "big")))
        if self.transport is not None:
            self.transport.close()
