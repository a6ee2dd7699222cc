"""The README's deployment: two server processes (think: two hosts behind a proxy) on the
suite's database, one Redis and one NATS JetStream, configured only through the environment.
One rate-limit budget for both, a subscription on one process sees a change made on the other,
and each committed outbox event appears once in the stream, although both processes relay."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from domain.outbox.relay import lag
from persistence.tables import outbox
from tests.support.client import GraphQLClient
from tests.support.factories import make_account
from tests.support.orders import checkout, complete
from tests.support.server import start_server
from tests.support.services import REDIS_URL, StreamRef
from tests.support.subscriptions import MY_UPDATES, Socket

BUDGET = 12
PING = "mutation { __typename }"


@pytest.fixture
async def hosts(runtime: Any, log_dir: Path, redis_prefix: str, stream: StreamRef
                ) -> AsyncIterator[list[Any]]:
    env = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": redis_prefix,
           "RATE_LIMIT_PER_MINUTE": str(BUDGET), **stream.env()}
    servers = [start_server(runtime.settings.database_url, log_dir, env=env)
               for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


@pytest.mark.slow
async def test_two_processes_one_budget_live_updates_and_each_event_once(
        runtime: Any, hosts: list[Any], stream: StreamRef) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    spender = await make_account(runtime)
    async with httpx.AsyncClient(base_url=hosts[0].base_url, timeout=30) as a, \
            httpx.AsyncClient(base_url=hosts[1].base_url, timeout=30) as b:
        on_a, on_b = GraphQLClient(a), GraphQLClient(b)
        # One budget: BUDGET mutations a minute for one user, whichever process answers.
        answers = await asyncio.gather(*[api(PING, token=spender.token)
                                         for api in (on_a, on_b) for _ in range(BUDGET)])
        refused = [body for body in answers if body.get("errors")]
        assert len(answers) - len(refused) == BUDGET
        assert {e["extensions"]["code"] for body in refused for e in body["errors"]} == {
            "RATE_LIMITED"}

        # Live updates cross processes: subscribed on B, the order is paid on A.
        socket = await Socket.open(hosts[1].base_url, buyer.token)
        await socket.subscribe(MY_UPDATES)
        await asyncio.sleep(1.0)  # the subscription is registered
        sid, _ = await checkout(on_a, runtime, buyer, [(seller, 2500)])
        paid = await complete(on_a, buyer.token, sid)
        assert paid["order"]["status"] == "CONFIRMED", paid
        events = await socket.events(3, timeout=15)
        assert [(e["type"], (e["payment"] or {}).get("status")) for e in events] == [
            ("ORDER_STATUS_CHANGED", None), ("PAYMENT_STATUS_CHANGED", "SUCCEEDED"),
            ("ORDER_STATUS_CHANGED", None)]
        assert events[-1]["status"] == "CONFIRMED"
        assert {e["order"]["number"] for e in events} == {paid["order"]["number"]}
        await socket.close()

    # Both processes relay; JetStream keeps each outbox event once, in id order.
    deadline = asyncio.get_running_loop().time() + 30
    while (await runtime.read(lag)).events:
        assert asyncio.get_running_loop().time() < deadline, "the relays did not catch up"
        await asyncio.sleep(0.1)
    async with runtime.db.read_engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.id, outbox.c.event_type)
                                   .order_by(outbox.c.id))).all()
    received = await stream.messages()
    assert len(rows) >= 3
    assert [(m.msg_id, m.subject) for m in received] == [
        (str(r.id), f"{stream.subject_prefix}.{r.event_type}") for r in rows]
