"""Shopify `X-Shopify-Hmac-Sha256` (providers.md §6.1, §6.2).

    X-Shopify-Hmac-Sha256: base64(HMAC-SHA256(key = app client secret, msg = raw body))

Like Shopify's own validator, a delivery missing any of `X-Shopify-API-Version`,
`X-Shopify-Shop-Domain`, `X-Shopify-Topic` or `X-Shopify-Webhook-Id` is refused. Mind that the
HMAC covers only the body: those headers, the shop domain used for routing included, are
required but not authenticated. After a client-secret rotation Shopify may keep signing with
the old secret for up to an hour, so configure both. No timestamp.
"""

from __future__ import annotations

from libs.signatures._body_hmac import BodyHmacVerifier


class ShopifyVerifier(BodyHmacVerifier):
    """Verifies `X-Shopify-Hmac-Sha256` and the presence of the required `X-Shopify-*` headers."""

    provider = "shopify"
    signature_header = "X-Shopify-Hmac-Sha256"
    encoding = "base64"
    required_headers = (
        "X-Shopify-API-Version",
        "X-Shopify-Shop-Domain",
        "X-Shopify-Topic",
        "X-Shopify-Webhook-Id",
    )


def sign_shopify(raw: bytes, secret: str) -> str:
    """The `X-Shopify-Hmac-Sha256` value Shopify would send for `raw` under `secret`."""
    return ShopifyVerifier.sign(raw, secret)
