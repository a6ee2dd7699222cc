"""Live order tracking over graphql-transport-ws against real uvicorn servers: the buyer and
the seller see every change, whichever server process made it."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.client import GraphQLClient
from tests.support.factories import make_account
from tests.support.orders import RETRY, checkout, complete
from tests.support.server import start_server
from tests.support.subscriptions import MY_UPDATES, ORDER_UPDATES, SELLER_UPDATES, Socket


@pytest.fixture
async def server(runtime: Any, log_dir: Path) -> Any:
    running = start_server(runtime.settings.database_url, log_dir, workers=2)
    yield running
    running.stop()


@pytest.mark.slow
async def test_buyer_and_seller_follow_an_order_live_across_processes(
        runtime: Any, server: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        api = GraphQLClient(http)
        buyer_sockets = [await Socket.open(server.base_url, buyer.token) for _ in range(4)]
        for socket in buyer_sockets:
            await socket.subscribe(MY_UPDATES)
        seller_socket = await Socket.open(server.base_url, seller.token)
        await seller_socket.subscribe(SELLER_UPDATES)
        await asyncio.sleep(1.0)  # subscriptions registered in both processes
        sid, _ = await checkout(api, runtime, buyer, [(seller, 2500)], quantity=2)
        declined = await complete(api, buyer.token, sid, pm="pm_card_chargeDeclined")
        number = declined["order"]["number"]
        retried = await api.data(RETRY, {"order": declined["order"]["id"], "pm": "pm_card_visa",
                                         "key": "live-1"}, token=buyer.token)
        assert retried["orderRetryPayment"]["order"]["status"] == "CONFIRMED"
        for socket in buyer_sockets:
            events = await socket.events(4)
            assert [(e["type"], (e["payment"] or {}).get("status")) for e in events] == [
                ("ORDER_STATUS_CHANGED", None), ("PAYMENT_STATUS_CHANGED", "FAILED"),
                ("PAYMENT_STATUS_CHANGED", "SUCCEEDED"), ("ORDER_STATUS_CHANGED", None)]
            assert {e["order"]["number"] for e in events} == {number}
            assert events[-1]["status"] == "CONFIRMED"
        shipped = (await seller_socket.events(1))[0]
        assert shipped["status"] == "PENDING"
        assert shipped["shipment"]["order"]["number"] == number
        assert shipped["shipment"]["lines"][0]["quantity"] == 2
        for socket in [*buyer_sockets, seller_socket]:
            await socket.close()


async def declined_order(runtime: Any, server: Any) -> tuple[Any, Any, Any, dict[str, Any]]:
    """A seller, a buyer, a stranger, and the buyer's order whose first payment was declined
    (PENDING_PAYMENT: a retry with a good card moves it on)."""
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    stranger = await make_account(runtime)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        api = GraphQLClient(http)
        sid, _ = await checkout(api, runtime, buyer, [(seller, 1000)])
        order = (await complete(api, buyer.token, sid, pm="pm_card_chargeDeclined"))["order"]
    return seller, buyer, stranger, order


@pytest.mark.slow
async def test_order_updates_need_a_visible_order_and_a_signed_in_user(
        runtime: Any, server: Any) -> None:
    seller, buyer, stranger, order = await declined_order(runtime, server)
    anonymous = await Socket.open(server.base_url, None)
    await anonymous.subscribe(ORDER_UPDATES, {"id": order["id"]})
    assert await anonymous.refusal_code() == "UNAUTHENTICATED"
    other = await Socket.open(server.base_url, stranger.token)
    await other.subscribe(ORDER_UPDATES, {"id": order["id"]})
    assert await other.refusal_code() == "NOT_FOUND"
    owner = await Socket.open(server.base_url, buyer.token)
    await owner.subscribe(ORDER_UPDATES, {"id": order["id"]})
    await asyncio.sleep(1.0)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        api = GraphQLClient(http)
        await api.data(RETRY, {"order": order["id"], "pm": "pm_card_visa", "key": "k"},
                       token=buyer.token)
    events = await owner.events(2)
    assert [e["type"] for e in events] == ["PAYMENT_STATUS_CHANGED", "ORDER_STATUS_CHANGED"]
    for socket in (anonymous, other, owner):
        await socket.close()


ORDER_NUMBERS = """subscription($id: ID!) { orderUpdates(orderId: $id) { type
  order { number } } }"""


@pytest.mark.slow
async def test_a_subscriber_group_gets_identical_payloads_once_each(
        runtime: Any, server: Any) -> None:
    """Subscribers sharing one execution per event (docs/architecture.md, "Live events"):
    each gets every event once and the same payload; another selection or viewer gets its
    own; a buyer who may not see the order gets nothing."""
    seller, buyer, stranger, order = await declined_order(runtime, server)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        api = GraphQLClient(http)
        owners = [await Socket.open(server.base_url, buyer.token) for _ in range(4)]
        for socket in owners:
            await socket.subscribe(ORDER_UPDATES, {"id": order["id"]})
        numbers = await Socket.open(server.base_url, buyer.token)
        await numbers.subscribe(ORDER_NUMBERS, {"id": order["id"]})
        seller_socket = await Socket.open(server.base_url, seller.token)
        await seller_socket.subscribe(ORDER_UPDATES, {"id": order["id"]})
        other = await Socket.open(server.base_url, stranger.token)
        await other.subscribe(MY_UPDATES)
        await asyncio.sleep(1.0)  # subscriptions registered in both processes
        await api.data(RETRY, {"order": order["id"], "pm": "pm_card_visa", "key": "g"},
                       token=buyer.token)
        told = [await socket.events(2) for socket in owners]
        assert all(events == told[0] for events in told)
        assert [(e["type"], (e["payment"] or {}).get("status")) for e in told[0]] == [
            ("PAYMENT_STATUS_CHANGED", "SUCCEEDED"), ("ORDER_STATUS_CHANGED", None)]
        assert [set(e) for e in await numbers.events(2)] == [{"type", "order"}] * 2
        assert [e["type"] for e in await seller_socket.events(1)] == ["ORDER_STATUS_CHANGED"]
        for socket in [*owners, numbers, seller_socket]:
            with pytest.raises(asyncio.TimeoutError):
                await socket.next(timeout=0.5)  # each event once
        with pytest.raises(asyncio.TimeoutError):
            await other.next(timeout=0.5)
        for socket in [*owners, numbers, seller_socket, other]:
            await socket.close()
