"""The unit of work: one transaction, with the repositories bound to it.

`async with uow: ...; await uow.commit()` — leaving without commit rolls back. Repositories
flush statements on the transaction's connection and never commit. Every way out of the unit of
work, a failed BEGIN included, returns its connection to the pool.

`run_in_transaction` retries a whole use case on PostgreSQL serialization failures and
deadlocks (40001, 40P01) a bounded number of times, and once when the connection turned out to
be dead before COMMIT was sent (the pool has then replaced it: docs/rules.md, "Database faults
and provider outages"). A lock not granted within the lock timeout (SQLite's busy timeout,
PostgreSQL's lock_timeout) is not retried: the wait was the retry (a SQLite "database is
locked" that comes at once, without the wait, still is). Faults that mean "not now"
(persistence/faults.py) leave as the domain's ServiceUnavailable; nothing was committed.
"""
from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime
from typing import TYPE_CHECKING, Awaitable, Callable, NoReturn, TypeVar, cast

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SqlTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.clock import Clock
from persistence.db import Database
from persistence.faults import classify, unavailable

if TYPE_CHECKING:
    from persistence.request_reads import RequestReads
    from persistence.repositories.carts import CartRepository
    from persistence.repositories.catalog import CatalogRepository
    from persistence.repositories.checkouts import CheckoutRepository
    from persistence.repositories.dispatch import DispatchRepository
    from persistence.repositories.inventory import InventoryRepository
    from persistence.repositories.ledger import LedgerRepository
    from persistence.repositories.loyalty import LoyaltyRepository
    from persistence.repositories.orders import OrderRepository
    from persistence.repositories.outbox import OutboxRepository
    from persistence.repositories.payments import PaymentRepository
    from persistence.repositories.promotions import PromotionRepository
    from persistence.repositories.relay import RelayRepository
    from persistence.repositories.shipments import ShipmentRepository
    from persistence.repositories.users import UserRepository

T = TypeVar("T")
R = TypeVar("R")
RETRYABLE_SQLSTATES = {"40001", "40P01"}
MAX_ATTEMPTS = 5


class SqlUnitOfWork:
    def __init__(self, db: Database, clock: Clock, *, read_only: bool = False) -> None:
        self.db = db
        self.clock = clock
        self.read_only = read_only
        self._conn: AsyncConnection | None = None
        self._committed = False
        self.committing = False
        self._repos: dict[str, object] = {}

    @classmethod
    def on_connection(cls, db: Database, clock: Clock, conn: AsyncConnection) -> "SqlUnitOfWork":
        """A read-only unit of work over a connection someone else holds (a request's read
        connection: persistence/request_reads.py); never entered, never commits."""
        uow = cls(db, clock, read_only=True)
        uow._conn = conn
        return uow

    # --- transaction
    async def __aenter__(self) -> "SqlUnitOfWork":
        engine = self.db.read_engine if self.read_only else self.db.write_engine
        conn = await engine.connect()
        try:
            await conn.begin()
        except BaseException:
            await conn.close()  # a failed BEGIN (locked, read-only, dead) must not leak it
            raise
        self._conn = conn
        self._committed = False
        self.committing = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            if not self._committed and self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None
            self._repos.clear()

    async def commit(self) -> None:
        assert self._conn is not None
        self.committing = True  # from here on a dead connection may have committed
        await self._conn.commit()
        self._committed = True

    @property
    def conn(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._conn

    def now(self) -> datetime:
        return self.clock.now()

    def _repo(self, name: str, factory: Callable[[AsyncConnection, str], R]) -> R:
        repo = self._repos.get(name)
        if repo is None:
            repo = self._repos[name] = factory(self.conn, self.db.dialect)
        return cast(R, repo)

    # --- repositories (one per aggregate; created on first use inside the transaction)
    @property
    def users(self) -> UserRepository:
        from persistence.repositories.users import UserRepository

        return self._repo("users", UserRepository)

    @property
    def catalog(self) -> CatalogRepository:
        from persistence.repositories.catalog import CatalogRepository

        return self._repo("catalog", CatalogRepository)

    @property
    def inventory(self) -> InventoryRepository:
        from persistence.repositories.inventory import InventoryRepository

        return self._repo("inventory", InventoryRepository)

    @property
    def carts(self) -> CartRepository:
        from persistence.repositories.carts import CartRepository

        return self._repo("carts", CartRepository)

    @property
    def outbox(self) -> OutboxRepository:
        from persistence.repositories.outbox import OutboxRepository

        return self._repo("outbox", OutboxRepository)

    @property
    def checkouts(self) -> CheckoutRepository:
        from persistence.repositories.checkouts import CheckoutRepository

        return self._repo("checkouts", CheckoutRepository)

    @property
    def promotions(self) -> PromotionRepository:
        from persistence.repositories.promotions import PromotionRepository

        return self._repo("promotions", PromotionRepository)

    @property
    def loyalty(self) -> LoyaltyRepository:
        from persistence.repositories.loyalty import LoyaltyRepository

        return self._repo("loyalty", LoyaltyRepository)

    @property
    def orders(self) -> OrderRepository:
        from persistence.repositories.orders import OrderRepository

        return self._repo("orders", OrderRepository)

    @property
    def payments(self) -> PaymentRepository:
        from persistence.repositories.payments import PaymentRepository

        return self._repo("payments", PaymentRepository)

    @property
    def ledger(self) -> LedgerRepository:
        from persistence.repositories.ledger import LedgerRepository

        return self._repo("ledger", LedgerRepository)

    @property
    def shipments(self) -> ShipmentRepository:
        from persistence.repositories.shipments import ShipmentRepository

        return self._repo("shipments", ShipmentRepository)

    @property
    def dispatch(self) -> DispatchRepository:
        from persistence.repositories.dispatch import DispatchRepository

        return self._repo("dispatch", DispatchRepository)

    @property
    def relay(self) -> RelayRepository:
        from persistence.repositories.relay import RelayRepository

        return self._repo("relay", RelayRepository)


def is_retryable(exc: BaseException) -> bool:
    """A serialization failure or deadlock: the database undid the transaction at once."""
    if isinstance(exc, DBAPIError):
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return state in RETRYABLE_SQLSTATES
    return False


async def run_in_transaction(
    uow_factory: Callable[[], SqlUnitOfWork],
    use_case: Callable[[SqlUnitOfWork], Awaitable[T]],
) -> T:
    """Run `use_case(uow)` (which commits) and retry it whole on a retryable conflict."""
    reconnected = False
    started = time.monotonic()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        uow = uow_factory()
        try:
            async with uow:
                return await use_case(uow)
        except DBAPIError as exc:
            if not reconnected and exc.connection_invalidated and not uow.committing:
                reconnected = True  # a stale pooled connection: once, on a fresh one
                continue
            if attempt < MAX_ATTEMPTS and (is_retryable(exc) or _locked_at_once(
                    exc, time.monotonic() - started, uow.db.lock_timeout_seconds)):
                await asyncio.sleep(random.uniform(0.005, 0.02) * attempt)
                continue
            _raise_as_unavailable(uow, exc)
        except (SqlTimeoutError, OSError) as exc:  # no pooled connection; cannot connect
            _raise_as_unavailable(uow, exc)
    raise AssertionError("unreachable")


async def run_read(
    uow_factory: Callable[[], SqlUnitOfWork],
    use_case: Callable[[SqlUnitOfWork], Awaitable[T]],
) -> T:
    """Run a read-only use case, once more on a fresh connection when the pooled one was
    dead; database faults leave as ServiceUnavailable."""
    for attempt in (1, 2):
        uow = uow_factory()
        try:
            async with uow:
                return await use_case(uow)
        except DBAPIError as exc:
            if attempt == 1 and exc.connection_invalidated:
                continue
            _raise_as_unavailable(uow, exc)
        except (SqlTimeoutError, OSError) as exc:
            _raise_as_unavailable(uow, exc)
    raise AssertionError("unreachable")


async def run_request_read(reads: "RequestReads", uow_factory: Callable[[AsyncConnection],
                                                                     SqlUnitOfWork],
                           use_case: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
    """A read-only use case on the request's read connection (no transaction: each statement
    reads the last committed state); database faults leave as ServiceUnavailable."""
    try:
        return await reads.run(lambda conn: use_case(uow_factory(conn)))
    except (DBAPIError, SqlTimeoutError, OSError) as exc:
        fault = unavailable(exc, reads.db.lock_timeout_seconds)
        if fault is None:
            raise
        raise fault from exc


def _locked_at_once(exc: BaseException, waited: float, lock_timeout: float) -> bool:
    """A rare SQLite `database is locked` that came before the busy timeout had been waited
    out (no busy handler for it) is retried; one that waited the timeout is not."""
    return classify(exc) == "locked" and waited < lock_timeout / 2


def _raise_as_unavailable(uow: SqlUnitOfWork, exc: BaseException) -> NoReturn:
    fault = unavailable(exc, uow.db.lock_timeout_seconds)
    if fault is None:
        raise exc
    raise fault from exc


if TYPE_CHECKING:  # mypy checks that the SQL unit of work fulfils the domain's ports
    from domain.catalog.ports import CatalogUnitOfWork
    from domain.identity.ports import UnitOfWork as IdentityUnitOfWork
    from domain.ports import UnitOfWork

    def _fulfils_ports(uow: SqlUnitOfWork) -> tuple[UnitOfWork, IdentityUnitOfWork,
                                                      CatalogUnitOfWork]:
        return uow, uow, uow
