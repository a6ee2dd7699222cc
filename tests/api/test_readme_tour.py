"""The README's walk through the whole API, run as written: every operation of the section, in
the README's order, against a real server holding the demo data (seed-demo and the admin that
`./dev demo` creates), twice in a row on the same database, so the README cannot rot. The live
tracking subscription opened before paying sees the payment and shipment events."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from ops.admin import create_admin
from ops.seed import seed_demo
from tests.support.readme_tour import Answers, Step, parse
from tests.support.server import ROOT, free_port, start_server

pytestmark = pytest.mark.slow
STEPS = parse(ROOT / "README.md")


class Subscription:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, base_url: str, step: Step, headers: dict[str, str]) -> "Subscription":
        ws = await websockets.connect(base_url.replace("http", "ws") + "/graphql",
                                      subprotocols=["graphql-transport-ws"])
        await ws.send(json.dumps({"type": "connection_init", "payload": headers}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": step.text}}))
        return cls(ws)

    async def collect(self, until: float = 2.0) -> list[dict[str, Any]]:
        try:
            while True:
                message = json.loads(await asyncio.wait_for(self.ws.recv(), until))
                if message["type"] == "next":
                    assert not message["payload"].get("errors"), message
                    self.events.append(message["payload"]["data"]["myOrderUpdates"])
                else:
                    assert message["type"] in ("ping", "pong"), message
        except TimeoutError:
            return self.events


async def walk(base_url: str) -> Subscription:
    answers = Answers()
    subscription: Subscription | None = None
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for step in STEPS:
            headers = ({"Authorization": f"Bearer {answers.fill(step.authorization)}"}
                       if step.authorization else {})
            if step.kind == "curl":
                response = await http.post(answers.fill(step.text),
                                           data={"outcome": "succeed"})
                assert response.status_code == 200, response.text
                continue
            if step.kind == "subscription":
                subscription = await Subscription.open(base_url, step, headers)
                await asyncio.sleep(0.5)  # registered before the payments below
                continue
            response = await http.post("/graphql", headers=headers, json={
                "query": step.text, "variables": answers.variables(step)})
            assert response.status_code == 200, (step.name, response.text)
            body = response.json()
            assert not body.get("errors"), (step.name, body["errors"])
            answers.data[step.name] = body["data"]
            if step.kind == "mutation":
                payload = next(iter(body["data"].values()))
                codes = [e["code"] for e in payload.get("userErrors", [])]
                assert codes == step.expect_errors, (step.name, payload)
    assert subscription is not None, "the tour subscribes to live tracking"
    return subscription


def test_the_readme_tour_reads_as_steps() -> None:
    names = [s.name for s in STEPS]
    assert len(names) == len(set(names) - {"curl"}) + names.count("curl")
    kinds = [s.kind for s in STEPS]
    assert kinds.index("subscription") < names.index("PayDeclined")
    for wanted in ("Browse", "BuyerLogin", "AddToCart", "CheckoutStart", "PayDeclined",
                   "RetryPayment", "PaySecure", "ProductCreate", "InventorySet",
                   "SellerShipments", "ShipmentProcess", "ShipmentShip",
                   "ShipmentMarkDelivered", "AdminOrders", "OrderRefund", "LedgerBalances",
                   "SalesReport"):
        assert wanted in names, wanted
    assert "curl" in names


async def test_every_readme_operation_works_twice_in_a_row(
        settings: Any, fast_hasher: Any, log_dir: Path) -> None:
    await seed_demo(settings, password_hasher=fast_hasher, quiet=True)
    await create_admin(settings, email="admin@example.com", password="admin-password",
                       name="Administrator", password_hasher=fast_hasher)
    port = free_port()
    server = start_server(settings.database_url, log_dir, port=port,
                          env={"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"})
    try:
        for _ in range(2):
            subscription = await walk(server.base_url)
            events = await subscription.collect()
            await subscription.ws.close()
            # the buyer's tracking saw both payments of the first order (declined, then
            # paid), the 3-D Secure one, and the seller's three shipment steps
            payments = [e["payment"]["status"] for e in events
                        if e["type"] == "PAYMENT_STATUS_CHANGED"]
            assert "FAILED" in payments and payments.count("SUCCEEDED") >= 2, events
            shipment_steps = [e for e in events if e["type"] == "SHIPMENT_STATUS_CHANGED"]
            assert len(shipment_steps) >= 3, events
    finally:
        server.stop()
