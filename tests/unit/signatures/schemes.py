"""Every signature scheme behind one small interface, so generic cases run for each provider.

A `Scheme` builds a verifier from secrets (with a fixed clock at `NOW`) and signs a body into
the complete set of headers its provider would send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from libs.signatures import (
    HubSpotVerifier,
    QuickBooksVerifier,
    ShopifyVerifier,
    SignatureVerifier,
    StandardWebhooksVerifier,
    StripeVerifier,
    WhatsAppVerifier,
    XeroVerifier,
    ZohoVerifier,
    sign_hubspot,
    sign_quickbooks,
    sign_shopify,
    sign_standard_webhooks,
    sign_stripe,
    sign_whatsapp,
    sign_xero,
    sign_zoho,
)

NOW = 1_700_000_000
HUBSPOT_URL = "https://hooks.example.com/webhooks/hubspot"
SHOPIFY_HEADERS = {
    "X-Shopify-API-Version": "2025-07",
    "X-Shopify-Shop-Domain": "shop1.myshopify.com",
    "X-Shopify-Topic": "orders/create",
    "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
}


def clock() -> float:
    return float(NOW)


@dataclass(frozen=True)
class Scheme:
    provider: str
    signature_header: str
    build: Callable[[Sequence[str]], SignatureVerifier]
    sign: Callable[[bytes, str, int], dict[str, str]]
    """Every header of a request carrying `raw` signed with `secret` at `timestamp`."""
    old_secret: str
    new_secret: str
    wrong_secret: str
    timestamp_header: str | None = None
    """The header holding the signed timestamp, for schemes that sign one."""

    @property
    def header_names(self) -> list[str]:
        return list(self.sign(b"{}", self.new_secret, NOW))

    def __str__(self) -> str:
        return self.provider


def _body_signed(
    verifier: Callable[..., SignatureVerifier],
    sign: Callable[[bytes, str], str],
    *,
    provider: str,
    header: str,
    old_secret: str,
    new_secret: str,
    wrong_secret: str,
    unsigned_headers: Mapping[str, str] | None = None,
) -> Scheme:
    """A scheme that signs the body alone into `header`, sent with any `unsigned_headers`."""
    return Scheme(
        provider=provider,
        signature_header=header,
        build=lambda secrets: verifier(secrets=secrets),
        sign=lambda raw, secret, _: {header: sign(raw, secret), **(unsigned_headers or {})},
        old_secret=old_secret,
        new_secret=new_secret,
        wrong_secret=wrong_secret,
    )


SCHEMES = [
    _body_signed(
        QuickBooksVerifier,
        sign_quickbooks,
        provider="quickbooks",
        header="intuit-signature",
        old_secret="b5771f19b12ddb4bcdb9f08bdc50bc63878a",
        new_secret="c0ffee19b12ddb4bcdb9f08bdc50bc63878a",
        wrong_secret="deadbeefb12ddb4bcdb9f08bdc50bc63878a",
    ),
    _body_signed(
        XeroVerifier,
        sign_xero,
        provider="xero",
        header="x-xero-signature",
        old_secret="OLD_XERO_WEBHOOK_KEY_base64ish==",
        new_secret="NEW_XERO_WEBHOOK_KEY_base64ish==",
        wrong_secret="NOT_THE_XERO_WEBHOOK_KEY=======",
    ),
    _body_signed(
        ZohoVerifier,
        sign_zoho,
        provider="zoho",
        header="X-Zoho-Webhook-Signature",
        old_secret="abcdef123456",
        new_secret="zyxwvu987654",
        wrong_secret="notthesecret1",
    ),
    Scheme(
        provider="stripe",
        signature_header="Stripe-Signature",
        build=lambda secrets: StripeVerifier(secrets=secrets, clock=clock),
        sign=lambda raw, secret, ts: {
            "Stripe-Signature": sign_stripe(raw, secret=secret, timestamp=ts)
        },
        old_secret="whsec_old_test_secret",
        new_secret="whsec_test_secret",
        wrong_secret="whsec_wrong_secret",
        timestamp_header="Stripe-Signature",
    ),
    _body_signed(
        WhatsAppVerifier,
        sign_whatsapp,
        provider="whatsapp",
        header="X-Hub-Signature-256",
        old_secret="OLD_APP_SECRET",
        new_secret="TEST_APP_SECRET",
        wrong_secret="WRONG_APP_SECRET",
    ),
    _body_signed(
        ShopifyVerifier,
        sign_shopify,
        provider="shopify",
        header="X-Shopify-Hmac-Sha256",
        old_secret="old_secret_key",
        new_secret="test_secret_key",
        wrong_secret="wrong_secret_key",
        unsigned_headers=SHOPIFY_HEADERS,
    ),
    Scheme(
        provider="hubspot",
        signature_header="X-HubSpot-Signature-v3",
        build=lambda secrets: HubSpotVerifier(secrets=secrets, clock=clock).for_request(
            method="POST", url=HUBSPOT_URL
        ),
        sign=lambda raw, secret, ts: {
            "X-HubSpot-Signature-v3": sign_hubspot(
                raw, secret=secret, method="POST", url=HUBSPOT_URL, timestamp_ms=ts * 1000
            ),
            "X-HubSpot-Request-Timestamp": str(ts * 1000),
        },
        old_secret="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        new_secret="yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
        wrong_secret="zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        timestamp_header="X-HubSpot-Request-Timestamp",
    ),
    Scheme(
        provider="standard_webhooks",
        signature_header="webhook-signature",
        build=lambda secrets: StandardWebhooksVerifier(secrets=secrets, clock=clock),
        sign=lambda raw, secret, ts: {
            "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "webhook-timestamp": str(ts),
            "webhook-signature": sign_standard_webhooks(
                raw, msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=ts, secret=secret
            ),
        },
        old_secret="whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        new_secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        wrong_secret="whsec_plJ3nmyCDGBKInavdOK15jsl3JxGa4qn",
        timestamp_header="webhook-timestamp",
    ),
]

TIMESTAMPED = [scheme for scheme in SCHEMES if scheme.timestamp_header is not None]
