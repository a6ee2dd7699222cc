"""What the API's read use cases use of a unit of work beyond the domain's ports
(domain/ports.py): list reads that no domain service needs. persistence/uow.py's
SqlUnitOfWork implements them; mypy checks it where schema/calls.py hands the runtime over."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol, Sequence

from domain.outbox.analytics import Fact
from domain.ports import DispatchRepository, LedgerRepository, PromotionRepository, UnitOfWork
from domain.promotions.codes import Promotion


class LedgerReads(LedgerRepository, Protocol):
    async def balances(self, names: Sequence[str] | None = None
                       ) -> list[tuple[str, int, str]]:
        """(account name, balance in minor units, currency), by name."""
        ...


class PromotionReads(PromotionRepository, Protocol):
    async def managed(self, seller_id: int | None) -> list[Promotion]:
        """A seller's own codes, or every code (seller_id None: admin)."""
        ...


class DispatchReads(DispatchRepository, Protocol):
    async def facts_between(self, start: datetime, end: datetime) -> list[Fact]: ...


class ReadUnitOfWork(UnitOfWork, Protocol):
    @property
    def ledger(self) -> LedgerReads: ...
    @property
    def promotions(self) -> PromotionReads: ...
    @property
    def dispatch(self) -> DispatchReads: ...
