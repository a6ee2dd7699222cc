"""The event relay against a real NATS JetStream server: committed outbox events arrive on
`<prefix>.<EventType>` with the outbox id as Nats-Msg-Id, in id order; a relay that publishes
the same ids again leaves no duplicate in the stream; broker downtime loses nothing; the lag
is a gauge of /metrics (docs/rules.md, "Events out and shared state")."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from domain.outbox.relay import lag
from ops.nats_publisher import JetStreamPublisher
from ops.relay import Relay
from persistence.tables import outbox
from tests.support.services import PrivateNats, StreamRef

EVENTS = [("OrderCreated", "Order", 1), ("PaymentSucceeded", "Order", 1),
          ("CartExpired", "Cart", 7), ("OrderStatusChanged", "Order", 1),
          ("OrderCreated", "Order", 2)]


@pytest.fixture
def runtime(app: Any) -> Any:
    """The app's runtime (its metrics are the ones /metrics serves)."""
    return app.state.runtime


async def write_events(runtime: Any, events: list[tuple[str, str, int]]) -> None:
    async def add(uow: Any) -> None:
        for n, (event_type, aggregate_type, aggregate_id) in enumerate(events):
            await uow.outbox.add(event_type, aggregate_type, aggregate_id, {"n": n}, uow.now())
        await uow.commit()

    await runtime.transaction(add)


async def outbox_ids(runtime: Any) -> list[int]:
    async with runtime.db.read_engine.connect() as conn:
        return list((await conn.execute(select(outbox.c.id).order_by(outbox.c.id))).scalars())


def relay_to(runtime: Any, ref: StreamRef, **options: Any) -> Relay:
    publisher = JetStreamPublisher(ref.url, stream=ref.name, subject_prefix=ref.subject_prefix,
                                   timeout=1.0)
    return Relay(runtime, publisher, interval=0.05, **options)


async def test_events_arrive_with_subject_and_message_id_in_order(runtime: Any,
                                                                  stream: StreamRef) -> None:
    await write_events(runtime, EVENTS)
    relay = relay_to(runtime, stream)
    done = await relay.step()
    await relay.publisher.close()  # type: ignore[attr-defined]
    ids = await outbox_ids(runtime)
    assert (done.published, done.duplicates, done.failed) == (5, 0, None)
    received = await stream.messages()
    assert [(m.subject, m.msg_id) for m in received] == [
        (f"{stream.subject_prefix}.{t}", str(i)) for (t, _, _), i in zip(EVENTS, ids, strict=True)]
    first = received[0].body
    assert (first["id"], first["type"], first["aggregateType"], first["aggregateId"],
            first["data"]) == (ids[0], "OrderCreated", "Order", 1, {"n": 0})
    assert (await runtime.read(lag)).events == 0


async def test_a_restarted_relay_leaves_no_duplicate_in_the_stream(runtime: Any,
                                                                   stream: StreamRef) -> None:
    await write_events(runtime, EVENTS)
    first = relay_to(runtime, stream)
    await first.step()
    await first.publisher.close()  # type: ignore[attr-defined]
    # A relay that died after the broker's acknowledgements and before its marks:
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(update(outbox).values(published_at=None))
    again = relay_to(runtime, stream)
    done = await again.step()
    await again.publisher.close()  # type: ignore[attr-defined]
    assert (done.published, done.duplicates) == (5, 5)
    received = await stream.messages()
    assert [m.msg_id for m in received] == [str(i) for i in await outbox_ids(runtime)]


async def test_broker_downtime_loses_nothing_and_keeps_the_order(runtime: Any, app: Any,
                                                                 tmp_path: Path) -> None:
    broker = PrivateNats(tmp_path / "jetstream")
    ref = StreamRef(broker.url, "MARKETPLACE_DOWNTIME", "marketplace")
    broker.start()
    relay = relay_to(runtime, ref, max_backoff=0.5)
    task = asyncio.create_task(relay.run())
    try:
        await write_events(runtime, EVENTS[:2])
        await until_published(runtime)
        broker.stop()
        await write_events(runtime, EVENTS[2:])
        registry = runtime.metrics.registry
        deadline = asyncio.get_running_loop().time() + 20
        while (registry.get_sample_value("event_relay_failures_total") or 0) < 3:
            assert asyncio.get_running_loop().time() < deadline, "no retries while down"
            await asyncio.sleep(0.05)  # passes against a broker that is not there
        assert (await runtime.read(lag)).events == 3
        assert "event_relay_lag_events 3.0" in await metrics_text(app)
        broker.start()
        await until_published(runtime)
        received = await ref.messages()
        assert [m.msg_id for m in received] == [str(i) for i in await outbox_ids(runtime)]
        assert [m.subject for m in received] == [f"marketplace.{t}" for t, _, _ in EVENTS]
        await asyncio.sleep(0.2)
        assert "event_relay_lag_events 0.0" in await metrics_text(app)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        broker.stop()


async def test_the_lag_is_a_gauge_of_metrics(runtime: Any, app: Any, stream: StreamRef,
                                             clock: Any) -> None:
    await write_events(runtime, EVENTS[:3])
    clock.advance(seconds=42)
    relay = relay_to(runtime, stream)
    await relay._lag()
    scrape = await metrics_text(app)
    assert "event_relay_lag_events 3.0" in scrape
    assert "event_relay_lag_seconds 42.0" in scrape
    await relay.step()
    await relay.publisher.close()  # type: ignore[attr-defined]
    scrape = await metrics_text(app)
    assert "event_relay_lag_events 0.0" in scrape and "event_relay_lag_seconds 0.0" in scrape
    assert "event_relay_published_total 3.0" in scrape


async def until_published(runtime: Any, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (await runtime.read(lag)).events:
        assert asyncio.get_running_loop().time() < deadline, "the relay did not catch up"
        await asyncio.sleep(0.05)


async def metrics_text(app: Any) -> str:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return (await http.get("/metrics")).text
