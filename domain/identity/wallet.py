"""Saved payment methods (the provider's tokens, never card numbers).

- paymentMethodAdd accepts Stripe-style PaymentMethod ids `pm_...`; anything else is
  INVALID_INPUT on ["providerToken"]. Brand and last 4 digits come from
  domain.payments.methods.describe_card (a table of Stripe's test tokens today; a later issue
  asks the payment provider instead).
- Saving a token the user already saved is idempotent: the existing method is returned (made
  default when `isDefault: true`), never a duplicate and never an error, so a client retrying
  after a lost answer is safe.
- A user's first payment method becomes the default; `isDefault: true` moves the default.
"""
from __future__ import annotations

from domain.errors import not_found
from domain.identity.models import PaymentMethod
from domain.identity.ports import UnitOfWork
from domain.payments.methods import describe_card, validate_provider_token


async def add_payment_method(uow: UnitOfWork, *, user_id: int, provider_token: str,
                             is_default: bool) -> PaymentMethod:
    token = validate_provider_token(provider_token, "providerToken")
    if not await uow.users.lock_user(user_id):
        raise not_found("No such user.")
    existing = await uow.users.payment_method_by_token(user_id, token)
    if existing is not None:
        if is_default and not existing.is_default:
            await uow.users.clear_default_payment_method(user_id)
            existing = await uow.users.set_default_payment_method(existing.id)
            await uow.commit()
        return existing
    make_default = is_default or not await uow.users.has_payment_methods(user_id)
    if make_default:
        await uow.users.clear_default_payment_method(user_id)
    card = describe_card(token)
    method = await uow.users.add_payment_method(
        user_id=user_id, provider_token=token, brand=card.brand, last4=card.last4,
        is_default=make_default, now=uow.now())
    await uow.commit()
    return method
