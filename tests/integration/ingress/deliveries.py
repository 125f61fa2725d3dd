"""Webhook deliveries as each provider sends them, and a running ingress to send them to.

    Provider          one endpoint: its path, a realistic body, how it signs, what it publishes
    Ingress           a running ingress (`running(INGRESS, ...)`) and a client session
    Answer            status, content type and body of one response
    Watch             a queue bound to the ingress exchange with "#": what was published

Ingress answers only after the broker confirmed every event, so whatever a request
published is already in the watch queue when its answer arrives; draining the queue right
after a response tells exactly what that request published.
"""

from __future__ import annotations

import base64
import io
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import aio_pika
import aiohttp
import orjson
from aio_pika.abc import AbstractQueue
from multidict import CIMultiDict
from yarl import URL

from libs.events import CONTENT_TYPE, CloudEvent
from libs.signatures import (
    sign_hubspot,
    sign_quickbooks,
    sign_shopify,
    sign_standard_webhooks,
    sign_stripe,
    sign_whatsapp,
    sign_xero,
    sign_zoho,
)
from services.ingress.bootstrap import SPEC as INGRESS
from tests.support.running import running
from tests.support.stack import PROVIDER_SECRETS
from tests.unit.ingress import payloads

MIB = 1024 * 1024
BODY_LIMIT = 1 * MIB
WHATSAPP_BODY_LIMIT = 3 * MIB
# What HubSpot signs is the URL it called: ours as providers see it, not the test socket's.
PUBLIC_BASE_URL = "https://hooks.switchyard.test"

Headers = dict[str, str]
Signer = Callable[[bytes, str, float, URL], Headers]
"""(raw body, secret, signing time in Unix seconds, public URL) -> the signature headers."""


def random_whsec() -> str:
    """A Standard Webhooks secret in the shape sources are given."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@dataclass(frozen=True)
class Expected:
    """One CloudEvent a delivery must produce; `dedupekey` None: a hash, only its prefix is known."""

    type: str
    accountid: str
    subject: str | None
    dedupekey: str | None = None


@dataclass(frozen=True)
class Provider:
    """One ingress endpoint and a correctly signed delivery to it."""

    name: str
    """As in the events' source, `/providers/<name>`."""
    path: str
    body: bytes = field(repr=False)
    sign: Signer = field(repr=False)
    secret: str = field(repr=False)
    wrong_secret: str = field(repr=False)
    signature_header: str
    expected: tuple[Expected, ...] = field(repr=False)
    timestamp_header: str | None = None
    """The header carrying the signed time, for schemes that sign one."""
    limit: int = BODY_LIMIT
    base_headers: Headers = field(default_factory=dict, repr=False)
    """Headers sent with every delivery, signed or not (Shopify's X-Shopify-*)."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How Hypothesis shows a falsifying example's fixtures: the name is enough."""
        printer.text(f"<Provider {self.name}>")

    def url(self, query: str = "") -> URL:
        """The public URL of this endpoint, with an already encoded `query`."""
        return URL(PUBLIC_BASE_URL + self.path + (f"?{query}" if query else ""), encoded=True)

    def headers(
        self,
        raw: bytes | None = None,
        *,
        secret: str | None = None,
        at: float | None = None,
        query: str = "",
    ) -> Headers:
        """Every header of a delivery of `raw` (default: the sample body), signed as given."""
        body = self.body if raw is None else raw
        signed = self.sign(
            body,
            self.secret if secret is None else secret,
            time.time() if at is None else at,
            self.url(query),
        )
        return {"Content-Type": "application/json", **self.base_headers, **signed}

    def unsigned_headers(self) -> Headers:
        return {"Content-Type": "application/json", **self.base_headers}

    @property
    def timestamped(self) -> bool:
        return self.timestamp_header is not None

    def padded(self, size: int) -> bytes:
        """The sample body followed by whitespace up to `size` bytes: still the same JSON."""
        assert size >= len(self.body)
        return self.body + b" " * (size - len(self.body))


def _quickbooks(raw: bytes, secret: str, _at: float, _url: URL) -> Headers:
    return {"intuit-signature": sign_quickbooks(raw, secret)}


def _xero(raw: bytes, secret: str, _at: float, _url: URL) -> Headers:
    return {"x-xero-signature": sign_xero(raw, secret)}


def _zoho(raw: bytes, secret: str, _at: float, url: URL) -> Headers:
    return {"X-Zoho-Webhook-Signature": sign_zoho(raw, secret, query=url.query or None)}


def _stripe(raw: bytes, secret: str, at: float, _url: URL) -> Headers:
    return {"Stripe-Signature": sign_stripe(raw, secret=secret, timestamp=int(at))}


def _whatsapp(raw: bytes, secret: str, _at: float, _url: URL) -> Headers:
    return {"X-Hub-Signature-256": sign_whatsapp(raw, secret)}


def _shopify(raw: bytes, secret: str, _at: float, _url: URL) -> Headers:
    return {"X-Shopify-Hmac-Sha256": sign_shopify(raw, secret)}


def _hubspot(raw: bytes, secret: str, at: float, url: URL) -> Headers:
    timestamp_ms = int(at * 1000)
    signature = sign_hubspot(
        raw, secret=secret, method="POST", url=str(url), timestamp_ms=timestamp_ms
    )
    return {
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
    }


SOURCE_MESSAGE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"


def _source(raw: bytes, secret: str, at: float, _url: URL) -> Headers:
    timestamp = int(at)
    signature = sign_standard_webhooks(
        raw, msg_id=SOURCE_MESSAGE_ID, timestamp=timestamp, secret=secret
    )
    return {
        "webhook-id": SOURCE_MESSAGE_ID,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def _compact(text: str) -> bytes:
    """A sample body as a provider sends it: one line, exactly these bytes."""
    return orjson.dumps(orjson.loads(text))


QUICKBOOKS_LEGACY = _compact(payloads.QUICKBOOKS_LEGACY)
QUICKBOOKS_CLOUDEVENTS = b"[" + _compact(payloads.QUICKBOOKS_CLOUDEVENT) + b"]"
WHATSAPP = orjson.dumps(
    {
        "object": "whatsapp_business_account",
        "entry": [
            *orjson.loads(payloads.WHATSAPP_MESSAGE)["entry"],
            *orjson.loads(payloads.WHATSAPP_STATUS)["entry"],
        ],
    }
)
SOURCE_BODY = orjson.dumps(
    {"type": "invoice.paid", "timestamp": "2026-11-21T08:00:00Z", "data": {"invoice": "inv_42"}}
)
SHOPIFY_HEADERS = {
    name: value
    for name, value in payloads.SHOPIFY_HEADERS.items()
    if name != "X-Shopify-Hmac-Sha256"
}
SHOPIFY_REQUIRED_HEADERS = (
    "X-Shopify-API-Version",
    "X-Shopify-Shop-Domain",
    "X-Shopify-Topic",
    "X-Shopify-Webhook-Id",
)
QUICKBOOKS_SECRET = PROVIDER_SECRETS["quickbooks_webhook_verifier_token"]
STRIPE_SECRETS = PROVIDER_SECRETS["stripe_webhook_secrets"].split(",")

QUICKBOOKS_LEGACY_EVENTS = (
    Expected("quickbooks.customer.created", "1185883450", "customer/1"),
    Expected("quickbooks.vendor.created", "1185883450", "vendor/1"),
)
QUICKBOOKS_CLOUDEVENTS_EVENTS = (
    Expected(
        "quickbooks.invoice.created",
        "310687",
        "invoice/145",
        "quickbooks:88cd52aa-33b6-4351-9aa4-47572edbd068",
    ),
)


def providers(
    *, zoho_token: str, zoho_secret: str, organization_id: str, source_id: str, source_secret: str
) -> dict[str, Provider]:
    """Every endpoint, the per-tenant ones (Zoho, sources) at the registered path."""
    found = [
        Provider(
            name="quickbooks",
            path="/webhooks/quickbooks",
            body=QUICKBOOKS_CLOUDEVENTS,
            sign=_quickbooks,
            secret=QUICKBOOKS_SECRET,
            wrong_secret="not-the-verifier-token",
            signature_header="intuit-signature",
            expected=QUICKBOOKS_CLOUDEVENTS_EVENTS,
        ),
        Provider(
            name="xero",
            path="/webhooks/xero",
            body=_compact(payloads.XERO),
            sign=_xero,
            secret=PROVIDER_SECRETS["xero_webhook_key"],
            wrong_secret="not-the-webhook-key",
            signature_header="x-xero-signature",
            expected=(
                Expected(
                    "xero.invoice.updated",
                    "c2cc9b6e-9458-4c7d-93cc-f02b81b0594f",
                    "invoice/a03ffcd2-5d91-4c7e-b483-318584e9e439",
                ),
            ),
        ),
        zoho_connection(token=zoho_token, secret=zoho_secret, organization_id=organization_id),
        Provider(
            name="stripe",
            path="/webhooks/stripe",
            body=_compact(payloads.STRIPE),
            sign=_stripe,
            secret=STRIPE_SECRETS[0],
            wrong_secret="whsec_not_the_endpoint_secret",
            signature_header="Stripe-Signature",
            timestamp_header="Stripe-Signature",
            expected=(
                Expected(
                    "stripe.checkout.session.completed",
                    "acct_1ConnectedTenant",
                    "checkout.session/cs_test_a1b2c3",
                    "stripe:evt_1PqTEST",
                ),
            ),
        ),
        Provider(
            name="whatsapp",
            path="/webhooks/whatsapp",
            body=WHATSAPP,
            sign=_whatsapp,
            secret=PROVIDER_SECRETS["whatsapp_app_secrets"],
            wrong_secret="not-the-app-secret",
            signature_header="X-Hub-Signature-256",
            limit=WHATSAPP_BODY_LIMIT,
            expected=(
                Expected(
                    "whatsapp.message.received",
                    "106540352242922",
                    "message/wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                    "whatsapp:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                ),
                Expected(
                    "whatsapp.status.delivered",
                    "590968830767958",
                    "message/wamid.HBgNNTUxNjk5MjMxODIyMhUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA=",
                ),
            ),
        ),
        Provider(
            name="shopify",
            path="/webhooks/shopify",
            body=_compact(payloads.SHOPIFY_ORDER),
            sign=_shopify,
            secret=PROVIDER_SECRETS["shopify_api_secrets"],
            wrong_secret="shpss_not_the_secret",
            signature_header="X-Shopify-Hmac-Sha256",
            base_headers=SHOPIFY_HEADERS,
            expected=(
                Expected(
                    "shopify.orders.create",
                    "shop1.myshopify.com",
                    "orders/820982911946154508",
                    "shopify:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
                ),
            ),
        ),
        Provider(
            name="hubspot",
            path="/webhooks/hubspot",
            body=_compact(payloads.HUBSPOT),
            sign=_hubspot,
            secret=PROVIDER_SECRETS["hubspot_client_secret"],
            wrong_secret="not-the-client-secret",
            signature_header="X-HubSpot-Signature-v3",
            timestamp_header="X-HubSpot-Request-Timestamp",
            expected=(Expected("hubspot.contact.creation", "62515", "contact/123"),),
        ),
        source(source_id=source_id, secret=source_secret),
    ]
    return {provider.name: provider for provider in found}


def zoho_connection(*, token: str, secret: str, organization_id: str) -> Provider:
    """The endpoint of one registered Zoho connection (`/webhooks/zoho/{token}`)."""
    return Provider(
        name="zoho",
        path=f"/webhooks/zoho/{token}",
        body=_compact(payloads.ZOHO),
        sign=_zoho,
        secret=secret,
        wrong_secret="not-the-connection-secret",
        signature_header="X-Zoho-Webhook-Signature",
        expected=(Expected("zoho.invoice.created", organization_id, "invoice/982000000567114"),),
    )


def source(*, source_id: str, secret: str) -> Provider:
    """The endpoint of one registered Standard Webhooks source."""
    return Provider(
        name="source",
        path=f"/webhooks/sources/{source_id}",
        body=SOURCE_BODY,
        sign=_source,
        secret=secret,
        wrong_secret=random_whsec(),
        signature_header="webhook-signature",
        timestamp_header="webhook-timestamp",
        expected=(Expected("source.invoice.paid", source_id, None),),
    )


def quickbooks_legacy(provider: Provider) -> Provider:
    """The QuickBooks endpoint delivering the legacy `eventNotifications` format."""
    return replace(provider, body=QUICKBOOKS_LEGACY, expected=QUICKBOOKS_LEGACY_EVENTS)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str]

    def error(self) -> dict[str, Any]:
        """The `{"error": {"code", "message"}}` body every refusal carries (CONTRACT §3)."""
        assert self.content_type == "application/json", (self.status, self.body[:200])
        document = orjson.loads(self.body)
        assert isinstance(document, dict)
        assert list(document) == ["error"], document
        error = document["error"]
        assert isinstance(error, dict)
        assert set(error) == {"code", "message"}, error
        assert isinstance(error["code"], str)
        assert error["code"]
        assert isinstance(error["message"], str)
        assert error["message"]
        return error


async def _chunks(raw: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(raw), size):
        yield raw[start : start + size]


@dataclass(frozen=True)
class Ingress:
    """A running ingress and a client to call it with."""

    url: str
    session: aiohttp.ClientSession

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: Mapping[str, str] | Sequence[tuple[str, str]] = (),
        chunk_size: int | None = None,
    ) -> Answer:
        """Send `body` to `path` (already encoded, query included); chunked when `chunk_size`.

        Headers given as pairs may repeat a name.
        """
        data: Any
        if chunk_size is not None:
            data = _chunks(body, chunk_size)  # Transfer-Encoding: chunked, no Content-Length
        elif body:
            data = io.BytesIO(body)  # large bodies without blocking the loop
        else:
            data = None
        url = URL(self.url + path, encoded=True)
        async with self.session.request(
            method, url, data=data, headers=CIMultiDict(headers)
        ) as response:
            return Answer(
                status=response.status,
                content_type=response.content_type,
                body=await response.read(),
                headers=response.headers,
            )

    async def post(
        self,
        provider: Provider,
        raw: bytes | None = None,
        *,
        headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        query: str = "",
        chunk_size: int | None = None,
    ) -> Answer:
        """POST `raw` (default: the sample body) to `provider`, signed correctly unless `headers`."""
        body = provider.body if raw is None else raw
        sent = provider.headers(body, query=query) if headers is None else headers
        path = provider.path + (f"?{query}" if query else "")
        return await self.request("POST", path, body=body, headers=sent, chunk_size=chunk_size)


@asynccontextmanager
async def ingress_running(**overrides: Any) -> AsyncIterator[Ingress]:
    """An ingress with the test provider secrets and `PUBLIC_BASE_URL`, plus `overrides`."""
    settings = {**PROVIDER_SECRETS, "public_base_url": PUBLIC_BASE_URL, **overrides}
    async with running(INGRESS, **settings) as server, aiohttp.ClientSession() as session:
        yield Ingress(url=f"http://127.0.0.1:{server.bound_port}", session=session)


@dataclass(frozen=True)
class Published:
    """One message ingress published, with the AMQP properties CONTRACT §4 fixes."""

    event: CloudEvent
    routing_key: str
    message_id: str | None
    content_type: str | None
    persistent: bool


@dataclass(frozen=True)
class Watch:
    """Everything published on the ingress exchange since the last `take`."""

    queue: AbstractQueue

    async def take(self) -> list[Published]:
        taken = []
        while (message := await self.queue.get(no_ack=True, fail=False)) is not None:
            taken.append(
                Published(
                    event=CloudEvent.from_bytes(message.body),
                    routing_key=message.routing_key or "",
                    message_id=message.message_id,
                    content_type=message.content_type,
                    persistent=message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT,
                )
            )
        return taken

    async def events(self) -> list[CloudEvent]:
        return [published.event for published in await self.take()]


def assert_published(published: Sequence[Published], provider: Provider) -> None:
    """`published` is exactly what `provider`'s sample delivery must produce (CONTRACT §4)."""
    events = [message.event for message in published]
    for message in published:
        event = message.event
        assert event.source == f"/providers/{provider.name}"
        assert message.routing_key == event.type
        assert message.message_id == event.id
        assert message.content_type == CONTENT_TYPE
        assert message.persistent
        assert event.tenantid is None
        assert event.dedupekey is not None
        assert event.dedupekey.startswith(f"{provider.name}:")
    assert sorted((e.type, e.accountid, e.subject) for e in events) == sorted(
        (x.type, x.accountid, x.subject) for x in provider.expected
    )
    keys = {event.dedupekey for event in events}
    assert len(keys) == len(events)  # different notifications, different keys
    assert {x.dedupekey for x in provider.expected if x.dedupekey is not None} <= keys


def tenant_id() -> str:
    return f"tenant-{uuid.uuid4().hex[:8]}"
