"""POST /webhooks/stripe: provider events, signature checked by the provider adapter (the
stripe library, tolerance 300 s), checked against the payment it names (amount and currency:
domain.payments.faults) and applied through the one payment-outcome path. A success for an
order that cannot keep the money (cancelled meanwhile) is refunded right after
(domain.orders.changes.refund_surplus)."""
from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from domain.orders.changes import refund_surplus
from domain.payments.faults import check_webhook
from domain.payments.outcomes import apply_webhook
from domain.payments.provider import WebhookSignatureError

log = logging.getLogger("marketplace.webhooks")
MAX_BODY = 256 * 1024


async def handle_provider_event(runtime: Any, payload: bytes, signature: str) -> JSONResponse:
    try:
        event = runtime.payment_provider.parse_webhook(payload, signature)
    except WebhookSignatureError as exc:
        log.warning("refused a provider event: %s", exc)
        return JSONResponse({"error": "invalid signature"}, status_code=400)
    except ValueError as exc:  # signed, but not an event (adapters.payments.stripe_objects)
        log.warning("refused a provider event: %s", exc)
        return JSONResponse({"error": str(exc)}, status_code=400)

    async def receive(uow: Any) -> tuple[Any, Any]:
        """One transaction: the content check, then (if it agrees) the outcome path."""
        mismatch = await check_webhook(uow, event)
        if mismatch is not None:
            return mismatch, None
        return None, await apply_webhook(uow, event)

    mismatch, applied = await runtime.transaction(receive)
    if mismatch is not None:  # kept for admins (adminPaymentFaults), never applied
        return JSONResponse({"received": True, "applied": False, "fault": mismatch.kind})
    if applied is not None and applied.refund_owed:
        await refund_surplus(runtime.transaction, runtime.payment_provider, applied)
    return JSONResponse({"received": True, "applied": applied is not None})


async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()
    if len(payload) > MAX_BODY:
        return JSONResponse({"error": "payload too large"}, status_code=413)
    return await handle_provider_event(request.app.state.runtime, payload,
                                       request.headers.get("stripe-signature", ""))
