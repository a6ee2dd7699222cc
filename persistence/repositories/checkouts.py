"""Checkout sessions."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import update

from persistence.repositories.base import Repository
from persistence.tables import checkout_sessions


class CheckoutRepository(Repository):
    async def expire_open_for_carts(self, cart_ids: Sequence[int], now: datetime) -> None:
        """A cart that lapsed takes its open checkout session with it."""
        if not cart_ids:
            return
        await self.conn.execute(
            update(checkout_sessions)
            .where(checkout_sessions.c.cart_id.in_(cart_ids),
                   checkout_sessions.c.status == "OPEN")
            .values(status="EXPIRED", updated_at=now))
