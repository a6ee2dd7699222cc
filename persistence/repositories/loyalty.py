"""Loyalty balances and point movements (the tier comes from EARN rows of the last year)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from domain.loyalty import LoyaltyAccount
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
