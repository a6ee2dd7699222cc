"""SQL statements per operation, measured in-process with the app's StatementCounter
(persistence/db.py) on a database of its own: the catalogue page, a product detail,
cartAddLine, the checkout trio (checkoutStart + checkoutUpdate + checkoutComplete) and a
buyer's order list with every relation.

Two figures per operation: `counted` leaves transaction control out (BEGIN, COMMIT, ROLLBACK,
SAVEPOINT, RELEASE; what the counter counted before issue 10), `all-in` includes it when the
counter records it (None when it does not).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from adapters.security.passwords import Argon2PasswordHasher
from app import create_app
from domain.ids import encode_id
from settings import Settings
from tests.support.factories import make_account, make_product

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
PAGE = """{ products(first: 20) { totalCount edges { node { id name variants { id sku
  price { amount currency } quantityAvailable } images { url } } } } }"""
DETAIL = """query($slug: String!) { product(slug: $slug) { id name description
  priceRange { min { amount } max { amount } } seller { displayName } category { name }
  images { url altText } variants { id sku price { amount } quantityAvailable } } }"""
ADD = """mutation($v: ID!) { cartAddLine(input: {variantId: $v, quantity: 1}) {
  userErrors { code } } }"""
START = "mutation { checkoutStart { checkout { id } } }"
ADDRESS = """mutation($id: ID!) { checkoutUpdate(id: $id, input: {shippingAddress: {
  fullName: "B", line1: "1 Main St", city: "SF", region: "CA", postalCode: "94105",
  country: "US"}}) { userErrors { code } } }"""
COMPLETE = """mutation($id: ID!, $key: String!) { checkoutComplete(id: $id,
  input: {paymentMethod: "pm_card_visa", idempotencyKey: $key}) {
  order { number } payment { status } userErrors { code } } }"""
ORDERS = """{ me { orders(first: 20) { totalCount edges { node { number status
  lines { sku seller { displayName } variant { sku } } shipments { status lines { sku } }
  payments { status } statusHistory { status } buyer { email } } } } } }"""


def counts_control() -> bool:
    """Whether this StatementCounter records transaction control (feature-detected)."""
    from persistence.db import StatementCounter

    probe = StatementCounter()
    probe.record("COMMIT")
    return probe.count == 1


async def measure(database_url: str, logs: dict[str, list[str]] | None = None
                  ) -> dict[str, tuple[int, int | None]]:
    """{operation: (counted, all-in)} on a migrated, empty database at `database_url`; `logs`,
    when given, receives each operation's statements (transaction control left out)."""
    app = create_app(replace(Settings(), database_url=database_url, sweeper_enabled=False,
                             response_cache_ttl_seconds=0, dispatcher_enabled=False,
                             mutation_rate_limit_per_minute=10**9),
                     password_hasher=Argon2PasswordHasher(fast=True))
    runtime = app.state.runtime
    counter = runtime.db.statements
    counter.keep_log = True
    all_in = counts_control()
    seller = await make_account(runtime, "SELLER")
    product = await make_product(runtime, seller.seller_id, prices=[999, 1999, 2999],
                                 stock_each=10**6)
    for _ in range(20):
        await make_product(runtime, seller.seller_id, prices=[500, 700])
    buyer = await make_account(runtime)
    auth = {"Authorization": f"Bearer {buyer.token}"}
    result: dict[str, tuple[int, int | None]] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as http:

        async def call(query: str, variables: dict[str, Any] | None = None,
                       headers: dict[str, str] | None = None) -> dict[str, Any]:
            body = (await http.post("/graphql", headers=headers, json={
                "query": query, "variables": variables or {}})).json()
            assert not body.get("errors"), body
            return body["data"]  # type: ignore[no-any-return]

        def take(name: str) -> None:
            sent = [s for s in counter.log if not s.lstrip().upper().startswith(CONTROL)]
            counted = len(sent)
            if logs is not None:
                logs.setdefault(name, []).extend(sent)
            previous = result.get(name, (0, 0))
            result[name] = (previous[0] + counted,
                            (previous[1] or 0) + counter.count if all_in else None)

        slug = (await call("{ products(first: 1) { edges { node { slug } } } }")
                )["products"]["edges"][0]["node"]["slug"]
        steps: list[tuple[str, str, dict[str, Any] | None, dict[str, str] | None]] = [
            ("catalogue page", PAGE, None, None),
            ("product detail", DETAIL, {"slug": slug}, None),
            ("cartAddLine", ADD, {"v": encode_id("ProductVariant", product.variant_ids[0])}, auth),
        ]
        for name, query, variables, headers in steps:
            await call(query, variables, headers)  # warm: first-use work is not counted
            counter.reset()
            await call(query, variables, headers)
            take(name)
        await call(ADD, {"v": encode_id("ProductVariant", product.variant_ids[1])}, auth)
        counter.reset()
        sid = (await call(START, None, auth))["checkoutStart"]["checkout"]["id"]
        take("checkoutStart+Update+Complete")
        counter.reset()
        await call(ADDRESS, {"id": sid}, auth)
        take("checkoutStart+Update+Complete")
        counter.reset()
        done = await call(COMPLETE, {"id": sid, "key": "bench-1"}, auth)
        assert done["checkoutComplete"]["payment"]["status"] == "SUCCEEDED", done
        take("checkoutStart+Update+Complete")
        await call(ORDERS, None, auth)
        counter.reset()
        await call(ORDERS, None, auth)
        take("order list (every relation)")
    await runtime.db.dispose()
    return result
