"""WebSocket caps (docs/rules.md, "Request limits"): connections per client IP, connections
per signed-in user, subscriptions per socket. The excess is refused with close code 4429 and
a reason ("too many connections", "too many subscriptions"), as graphql-transport-ws refuses
a second connection_init.

- Per IP: counted at the handshake; an excess handshake is accepted and closed at once.
- Per user: counted when connection_init names a valid token (anonymous sockets count only
  per IP); an excess connection_init is answered by the close instead of connection_ack.
- Per socket: a `subscribe` while the socket already runs the maximum number of operations
  closes the socket.
Counts are per server process (a server with N workers allows up to N times the cap);
sharing them between processes is for a shared store (Redis), not done here.
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from settings import Settings
from web.socket_frames import next_message, payloads_for

log = logging.getLogger("marketplace.websocket")
TOO_MANY = 4429
STATE_KEY = "socket_user"  # scope["state"][STATE_KEY]: the user this socket counts for


class SocketCaps:
    """This process's open sockets per IP and per user."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.per_ip: Counter[str] = Counter()
        self.per_user: Counter[int] = Counter()

    def open_ip(self, ip: str) -> bool:
        return _take(self.per_ip, ip, self.settings.ws_max_connections_per_ip)

    def close_ip(self, ip: str) -> None:
        _give_back(self.per_ip, ip)

    def open_user(self, user_id: int) -> bool:
        return _take(self.per_user, user_id, self.settings.ws_max_connections_per_user)

    def close_user(self, user_id: int) -> None:
        _give_back(self.per_user, user_id)


def _take(counts: Counter[Any], key: Any, cap: int) -> bool:
    if counts[key] >= cap:
        return False
    counts[key] += 1
    return True


def _give_back(counts: Counter[Any], key: Any) -> None:
    counts[key] -= 1
    if counts[key] <= 0:
        del counts[key]


async def refuse_handshake(scope: Scope, receive: Receive, send: Send, reason: str) -> None:
    """Accepts the handshake (so the client can read the close code) and closes it."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    accept: dict[str, Any] = {"type": "websocket.accept"}
    if GRAPHQL_TRANSPORT_WS_PROTOCOL in (scope.get("subprotocols") or []):
        accept["subprotocol"] = GRAPHQL_TRANSPORT_WS_PROTOCOL
    await send(accept)
    await send({"type": "websocket.close", "code": TOO_MANY, "reason": reason})


class CappedTransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    """graphql-transport-ws with the per-user and per-socket caps."""

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload", {})
        if isinstance(payload, dict) and not self.connection_init_received:
            if not await self._admit_user(payload):
                self.connection_init_received = True
                await self.websocket.close(code=TOO_MANY, reason="too many connections")
                return
        await super().handle_connection_init(message)

    async def _admit_user(self, payload: dict[str, Any]) -> bool:
        self.context.connection_params = payload
        try:
            viewer = await self.context.viewer()  # account states are cached: rarely a read
        except Exception:  # noqa: BLE001 - a bad token is refused per operation, not here
            return True
        if viewer is None:
            return True
        caps: SocketCaps = self.view.socket_caps  # type: ignore[attr-defined]
        if not caps.open_user(viewer.user_id):
            log.warning("refused a WebSocket for user %s: too many connections",
                        viewer.user_id)
            return False
        self.websocket.ws.scope.setdefault("state", {})[STATE_KEY] = viewer.user_id  # type: ignore[attr-defined]
        return True

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        cap = self.context.runtime.settings.ws_max_subscriptions_per_socket
        if self.connection_acknowledged and message.get("id") not in self.operations \
                and len(self.operations) >= cap:
            await self.websocket.close(code=TOO_MANY, reason="too many subscriptions")
            return
        await super().handle_subscribe(message)

    async def send_message(self, message: Message) -> None:
        if message["type"] != "next":
            await super().send_message(message)
            return
        # One encoded payload per subscriber group, each with its own id (web/socket_frames.py).
        text = next_message(message, payloads_for(self.context.runtime.bus),
                            self.view.encode_json)  # type: ignore[arg-type]  # text (the view)
        try:
            await self.websocket.ws.send_text(text)  # type: ignore[attr-defined]
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc
