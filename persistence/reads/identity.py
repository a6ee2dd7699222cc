"""Batched read queries of the identity feature: one statement per batch, results aligned with
the keys (None, or [] for to-many relations, where nothing matches)."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.identity.models import AccountState, Address, PaymentMethod, Seller, User
from persistence.repositories.users import (
    ADDRESS_COLUMNS,
    PAYMENT_METHOD_COLUMNS,
    SELLER_COLUMNS,
    USER_COLUMNS,
    USERS_WITH_SELLER,
    to_address,
    to_payment_method,
    to_seller,
    to_user,
)
from persistence.tables import addresses, payment_methods, refresh_tokens, sellers, users


def _aligned(keys: Sequence[Any], by_key: dict[Any, Any]) -> list[Any]:
    return [by_key.get(key) for key in keys]


async def users_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[User | None]:
    rows = await conn.execute(select(*USER_COLUMNS).select_from(USERS_WITH_SELLER)
                              .where(users.c.id.in_(list(ids))))
    return _aligned(ids, {row.id: to_user(row) for row in rows})


async def sellers_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Seller | None]:
    rows = await conn.execute(select(*SELLER_COLUMNS).where(sellers.c.id.in_(list(ids))))
    return _aligned(ids, {row.id: to_seller(row) for row in rows})


async def addresses_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Address | None]:
    rows = await conn.execute(select(*ADDRESS_COLUMNS).where(addresses.c.id.in_(list(ids))))
    return _aligned(ids, {row.id: to_address(row) for row in rows})


async def addresses_by_user(conn: AsyncConnection,
                            user_ids: Sequence[int]) -> list[list[Address]]:
    """Each user's addresses, oldest first."""
    rows = await conn.execute(select(*ADDRESS_COLUMNS)
                              .where(addresses.c.user_id.in_(list(user_ids)))
                              .order_by(addresses.c.user_id, addresses.c.id))
    grouped: dict[int, list[Address]] = defaultdict(list)
    for row in rows:
        grouped[row.user_id].append(to_address(row))
    return [grouped.get(user_id, []) for user_id in user_ids]


async def payment_methods_by_id(conn: AsyncConnection,
                                ids: Sequence[int]) -> list[PaymentMethod | None]:
    rows = await conn.execute(select(*PAYMENT_METHOD_COLUMNS)
                              .where(payment_methods.c.id.in_(list(ids))))
    return _aligned(ids, {row.id: to_payment_method(row) for row in rows})


async def payment_methods_by_user(conn: AsyncConnection,
                                  user_ids: Sequence[int]) -> list[list[PaymentMethod]]:
    """Each user's saved payment methods, oldest first."""
    rows = await conn.execute(select(*PAYMENT_METHOD_COLUMNS)
                              .where(payment_methods.c.user_id.in_(list(user_ids)))
                              .order_by(payment_methods.c.user_id, payment_methods.c.id))
    grouped: dict[int, list[PaymentMethod]] = defaultdict(list)
    for row in rows:
        grouped[row.user_id].append(to_payment_method(row))
    return [grouped.get(user_id, []) for user_id in user_ids]


async def user_by_external_subject(conn: AsyncConnection, subject: str) -> User | None:
    """Not batched: the per-request lookup of a user signed in by the external issuer."""
    row = (await conn.execute(select(*USER_COLUMNS).select_from(USERS_WITH_SELLER)
                              .where(users.c.external_subject == subject))).first()
    return to_user(row) if row else None


async def account_state(conn: AsyncConnection, user_id: int,
                        revoked_since: datetime) -> AccountState | None:
    """The account as each request checks it (domain/identity/access.py), in one statement:
    role, seller row, token version, disabled, and the refresh families revoked since
    `revoked_since`. None when there is no such user."""
    t = refresh_tokens.c
    rows = (await conn.execute(
        select(users.c.account_type, users.c.token_version, users.c.disabled_at,
               sellers.c.id.label("seller_id"), t.family)
        .select_from(USERS_WITH_SELLER.outerjoin(refresh_tokens, and_(
            t.user_id == users.c.id, t.revoked_at > revoked_since)))
        .where(users.c.id == user_id).distinct())).all()
    if not rows:
        return None
    first = rows[0]
    return AccountState(
        account_type=first.account_type, seller_id=first.seller_id,
        token_version=first.token_version, disabled=first.disabled_at is not None,
        revoked_families=frozenset(row.family for row in rows if row.family is not None))
