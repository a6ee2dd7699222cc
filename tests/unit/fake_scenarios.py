"""Starting points over the fake unit of work shared by the domain services' unit tests: a
buyer in a checkout session, and running use cases the way the API does (each in its own
unit of work, `transact` and `read` alike)."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from domain.cart.model import VariantForCart
from domain.cart.services import add_line
from domain.catalog.models import ProductStatus
from domain.checkout.services import Policy, start_checkout
from domain.checkout.sessions import AddressSnapshot
from domain.identity.models import AddressFields
from tests.unit.fakes import FakeUnitOfWork

BUYER, SELLER, VARIANT = 7, 3, 11
POLICY = Policy(hold_seconds=900, session_seconds=1800, tax_rates={})
HOME = AddressSnapshot(5, AddressFields("Ann Lee", "1 Main St", None, "Austin", "TX", "78701",
                                        "US", None))
UseCase = Callable[[Any], Awaitable[Any]]


def transact_in(uow: FakeUnitOfWork) -> Callable[[UseCase], Awaitable[Any]]:
    async def transact(use_case: UseCase) -> Any:
        async with uow:
            return await use_case(uow.port)
    return transact


async def in_checkout(quantity: int = 2, *, stock: int = 10) -> tuple[FakeUnitOfWork, int]:
    """A buyer with `quantity` units of one 10.00 variant in a checkout session (STANDARD
    shipping to a saved default address); the outbox emptied and `committed` reset."""
    uow = FakeUnitOfWork()
    uow.carts.variants[VARIANT] = VariantForCart(VARIANT, 1000, "USD", ProductStatus.ACTIVE,
                                                 SELLER, stock, stock)
    uow.inventory.put(VARIANT, stock)
    uow.checkouts.addresses[BUYER] = HOME
    await add_line(uow.port, buyer_id=BUYER, variant_id=VARIANT, quantity=quantity,
                   hold_seconds=POLICY.hold_seconds)
    session, _ = await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    uow.committed = False
    uow.outbox.events.clear()
    uow.outbox.rows.clear()
    return uow, session.id
