"""Ingress routes (CONTRACT §3): one URL per provider, each reading as its steps.

size limit (413) -> raw bytes -> signature on those bytes (401, fail closed)
-> parse and split (400) -> publish every event with confirms (503) -> 200
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from libs.broker import PublishError
from libs.observability import get_logger
from libs.signatures import SignatureError, StandardWebhooksVerifier, ZohoVerifier
from services.ingress import metrics, notifications
from services.ingress.deps import IngressDeps
from services.ingress.errors import IngressError, InvalidBody, UnknownEndpoint, VerificationRefused
from services.ingress.intake import parse_json, publish_all, read_body
from services.ingress.stats import WebhookStats

log = get_logger(__name__)

DEPS = web.AppKey("deps", IngressDeps)
RETRY_AFTER_S = "5"


def create_app(deps: IngressDeps) -> web.Application:
    """The ingress application: explicit routes, one error middleware."""
    # auto_decompress off: signatures cover the bytes as received, and a Content-Encoding must
    # not turn a bad body into aiohttp's 500 (or plain-text 400) before our error mapping.
    app = web.Application(
        middlewares=[answer_errors],
        client_max_size=deps.whatsapp_body_limit,
        handler_args={"auto_decompress": False},
    )
    app[DEPS] = deps
    app.router.add_routes(
        [
            web.post("/webhooks/quickbooks", quickbooks),
            web.post("/webhooks/xero", xero),
            web.post("/webhooks/zoho/{token}", zoho),
            web.post("/webhooks/stripe", stripe),
            web.get("/webhooks/whatsapp", whatsapp_verification),
            web.post("/webhooks/whatsapp", whatsapp),
            web.post("/webhooks/shopify", shopify),
            web.post("/webhooks/hubspot", hubspot),
            web.post("/webhooks/sources/{source_id}", source),
        ]
    )
    return app


async def quickbooks(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    raw = await read_body(request, limit=deps.body_limit)
    deps.verifiers.quickbooks.verify(raw, request.headers)
    return await accept(deps, "quickbooks", notifications.quickbooks(parse_json(raw)))


async def xero(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    raw = await read_body(request, limit=deps.body_limit)
    deps.verifiers.xero.verify(raw, request.headers)
    await accept(deps, "xero", notifications.xero(parse_json(raw)))
    return web.Response(status=200)  # Intent to Receive wants an empty 200


async def zoho(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    raw = await read_body(request, limit=deps.body_limit)
    connection = deps.credentials.zoho(request.match_info["token"])
    if connection is None:
        raise UnknownEndpoint("no active Zoho connection for this URL")
    verified = ZohoVerifier(secrets=connection.secrets).verify(
        raw, request.headers, query=request.query or None
    )
    log.info("zoho_signature_matched", encoding=verified.encoding)  # the docs disagree on it
    found = notifications.zoho(parse_json(raw), organization_id=connection.account_id)
    return await accept(deps, "zoho", found)


async def stripe(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    raw = await read_body(request, limit=deps.body_limit)
    deps.verifiers.stripe.verify(raw, request.headers)
    return await accept(deps, "stripe", notifications.stripe(parse_json(raw)))


async def whatsapp_verification(request: web.Request) -> web.Response:
    """Meta's subscribe handshake: echo `hub.challenge` when the verify token is known."""
    deps = request.app[DEPS]
    query = request.query
    token = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not token:
        raise VerificationRefused("expected hub.mode=subscribe with a hub.verify_token")
    if not deps.credentials.verify_token_matches(token):
        raise VerificationRefused("unknown verify token")
    return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")


async def whatsapp(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    raw = await read_body(request, limit=deps.whatsapp_body_limit)
    deps.verifiers.whatsapp.verify(raw, request.headers)
    return await accept(deps, "whatsapp", notifications.whatsapp(parse_json(raw)))


async def shopify(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    raw = await read_body(request, limit=deps.body_limit)
    deps.verifiers.shopify.verify(raw, request.headers)
    return await accept(deps, "shopify", notifications.shopify(parse_json(raw), request.headers))


async def hubspot(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    raw = await read_body(request, limit=deps.body_limit)
    # HubSpot signs the URL it called: ours as providers see it, not as the socket does.
    url = deps.public_base_url.rstrip("/") + str(request.rel_url)
    deps.verifiers.hubspot.verify(raw, request.headers, method=request.method, url=url)
    return await accept(deps, "hubspot", notifications.hubspot(parse_json(raw)))


async def source(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    raw = await read_body(request, limit=deps.body_limit)
    registered = deps.credentials.source(request.match_info["source_id"])
    if registered is None:
        raise UnknownEndpoint("no active source with this id")
    StandardWebhooksVerifier(secrets=registered.secrets).verify(raw, request.headers)
    found = notifications.source(parse_json(raw), request.headers, source_id=registered.key)
    return await accept(deps, "source", found)


async def accept(
    deps: IngressDeps, provider: str, found: list[notifications.Notification]
) -> web.Response:
    """Publish every notification with confirms, then answer 200."""
    await publish_all(deps.publisher, found, provider=provider, exchange=deps.exchange)
    metrics.events_by(provider).inc(len(found))
    metrics.last_received_by(provider).set(time.time())
    deps.stats.accepted(provider, events=len(found))
    return web.Response(
        body=orjson.dumps({"accepted": len(found)}), content_type="application/json"
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def answer_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map every refusal to its status and `{"error": {"code", "message"}}`; count it per provider."""
    provider = _provider_of(request)
    stats = request.app[DEPS].stats
    try:
        response = await handler(request)
    except notifications.MalformedPayload as exc:
        return _refuse(stats, provider, InvalidBody(str(exc)))
    except IngressError as exc:
        return _refuse(stats, provider, exc)
    except SignatureError as exc:
        return _error(stats, provider, 401, "invalid_signature", str(exc),
                      outcome="invalid_signature")  # fmt: skip
    except PublishError as exc:
        log.error("publish_failed", provider=provider, error=f"{type(exc).__name__}: {exc}")
        response = _error(
            stats, provider, 503, "broker_unavailable", "events could not be queued; retry later",
            outcome="unavailable",
        )  # fmt: skip
        response.headers["Retry-After"] = RETRY_AFTER_S
        return response
    except web.HTTPException as exc:
        refused = _error(stats, provider, exc.status, exc.reason.lower().replace(" ", "_"),
                         exc.reason, outcome="no_route")  # fmt: skip
        if "Allow" in exc.headers:  # RFC 9110 §15.5.6: a 405 names the allowed methods
            refused.headers["Allow"] = exc.headers["Allow"]
        return refused
    if provider is not None:
        metrics.webhooks_by(provider, "accepted").inc()
    return response


def _refuse(stats: WebhookStats, provider: str | None, exc: IngressError) -> web.Response:
    outcome = {413: "too_large", 404: "unknown_endpoint", 403: "verification_refused"}
    return _error(stats, provider, exc.status, exc.code, exc.message,
                  outcome=outcome.get(exc.status, "invalid_body"))  # fmt: skip


def _error(
    stats: WebhookStats, provider: str | None, status: int, code: str, message: str, *, outcome: str
) -> web.Response:
    if provider is not None:
        metrics.webhooks_by(provider, outcome).inc()
        stats.refused(provider, outcome)
    log.info("webhook_refused", provider=provider, status=status, code=code, reason=message)
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")


_PROVIDERS = frozenset(
    {"quickbooks", "xero", "zoho", "stripe", "whatsapp", "shopify", "hubspot", "sources"}
)


def _provider_of(request: web.Request) -> str | None:
    parts = request.path.split("/")
    if len(parts) > 2 and parts[1] == "webhooks" and parts[2] in _PROVIDERS:
        return "source" if parts[2] == "sources" else parts[2]
    return None
