"""Checkout sessions (address choices kept as JSON snapshots) and the lines checkout prices."""
from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import insert, select, update

from domain.cart.model import CartStatus
from domain.checkout.sessions import (
    AddressSnapshot,
    CheckoutLine,
    CheckoutSession,
    CheckoutStatus,
)
from domain.identity.models import AddressFields
from persistence.repositories.base import Repository
from persistence.tables import (
    addresses,
    cart_lines,
    carts,
    checkout_sessions,
    products,
    variants,
)

_FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


def dump_address(snapshot: AddressSnapshot | None) -> str | None:
    if snapshot is None:
        return None
    return json.dumps({"address_id": snapshot.address_id, **asdict(snapshot.fields)},
                      sort_keys=True)


def load_address(text: str | None) -> AddressSnapshot | None:
    if not text:
        return None
    data = json.loads(text)
    return AddressSnapshot(data.get("address_id"),
                           AddressFields(**{k: data.get(k) for k in _FIELDS}))


def to_session(row: Any) -> CheckoutSession:
    return CheckoutSession(
        id=row.id, cart_id=row.cart_id, buyer_id=row.buyer_id, status=row.status,
        # The cart's currency: a cart in CHECKOUT can still change, and an emptied cart takes
        # the currency of the next line added, so the session prices in whatever it holds now.
        currency=getattr(row, "cart_currency", None) or row.currency,
        shipping_address=load_address(row.shipping_address),
        billing_address=load_address(row.billing_address),
        shipping_method=row.shipping_method, promotion_code=row.promotion_code,
        loyalty_points=row.loyalty_points, notes=row.notes, expires_at=row.expires_at,
        created_at=row.created_at, updated_at=row.updated_at,
        cart_expires_at=getattr(row, "cart_expires_at", None))


_SESSION = select(checkout_sessions, carts.c.expires_at.label("cart_expires_at"),
                  carts.c.currency.label("cart_currency")).join(
    carts, carts.c.id == checkout_sessions.c.cart_id)


class CheckoutRepository(Repository):
    async def get(self, session_id: int, *, lock: bool = False) -> CheckoutSession | None:
        stmt = _SESSION.where(checkout_sessions.c.id == session_id)
        if lock and self.dialect == "postgresql":
            stmt = stmt.with_for_update(of=checkout_sessions)
        row = (await self.conn.execute(stmt)).first()
        return to_session(row) if row else None

    async def open_for_cart(self, cart_id: int) -> CheckoutSession | None:
        row = (await self.conn.execute(_SESSION.where(
            checkout_sessions.c.cart_id == cart_id,
            checkout_sessions.c.status == CheckoutStatus.OPEN))
        ).first()
        return to_session(row) if row else None

    async def create(self, *, cart_id: int, buyer_id: int, currency: str,
                     shipping_address: AddressSnapshot | None, shipping_method: str | None,
                     now: datetime, expires_at: datetime,
                     cart_expires_at: datetime | None = None) -> CheckoutSession:
        """The new session, returned by its INSERT (docs/rules.md, "Statement budgets of
        mutations"); `currency` is its cart's, `cart_expires_at` the cart's hold expiry."""
        row = (await self.conn.execute(insert(checkout_sessions).values(
            cart_id=cart_id, buyer_id=buyer_id, status=CheckoutStatus.OPEN, currency=currency,
            shipping_address=dump_address(shipping_address), shipping_method=shipping_method,
            loyalty_points=0, expires_at=expires_at, created_at=now, updated_at=now,
        ).returning(*checkout_sessions.c))).one()
        return replace(to_session(row), cart_expires_at=cart_expires_at)

    async def refresh(self, session: CheckoutSession, now: datetime,
                      expires_at: datetime) -> CheckoutSession:
        return await self._returned(session, update(checkout_sessions).values(
            updated_at=now, expires_at=expires_at))

    async def save_choices(self, session: CheckoutSession, now: datetime) -> CheckoutSession:
        return await self._returned(session, update(checkout_sessions).values(
            shipping_address=dump_address(session.shipping_address),
            billing_address=dump_address(session.billing_address),
            shipping_method=session.shipping_method, promotion_code=session.promotion_code,
            loyalty_points=session.loyalty_points, notes=session.notes, updated_at=now))

    async def _returned(self, session: CheckoutSession, stmt: Any) -> CheckoutSession:
        """`stmt` (an UPDATE of `session`'s row) run, and the row as it left it, returned by
        the UPDATE itself; the cart's currency and hold expiry are the ones `session` read."""
        row = (await self.conn.execute(
            stmt.where(checkout_sessions.c.id == session.id).returning(*checkout_sessions.c)
        )).one()
        return replace(to_session(row), currency=session.currency,
                       cart_expires_at=session.cart_expires_at)

    async def lines(self, cart_id: int) -> list[CheckoutLine]:
        rows = (await self.conn.execute(
            select(cart_lines.c.id, cart_lines.c.variant_id, cart_lines.c.quantity,
                   cart_lines.c.unit_price_minor, variants.c.price_minor, products.c.currency,
                   products.c.status, products.c.name, products.c.seller_id, variants.c.sku)
            .join(variants, variants.c.id == cart_lines.c.variant_id)
            .join(products, products.c.id == variants.c.product_id)
            .where(cart_lines.c.cart_id == cart_id).order_by(cart_lines.c.id))).all()
        return [CheckoutLine(line_id=r.id, variant_id=r.variant_id, quantity=r.quantity,
                             unit_price_minor=r.price_minor,
                             added_price_minor=r.unit_price_minor, currency=r.currency,
                             product_status=r.status, product_name=r.name,
                             seller_id=r.seller_id, sku=r.sku) for r in rows]

    async def _address(self, *conditions: Any) -> AddressSnapshot | None:
        row = (await self.conn.execute(
            select(addresses).where(*conditions).order_by(addresses.c.id.desc()).limit(1)
        )).first()
        if row is None:
            return None
        return AddressSnapshot(row.id, AddressFields(**{k: getattr(row, k) for k in _FIELDS}))

    async def default_address(self, user_id: int) -> AddressSnapshot | None:
        return await self._address(addresses.c.user_id == user_id,
                                   addresses.c.is_default.is_(True))

    async def saved_address(self, user_id: int, address_id: int) -> AddressSnapshot | None:
        return await self._address(addresses.c.user_id == user_id,
                                   addresses.c.id == address_id)

    async def complete(self, session_id: int, now: datetime) -> None:
        await self.conn.execute(update(checkout_sessions)
                                .where(checkout_sessions.c.id == session_id)
                                .values(status=CheckoutStatus.COMPLETED, completed_at=now,
                                        updated_at=now))

    # --- expiry
    async def expire_open_for_carts(self, cart_ids: Sequence[int], now: datetime) -> None:
        """A cart that lapsed takes its open checkout session with it."""
        if not cart_ids:
            return
        await self.conn.execute(
            update(checkout_sessions)
            .where(checkout_sessions.c.cart_id.in_(cart_ids),
                   checkout_sessions.c.status == CheckoutStatus.OPEN)
            .values(status=CheckoutStatus.EXPIRED, updated_at=now))

    async def expire_lapsed(self, now: datetime, limit: int) -> list[int]:
        """Sessions past their own 30 minutes become EXPIRED; returns their cart ids."""
        stmt = (select(checkout_sessions.c.id)
                .where(checkout_sessions.c.status == CheckoutStatus.OPEN,
                       checkout_sessions.c.expires_at <= now).limit(limit))
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        ids = list((await self.conn.execute(stmt)).scalars())
        if not ids:
            return []
        rows = (await self.conn.execute(
            update(checkout_sessions)
            .where(checkout_sessions.c.id.in_(ids),
                   checkout_sessions.c.status == CheckoutStatus.OPEN,
                   checkout_sessions.c.expires_at <= now)
            .values(status=CheckoutStatus.EXPIRED, updated_at=now)
            .returning(checkout_sessions.c.cart_id))).scalars()
        return list(rows)

    async def release_carts_from_checkout(self, cart_ids: Sequence[int], now: datetime) -> None:
        """Carts whose session expired (but whose holds did not) go back to ACTIVE."""
        if cart_ids:
            await self.conn.execute(
                update(carts).where(carts.c.id.in_(cart_ids), carts.c.status == CartStatus.CHECKOUT)
                .values(status=CartStatus.ACTIVE, updated_at=now))
