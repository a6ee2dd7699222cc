"""Pure rules of the seller's catalogue: input validation, slugs, price ranges.

Every check of one input is collected and reported at once (ErrorList of INVALID_INPUT with
the offending field path, e.g. ["input", "variants", "1", "priceMinorUnits"]).

- name: not blank, at most 300 characters (trimmed). description: at most 20,000.
- currency: ISO 4217 code, three letters (upper-cased).
- variants: 1..100; each SKU not blank, no whitespace, at most 100 characters, unique within
  the input (a SKU already in the catalogue is a CONFLICT, checked by the use case); variant
  name not blank; 0 <= priceMinorUnits <= MAX_PRICE_MINOR; stock >= 0.
- imageUrls: at most 20, each an absolute http(s) URL of at most 1,000 characters.
- Slugs come from the name: ASCII, lower case, words joined by "-", at most 80 characters
  ("product" when nothing is left); a taken slug gets "-2", "-3", ... (persistence picks the
  first free one atomically). Renaming keeps the slug, so links stay valid.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Sequence
from urllib.parse import urlsplit

from domain.catalog.models import ProductStatus
from domain.errors import DomainError, ErrorList, invalid

MAX_NAME = 300
MAX_DESCRIPTION = 20_000
MAX_SKU = 100
MAX_VARIANT_NAME = 200
MAX_URL = 1000
MAX_VARIANTS = 100
MAX_IMAGES = 20
MAX_SLUG = 80
# GraphQL's Int is 32-bit and Money.minorUnits is an Int: a line (price x up to 100 units)
# must fit, so a unit price is at most 21,474,836 minor units (214,748.36 USD).
MAX_PRICE_MINOR = (2**31 - 1) // 100
PRICE_MESSAGE = f"Price must be between 0 and {MAX_PRICE_MINOR} minor units."
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SKU = re.compile(r"^\S+$")


@dataclass(frozen=True)
class NewVariant:
    sku: str
    name: str
    price_minor: int
    stock: int = 0


@dataclass(frozen=True)
class NewProduct:
    name: str
    variants: tuple[NewVariant, ...]
    description: str = ""
    category_slug: str | None = None
    currency: str = "USD"
    status: str = ProductStatus.DRAFT
    image_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductChanges:
    """None means "leave as is"; the category is cleared with set_category and no slug."""

    name: str | None = None
    description: str | None = None
    status: str | None = None
    image_urls: tuple[str, ...] | None = None
    category_slug: str | None = None
    set_category: bool = False


@dataclass(frozen=True)
class VariantChanges:
    name: str | None = None
    price_minor: int | None = None


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_SLUG].strip("-")
    return slug or "product"


def is_http_url(value: str) -> bool:
    if len(value) > MAX_URL or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _text(value: str, label: str, limit: int, *field: str) -> list[DomainError]:
    if not value.strip():
        return [invalid(f"{label} must not be blank.", *field)]
    if len(value.strip()) > limit:
        return [invalid(f"{label} must be at most {limit} characters.", *field)]
    return []


def _images(urls: Sequence[str]) -> list[DomainError]:
    if len(urls) > MAX_IMAGES:
        return [invalid(f"At most {MAX_IMAGES} images.", "input", "imageUrls")]
    return [invalid("Image URLs must be absolute http(s) URLs.", "input", "imageUrls", str(i))
            for i, url in enumerate(urls) if not is_http_url(url.strip())]


def _description(value: str) -> list[DomainError]:
    if len(value) > MAX_DESCRIPTION:
        return [invalid(f"Description must be at most {MAX_DESCRIPTION} characters.",
                        "input", "description")]
    return []


def _status(value: str) -> list[DomainError]:
    return [] if value in set(ProductStatus) else [invalid("Unknown status.", "input", "status")]


def _variant(v: NewVariant, i: int, seen: set[str]) -> list[DomainError]:
    at = ("input", "variants", str(i))
    errors = _text(v.name, "Variant name", MAX_VARIANT_NAME, *at, "name")
    sku = v.sku.strip()
    if not sku or len(sku) > MAX_SKU or not _SKU.match(sku):
        errors.append(invalid(f"SKU must be 1..{MAX_SKU} characters without spaces.",
                              *at, "sku"))
    elif sku in seen:
        errors.append(invalid("SKUs must be unique.", *at, "sku"))
    seen.add(sku)
    if not 0 <= v.price_minor <= MAX_PRICE_MINOR:
        errors.append(invalid(PRICE_MESSAGE, *at, "priceMinorUnits"))
    if v.stock < 0:
        errors.append(invalid("Stock must be 0 or more.", *at, "stock"))
    return errors


def checked_new_product(data: NewProduct) -> NewProduct:
    """The input trimmed and normalised, or ErrorList of every problem found."""
    errors = _text(data.name, "Name", MAX_NAME, "input", "name")
    errors += _description(data.description)
    currency = data.currency.strip().upper()
    if not _CURRENCY.match(currency):
        errors.append(invalid("Currency must be an ISO 4217 code such as USD.",
                              "input", "currency"))
    errors += _status(data.status)
    errors += _images(data.image_urls)
    if not data.variants:
        errors.append(invalid("A product needs at least one variant.", "input", "variants"))
    elif len(data.variants) > MAX_VARIANTS:
        errors.append(invalid(f"At most {MAX_VARIANTS} variants.", "input", "variants"))
    seen: set[str] = set()
    for i, variant in enumerate(data.variants):
        errors += _variant(variant, i, seen)
    if errors:
        raise ErrorList(errors)
    slug = data.category_slug.strip() if data.category_slug is not None else None
    return replace(
        data, name=data.name.strip(), currency=currency, category_slug=slug or None,
        image_urls=tuple(u.strip() for u in data.image_urls),
        variants=tuple(replace(v, sku=v.sku.strip(), name=v.name.strip())
                       for v in data.variants))


def checked_changes(changes: ProductChanges) -> ProductChanges:
    errors: list[DomainError] = []
    if changes.name is not None:
        errors += _text(changes.name, "Name", MAX_NAME, "input", "name")
    if changes.description is not None:
        errors += _description(changes.description)
    if changes.status is not None:
        errors += _status(changes.status)
    if changes.image_urls is not None:
        errors += _images(changes.image_urls)
    if errors:
        raise ErrorList(errors)
    slug = changes.category_slug.strip() if changes.category_slug is not None else None
    return replace(
        changes, name=changes.name.strip() if changes.name is not None else None,
        category_slug=slug or None,
        image_urls=tuple(u.strip() for u in changes.image_urls)
        if changes.image_urls is not None else None)


def checked_variant_changes(changes: VariantChanges) -> VariantChanges:
    errors: list[DomainError] = []
    if changes.name is not None:
        errors += _text(changes.name, "Variant name", MAX_VARIANT_NAME, "input", "name")
    if changes.price_minor is not None and not 0 <= changes.price_minor <= MAX_PRICE_MINOR:
        errors.append(invalid(PRICE_MESSAGE, "input", "priceMinorUnits"))
    if errors:
        raise ErrorList(errors)
    return replace(changes, name=changes.name.strip() if changes.name is not None else None)


def price_range(prices: Sequence[int]) -> tuple[int, int]:
    """(min, max) of the variant prices, the product row's denormalised price columns."""
    return min(prices), max(prices)
