from __future__ import annotations

import time
from typing import Any

from tests.factories import make_account, make_product


async def test_nplus1(gql: Any, runtime: Any, statements: Any) -> None:
    for _ in range(20):
        s = await make_account(runtime, "SELLER")
        await make_product(runtime, s.seller_id)
    q = "{ products(first: 20) { edges { node { seller { products(first: 5) { edges { node { id } } } } } } } }"
    statements.reset()
    await gql.data(q)
    print("statements nested", statements.count)
    q = "{ products(first: 20) { edges { node { seller { displayName } } } } }"
    statements.reset()
    await gql.data(q)
    print("statements flat", statements.count)
    seller = await make_account(runtime, "SELLER")
    for _ in range(100):
        await make_product(runtime, seller.seller_id, images=0)
    q = ("{ products(first: 100) { edges { node { seller { products(first: 100) { edges { node { "
         "seller { products(first: 100) { edges { node { id } } } } } } } } } } } }")
    statements.reset()
    t = time.monotonic()
    body = await gql(q)
    print("deep", statements.count, time.monotonic() - t, body.get("errors"))
    assert False
