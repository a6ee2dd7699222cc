"""Ledger balances: a seller's payable balance, and every account for admins. A balance is
(account name, balance in minor units, currency)."""
from __future__ import annotations

from typing import Optional

from domain.ids import encode_id
from domain.ledger.postings import seller_payable
from resolvers.caller import Caller

Balance = tuple[str, int, str]


async def seller_balance(caller: Caller) -> Optional[Balance]:
    me = await caller.require("SELLER")
    if me.seller_id is None:
        return None
    name = seller_payable(encode_id("Seller", me.seller_id))
    rows = await caller.units.read(lambda uow: uow.ledger.balances([name]))
    return next(iter(rows), None)


async def admin_ledger_balances(caller: Caller) -> list[Balance]:
    await caller.require("ADMIN")
    rows = await caller.units.read(lambda uow: uow.ledger.balances())
    return rows
