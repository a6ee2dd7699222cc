"""Managing promotion codes: sellers create codes for their own products, admins create
platform-wide codes; a seller deactivates only their own codes, an admin any code."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from domain.errors import DomainError, ErrorList, forbidden, not_found
from domain.promotions.codes import Promotion, PromotionKind, definition_errors, normalize_code

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


async def create_promotion(uow: UnitOfWork, *, actor_user_id: int, seller_id: int | None,
                           code: str, description: str, kind: str, value: int,
                           min_subtotal_minor: int | None, starts_at: datetime | None,
                           ends_at: datetime | None, usage_limit: int | None,
                           per_customer_limit: int | None) -> Promotion:
    """`seller_id` None creates a platform-wide code (the caller checked the admin role)."""
    promotion = Promotion(
        code=normalize_code(code), kind=PromotionKind(kind), value=value,
        description=description.strip(),
        currency="USD", min_subtotal_minor=min_subtotal_minor, starts_at=starts_at,
        ends_at=ends_at, usage_limit=usage_limit, per_customer_limit=per_customer_limit,
        seller_id=seller_id)
    errors = definition_errors(promotion)
    if errors:
        raise ErrorList(errors)
    taken = DomainError("CONFLICT", f"The code {promotion.code} already exists.",
                        ["input", "code"])
    if await uow.promotions.code_exists(promotion.code):
        raise taken
    if await uow.promotions.create(promotion, created_by=actor_user_id, now=uow.now()) is None:
        raise taken  # created by a concurrent request since the check above
    await uow.commit()
    return promotion


async def deactivate_promotion(uow: UnitOfWork, *, code: str, seller_id: int | None,
                               is_admin: bool) -> Promotion:
    found = await uow.promotions.by_code(normalize_code(code))
    if found is None:
        raise not_found("No such promotion code.", "code")
    if not is_admin and found.seller_id != seller_id:
        raise forbidden("You can only deactivate your own promotion codes.", "code")
    deactivated = await uow.promotions.deactivate(found.code)
    assert deactivated is not None  # found under the same transaction just above
    await uow.commit()
    return deactivated
