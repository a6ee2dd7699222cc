"""Provider payment method tokens -> what a buyer sees of the card (brand, last 4 digits).

Stripe's PaymentMethod ids look like `pm_<letters, digits, underscores>`. Stripe's documented
test tokens are described from the table below. Any other well-formed `pm_` token is a card we
cannot look up offline: brand "card", last 4 = the token's last four characters when they are
digits, else "0000". A later issue replaces `describe_card` with a lookup through the payment
provider port; callers only depend on this function.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import invalid

TOKEN_MAX_LENGTH = 200
_TOKEN = re.compile(r"^pm_[A-Za-z0-9_]{1,197}$")


@dataclass(frozen=True)
class CardDetails:
    brand: str
    last4: str


STRIPE_TEST_CARDS: dict[str, CardDetails] = {
    "pm_card_visa": CardDetails("visa", "4242"),
    "pm_card_visa_debit": CardDetails("visa", "5556"),
    "pm_card_mastercard": CardDetails("mastercard", "4444"),
    "pm_card_amex": CardDetails("amex", "8431"),
    "pm_card_chargeDeclined": CardDetails("visa", "0002"),
    "pm_card_threeDSecure2Required": CardDetails("visa", "3155"),
}


def validate_provider_token(value: str, *field: str) -> str:
    """The trimmed token, or INVALID_INPUT when it is not a `pm_...` PaymentMethod id."""
    token = value.strip()
    if not _TOKEN.match(token):
        raise invalid('Expected a payment method token such as "pm_card_visa".', *field)
    return token


def describe_card(token: str) -> CardDetails:
    known = STRIPE_TEST_CARDS.get(token)
    if known is not None:
        return known
    tail = token[-4:]
    return CardDetails("card", tail if tail.isdigit() else "0000")
