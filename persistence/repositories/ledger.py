"""The ledger: accounts by name (opened on first use), balanced transactions of entries."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import insert, select

from persistence.repositories.base import Repository
from persistence.tables import ledger_accounts, ledger_entries, ledger_transactions


class LedgerRepository(Repository):
    async def _move_balances(self, deltas: dict[str, int], currency: str,
                             now: datetime) -> dict[str, int]:
        """Add each delta to its account's balance, opening the accounts used for the first
        time, in one statement that answers every account's id (docs/rules.md, "Statement
        budgets of mutations"); rows are locked in name order, the same in every posting."""
        stmt = self.upsert(ledger_accounts)
        stmt = stmt.on_conflict_do_update(
            index_elements=[ledger_accounts.c.name],
            set_={"balance_minor": ledger_accounts.c.balance_minor
                  + stmt.excluded.balance_minor}).returning(ledger_accounts.c.name,
                                                            ledger_accounts.c.id)
        rows = (await self.conn.execute(stmt, [
            {"name": name, "currency": currency, "balance_minor": delta, "created_at": now}
            for name, delta in sorted(deltas.items())])).all()
        return {name: int(pk) for name, pk in rows}

    async def post(self, *, kind: str, order_id: int | None, payment_id: int | None,
                   entries: Sequence[tuple[str, int, int]], currency: str,
                   now: datetime) -> int:
        """Write one balanced transaction; entries are (account name, debit, credit).
        Balances are credits minus debits."""
        if sum(d for _, d, _ in entries) != sum(c for _, _, c in entries):
            raise ValueError("unbalanced ledger transaction")
        deltas: dict[str, int] = {}
        for name, debit, credit in entries:
            deltas[name] = deltas.get(name, 0) + credit - debit
        tx_id = int((await self.conn.execute(insert(ledger_transactions).values(
            kind=kind, order_id=order_id, payment_id=payment_id, created_at=now,
        ).returning(ledger_transactions.c.id))).scalar_one())
        ids = await self._move_balances(deltas, currency, now)
        await self.conn.execute(insert(ledger_entries), [
            {"transaction_id": tx_id, "account_id": ids[name], "debit_minor": debit,
             "credit_minor": credit} for name, debit, credit in entries])
        return tx_id

    async def balances(self, names: Sequence[str] | None = None) -> list[tuple[str, int, str]]:
        stmt = select(ledger_accounts.c.name, ledger_accounts.c.balance_minor,
                      ledger_accounts.c.currency).order_by(ledger_accounts.c.name)
        if names is not None:
            stmt = stmt.where(ledger_accounts.c.name.in_(names))
        return [(n, int(b), c) for n, b, c in (await self.conn.execute(stmt)).all()]

    async def refund_amounts(self, order_id: int, payment_id: int) -> list[int]:
        """What each REFUND transaction of one payment of an order gave back to the buyer,
        oldest first."""
        rows = (await self.conn.execute(
            select(ledger_entries.c.credit_minor)
            .join(ledger_transactions,
                  ledger_transactions.c.id == ledger_entries.c.transaction_id)
            .join(ledger_accounts, ledger_accounts.c.id == ledger_entries.c.account_id)
            .where(ledger_transactions.c.order_id == order_id,
                   ledger_transactions.c.payment_id == payment_id,
                   ledger_transactions.c.kind == "REFUND",
                   ledger_accounts.c.name == "BUYER_EXTERNAL",
                   ledger_entries.c.credit_minor > 0)
            .order_by(ledger_transactions.c.id))).scalars()
        return [int(amount) for amount in rows]
