"""Loyalty, ledger and promotions of the fake unit of work (tests/unit/fakes.py), in memory."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Sequence

from domain.loyalty.points import LoyaltyAccount
from domain.promotions.codes import Promotion


class FakeLoyalty:
    def __init__(self) -> None:
        self.moves: list[tuple[int, int, str, int]] = []  # (user, points, kind, order)

    async def spend(self, user_id: int, points: int, order_id: int, now: datetime) -> bool:
        if points <= 0:
            return True
        if self.balance(user_id) < points:
            return False
        self.moves.append((user_id, -points, "SPEND", order_id))
        return True

    async def credit(self, user_id: int, points: int, kind: str, order_id: int,
                     now: datetime) -> None:
        if points:
            self.moves.append((user_id, points, kind, order_id))

    async def take_back(self, user_id: int, points: int, order_id: int,
                        now: datetime) -> None:
        if points:
            self.moves.append((user_id, -points, "TAKE_BACK", order_id))

    async def account(self, user_id: int, now: datetime) -> LoyaltyAccount:
        return LoyaltyAccount(points=self.balance(user_id))

    def balance(self, user_id: int) -> int:
        return sum(points for user, points, _, _ in self.moves if user == user_id)


class FakeLedger:
    def __init__(self) -> None:
        self.postings: list[tuple[str, int | None, list[tuple[str, int, int]]]] = []
        self.payment_of: list[int | None] = []

    async def post(self, *, kind: str, order_id: int | None, payment_id: int | None,
                   entries: Sequence[tuple[str, int, int]], currency: str,
                   now: datetime) -> int:
        self.postings.append((kind, order_id, list(entries)))
        self.payment_of.append(payment_id)
        return len(self.postings)

    async def refund_amounts(self, order_id: int, payment_id: int) -> list[int]:
        """What each REFUND posting of one payment gave back to the buyer, oldest first."""
        return [sum(credit for account, _, credit in entries if account == "BUYER_EXTERNAL")
                for (kind, order, entries), paid in zip(self.postings, self.payment_of, strict=True)
                if kind == "REFUND" and order == order_id and paid == payment_id]

    def balanced(self) -> bool:
        return all(sum(d for _, d, _ in e) == sum(c for _, _, c in e)
                   for _, _, e in self.postings)


class FakePromotions:
    def __init__(self) -> None:
        self.rows: dict[str, Promotion] = {}
        self.uses: dict[int, tuple[str, int]] = {}  # order id -> (code, buyer)
        self.created_by: dict[str, int] = {}

    async def by_code(self, code: str) -> Promotion | None:
        return self.rows.get(code)

    async def code_exists(self, code: str) -> bool:
        return code in self.rows

    async def create(self, promotion: Promotion, *, created_by: int,
                     now: datetime) -> Promotion | None:
        if promotion.code in self.rows:
            return None
        self.rows[promotion.code] = promotion
        self.created_by[promotion.code] = created_by
        return promotion

    async def deactivate(self, code: str) -> Promotion | None:
        found = self.rows.get(code)
        if found is None:
            return None
        found = self.rows[code] = replace(found, active=False)
        return found

    async def customer_uses(self, code: str, buyer_id: int) -> int:
        return sum(1 for c, b in self.uses.values() if c == code and b == buyer_id)

    async def customer_uses_many(self, codes: Sequence[str], buyer_id: int) -> dict[str, int]:
        return {code: await self.customer_uses(code, buyer_id) for code in codes}

    async def offered(self, now: datetime, seller_ids: Sequence[int]) -> list[Promotion]:
        return [p for p in self.rows.values() if p.active
                and (p.seller_id is None or p.seller_id in seller_ids)]

    async def reserve_use(self, code: str, buyer_id: int, order_id: int,
                          now: datetime) -> str | None:
        """None when a use was taken; else the limit that refused it (as the SQL one)."""
        promotion = self.rows[code]
        if promotion.usage_limit is not None and promotion.times_used >= promotion.usage_limit:
            return "USAGE_LIMIT_REACHED"
        if (promotion.per_customer_limit is not None
                and await self.customer_uses(code, buyer_id) >= promotion.per_customer_limit):
            return "CUSTOMER_LIMIT_REACHED"
        self.rows[code] = replace(promotion, times_used=promotion.times_used + 1)
        self.uses[order_id] = (code, buyer_id)
        return None

    async def release_use(self, order_id: int) -> bool:
        taken = self.uses.pop(order_id, None)
        if taken is not None and taken[0] in self.rows:
            promotion = self.rows[taken[0]]
            self.rows[taken[0]] = replace(promotion, times_used=promotion.times_used - 1)
        return taken is not None
