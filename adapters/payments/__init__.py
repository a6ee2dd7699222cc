"""Payment provider adapters (the port is domain/payments/provider.py).

`build_provider(settings, clock)`: Stripe when STRIPE_API_KEY is set (STRIPE_API_BASE points it
at a test double such as localstripe), else the offline provider, which needs no network and
whose action pages the app serves under PUBLIC_BASE_URL. Both verify webhooks with
STRIPE_WEBHOOK_SECRET.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from domain.clock import Clock
from domain.payments.provider import PaymentProvider

if TYPE_CHECKING:
    from adapters.payments.offline_store import IntentStore
    from settings import Settings


def build_provider(settings: "Settings", clock: Clock,
                   store: "IntentStore | None" = None) -> PaymentProvider:
    """`store`: where the offline provider keeps intents (give a shared one, such as
    adapters.payments.sql_intents.SqlIntentStore, when several processes serve the app)."""
    if settings.stripe_api_key:
        from adapters.payments.stripe_provider import StripeProvider

        return StripeProvider(settings.stripe_api_key, settings.stripe_webhook_secret,
                              settings.stripe_api_base)
    from adapters.payments.offline import OfflineProvider

    return OfflineProvider(settings.stripe_webhook_secret, settings.public_base_url, clock,
                           store=store)
