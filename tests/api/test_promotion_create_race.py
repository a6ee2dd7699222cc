"""Concurrent promotionCreate of one code gives one promotion and CONFLICT for every
other request (on PostgreSQL the losers used to hit the unique index: INTERNAL faults)."""
from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from tests.support.factories import make_account

CREATE = """mutation { promotionCreate(input: {code: "RACE10", description: "Race", kind: PERCENT,
  value: 10}) { promotion { code } userErrors { code field } } }"""


async def test_concurrent_creates_of_one_code_give_one_promotion(gql: Any,
                                                                 runtime: Any) -> None:
    admins = [await make_account(runtime, "ADMIN") for _ in range(8)]
    bodies = await asyncio.gather(*(gql(CREATE, token=a.token) for a in admins))
    assert [b for b in bodies if b.get("errors")] == []
    outcomes = Counter(
        "created" if b["data"]["promotionCreate"]["promotion"] else
        b["data"]["promotionCreate"]["userErrors"][0]["code"] for b in bodies)
    assert outcomes == Counter({"created": 1, "CONFLICT": 7})
