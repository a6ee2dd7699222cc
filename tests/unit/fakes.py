"""A fake unit of work: in-memory repositories with the ports' signatures (domain/ports.py),
one for each repository of domain/ports.py (carts, checkouts, stock, orders, payments,
shipments, loyalty, ledger, promotions, outbox, dispatch, relay); mypy checks each against its
Protocol. The order side is in fake_orders.py, loyalty/ledger/promotions in fake_money.py,
the outbox, dispatcher and relay in fake_outbox.py.

Like the SQL unit of work, nothing a service did is kept unless it committed:
`FakeUnitOfWork.committed` says whether it did, and a test reads the state it asserts from the
repositories (the tables), never from which calls were made. Conditional writes mirror the SQL
ones (a status change only from the expected status, a stock move only when units are there).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Iterable, Sequence, cast

from domain.cart.model import (
    LIVE_STATUSES,
    MAX_QUANTITY,
    Cart,
    CartLine,
    CartStatus,
    VariantForCart,
)
from domain.checkout.sessions import AddressSnapshot, CheckoutLine, CheckoutSession
from domain.catalog.inventory import StockLevel
from domain.checkout.sessions import CheckoutStatus
from tests.unit.fake_money import FakeLedger, FakeLoyalty, FakePromotions
from tests.unit.fake_orders import T0, FakeOrders, FakePayments, FakeShipments
from tests.unit.fake_outbox import FakeDispatch, FakeOutbox, FakeRelay

if TYPE_CHECKING:
    from domain import ports
    from domain.ports import UnitOfWork



class FakeCarts:
    def __init__(self) -> None:
        self.carts: dict[int, Cart] = {}
        self.lines: dict[int, CartLine] = {}
        self.variants: dict[int, VariantForCart] = {}
        self._ids = iter(range(1, 10**6))

    def live(self, buyer_id: int) -> Cart | None:
        return next((c for c in self.carts.values()
                     if c.buyer_id == buyer_id and c.status in LIVE_STATUSES), None)

    def lines_of(self, cart_id: int) -> list[CartLine]:
        return sorted((ln for ln in self.lines.values() if ln.cart_id == cart_id),
                      key=lambda ln: ln.id)

    async def touch_live(self, buyer_id: int, now: datetime, expires_at: datetime, *,
                         status: str | None = None) -> Cart | None:
        cart = self.live(buyer_id)
        if cart is None or (cart.expires_at is not None and cart.expires_at <= now):
            return None
        cart = self.carts[cart.id] = replace(cart, updated_at=now, expires_at=expires_at,
                                             status=status or cart.status)
        return cart

    async def live_for_buyer(self, buyer_id: int, *, lock: bool = True) -> Cart | None:
        return self.live(buyer_id)

    async def create(self, buyer_id: int, now: datetime,
                     expires_at: datetime | None = None) -> Cart:
        existing = self.live(buyer_id)
        if existing is not None:
            return existing
        cart = Cart(id=next(self._ids), buyer_id=buyer_id, status=CartStatus.ACTIVE,
                    currency="USD", created_at=now, updated_at=now, expires_at=expires_at)
        self.carts[cart.id] = cart
        return cart

    async def set_currency(self, cart_id: int, currency: str) -> None:
        self.carts[cart_id] = replace(self.carts[cart_id], currency=currency)

    async def clear_expiry(self, cart_id: int) -> None:
        self.carts[cart_id] = replace(self.carts[cart_id], expires_at=None)

    async def set_status(self, cart_id: int, status: str, now: datetime) -> None:
        self.carts[cart_id] = replace(self.carts[cart_id], status=status, updated_at=now)

    async def variant_for_cart(self, variant_id: int) -> VariantForCart | None:
        return self.variants.get(variant_id)

    async def add_quantity(self, cart_id: int, variant_id: int, quantity: int,
                           price_minor: int, now: datetime,
                           reserved_until: datetime) -> CartLine | None:
        line = next((ln for ln in self.lines_of(cart_id) if ln.variant_id == variant_id), None)
        if line is None:
            line = CartLine(id=next(self._ids), cart_id=cart_id, variant_id=variant_id,
                            quantity=quantity, unit_price_minor=price_minor,
                            added_price_minor=price_minor, reserved_until=reserved_until)
        elif line.quantity + quantity > MAX_QUANTITY:
            return None
        else:
            line = replace(line, quantity=line.quantity + quantity)
        self.lines[line.id] = line
        return line

    async def line_of_cart(self, line_id: int, cart_id: int) -> CartLine | None:
        line = self.lines.get(line_id)
        return line if line is not None and line.cart_id == cart_id else None

    async def set_line_quantity(self, line_id: int, old: int, new: int) -> bool:
        line = self.lines.get(line_id)
        if line is None or line.quantity != old:
            return False
        self.lines[line_id] = replace(line, quantity=new)
        return True

    async def delete_line(self, line_id: int, cart_id: int) -> CartLine | None:
        line = await self.line_of_cart(line_id, cart_id)
        if line is not None:
            del self.lines[line_id]
        return line

    async def extend_lines(self, cart_id: int, reserved_until: datetime) -> list[CartLine]:
        for line in self.lines_of(cart_id):
            self.lines[line.id] = replace(line, reserved_until=reserved_until)
        return self.lines_of(cart_id)

    async def lines_with_prices(self, cart_id: int) -> list[CartLine]:
        return [replace(ln, unit_price_minor=self.variants[ln.variant_id].price_minor,
                        currency=self.variants[ln.variant_id].currency)
                for ln in self.lines_of(cart_id)]

    async def reprice_lines(self, prices: dict[int, int]) -> None:
        for line_id, price in prices.items():
            self.lines[line_id] = replace(self.lines[line_id], unit_price_minor=price)

    async def expire(self, cart_ids: Sequence[int], now: datetime) -> list[tuple[int, int]]:
        done = []
        for cart_id in cart_ids:
            cart = self.carts[cart_id]
            if cart.is_live and cart.expires_at is not None and cart.expires_at <= now:
                self.carts[cart_id] = replace(cart, status=CartStatus.EXPIRED, updated_at=now)
                done.append((cart_id, cart.buyer_id))
        return done

    async def lapsed_ids(self, now: datetime, limit: int) -> list[int]:
        lapsed = sorted((c for c in self.carts.values() if c.is_live
                         and c.expires_at is not None and c.expires_at <= now),
                        key=lambda c: (c.expires_at, c.id))
        return [c.id for c in lapsed][:limit]

    async def held_units(self, cart_ids: Sequence[int]) -> list[tuple[int, int]]:
        held: dict[int, int] = {}
        for line in self.lines.values():
            if line.cart_id in cart_ids:
                held[line.variant_id] = held.get(line.variant_id, 0) + line.quantity
        return sorted(held.items())


class FakeInventory:
    def __init__(self) -> None:
        self.levels: dict[int, StockLevel] = {}

    def put(self, variant_id: int, total: int, *, threshold: int = 0) -> None:
        self.levels[variant_id] = StockLevel(variant_id, total, total, 0, 0, threshold)

    def _move(self, variant_id: int, **delta: int) -> StockLevel | None:
        level = self.levels.get(variant_id)
        if level is None:
            return None
        moved = replace(level, **{k: getattr(level, k) + v for k, v in delta.items()})
        if min(moved.total, moved.available, moved.reserved, moved.allocated) < 0:
            return None  # the SQL UPDATE's condition (and CHECK constraints) refuse it
        self.levels[variant_id] = moved
        return moved

    async def get(self, variant_id: int) -> StockLevel | None:
        return self.levels.get(variant_id)

    async def reserve(self, variant_id: int, quantity: int) -> StockLevel | None:
        return self._move(variant_id, available=-quantity, reserved=quantity)

    async def release(self, variant_id: int, quantity: int) -> StockLevel | None:
        return self._move(variant_id, available=quantity, reserved=-quantity)

    async def release_many(self, holds: Iterable[tuple[int, int]]) -> None:
        for variant_id, quantity in holds:
            self._move(variant_id, available=quantity, reserved=-quantity)

    async def release_allocation(self, variant_id: int, quantity: int) -> StockLevel | None:
        return self._move(variant_id, available=quantity, allocated=-quantity)

    async def allocate_reserved(self, variant_id: int, quantity: int) -> StockLevel | None:
        return self._move(variant_id, reserved=-quantity, allocated=quantity)

    async def allocate_reserved_many(self, holds: Iterable[tuple[int, int]]) -> set[int]:
        return {v for v, q in holds if self._move(v, reserved=-q, allocated=q) is not None}

    async def allocate_available(self, variant_id: int, quantity: int) -> StockLevel | None:
        return self._move(variant_id, available=-quantity, allocated=quantity)

    async def ship(self, variant_id: int, quantity: int) -> StockLevel | None:
        return self._move(variant_id, total=-quantity, allocated=-quantity)

    async def create(self, variant_id: int, total: int, low_stock_threshold: int) -> None:
        self.put(variant_id, total, threshold=low_stock_threshold)

    async def set_total(self, variant_id: int, total: int) -> StockLevel | None:
        level = self.levels.get(variant_id)
        delta = total - level.total if level is not None else 0
        return self._move(variant_id, total=delta, available=delta)

    async def adjust(self, variant_id: int, delta: int) -> StockLevel | None:
        return self._move(variant_id, total=delta, available=delta)


class FakeCheckouts:
    """Checkout sessions over the fake carts: a session's lines are its cart's lines at the
    variants' current prices."""

    def __init__(self, carts: FakeCarts) -> None:
        self.carts = carts
        self.sessions: dict[int, CheckoutSession] = {}
        self.addresses: dict[int, AddressSnapshot] = {}  # the buyer's default address
        self.expired_for_carts: list[int] = []
        self._ids = iter(range(1, 10**6))

    async def expire_open_for_carts(self, cart_ids: Sequence[int], now: datetime) -> None:
        self.expired_for_carts.extend(cart_ids)

    async def lines(self, cart_id: int) -> list[CheckoutLine]:
        return [CheckoutLine(line_id=ln.id, variant_id=ln.variant_id, quantity=ln.quantity,
                             unit_price_minor=v.price_minor,
                             added_price_minor=ln.unit_price_minor, currency=v.currency,
                             product_status=v.product_status, product_name=f"Item {v.variant_id}",
                             seller_id=v.seller_id)
                for ln in self.carts.lines_of(cart_id)
                for v in [self.carts.variants[ln.variant_id]]]

    async def get(self, session_id: int, *, lock: bool = False) -> CheckoutSession | None:
        return self.sessions.get(session_id)

    async def open_for_cart(self, cart_id: int) -> CheckoutSession | None:
        return next((s for s in self.sessions.values()
                     if s.cart_id == cart_id and s.status == CheckoutStatus.OPEN), None)

    async def refresh(self, session: CheckoutSession, now: datetime,
                      expires_at: datetime) -> CheckoutSession:
        refreshed = self.sessions[session.id] = replace(
            self.sessions[session.id], updated_at=now, expires_at=expires_at)
        return refreshed

    async def default_address(self, user_id: int) -> AddressSnapshot | None:
        return self.addresses.get(user_id)

    async def create(self, *, cart_id: int, buyer_id: int, currency: str,
                     shipping_address: AddressSnapshot | None, shipping_method: str | None,
                     now: datetime, expires_at: datetime,
                     cart_expires_at: datetime | None = None) -> CheckoutSession:
        session = CheckoutSession(
            id=next(self._ids), cart_id=cart_id, buyer_id=buyer_id, status=CheckoutStatus.OPEN,
            currency=currency, shipping_address=shipping_address, billing_address=None,
            shipping_method=shipping_method, promotion_code=None, loyalty_points=0,
            notes=None, expires_at=expires_at, created_at=now, updated_at=now,
            cart_expires_at=cart_expires_at)
        self.sessions[session.id] = session
        return session

    async def save_choices(self, session: CheckoutSession, now: datetime) -> CheckoutSession:
        saved = self.sessions[session.id] = replace(session, updated_at=now)
        return saved

    async def saved_address(self, user_id: int, address_id: int) -> AddressSnapshot | None:
        found = self.addresses.get(user_id)
        return found if found is not None and found.address_id == address_id else None

    async def complete(self, session_id: int, now: datetime) -> None:
        self.sessions[session_id] = replace(self.sessions[session_id],
                                            status=CheckoutStatus.COMPLETED, updated_at=now)

    async def expire_lapsed(self, now: datetime, limit: int) -> list[int]:
        lapsed = [s for s in self.sessions.values()
                  if s.status == CheckoutStatus.OPEN and s.expires_at <= now][:limit]
        for s in lapsed:
            self.sessions[s.id] = replace(s, status=CheckoutStatus.EXPIRED, updated_at=now)
        return [s.cart_id for s in lapsed]

    async def release_carts_from_checkout(self, cart_ids: Sequence[int], now: datetime) -> None:
        for cart_id in cart_ids:
            cart = self.carts.carts[cart_id]
            if cart.status == CartStatus.CHECKOUT:
                self.carts.carts[cart_id] = replace(cart, status=CartStatus.ACTIVE,
                                                    updated_at=now)


@dataclass
class FakeUnitOfWork:
    """The repositories above in one transaction; `commit()` marks it committed. Leaving
    `async with` without committing is a rollback (here: `committed` stays False)."""

    now_at: datetime = T0
    carts: FakeCarts = field(default_factory=FakeCarts)
    inventory: FakeInventory = field(default_factory=FakeInventory)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    orders: FakeOrders = field(default_factory=FakeOrders)
    payments: FakePayments = field(default_factory=FakePayments)
    loyalty: FakeLoyalty = field(default_factory=FakeLoyalty)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    promotions: FakePromotions = field(default_factory=FakePromotions)
    committed: bool = False
    commits: int = 0

    def __post_init__(self) -> None:
        self.shipments = FakeShipments(self.orders.shipment_rows)
        self.payments.order_rows = self.orders.orders
        self.dispatch = FakeDispatch(self.outbox)
        self.relay = FakeRelay(self.outbox)
        self.checkouts = FakeCheckouts(self.carts)

    async def __aenter__(self) -> FakeUnitOfWork:
        self.committed = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self.committed = True
        self.commits += 1

    def now(self) -> datetime:
        return self.now_at

    def later(self, seconds: float) -> None:
        self.now_at += timedelta(seconds=seconds)

    @property
    def port(self) -> UnitOfWork:
        """This fake as the domain's UnitOfWork port. Every repository of domain/ports.py is
        here, each checked against its Protocol by mypy (`_conforms` below); users and
        catalog (domain/identity, domain/catalog) are not faked: their services are tested
        over the database, so the cast covers those two properties only."""
        return cast("UnitOfWork", self)


if TYPE_CHECKING:
    def _conforms(uow: FakeUnitOfWork) -> None:
        """mypy checks each fake repository against its port (domain/ports.py)."""
        carts: ports.CartRepository = uow.carts
        checkouts: ports.CheckoutRepository = uow.checkouts
        inventory: ports.InventoryRepository = uow.inventory
        outbox: ports.OutboxRepository = uow.outbox
        orders: ports.OrderRepository = uow.orders
        payments: ports.PaymentRepository = uow.payments
        shipments: ports.ShipmentRepository = uow.shipments
        loyalty: ports.LoyaltyRepository = uow.loyalty
        ledger: ports.LedgerRepository = uow.ledger
        promotions: ports.PromotionRepository = uow.promotions
        dispatch: ports.DispatchRepository = uow.dispatch
        relay: ports.RelayRepository = uow.relay
        del carts, checkouts, inventory, outbox, orders, payments, shipments, loyalty, ledger
        del promotions, dispatch, relay
