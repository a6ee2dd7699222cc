"""Users, sellers, refresh tokens, addresses and saved payment methods (uow.users).

Rows become domain.identity values here (the mappers are shared with persistence/reads).
Writes that can race are single statements: inserts are `ON CONFLICT DO NOTHING` (a taken
email answers None, never a unique-violation error), a refresh token is redeemed by one
conditional UPDATE, and changes to one user's address book or wallet are serialised by
`lock_user` (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sqlalchemy import and_, delete, exists, insert, select, update

from domain.identity.models import Address, AddressFields, PaymentMethod, Seller, User
from persistence.repositories.base import Repository
from persistence.repositories.user_admin import UserAdminMixin
from persistence.tables import (
    addresses,
    ledger_accounts,
    payment_methods,
    refresh_tokens,
    sellers,
    users,
)

USER_COLUMNS = (users.c.id, users.c.email, users.c.name, users.c.account_type,
                users.c.external_subject, sellers.c.id.label("seller_id"),
                users.c.token_version, users.c.disabled_at)
USERS_WITH_SELLER = users.outerjoin(sellers, sellers.c.user_id == users.c.id)
SELLER_COLUMNS = (sellers.c.id, sellers.c.user_id, sellers.c.display_name)
ADDRESS_COLUMNS = tuple(c for c in addresses.c if c.name != "created_at")
PAYMENT_METHOD_COLUMNS = tuple(c for c in payment_methods.c if c.name != "created_at")


def to_user(row: Any) -> User:
    return User(id=row.id, email=row.email, name=row.name, account_type=row.account_type,
                seller_id=row.seller_id, external_subject=row.external_subject,
                token_version=row.token_version, disabled_at=row.disabled_at)


def to_seller(row: Any) -> Seller:
    return Seller(id=row.id, user_id=row.user_id, display_name=row.display_name)


def to_address(row: Any) -> Address:
    return Address(id=row.id, user_id=row.user_id, is_default=bool(row.is_default),
                   fields=AddressFields(
                       full_name=row.full_name, line1=row.line1, line2=row.line2,
                       city=row.city, region=row.region, postal_code=row.postal_code,
                       country=row.country, phone=row.phone))


def to_payment_method(row: Any) -> PaymentMethod:
    return PaymentMethod(id=row.id, user_id=row.user_id, provider_token=row.provider_token,
                         brand=row.brand, last4=row.last4, is_default=bool(row.is_default))


class UserRepository(UserAdminMixin, Repository):
    # --- accounts
    async def add_user(self, *, email: str, name: str, password_hash: str | None,
                       account_type: str, now: datetime,
                       external_subject: str | None = None) -> User | None:
        stmt = self.upsert(users).values(
            email=email, name=name, password_hash=password_hash, account_type=account_type,
            external_subject=external_subject, created_at=now,
        ).on_conflict_do_nothing().returning(users.c.id)
        user_id = (await self.conn.execute(stmt)).scalar_one_or_none()
        if user_id is None:
            return None
        return User(id=user_id, email=email, name=name, account_type=account_type,
                    external_subject=external_subject)

    async def open_seller(self, *, user_id: int, display_name: str,
                          payable_account: Callable[[int], str], now: datetime) -> Seller:
        seller_id = (await self.conn.execute(insert(sellers).values(
            user_id=user_id, display_name=display_name, created_at=now,
        ).returning(sellers.c.id))).scalar_one()
        await self.conn.execute(insert(ledger_accounts).values(
            name=payable_account(seller_id), currency="USD", balance_minor=0, created_at=now))
        return Seller(id=seller_id, user_id=user_id, display_name=display_name)

    async def get(self, user_id: int) -> User | None:
        row = (await self.conn.execute(select(*USER_COLUMNS).select_from(USERS_WITH_SELLER)
                                       .where(users.c.id == user_id))).first()
        return to_user(row) if row else None

    async def credentials(self, email: str) -> tuple[User, str | None] | None:
        row = (await self.conn.execute(
            select(*USER_COLUMNS, users.c.password_hash).select_from(USERS_WITH_SELLER)
            .where(users.c.email == email))).first()
        return (to_user(row), row.password_hash) if row else None

    async def by_external_subject(self, subject: str) -> User | None:
        row = (await self.conn.execute(select(*USER_COLUMNS).select_from(USERS_WITH_SELLER)
                                       .where(users.c.external_subject == subject))).first()
        return to_user(row) if row else None

    async def link_external_subject(self, user_id: int, subject: str) -> bool:
        result = await self.conn.execute(
            update(users).where(users.c.id == user_id, users.c.external_subject.is_(None))
            .values(external_subject=subject))
        return result.rowcount == 1

    async def lock_user(self, user_id: int) -> bool:
        row = (await self.conn.execute(
            self.lock(select(users.c.id).where(users.c.id == user_id)))).first()
        return row is not None

    # --- refresh tokens
    async def add_refresh_token(self, *, user_id: int, token_hash: str, family: str,
                                expires_at: datetime, now: datetime) -> None:
        await self.conn.execute(insert(refresh_tokens).values(
            user_id=user_id, token_hash=token_hash, family=family, expires_at=expires_at,
            created_at=now))

    async def use_refresh_token(self, token_hash: str, now: datetime) -> tuple[int, str] | None:
        t = refresh_tokens.c
        row = (await self.conn.execute(
            update(refresh_tokens)
            .where(t.token_hash == token_hash, t.used_at.is_(None), t.revoked_at.is_(None),
                   t.expires_at > now)
            .values(used_at=now)
            .returning(t.user_id, t.family))).first()
        return (row.user_id, row.family) if row else None

    async def family_of_used_token(self, token_hash: str) -> tuple[int, str] | None:
        t = refresh_tokens.c
        row = (await self.conn.execute(select(t.user_id, t.family).where(
            t.token_hash == token_hash, t.used_at.is_not(None)))).first()
        return (row.user_id, row.family) if row else None

    async def revoke_family(self, family: str, now: datetime) -> int:
        t = refresh_tokens.c
        result = await self.conn.execute(update(refresh_tokens).where(
            t.family == family, t.revoked_at.is_(None)).values(revoked_at=now))
        return int(result.rowcount)

    # --- addresses
    async def has_addresses(self, user_id: int) -> bool:
        return bool((await self.conn.execute(
            select(exists().where(addresses.c.user_id == user_id)))).scalar())

    async def clear_default_address(self, user_id: int) -> None:
        await self.conn.execute(update(addresses).where(
            addresses.c.user_id == user_id, addresses.c.is_default,
        ).values(is_default=False))

    async def add_address(self, *, user_id: int, fields: AddressFields,
                          is_default: bool | None, now: datetime) -> Address:
        """`is_default` None: the default when the user has no address yet, decided by the
        INSERT itself (one statement)."""
        default: Any = is_default
        if is_default is None:
            default = ~exists().where(addresses.c.user_id == user_id)
        row = (await self.conn.execute(insert(addresses).values(
            user_id=user_id, full_name=fields.full_name, line1=fields.line1,
            line2=fields.line2, city=fields.city, region=fields.region,
            postal_code=fields.postal_code, country=fields.country, phone=fields.phone,
            is_default=default, created_at=now,
        ).returning(*ADDRESS_COLUMNS))).one()
        return to_address(row)

    async def remove_address(self, *, user_id: int, address_id: int) -> Address | None:
        row = (await self.conn.execute(delete(addresses).where(
            addresses.c.id == address_id, addresses.c.user_id == user_id,
        ).returning(*ADDRESS_COLUMNS))).first()
        return to_address(row) if row else None

    async def make_latest_address_default(self, user_id: int) -> None:
        latest = (select(addresses.c.id).where(addresses.c.user_id == user_id)
                  .order_by(addresses.c.created_at.desc(), addresses.c.id.desc())
                  .limit(1).scalar_subquery())
        await self.conn.execute(update(addresses).where(addresses.c.id == latest)
                                .values(is_default=True))

    # --- saved payment methods
    async def payment_method_by_token(self, user_id: int,
                                      provider_token: str) -> PaymentMethod | None:
        row = (await self.conn.execute(select(*PAYMENT_METHOD_COLUMNS).where(and_(
            payment_methods.c.user_id == user_id,
            payment_methods.c.provider_token == provider_token)))).first()
        return to_payment_method(row) if row else None

    async def payment_method_token(self, user_id: int, payment_method_id: int) -> str | None:
        """The provider token of one of the user's saved payment methods."""
        return (await self.conn.execute(select(payment_methods.c.provider_token).where(
            payment_methods.c.user_id == user_id,
            payment_methods.c.id == payment_method_id))).scalar()

    async def has_payment_methods(self, user_id: int) -> bool:
        return bool((await self.conn.execute(
            select(exists().where(payment_methods.c.user_id == user_id)))).scalar())

    async def clear_default_payment_method(self, user_id: int) -> None:
        await self.conn.execute(update(payment_methods).where(
            payment_methods.c.user_id == user_id, payment_methods.c.is_default,
        ).values(is_default=False))

    async def set_default_payment_method(self, payment_method_id: int) -> PaymentMethod:
        row = (await self.conn.execute(update(payment_methods).where(
            payment_methods.c.id == payment_method_id,
        ).values(is_default=True).returning(*PAYMENT_METHOD_COLUMNS))).one()
        return to_payment_method(row)

    async def add_payment_method(self, *, user_id: int, provider_token: str, brand: str,
                                 last4: str, is_default: bool,
                                 now: datetime) -> PaymentMethod:
        row = (await self.conn.execute(insert(payment_methods).values(
            user_id=user_id, provider_token=provider_token, brand=brand, last4=last4,
            is_default=is_default, created_at=now,
        ).returning(*PAYMENT_METHOD_COLUMNS))).one()
        return to_payment_method(row)

    async def purge_expired_refresh_tokens(self, now: datetime, limit: int) -> int:
        """Delete refresh tokens past their expiry (used, revoked or not: an expired token can
        neither be used nor reveal a reuse any more)."""
        t = refresh_tokens.c
        ids = select(t.id).where(t.expires_at <= now).limit(limit).scalar_subquery()
        result = await self.conn.execute(delete(refresh_tokens).where(t.id.in_(ids)))
        return int(result.rowcount or 0)
