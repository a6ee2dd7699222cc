"""Catalogue rules without a database: validation, slugs, URLs, visibility, the FTS5 query
translation and keyset cursors."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.catalog import Actor, Product, ProductStatus, can_see
from domain.catalog.rules import (
    NewProduct,
    NewVariant,
    ProductChanges,
    VariantChanges,
    checked_changes,
    checked_new_product,
    checked_variant_changes,
    is_http_url,
    price_range,
    slugify,
)
from domain.errors import ErrorList
from persistence.reads.catalog_search import fts5_query
from persistence.reads.pagination import (
    InvalidCursor,
    InvalidPageSize,
    Ordering,
    SortKey,
    check_first,
)
from persistence.tables import products

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def product(status: ProductStatus = ProductStatus.ACTIVE, seller_id: int = 1) -> Product:
    return Product(id=1, seller_id=seller_id, category_id=None, slug="p", name="P",
                   description="", status=status, currency="USD", min_price_minor=1,
                   max_price_minor=2, created_at=NOW, updated_at=NOW)


def fields(exc: ErrorList) -> list[list[str] | None]:
    return [list(e.field) if e.field else None for e in exc.errors]


@pytest.mark.parametrize("name, slug", [
    ("Wireless Headphones", "wireless-headphones"), ("  Ça va? Lamp!! ", "ca-va-lamp"),
    ("日本語", "product"), ("---", "product"), ("A" * 200, "a" * 80),
    ("USB-C 3.1 Cable (2m)", "usb-c-3-1-cable-2m"),
])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize("url, ok", [
    ("https://img.example.com/a.jpg", True), ("http://localhost:8000/x.png", True),
    ("ftp://example.com/a", False), ("javascript:alert(1)", False), ("//example.com/a", False),
    ("https://", False), ("https://exa mple.com/a", False), ("not a url", False),
    ("https://example.com/" + "a" * 1000, False), ("https://[::1", False),
])
def test_image_urls(url: str, ok: bool) -> None:
    assert is_http_url(url) is ok


def test_new_product_is_normalised() -> None:
    data = checked_new_product(NewProduct(
        name="  Lamp ", currency=" eur", category_slug="  ", image_urls=(" https://a.b/c ",),
        variants=(NewVariant(sku=" L-1 ", name=" Small ", price_minor=0, stock=0),)))
    assert (data.name, data.currency, data.category_slug) == ("Lamp", "EUR", None)
    assert data.image_urls == ("https://a.b/c",)
    assert data.variants[0] == NewVariant(sku="L-1", name="Small", price_minor=0, stock=0)


def test_new_product_reports_every_problem() -> None:
    with pytest.raises(ErrorList) as caught:
        checked_new_product(NewProduct(
            name="", currency="US", status="LIVE", image_urls=("x",) * 21,
            variants=(NewVariant("A", "a", -1, -1), NewVariant("A", "", 1),
                      NewVariant("B C", "b", 1), NewVariant("x" * 101, "d", 1))))
    assert all(e.code == "INVALID_INPUT" for e in caught.value.errors)
    assert fields(caught.value) == [
        ["input", "name"], ["input", "currency"], ["input", "status"], ["input", "imageUrls"],
        ["input", "variants", "0", "priceMinorUnits"], ["input", "variants", "0", "stock"],
        ["input", "variants", "1", "name"], ["input", "variants", "1", "sku"],
        ["input", "variants", "2", "sku"], ["input", "variants", "3", "sku"]]


def test_variants_are_required_and_bounded() -> None:
    with pytest.raises(ErrorList) as caught:
        checked_new_product(NewProduct(name="P", variants=()))
    assert fields(caught.value) == [["input", "variants"]]
    many = tuple(NewVariant(f"S{i}", "v", 1) for i in range(101))
    with pytest.raises(ErrorList):
        checked_new_product(NewProduct(name="P", variants=many))


def test_changes() -> None:
    assert checked_changes(ProductChanges()) == ProductChanges()
    cleared = checked_changes(ProductChanges(category_slug=" ", set_category=True))
    assert cleared.category_slug is None and cleared.set_category
    with pytest.raises(ErrorList) as caught:
        checked_changes(ProductChanges(name=" ", description="x" * 20_001, status="GONE",
                                       image_urls=("nope",)))
    assert fields(caught.value) == [["input", "name"], ["input", "description"],
                                    ["input", "status"], ["input", "imageUrls", "0"]]
    assert checked_variant_changes(VariantChanges(name=" V ")).name == "V"
    with pytest.raises(ErrorList):
        checked_variant_changes(VariantChanges(price_minor=-1))


def test_price_range() -> None:
    assert price_range([300, 100, 200]) == (100, 300)


def test_visibility_and_management() -> None:
    seller, other = Actor(user_id=1, seller_id=1), Actor(user_id=2, seller_id=2)
    admin, buyer = Actor(user_id=3, is_admin=True), Actor(user_id=4)
    for status in ("DRAFT", "ARCHIVED"):
        hidden = product(status)
        assert can_see(hidden, seller) and can_see(hidden, admin)
        assert not can_see(hidden, other) and not can_see(hidden, buyer)
        assert not can_see(hidden, None)
    assert all(can_see(product(), who) for who in (seller, other, admin, buyer, None))
    assert seller.can_manage(product()) and admin.can_manage(product())
    assert not other.can_manage(product()) and not buyer.can_manage(product())
    assert not buyer.is_manager and seller.is_manager and admin.is_manager


@pytest.mark.parametrize("text, query", [
    ("headphones", '(("headphones"))'),
    ("wireless headphones", '(("wireless" AND "headphones"))'),
    ("red blue or green", '(("red" AND "blue")) OR (("green"))'),
    ('"wireless headphones" -bass', '(("wireless headphones") NOT "bass")'),
    ("AND(", '(("AND"))'),
    ("NEAR(a b)", '(("NEAR a" AND "b"))'),
    ("col:x*", '(("col x"))'),
    ('"', None), ("-bass", None), ("or", None), ("***", None),
])
def test_fts5_query_quotes_every_term(text: str, query: str | None) -> None:
    assert fts5_query(text) == query


ORDER = Ordering("NEWEST", (SortKey(products.c.created_at, True, datetime),
                            SortKey(products.c.id, True, int)))


def test_cursor_round_trip() -> None:
    cursor = ORDER.encode([NOW, 42])
    assert "=" not in cursor and ORDER.decode(cursor) == [NOW, 42]


@pytest.mark.parametrize("cursor", [
    "", "garbage", "e30", ORDER.encode([NOW, 42])[:-3],
    Ordering("NAME", ORDER.keys).encode([NOW, 1]),  # another ordering
    Ordering("NEWEST", (SortKey(products.c.id, True, int),)).encode([1]),  # wrong arity
    Ordering("NEWEST", (SortKey(products.c.name, True, str),
                        SortKey(products.c.id, True, int))).encode(["x", 1]),  # wrong types
    Ordering("NEWEST", ORDER.keys).encode([NOW.replace(tzinfo=None), 1]),  # naive datetime
    Ordering("NEWEST", ORDER.keys).encode([NOW, True]), "x" * 5000,
])
def test_invalid_cursors(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        ORDER.decode(cursor)


def test_page_size() -> None:
    assert check_first(None, 100) == 20 and check_first(0, 100) == 0
    assert check_first(100, 100) == 100
    for bad in (-1, 101):
        with pytest.raises(InvalidPageSize):
            check_first(bad, 100)
