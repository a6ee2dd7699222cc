"""Per-request loaders: one typed attribute per batched relation (`<entity>_by_<key>`, built on
first use), and methods for the reads a request makes that are not batched (list pages and
their counts, categories, a cart, a cart line with its owner).

Every relation a GraphQL type exposes goes through a loader, so a page of N products costs the
same few statements as a page of 1. Every read goes through `_read`: the request's one read
connection (persistence/request_reads.py), one statement at a time.
Visibility rules (DRAFT / ARCHIVED products, owners) are the resolvers', not applied here.
"""
from __future__ import annotations

import weakref
from datetime import datetime
from functools import cached_property
from typing import Awaitable, Callable, Sequence, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.cart.model import Cart, CartLine
from domain.catalog import Category, Product, ProductImage, Variant
from domain.clock import Clock
from domain.identity.models import Address, AuditEntry, PaymentMethod, Seller, User
from domain.catalog.inventory import StockLevel
from domain.orders.model import Order, OrderLine, Payment, Shipment
from domain.payments.faults import PaymentFault
from persistence.reads import audit, cart, catalog, catalog_by_seller, catalog_listing, identity
from persistence.reads import orders, payment_faults
from persistence.reads.catalog_listing import ProductQuery
from persistence.reads.orders import OrderQuery, ShipmentQuery
from persistence.reads.pagination import Page
from persistence.reads.primed import Primed
from persistence.request_reads import RequestReads

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


class Loaders:
    """Made per HTTP request and per WebSocket operation; a request that never touches a
    relation never creates its loader."""

    def __init__(self, reads: RequestReads, clock: Clock) -> None:
        self.reads = reads
        self.db = reads.db
        self.clock = clock

    async def _read(self, query: Callable[[AsyncConnection], Awaitable[R]]) -> R:
        """The one place a loader reads: through the request's reads (one read connection per
        HTTP request, one statement at a time; a dead connection is replaced and the read run
        once more: persistence/request_reads.py, docs/architecture.md "Read connections")."""
        return await self.reads.run(query)

    def _batched(self, query: Callable[[AsyncConnection, Sequence[K]],
                                       Awaitable[Sequence[V] | Primed]]) -> DataLoader[K, V]:
        """A loader over a batched read query: one value per key, aligned with the keys. Rows
        of other loaders the query read in the same statement (`Primed`) are primed there."""

        # The loader is kept in this object's attributes, so its batch function holds this
        # object weakly: a strong reference would make a reference cycle of every request's
        # loaders and the rows they cached, freed only by the garbage collector
        # (docs/architecture.md, "Memory: no reference cycles per request").
        owner = weakref.ref(self)
        reads = self.reads

        async def batch(keys: list[K]) -> list[V]:
            found = await reads.run(lambda conn: query(conn, keys))  # as `_read` does
            if isinstance(found, Primed):
                loaders = owner()
                if loaders is None:  # the request ended while the read ran: nobody waits
                    return list(found.values)
                for name, pairs in found.primes.items():
                    related: DataLoader = getattr(loaders, name)
                    for key, value in pairs:
                        related.prime(key, value)
                return list(found.values)
            return list(found)

        return DataLoader(batch_load_fn=batch)

    # --- identity
    @cached_property
    def user_by_id(self) -> DataLoader[int, User | None]:
        return self._batched(identity.users_by_id)

    @cached_property
    def seller_by_id(self) -> DataLoader[int, Seller | None]:
        return self._batched(identity.sellers_by_id)

    @cached_property
    def addresses_by_user(self) -> DataLoader[int, list[Address]]:
        """Each user's addresses, oldest first."""
        return self._batched(identity.addresses_by_user)

    @cached_property
    def payment_methods_by_user(self) -> DataLoader[int, list[PaymentMethod]]:
        return self._batched(identity.payment_methods_by_user)

    @cached_property
    def address_by_id(self) -> DataLoader[int, Address | None]:
        """Owner checks are the caller's."""
        return self._batched(identity.addresses_by_id)

    @cached_property
    def payment_method_by_id(self) -> DataLoader[int, PaymentMethod | None]:
        return self._batched(identity.payment_methods_by_id)

    # --- catalog
    @cached_property
    def product_by_id(self) -> DataLoader[int, Product | None]:
        return self._batched(catalog.products_by_id)

    @cached_property
    def product_by_slug(self) -> DataLoader[str, Product | None]:
        return self._batched(catalog.products_by_slug)

    @cached_property
    def variant_by_id(self) -> DataLoader[int, Variant | None]:
        """With its currency and stock."""
        return self._batched(catalog.variants_by_id)

    @cached_property
    def variant_by_sku(self) -> DataLoader[str, Variant | None]:
        return self._batched(catalog.variants_by_sku)

    @cached_property
    def variants_by_product_id(self) -> DataLoader[int, list[Variant]]:
        """Position order, with stock."""
        return self._batched(catalog.variants_by_product_id)

    @cached_property
    def images_by_product_id(self) -> DataLoader[int, list[ProductImage]]:
        return self._batched(catalog.images_by_product_id)

    @cached_property
    def category_by_id(self) -> DataLoader[int, Category | None]:
        return self._batched(catalog.categories_by_id)

    @cached_property
    def stock_by_variant_id(self) -> DataLoader[int, StockLevel | None]:
        return self._batched(catalog.stock_by_variant_id)

    @cached_property
    def seller_first_page(self) -> DataLoader[tuple[int, int], Page[Product]]:
        """(seller, page size) -> ACTIVE products, newest first (`Seller.products`)."""
        return self._batched(catalog_by_seller.first_pages_by_seller)

    @cached_property
    def active_product_count_by_seller(self) -> DataLoader[int, int]:
        return self._batched(catalog_by_seller.active_counts_by_seller)

    # --- cart
    @cached_property
    def cart_lines_by_cart(self) -> DataLoader[int, list[CartLine]]:
        return self._batched(cart.lines_by_cart)

    # --- orders, shipments, payments
    @cached_property
    def order_by_id(self) -> DataLoader[int, Order | None]:
        return self._batched(orders.orders_by_id)

    @cached_property
    def order_lines_by_order(self) -> DataLoader[int, list[OrderLine]]:
        return self._batched(orders.lines_by_order)

    @cached_property
    def shipments_by_order(self) -> DataLoader[int, list[Shipment]]:
        return self._batched(orders.shipments_by_order)

    @cached_property
    def shipment_by_id(self) -> DataLoader[int, Shipment | None]:
        return self._batched(orders.shipments_by_id)

    @cached_property
    def payments_by_order(self) -> DataLoader[int, list[Payment]]:
        return self._batched(orders.payments_by_order)

    @cached_property
    def order_history_by_order(self) -> DataLoader[int, list[tuple[str, datetime]]]:
        """(status, when it was entered), oldest first."""
        return self._batched(orders.history_by_order)

    @cached_property
    def payment_by_id(self) -> DataLoader[int, Payment | None]:
        return self._batched(payment_faults.payments_by_id)

    # --- reads that are not batched: list pages (keyset, `first` already checked) and counts
    async def product_page(self, query: ProductQuery, first: int,
                           after: str | None) -> Page[Product]:
        return await self._read(lambda conn: catalog_listing.product_page(
            conn, query, first=first, after=after))

    async def product_count(self, query: ProductQuery) -> int:
        return await self._read(lambda conn: catalog_listing.product_count(conn, query))

    async def categories(self) -> list[Category]:
        """Every category, by position then name."""
        return await self._read(catalog.all_categories)

    async def order_page(self, query: OrderQuery, first: int, after: str | None) -> Page[Order]:
        return await self._read(lambda conn: orders.order_page(
            conn, query, first=first, after=after))

    async def order_count(self, query: OrderQuery) -> int:
        return await self._read(lambda conn: orders.order_count(conn, query))

    async def shipment_page(self, query: ShipmentQuery, first: int,
                            after: str | None) -> Page[Shipment]:
        return await self._read(lambda conn: orders.shipment_page(
            conn, query, first=first, after=after))

    async def shipment_count(self, query: ShipmentQuery) -> int:
        return await self._read(lambda conn: orders.shipment_count(conn, query))

    async def audit_page(self, first: int, after: str | None) -> Page[AuditEntry]:
        return await self._read(lambda conn: audit.audit_page(conn, first, after))

    async def audit_count(self) -> int:
        return await self._read(audit.audit_count)

    async def payment_fault_page(self, first: int, after: str | None) -> Page[PaymentFault]:
        return await self._read(lambda conn: payment_faults.fault_page(
            conn, first=first, after=after))

    async def payment_fault_count(self) -> int:
        return await self._read(payment_faults.fault_count)

    async def cart_by_id(self, cart_id: int) -> Cart | None:
        return await self._read(lambda conn: cart.cart_by_id(conn, cart_id))

    async def line_with_owner(self, line_id: int) -> tuple[CartLine, int] | None:
        """A cart line with its current price, and the id of the buyer whose cart holds it."""
        return await self._read(lambda conn: cart.line_with_owner(conn, line_id))
