"""Ledger balances, GraphQL side: LedgerBalance and the root fields sellerBalance and
adminLedgerBalances (use cases in resolvers/ledger.py)."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers import ledger as resolve
from schema.calls import caller
from schema.common import Money


@strawberry.type
class LedgerBalance:
    account: str = strawberry.field(
        description="Account name, e.g. SELLER_PAYABLE:<sellerId>, PLATFORM_REVENUE, "
        "PAYMENT_CLEARING.")
    balance: Money

    @classmethod
    def of(cls, balance: resolve.Balance) -> "LedgerBalance":
        name, minor, currency = balance
        return cls(account=name, balance=Money.of(minor, currency))


@strawberry.type
class Query:
    @strawberry.field(description="Seller only: the seller's payable balance in the ledger.")
    async def seller_balance(self, info: Info) -> Optional[LedgerBalance]:
        found = await resolve.seller_balance(caller(info))
        return LedgerBalance.of(found) if found is not None else None

    @strawberry.field(description="Admin only.")
    async def admin_ledger_balances(self, info: Info) -> list[LedgerBalance]:
        return [LedgerBalance.of(b) for b in await resolve.admin_ledger_balances(caller(info))]
