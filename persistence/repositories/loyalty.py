"""Loyalty balances and point movements (the tier comes from EARN rows of the last year)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from domain.loyalty.points import LoyaltyAccount
from persistence.repositories.base import Repository
from persistence.tables import loyalty_accounts, loyalty_transactions

YEAR = timedelta(days=365)


class LoyaltyRepository(Repository):
    async def account(self, user_id: int, now: datetime) -> LoyaltyAccount:
        """Balance and points earned in (now - 365 days, now], in one statement."""
        earned = (select(func.coalesce(func.sum(loyalty_transactions.c.points), 0))
                  .where(loyalty_transactions.c.user_id == user_id,
                         loyalty_transactions.c.kind == "EARN",
                         loyalty_transactions.c.created_at > now - YEAR,
                         loyalty_transactions.c.created_at <= now)
                  .scalar_subquery())
        row = (await self.conn.execute(
            select(func.coalesce(
                select(loyalty_accounts.c.points)
                .where(loyalty_accounts.c.user_id == user_id).scalar_subquery(), 0),
                earned))).one()
        return LoyaltyAccount(points=int(row[0]), earned_last_year=max(int(row[1]), 0))
    # --- point movements, each a conditional update plus its transaction row

    async def spend(self, user_id: int, points: int, order_id: int, now: datetime) -> bool:
        if points <= 0:
            return True
        result = await self.conn.execute(
            update(loyalty_accounts).where(loyalty_accounts.c.user_id == user_id,
                                           loyalty_accounts.c.points >= points)
            .values(points=loyalty_accounts.c.points - points))
        if result.rowcount != 1:
            return False
        await self.conn.execute(insert(loyalty_transactions).values(
            user_id=user_id, kind="SPEND", points=points, order_id=order_id, created_at=now))
        return True

    async def credit(self, user_id: int, points: int, kind: str, order_id: int,
                     now: datetime) -> None:
        """EARN (counts toward the tier) or REFUND (points given back)."""
        if points <= 0:
            return
        stmt = self.upsert(loyalty_accounts).values(user_id=user_id, points=points)
        stmt = stmt.on_conflict_do_update(
            index_elements=[loyalty_accounts.c.user_id],
            set_={"points": loyalty_accounts.c.points + points})
        await self.conn.execute(stmt)
        await self.conn.execute(insert(loyalty_transactions).values(
            user_id=user_id, kind=kind, points=points, order_id=order_id, created_at=now))

    async def take_back(self, user_id: int, points: int, order_id: int,
                        now: datetime) -> None:
        """Reverse points earned by an order that was refunded or cancelled after payment, in
        full: the balance drops by exactly `points`, below zero if they were spent meanwhile
        (later earnings repay it; docs/rules.md "Money rules"), and a negative EARN row lowers
        the tier credit. The balance is always the sum of the movements."""
        if points <= 0:
            return
        stmt = self.upsert(loyalty_accounts).values(user_id=user_id, points=-points)
        await self.conn.execute(stmt.on_conflict_do_update(
            index_elements=[loyalty_accounts.c.user_id],
            set_={"points": loyalty_accounts.c.points - points}))
        await self.conn.execute(insert(loyalty_transactions).values(
            user_id=user_id, kind="EARN", points=-points, order_id=order_id, created_at=now))
