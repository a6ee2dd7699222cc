"""The seller's catalogue and stock: create, update and delete products, update variants, set
and adjust stock, and the sellerProducts, sellerInventory and adminProducts lists.

Mutations need a signed-in user (AuthenticationRequired otherwise); everything else is a
DomainError: a buyer gets FORBIDDEN, an id that is not one of ours NOT_FOUND. Each mutation is
one use case in one transaction (domain/catalog/products.py, stock.py): all or nothing.
Queries: sellerProducts and sellerInventory are for SELLER accounts, adminProducts for ADMIN
(AuthenticationRequired / PermissionDenied otherwise). sellerInventory of another seller's or
an unknown variant is None.
"""
from __future__ import annotations

from typing import Awaitable, Callable, Optional

from dataloaders.queries import ProductQuery
from domain.catalog import Actor, Product, RemovedProduct, Variant
from domain.catalog import products as use_cases
from domain.catalog import stock as stock_cases
from domain.catalog.rules import NewProduct, ProductChanges, VariantChanges
from domain.errors import not_found
from domain.ids import decode_pk
from domain.catalog.inventory import StockLevel
from domain.ports import UnitOfWork
from resolvers.caller import Caller
from resolvers.catalog import product_listing
from resolvers.listing import Listing

StockMove = Callable[[UnitOfWork, Actor, int], Awaitable[StockLevel]]


async def _actor(caller: Caller) -> Actor:
    v = await caller.require()
    return Actor(user_id=v.user_id, seller_id=v.seller_id, is_admin=v.is_admin)


def _pk(value: str, type_name: str, field: str) -> int:
    pk = decode_pk(value, type_name)
    if pk is None:
        raise not_found(f"No such {type_name[0].lower()}{type_name[1:]}.", field)
    return pk


async def product_create(caller: Caller, data: NewProduct) -> Product:
    actor = await _actor(caller)
    threshold = caller.settings.low_stock_threshold
    return await caller.units.transaction(lambda uow: use_cases.create_product(
        uow, actor=actor, data=data, low_stock_threshold=threshold))


async def product_update(caller: Caller, id: str, changes: ProductChanges) -> Product:
    actor = await _actor(caller)
    pk = _pk(id, "Product", "id")
    return await caller.units.transaction(lambda uow: use_cases.update_product(
        uow, actor=actor, product_id=pk, changes=changes))


async def product_delete(caller: Caller, id: str) -> RemovedProduct:
    """The archived product, or the erased product's last state (variants and images
    included)."""
    actor = await _actor(caller)
    pk = _pk(id, "Product", "id")
    return await caller.units.transaction(lambda uow: use_cases.delete_product(
        uow, actor=actor, product_id=pk))


async def variant_update(caller: Caller, id: str, changes: VariantChanges) -> Variant:
    actor = await _actor(caller)
    pk = _pk(id, "ProductVariant", "id")
    return await caller.units.transaction(lambda uow: use_cases.update_variant(
        uow, actor=actor, variant_id=pk, changes=changes))


async def _stock_move(caller: Caller, variant_id: str, move: StockMove) -> StockLevel:
    actor = await _actor(caller)
    pk = _pk(variant_id, "ProductVariant", "variantId")
    return await caller.units.transaction(lambda uow: move(uow, actor, pk))


async def inventory_set(caller: Caller, variant_id: str, total: int) -> StockLevel:
    return await _stock_move(caller, variant_id, lambda uow, actor, pk: stock_cases.set_stock(
        uow, actor=actor, variant_id=pk, total=total))


async def inventory_adjust(caller: Caller, variant_id: str, delta: int) -> StockLevel:
    return await _stock_move(caller, variant_id, lambda uow, actor, pk: stock_cases.adjust_stock(
        uow, actor=actor, variant_id=pk, delta=delta))


async def my_products(caller: Caller, first: Optional[int], after: Optional[str],
                      status: Optional[str]) -> Listing[Product]:
    """sellerProducts: the seller's own products in every status (or one), newest first."""
    seller = await caller.require("SELLER")
    statuses = (status,) if status is not None else None
    query = ProductQuery(statuses=statuses, seller_id=seller.seller_id,
                         match_nothing=seller.seller_id is None)
    return await product_listing(caller, query, first, after)


async def my_inventory(caller: Caller, variant_id: str) -> Optional[StockLevel]:
    seller = await caller.require("SELLER")
    pk = decode_pk(variant_id, "ProductVariant")
    loaders = caller.loaders
    found = await loaders.variant_by_id.load(pk) if pk else None
    if found is None or found.stock is None:
        return None
    owner = await loaders.product_by_id.load(found.product_id)
    if owner is None or owner.seller_id != seller.seller_id:
        return None
    return found.stock


async def admin_products(caller: Caller, first: Optional[int], after: Optional[str],
                         seller_id: Optional[str]) -> Listing[Product]:
    """adminProducts: every product in every status, newest first, optionally one seller's."""
    await caller.require("ADMIN")
    pk = decode_pk(seller_id, "Seller") if seller_id is not None else None
    query = ProductQuery(statuses=None, seller_id=pk,
                         match_nothing=seller_id is not None and pk is None)
    return await product_listing(caller, query, first, after)
