from __future__ import annotations

from dataclasses import dataclass

from libs.broker import Publisher
from libs.signatures import (
    HubSpotVerifier,
    QuickBooksVerifier,
    ShopifyVerifier,
    StripeVerifier,
    WhatsAppVerifier,
    XeroVerifier,
)
from services.ingress.credentials import CredentialCache
from services.ingress.stats import WebhookStats


@dataclass(frozen=True)
class Verifiers:
    """The platform-wide verifiers, built once from settings (per-tenant ones come from the cache)."""

    quickbooks: QuickBooksVerifier
    xero: XeroVerifier
    stripe: StripeVerifier
    whatsapp: WhatsAppVerifier
    shopify: ShopifyVerifier
    hubspot: HubSpotVerifier


@dataclass(frozen=True)
class IngressDeps:
    publisher: Publisher
    exchange: str
    verifiers: Verifiers
    credentials: CredentialCache
    stats: WebhookStats
    public_base_url: str
    body_limit: int
    whatsapp_body_limit: int
