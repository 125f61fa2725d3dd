"""Stripe control routes: Checkout Sessions whose events are fired, signed, at ingress.

    POST /_sandbox/stripe/checkout-sessions                            SessionIn → 201
         fires checkout.session.completed
    POST /_sandbox/stripe/checkout-sessions/{id}/async-payment-succeeded
         marks it paid and fires checkout.session.async_payment_succeeded

Answer: `{"session": {...}, "event": {...}, "delivery": {"delivery_id", "status", "body"}}`.
Events are signed `Stripe-Signature: t=…,v1=…` with the first STRIPE_WEBHOOK_SECRETS secret; `t`
is the real time of each attempt (ingress checks it against its own clock), so a redelivery
is re-signed with a fresh `t` and keeps the event id.
"""

from __future__ import annotations

import time

import orjson
from aiohttp import web

from libs.signatures import StripeVerifier, sign_stripe
from services.sandbox.control.io import answer, read_model
from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.errors import NotConfigured, NotFound
from services.sandbox.providers.stripe.sessions import CheckoutSession, SessionIn

PREFIX = "/_sandbox/stripe/checkout-sessions"


def routes() -> list[web.RouteDef]:
    """The Stripe control routes."""
    return [
        web.post(PREFIX, create_session),
        web.post(f"{PREFIX}/{{id}}/async-payment-succeeded", async_payment_succeeded),
    ]


async def create_session(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    payload = await read_model(request, SessionIn)
    session = deps.stripe.create(payload, created=int(deps.clock.now()))
    return await _fire(deps, session, "checkout.session.completed", status=201)


async def async_payment_succeeded(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    session = deps.stripe.sessions.get(request.match_info["id"])
    if session is None:
        raise NotFound("no checkout session with this id")
    session.data["payment_status"] = "paid"
    return await _fire(deps, session, "checkout.session.async_payment_succeeded")


async def _fire(
    deps: SandboxDeps, session: CheckoutSession, event_type: str, *, status: int = 200
) -> web.Response:
    secret = deps.secrets.stripe
    if secret is None:
        raise NotConfigured("STRIPE_WEBHOOK_SECRETS is not set: nothing to sign with")
    event = deps.stripe.event(session, event_type, created=int(deps.clock.now()))
    delivery = await deps.webhooks.fire(
        provider="stripe",
        path="/webhooks/stripe",
        body=orjson.dumps(event),
        sign=lambda raw: {
            StripeVerifier.signature_header: sign_stripe(
                raw, secret=secret, timestamp=int(time.time())
            )
        },
    )
    return answer(
        {"session": session.data, "event": event, "delivery": delivery.answer()}, status=status
    )
