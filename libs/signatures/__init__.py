"""Webhook signature verification: pure, synchronous, constant-time, fail closed.

Every refusal raises a `SignatureError`; its subclasses (`MissingSignature`,
`MalformedSignature`, `InvalidSignature`, `StaleTimestamp`, `SecretNotConfigured`) say why, as
the tree in `libs.signatures._errors` shows.

Every verifier but HubSpot's (2) is a `SignatureVerifier`:

    verifier.verify(raw: bytes, headers: Mapping[str, str]) -> Verified

over the body bytes exactly as received, with headers looked up case-insensitively (aiohttp's
`CIMultiDictProxy` or a plain dict). Verifiers take keyword-only `secrets` (a sequence, so
rotation works everywhere: `Verified.secret_index` says which matched; an empty or blank list
refuses every request) and, for timestamped schemes, `clock` and `tolerance` (seconds, 300 by
default, enforced in both directions). Their reprs count secrets and never show them.

    verifier                  header(s)                                     helper
    QuickBooksVerifier        intuit-signature                              sign_quickbooks
    XeroVerifier              x-xero-signature                              sign_xero
    ZohoVerifier (1)          X-Zoho-Webhook-Signature, hex or base64       sign_zoho
    StripeVerifier            Stripe-Signature: t=...,v1=...                sign_stripe
    WhatsAppVerifier          X-Hub-Signature-256: sha256=...               sign_whatsapp
    ShopifyVerifier           X-Shopify-Hmac-Sha256 + required X-Shopify-*  sign_shopify
    HubSpotVerifier (2)       X-HubSpot-Signature-v3 + -Request-Timestamp   sign_hubspot
    StandardWebhooksVerifier  webhook-id, -timestamp, -signature            sign_standard_webhooks

(1) `verify` also takes the request's `query` parameters, which Zoho signs ahead of the body.
(2) HubSpot signs the method and public URL: `verify(raw, headers, method=..., url=...)`, or
    `for_request(method=..., url=...)` for a plain `SignatureVerifier`.

Two mechanisms serve them all but Zoho: QuickBooks, Xero, WhatsApp and Shopify configure one
body-only HMAC verifier (`_body_hmac`); Stripe, HubSpot and Standard Webhooks read their headers
into one timestamped skeleton (`_timestamps`) that checks the signature before the timestamp.

The `sign_*` helpers produce the header values a provider would send; the sandbox and the
tests use them to make correctly signed requests. Each class names its headers as class
attributes (`signature_header`, `timestamp_header`, ...) for the same purpose.
"""

from libs.signatures._digests import DigestEncoding
from libs.signatures._errors import (
    InvalidSignature,
    MalformedSignature,
    MissingSignature,
    SecretNotConfigured,
    SignatureError,
    StaleTimestamp,
)
from libs.signatures._hubspot import HubSpotVerifier, sign_hubspot
from libs.signatures._quickbooks import QuickBooksVerifier, sign_quickbooks
from libs.signatures._shopify import ShopifyVerifier, sign_shopify
from libs.signatures._standard_webhooks import (
    StandardWebhooksVerifier,
    new_standard_webhooks_secret,
    sign_standard_webhooks,
    standard_webhooks_key,
    standard_webhooks_signature,
)
from libs.signatures._stripe import StripeVerifier, sign_stripe
from libs.signatures._verifier import SignatureVerifier, Verified
from libs.signatures._whatsapp import WhatsAppVerifier, sign_whatsapp
from libs.signatures._xero import XeroVerifier, sign_xero
from libs.signatures._zoho import ZohoVerifier, sign_zoho

__all__ = [
    "DigestEncoding",
    "HubSpotVerifier",
    "InvalidSignature",
    "MalformedSignature",
    "MissingSignature",
    "QuickBooksVerifier",
    "SecretNotConfigured",
    "ShopifyVerifier",
    "SignatureError",
    "SignatureVerifier",
    "StaleTimestamp",
    "StandardWebhooksVerifier",
    "StripeVerifier",
    "Verified",
    "WhatsAppVerifier",
    "XeroVerifier",
    "ZohoVerifier",
    "new_standard_webhooks_secret",
    "sign_hubspot",
    "sign_quickbooks",
    "sign_shopify",
    "sign_standard_webhooks",
    "sign_stripe",
    "sign_whatsapp",
    "sign_xero",
    "sign_zoho",
    "standard_webhooks_key",
    "standard_webhooks_signature",
]
