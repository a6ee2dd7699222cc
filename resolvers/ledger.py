"""Ledger balances: a seller's payable balance, and every account for admins."""
from __future__ import annotations

from typing import Optional

from strawberry.types import Info

from domain.ids import encode_id
from domain.ledger.postings import seller_payable
from resolvers.common import ctx, viewer
from schema.types.common import Money
from schema.types.orders import LedgerBalance


async def seller_balance(info: Info) -> Optional[LedgerBalance]:
    me = await viewer(info, "SELLER")
    if me.seller_id is None:
        return None
    name = seller_payable(encode_id("Seller", me.seller_id))
    rows = await ctx(info).runtime.read(lambda uow: uow.ledger.balances([name]))
    return next((LedgerBalance(account=n, balance=Money.of(b, c)) for n, b, c in rows), None)


async def admin_ledger_balances(info: Info) -> list[LedgerBalance]:
    await viewer(info, "ADMIN")
    rows = await ctx(info).runtime.read(lambda uow: uow.ledger.balances())
    return [LedgerBalance(account=n, balance=Money.of(b, c)) for n, b, c in rows]
