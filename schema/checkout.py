"""The checkout feature's GraphQL side: checkout sessions and their pricing, the
`checkout(id:)` query and checkoutStart / checkoutUpdate (use cases in resolvers/checkout.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import strawberry
from strawberry.types import Info

from domain.checkout import services as service
from domain.cart.model import CartLine as DomainCartLine
from domain.checkout.sessions import AddressSnapshot
from domain.identity.models import Address as DomainAddress
from domain.ids import encode_id
from domain.pricing import PriceBreakdown, PromotionPreview, ShippingOption
from domain.checkout.sessions import CheckoutStatus
from resolvers import checkout as resolve
from schema.calls import caller, mutate
from schema.cart import CartLine
from schema.common import Money, Node, UserError
from schema.identity import Address, AddressInput
from schema.loyalty import LoyaltyAccount
from schema.node import node_resolver

SHIPPING_NAMES = {"STANDARD": "Standard shipping", "EXPRESS": "Express shipping"}


strawberry.enum(CheckoutStatus)  # the domain's own enum is the GraphQL one: one list of statuses


@strawberry.type
class ShippingMethod:
    code: str
    name: str
    price: Money = strawberry.field(description="Price for the whole checkout (all shipments).")
    estimated_delivery_days: int

    @classmethod
    def from_domain(cls, option: ShippingOption) -> "ShippingMethod":
        return cls(code=option.code, name=option.name, price=Money.from_domain(option.price),
                   estimated_delivery_days=option.estimated_days)


@strawberry.type
class Discount:
    type: str = strawberry.field(description="PROMOTION, LOYALTY_POINTS or TIER.")
    code: Optional[str]
    description: str
    amount: Money


@strawberry.type
class Pricing:
    subtotal: Money
    discounts: list[Discount]
    discount_total: Money
    shipping: Money
    tax: Money
    total: Money

    @classmethod
    def from_domain(cls, p: PriceBreakdown) -> "Pricing":
        return cls(
            subtotal=Money.from_domain(p.subtotal),
            discounts=[Discount(type=d.type, code=d.code, description=d.description,
                                amount=Money.from_domain(d.amount)) for d in p.discounts],
            discount_total=Money.from_domain(p.discount_total),
            shipping=Money.from_domain(p.shipping), tax=Money.from_domain(p.tax),
            total=Money.from_domain(p.total))


@strawberry.type
class Promotion:
    code: str
    description: str
    applicable: bool = strawberry.field(
        description="Whether it applies to this checkout as it stands.")
    discount: Money = strawberry.field(description="What it would take off this checkout now.")

    @classmethod
    def from_domain(cls, preview: PromotionPreview) -> "Promotion":
        return cls(code=preview.code, description=preview.description,
                   applicable=preview.applicable, discount=Money.from_domain(preview.discount))


def _address(snapshot: AddressSnapshot | None, buyer_id: int) -> Optional[Address]:
    if snapshot is None:
        return None
    return Address.from_domain(DomainAddress(id=snapshot.address_id or 0, user_id=buyer_id,
                                             fields=snapshot.fields, is_default=False))


async def _available_promotions(root: "CheckoutSession", info: Info) -> list[Promotion]:
    """Read only when asked for (docs/rules.md, "Statement budgets of mutations")."""
    offered = await resolve.offered_promotions(caller(info), root.view)
    return [Promotion.from_domain(p) for p in offered]


@strawberry.type
class CheckoutSession(Node):
    id: strawberry.ID
    status: CheckoutStatus
    lines: list[CartLine]
    shipping_address: Optional[Address]
    billing_address: Optional[Address]
    available_shipping_methods: list[ShippingMethod]
    shipping_method: Optional[ShippingMethod]
    promotion_codes: list[str]
    available_promotions: list[Promotion] = strawberry.field(
        resolver=_available_promotions)
    loyalty_points_to_use: int
    loyalty: Optional[LoyaltyAccount]
    pricing: Pricing
    notes: Optional[str]
    expires_at: datetime
    view: strawberry.Private[service.CheckoutView]

    @classmethod
    def from_view(cls, view: service.CheckoutView) -> "CheckoutSession":
        s = view.session
        methods = [ShippingMethod.from_domain(m) for m in view.shipping_methods]
        chosen = next((m for m in methods if m.code == s.shipping_method), None)
        lines = [CartLine.from_domain(DomainCartLine(
            id=ln.line_id, cart_id=s.cart_id, variant_id=ln.variant_id, quantity=ln.quantity,
            unit_price_minor=ln.unit_price_minor, added_price_minor=ln.added_price_minor,
            reserved_until=s.cart_expires_at or s.expires_at, currency=ln.currency))
            for ln in view.lines]
        return cls(
            id=strawberry.ID(encode_id("CheckoutSession", s.id)),
            status=CheckoutStatus(view.status), lines=lines,
            shipping_address=_address(s.shipping_address, s.buyer_id),
            billing_address=_address(s.billing_address, s.buyer_id),
            available_shipping_methods=methods, shipping_method=chosen,
            promotion_codes=[s.promotion_code] if s.promotion_code else [],
            loyalty_points_to_use=s.loyalty_points,
            loyalty=LoyaltyAccount.from_domain(view.loyalty, s.currency),
            pricing=Pricing.from_domain(view.pricing), notes=s.notes,
            expires_at=s.effective_expiry, view=view)


@strawberry.input
class CheckoutUpdateInput:
    """Fields left out keep their current value (UNSET); promotionCodes: [] removes the code,
    notes: null clears the notes."""

    shipping_address_id: Optional[strawberry.ID] = strawberry.field(
        default=strawberry.UNSET, description="Either a saved address id or a full address.")
    shipping_address: Optional[AddressInput] = strawberry.UNSET
    billing_address_id: Optional[strawberry.ID] = strawberry.UNSET
    billing_address: Optional[AddressInput] = strawberry.UNSET
    shipping_method_code: Optional[str] = strawberry.UNSET
    promotion_codes: Optional[list[str]] = strawberry.UNSET
    loyalty_points_to_use: Optional[int] = strawberry.UNSET
    notes: Optional[str] = strawberry.UNSET


@strawberry.type
class CheckoutPayload:
    user_errors: list[UserError]
    checkout: Optional[CheckoutSession] = None


@strawberry.input
class CheckoutCompleteInput:
    payment_method: str = strawberry.field(
        description="A saved payment method id, or a provider token such as pm_card_visa.")
    idempotency_key: str = strawberry.field(
        description="Client-chosen key; repeating a completed request with the same key returns "
        "the same order.")


NODE_TYPES = [CheckoutSession]
# Served ahead of checkoutComplete (the orders issue), which takes it.
EXTRA_TYPES = [CheckoutCompleteInput]


def _set(value: Any) -> Any:
    """None for a field left out (UNSET) or null."""
    return None if value is strawberry.UNSET else value


def _given_address(given: Any) -> Optional[resolve.AddressGiven]:
    address = _set(given)
    if address is None:
        return None
    return resolve.AddressGiven(
        full_name=address.full_name, line1=address.line1, line2=address.line2,
        city=address.city, region=address.region, postal_code=address.postal_code,
        country=address.country, phone=address.phone)


def _update(input: CheckoutUpdateInput) -> resolve.CheckoutUpdate:
    def _id(value: Any) -> Optional[str]:
        return str(value) if _set(value) is not None else None

    codes = _set(input.promotion_codes)
    return resolve.CheckoutUpdate(
        shipping_address_id=_id(input.shipping_address_id),
        shipping_address=_given_address(input.shipping_address),
        billing_address_id=_id(input.billing_address_id),
        billing_address=_given_address(input.billing_address),
        shipping_method_code=_set(input.shipping_method_code),
        promotion_codes=list(codes) if codes is not None else None,
        loyalty_points_to_use=_set(input.loyalty_points_to_use),
        notes=_set(input.notes), notes_given=input.notes is not strawberry.UNSET)


def _session(view: service.CheckoutView | None) -> Optional[CheckoutSession]:
    return CheckoutSession.from_view(view) if view is not None else None


@node_resolver("CheckoutSession")
async def checkout_node(info: Info, pk: int) -> Optional[CheckoutSession]:
    return _session(await resolve.checkout_node(caller(info), pk))


@strawberry.type
class Query:
    @strawberry.field
    async def checkout(self, info: Info, id: strawberry.ID) -> Optional[CheckoutSession]:
        return _session(await resolve.checkout(caller(info), str(id)))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Validates the cart (availability, current prices) and "
                         "opens a checkout session.")
    async def checkout_start(self, info: Info) -> CheckoutPayload:
        async def run() -> dict[str, Any]:
            view, warnings = await resolve.checkout_start(caller(info))
            return {"checkout": CheckoutSession.from_view(view),
                    "user_errors": [UserError.from_domain(w) for w in warnings]}

        return await mutate(info, CheckoutPayload, run)

    @strawberry.mutation
    async def checkout_update(self, info: Info, id: strawberry.ID,
                              input: CheckoutUpdateInput) -> CheckoutPayload:
        update = _update(input)

        async def run() -> dict[str, Any]:
            view = await resolve.checkout_update(caller(info), str(id), update)
            return {"checkout": CheckoutSession.from_view(view)}

        return await mutate(info, CheckoutPayload, run)
