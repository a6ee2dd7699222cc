"""The offline provider's challenge page (nextAction.url): the buyer completes or fails the
"3-D Secure" step, and the outcome arrives exactly like Stripe's: as a signed webhook event,
handled by the same code as POST /webhooks/stripe. The secret comes with the form, or with the
link itself (`curl -d outcome=succeed "<nextAction.url>"`, as the README shows)."""
from __future__ import annotations

import html
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from domain.payments.provider import PaymentRequestRejected
from web.webhooks import handle_provider_event

PAGE = """<!doctype html><html><head><title>Confirm your payment</title></head>
<body style="font-family: sans-serif; max-width: 28rem; margin: 3rem auto">
<h1>Confirm your payment</h1><p>Test authentication for {intent}.</p>
<form method="post"><input type="hidden" name="secret" value="{secret}">
<button name="outcome" value="succeed">Complete authentication</button>
<button name="outcome" value="fail">Fail authentication</button></form></body></html>"""


async def offline_action(request: Request) -> Response:
    runtime = request.app.state.runtime
    provider = runtime.payment_provider
    intent = request.path_params["intent"]
    if not hasattr(provider, "complete_action"):
        return JSONResponse({"error": "not the offline provider"}, status_code=404)
    if request.method == "GET":
        secret = request.query_params.get("secret", "")
        return HTMLResponse(PAGE.format(intent=html.escape(intent), secret=html.escape(secret)))
    # A plain urlencoded form (no multipart here, so no extra parser dependency).
    try:
        form = {k: v[-1] for k, v in parse_qs((await request.body())[:4096].decode()).items()}
    except UnicodeDecodeError:
        return JSONResponse({"error": "the form is not UTF-8"}, status_code=400)
    try:
        payload, signature = await provider.complete_action(
            intent, form.get("secret") or request.query_params.get("secret", ""),
            succeed=form.get("outcome") == "succeed")
    except (KeyError, ValueError, PaymentRequestRejected):
        return JSONResponse({"error": "unknown payment or wrong secret"}, status_code=404)
    answer = await handle_provider_event(runtime, payload, signature)
    if answer.status_code != 200:
        return answer
    return HTMLResponse("<p>Done. You can return to the shop.</p>")
