"""Categories, products, images, variants and per-variant stock."""
from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from persistence.tables.base import metadata
from persistence.types import UTCDateTime

categories = Table(
    "categories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False, server_default=text("0")),
)

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seller_id", Integer, ForeignKey("sellers.id"), nullable=False, index=True),
    Column("category_id", Integer, ForeignKey("categories.id"), nullable=True, index=True),
    Column("slug", String(200), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("status", String(10), nullable=False),
    Column("currency", String(3), nullable=False),
    # Denormalised from the variants in the same transaction that changes them, so that price
    # filters, price sorts and keyset cursors use one indexed column.
    Column("min_price_minor", Integer, nullable=False, server_default=text("0")),
    Column("max_price_minor", Integer, nullable=False, server_default=text("0")),
    Column("has_history", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('DRAFT','ACTIVE','ARCHIVED')", name="status"),
    CheckConstraint("min_price_minor >= 0 AND max_price_minor >= min_price_minor", name="prices"),
)
Index("ix_products_status_created", products.c.status, products.c.created_at, products.c.id)
Index("ix_products_status_price", products.c.status, products.c.min_price_minor, products.c.id)
Index("ix_products_status_name", products.c.status, products.c.name, products.c.id)

product_images = Table(
    "product_images",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False, index=True),
    Column("url", String(1000), nullable=False),
    Column("alt_text", String(300), nullable=True),
    Column("position", Integer, nullable=False, server_default=text("0")),
)

variants = Table(
    "variants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False, index=True),
    Column("sku", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("price_minor", Integer, nullable=False),
    Column("position", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("price_minor >= 0", name="price_minor"),
)

stock = Table(
    "stock",
    metadata,
    Column("variant_id", Integer, ForeignKey("variants.id"), primary_key=True),
    Column("total", Integer, nullable=False),
    Column("available", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, server_default=text("0")),
    Column("allocated", Integer, nullable=False, server_default=text("0")),
    Column("low_stock_threshold", Integer, nullable=False, server_default=text("5")),
    CheckConstraint("available >= 0", name="available"),
    CheckConstraint("reserved >= 0", name="reserved"),
    CheckConstraint("allocated >= 0", name="allocated"),
    CheckConstraint("total = available + reserved + allocated", name="total"),
)
