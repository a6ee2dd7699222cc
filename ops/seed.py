"""`marketplace seed-demo`: idempotent demo data for trying the API.

Loads, in one transaction: the eight categories and 64 products of ops/seed_data.py (every
product ACTIVE, 1-3 variants with stock and an image), three seller accounts (each with its
sellers row and its SELLER_PAYABLE:<seller id> ledger account), a demo buyer, and the
platform-wide promotion SUMMER2024 (20% off). Passwords are hashed with Argon2id.

Running it again changes nothing and does not fail: every row is looked up by its natural key
(category slug, email, product slug, SKU, ledger account name, promotion code) and only the
missing ones are inserted; an existing account keeps its password.

promotions.created_by must name a user, and a platform code is not any seller's or buyer's:
the seed owns a dedicated platform user, platform@example.com, an ADMIN row with no password
(nobody can sign in as it). Real admins come from `marketplace create-admin`.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.clock import Clock, SystemClock
from domain.ids import encode_id
from ops.seed_data import CATEGORIES, SELLERS, DemoProduct, demo_products
from persistence.db import create_database
from persistence.tables import (
    addresses,
    loyalty_accounts,
    loyalty_transactions,
    categories,
    ledger_accounts,
    product_images,
    products,
    promotions,
    sellers,
    stock,
    users,
    variants,
)
from adapters.security.passwords import Argon2PasswordHasher
from settings import Settings

SELLER_PASSWORD = "seller-password"
BUYER_EMAIL, BUYER_PASSWORD = "buyer@example.com", "buyer-password"
PLATFORM_EMAIL = "platform@example.com"
PROMOTION_CODE = "SUMMER2024"
DEMO_POINTS = 800


class _Seeder:
    def __init__(self, conn: AsyncConnection, hasher: Argon2PasswordHasher, now: datetime,
                 low_stock_threshold: int) -> None:
        self.conn = conn
        self.hasher = hasher
        self.now = now
        self.threshold = low_stock_threshold
        self.insert: Callable[[Any], Any] = (
            postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)

    async def _id(self, table: Any, column: Any, value: Any) -> int | None:
        found = (await self.conn.execute(select(table.c.id).where(column == value))).first()
        return int(found.id) if found else None

    async def user(self, email: str, name: str, account_type: str,
                   password: str | None) -> int:
        found = await self._id(users, users.c.email, email)
        if found is not None:
            return found
        return int((await self.conn.execute(insert(users).values(
            email=email, name=name, account_type=account_type, created_at=self.now,
            password_hash=self.hasher.hash(password) if password else None,
        ).returning(users.c.id))).scalar_one())

    async def seller(self, email: str, display_name: str) -> int:
        user_id = await self.user(email, display_name, "SELLER", SELLER_PASSWORD)
        seller_id = await self._id(sellers, sellers.c.user_id, user_id)
        if seller_id is None:
            seller_id = int((await self.conn.execute(insert(sellers).values(
                user_id=user_id, display_name=display_name, created_at=self.now,
            ).returning(sellers.c.id))).scalar_one())
        await self.conn.execute(self.insert(ledger_accounts).values(
            name=f"SELLER_PAYABLE:{encode_id('Seller', seller_id)}", currency="USD",
            balance_minor=0, created_at=self.now).on_conflict_do_nothing())
        return seller_id

    async def categories(self) -> dict[str, int]:
        for position, (slug, name, _, _) in enumerate(CATEGORIES, start=1):
            await self.conn.execute(self.insert(categories).values(
                slug=slug, name=name, position=position).on_conflict_do_nothing())
        rows = await self.conn.execute(select(categories.c.slug, categories.c.id))
        return {row.slug: row.id for row in rows}

    async def product(self, demo: DemoProduct, seller_id: int, category_id: int) -> None:
        if await self._id(products, products.c.slug, demo.slug) is not None:
            return
        created = self.now - timedelta(hours=demo.age_hours)
        prices = [v.price_minor for v in demo.variants]
        product_id = (await self.conn.execute(insert(products).values(
            seller_id=seller_id, category_id=category_id, slug=demo.slug, name=demo.name,
            description=demo.description, status="ACTIVE", currency="USD",
            min_price_minor=min(prices), max_price_minor=max(prices), has_history=0,
            created_at=created, updated_at=created).returning(products.c.id))).scalar_one()
        await self.conn.execute(insert(product_images).values(
            product_id=product_id, url=demo.image_url, alt_text=demo.name, position=0))
        for position, v in enumerate(demo.variants):
            variant_id = (await self.conn.execute(self.insert(variants).values(
                product_id=product_id, sku=v.sku, name=v.name, price_minor=v.price_minor,
                position=position, created_at=created,
            ).on_conflict_do_nothing().returning(variants.c.id))).scalar()
            if variant_id is not None:
                await self.conn.execute(self.insert(stock).values(
                    variant_id=variant_id, total=v.stock, available=v.stock, reserved=0,
                    allocated=0, low_stock_threshold=self.threshold).on_conflict_do_nothing())

    async def buyer_extras(self, buyer_id: int) -> None:
        """500+ loyalty points (BRONZE) and a default address in California, so the demo
        buyer can try points, SUMMER2024 and CA tax at checkout straight away."""
        created = (await self.conn.execute(self.insert(loyalty_accounts).values(
            user_id=buyer_id, points=DEMO_POINTS).on_conflict_do_nothing()
            .returning(loyalty_accounts.c.user_id))).first()
        if created is None:
            return
        await self.conn.execute(insert(loyalty_transactions).values(
            user_id=buyer_id, kind="EARN", points=DEMO_POINTS, order_id=None,
            created_at=self.now - timedelta(days=30)))
        await self.conn.execute(insert(addresses).values(
            user_id=buyer_id, full_name="Demo Buyer", line1="1 Market St", line2=None,
            city="San Francisco", region="CA", postal_code="94105", country="US",
            phone=None, is_default=True, created_at=self.now))

    async def promotion(self, created_by: int) -> None:
        await self.conn.execute(self.insert(promotions).values(
            code=PROMOTION_CODE, description="Summer sale: 20% off everything",
            kind="PERCENT", value=20, currency="USD", times_used=0, active=True,
            seller_id=None, created_by=created_by, created_at=self.now,
        ).on_conflict_do_nothing())


async def seed_demo(settings: Settings, *, password_hasher: Argon2PasswordHasher | None = None,
                    clock: Clock | None = None, quiet: bool = False) -> None:
    """Load the demo data (idempotent) and print the demo credentials."""
    db = create_database(settings.database_url)
    try:
        async with db.write_engine.begin() as conn:
            seed = _Seeder(conn, password_hasher or Argon2PasswordHasher(),
                           (clock or SystemClock()).now(), settings.low_stock_threshold)
            category_ids = await seed.categories()
            seller_ids = {email: await seed.seller(email, name) for email, name, _ in SELLERS}
            buyer = await seed.user(BUYER_EMAIL, "Demo Buyer", "BUYER", BUYER_PASSWORD)
            await seed.buyer_extras(buyer)
            platform = await seed.user(PLATFORM_EMAIL, "Marketplace Platform", "ADMIN", None)
            for demo in demo_products():
                await seed.product(demo, seller_ids[demo.seller_email],
                                   category_ids[demo.category])
            await seed.promotion(platform)
    finally:
        await db.dispose()
    if not quiet:
        print(credentials())


def credentials() -> str:
    sellers_text = "\n".join(f"  seller  {email} / {SELLER_PASSWORD}  ({name})"
                             for email, name, _ in SELLERS)
    return (
        "Demo data is loaded.\n"
        f"  buyer   {BUYER_EMAIL} / {BUYER_PASSWORD}  ({DEMO_POINTS} loyalty points, "
        "default address in CA)\n"
        f"{sellers_text}\n"
        f"  promotion code {PROMOTION_CODE}: 20% off\n"
        "  admin: run `marketplace create-admin --email admin@example.com --password ...`"
    )
