"""Rows for tests that are about something else (a cart test needs a product, not the
productCreate mutation). Inserted in one transaction through the tables; tokens are issued by
the app's own TokenIssuer, exactly as login does."""
from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from persistence.tables import (
    categories,
    ledger_accounts,
    product_images,
    products,
    sellers,
    stock,
    users,
    variants,
)

_seq = itertools.count(1)


@dataclass
class Account:
    user_id: int
    email: str
    account_type: str
    token: str
    seller_id: int | None = None


@dataclass
class MadeProduct:
    id: int
    slug: str
    seller_id: int
    variant_ids: list[int] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)


async def make_account(runtime: Any, account_type: str = "BUYER", *,
                       email: str | None = None, name: str = "Test User",
                       password_hash: str | None = None) -> Account:
    from domain.ids import encode_id

    now = runtime.clock.now()
    email = email or f"{account_type.lower()}-{uuid.uuid4().hex[:10]}@example.com"
    seller_id = None
    async with runtime.db.write_engine.begin() as conn:
        user_id = (await conn.execute(insert(users).values(
            email=email, name=name, password_hash=password_hash, account_type=account_type,
            created_at=now).returning(users.c.id))).scalar_one()
        if account_type == "SELLER":
            seller_id = (await conn.execute(insert(sellers).values(
                user_id=user_id, display_name=f"{name}'s shop", created_at=now
            ).returning(sellers.c.id))).scalar_one()
            await conn.execute(insert(ledger_accounts).values(
                name=f"SELLER_PAYABLE:{encode_id('Seller', seller_id)}", currency="USD",
                balance_minor=0, created_at=now))
    token = runtime.tokens.issue(user_id=user_id, account_type=account_type,
                                 seller_id=seller_id, now=now).token
    return Account(user_id, email, account_type, token, seller_id)


async def make_category(runtime: Any, slug: str | None = None, name: str | None = None) -> int:
    n = next(_seq)
    async with runtime.db.write_engine.begin() as conn:
        return int((await conn.execute(insert(categories).values(
            slug=slug or f"cat-{n}-{uuid.uuid4().hex[:6]}", name=name or f"Category {n}",
            position=n).returning(categories.c.id))).scalar_one())


async def make_product(runtime: Any, seller_id: int, *, prices: list[int] | None = None,
                       stock_each: int | list[int] = 10, status: str = "ACTIVE",
                       name: str | None = None, description: str = "",
                       category_id: int | None = None, currency: str = "USD",
                       images: int = 1, low_stock_threshold: int = 5) -> MadeProduct:
    n = next(_seq)
    prices = prices or [1000]
    stocks = stock_each if isinstance(stock_each, list) else [stock_each] * len(prices)
    now = runtime.clock.now()
    slug = f"product-{n}-{uuid.uuid4().hex[:6]}"
    async with runtime.db.write_engine.begin() as conn:
        product_id = (await conn.execute(insert(products).values(
            seller_id=seller_id, category_id=category_id, slug=slug,
            name=name or f"Product {n}", description=description, status=status,
            currency=currency, min_price_minor=min(prices), max_price_minor=max(prices),
            created_at=now, updated_at=now).returning(products.c.id))).scalar_one()
        made = MadeProduct(product_id, slug, seller_id)
        for i in range(images):
            await conn.execute(insert(product_images).values(
                product_id=product_id, url=f"https://img.example.com/{slug}/{i}.jpg",
                alt_text=f"{slug} {i}", position=i))
        for i, (price, units) in enumerate(zip(prices, stocks, strict=True)):
            sku = f"SKU-{n}-{i}-{uuid.uuid4().hex[:6]}"
            variant_id = (await conn.execute(insert(variants).values(
                product_id=product_id, sku=sku, name=f"Variant {i}", price_minor=price,
                position=i, created_at=now).returning(variants.c.id))).scalar_one()
            await conn.execute(insert(stock).values(
                variant_id=variant_id, total=units, available=units, reserved=0, allocated=0,
                low_stock_threshold=low_stock_threshold))
            made.variant_ids.append(variant_id)
            made.skus.append(sku)
    return made


async def make_promotion(runtime: Any, code: str, *, kind: str = "PERCENT", value: int = 20,
                         created_by: int, seller_id: int | None = None,
                         description: str | None = None, **rules: Any) -> None:
    from persistence.tables import promotions

    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(insert(promotions).values(
            code=code, description=description or f"{code} ({kind} {value})", kind=kind,
            value=value, currency="USD", times_used=rules.pop("times_used", 0), active=True,
            seller_id=seller_id, created_by=created_by, created_at=runtime.clock.now(),
            **rules))


async def give_points(runtime: Any, user_id: int, points: int, *,
                      earned_days_ago: float = 1) -> None:
    """A balance of `points`, all earned `earned_days_ago` days ago (sets the tier)."""
    from datetime import timedelta

    from persistence.tables import loyalty_accounts, loyalty_transactions

    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(insert(loyalty_accounts).values(user_id=user_id, points=points))
        await conn.execute(insert(loyalty_transactions).values(
            user_id=user_id, kind="EARN", points=points, order_id=None,
            created_at=runtime.clock.now() - timedelta(days=earned_days_ago)))


def reissue(runtime: Any, account: Account) -> str:
    """A fresh access token at the clock's current time (tests that move time past 15 min)."""
    account.token = runtime.tokens.issue(user_id=account.user_id,
                                         account_type=account.account_type,
                                         seller_id=account.seller_id,
                                         now=runtime.clock.now()).token
    return account.token
