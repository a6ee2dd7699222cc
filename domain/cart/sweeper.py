"""The sweeper: gives back what lapsed. One pass, in one transaction per batch:
carts whose holds lapsed become EXPIRED and release their holds (their open checkout sessions
expire with them); checkout sessions past their own 30 minutes become EXPIRED and their carts
go back to ACTIVE (the holds stay with the cart); unpaid orders past paymentDueAt are
CANCELLED and their allocation released; expired refresh tokens are deleted.

Safe with several processes on one PostgreSQL: candidate rows are taken with
`FOR UPDATE SKIP LOCKED` and every change is a conditional UPDATE, so each cart is swept
exactly once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.cart.services import expire_carts

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


@dataclass(frozen=True)
class SweepReport:
    carts_expired: int = 0
    sessions_expired: int = 0
    orders_cancelled: int = 0
    tokens_purged: int = 0

    def __str__(self) -> str:
        return (f"carts expired: {self.carts_expired}, sessions expired: "
                f"{self.sessions_expired}, unpaid orders cancelled: {self.orders_cancelled}, "
                f"expired refresh tokens purged: {self.tokens_purged}")


async def sweep_carts(uow: UnitOfWork, *, batch: int = 200) -> int:
    """Expire one batch of lapsed carts; returns how many this call expired."""
    now = uow.now()
    ids = await uow.carts.lapsed_ids(now, batch)
    expired = await expire_carts(uow, ids, now)
    await uow.commit()
    return len(expired)


async def sweep_sessions(uow: UnitOfWork, *, batch: int = 200) -> int:
    """Expire one batch of checkout sessions past their own expiry."""
    now = uow.now()
    cart_ids = await uow.checkouts.expire_lapsed(now, batch)
    await uow.checkouts.release_carts_from_checkout(cart_ids, now)
    await uow.commit()
    return len(cart_ids)


async def sweep_unpaid_orders(uow: UnitOfWork, *, batch: int = 200) -> int:
    """Cancel one batch of orders still unpaid at paymentDueAt."""
    from domain.orders.placement import release_unpaid

    now = uow.now()
    cancelled = 0
    for order_id in await uow.orders.unpaid_past_due(now, batch):
        order = await uow.orders.get(order_id)
        if order is not None and await release_unpaid(uow, order, now):
            cancelled += 1
    await uow.commit()
    return cancelled


async def sweep_refresh_tokens(uow: UnitOfWork, *, batch: int = 200) -> int:
    """Delete one batch of expired refresh tokens."""
    purged = await uow.users.purge_expired_refresh_tokens(uow.now(), batch)
    await uow.commit()
    return int(purged)
