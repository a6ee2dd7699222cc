"""POST /webhooks/carrier: a carrier reports a parcel's progress.

Body: JSON `{"trackingNumber": str, "status": "SHIPPED" | "IN_TRANSIT" | "DELIVERED",
"occurredAt": ISO 8601 with a time zone}`, signed with `X-Carrier-Signature: sha256=<hex>`,
the HMAC-SHA256 of the raw body keyed with settings.carrier_webhook_secret.

Answers: 401 when the signature is missing or wrong (checked before the body is parsed);
400 when the JSON or a field is malformed; 413 past 64 KiB; 202 for a tracking number that
names none of our shipments (logged: a carrier may report parcels that are not ours, and a
retry would not help); 200 otherwise, with `applied` false when the report was a repeat or
older than what the shipment already shows (domain.fulfilment.shipments.apply_carrier_update never
moves a shipment backwards).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from domain.errors import DomainError, ErrorList
from domain.fulfilment.shipments import CARRIER_RANK, MAX_TRACKING_NUMBER, apply_carrier_update
from web import json_input

log = logging.getLogger("marketplace.webhooks.carrier")
MAX_BODY = 64 * 1024
SIGNATURE_HEADER = "x-carrier-signature"


class MalformedReport(ValueError):
    pass


def sign(body: bytes, secret: str) -> str:
    """The header value a carrier sends for this body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, header: str, secret: str) -> bool:
    scheme, _, digest = header.strip().partition("=")
    if scheme.lower() != "sha256" or not digest:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest.strip().lower())


def parse_report(body: bytes) -> tuple[str, str, datetime]:
    """(tracking number, status, occurredAt in UTC), or MalformedReport."""
    try:
        data: Any = json_input.loads(body)
    except json_input.MalformedJson as exc:
        raise MalformedReport(str(exc)) from exc
    if not isinstance(data, dict):
        raise MalformedReport("the body must be a JSON object")
    tracking, status, occurred = (data.get("trackingNumber"), data.get("status"),
                                  data.get("occurredAt"))
    if not isinstance(tracking, str) or not tracking.strip() \
            or len(tracking.strip()) > MAX_TRACKING_NUMBER or not tracking.strip().isprintable():
        raise MalformedReport(f"trackingNumber must be a string of 1 to "
                              f"{MAX_TRACKING_NUMBER} printable characters")
    if not isinstance(status, str) or status not in CARRIER_RANK:
        raise MalformedReport("status must be one of " + ", ".join(CARRIER_RANK))
    if not isinstance(occurred, str):
        raise MalformedReport("occurredAt must be an ISO 8601 date-time")
    try:
        at = datetime.fromisoformat(occurred)
    except ValueError as exc:
        raise MalformedReport("occurredAt must be an ISO 8601 date-time") from exc
    if at.tzinfo is None:
        raise MalformedReport("occurredAt must include a time zone")
    return tracking.strip(), status, at.astimezone(timezone.utc)


async def carrier_webhook(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "payload too large"}, status_code=413)
    if not signature_ok(body, request.headers.get(SIGNATURE_HEADER, ""),
                        runtime.settings.carrier_webhook_secret):
        log.warning("refused a carrier report: bad or missing signature")
        return JSONResponse({"error": "invalid signature"}, status_code=401)
    try:
        tracking, status, occurred_at = parse_report(body)
    except MalformedReport as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    try:
        result = await runtime.transaction(lambda uow: apply_carrier_update(
            uow, tracking_number=tracking, status=status, occurred_at=occurred_at))
    except (DomainError, ErrorList) as exc:
        log.warning("carrier report for %s (%s) not applied: %s", tracking, status, exc)
        return JSONResponse({"error": str(exc)}, status_code=409)
    if result.outcome == "UNKNOWN":
        log.warning("carrier report for unknown tracking number %r (%s)", tracking, status)
        return JSONResponse({"received": True, "applied": False}, status_code=202)
    assert result.shipment is not None
    return JSONResponse({"received": True, "applied": result.outcome == "APPLIED",
                         "status": result.shipment.status})
