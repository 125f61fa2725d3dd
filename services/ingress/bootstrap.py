"""Ingress's composition root: settings, verifiers, credential cache, webhook stats, SPEC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import Field, SecretStr

from libs.broker import Exchange
from libs.config import ServiceSettings
from libs.service import Platform, ServiceSpec
from libs.signatures import (
    HubSpotVerifier,
    QuickBooksVerifier,
    ShopifyVerifier,
    StripeVerifier,
    WhatsAppVerifier,
    XeroVerifier,
)
from services.ingress.credentials import CredentialCache
from services.ingress.deps import IngressDeps, Verifiers
from services.ingress.http import create_app
from services.ingress.stats import WebhookStats

NAME = "ingress"
MIB = 1024 * 1024


class IngressSettings(ServiceSettings):
    """Provider secrets (CONTRACT §2); one left unset refuses that provider's webhooks (401)."""

    quickbooks_webhook_verifier_token: SecretStr | None = None
    xero_webhook_key: SecretStr | None = None
    stripe_webhook_secrets: SecretStr | None = None
    whatsapp_app_secrets: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    shopify_api_secrets: SecretStr | None = None
    hubspot_client_secret: SecretStr | None = None
    body_limit_bytes: int = Field(default=1 * MIB, gt=0)
    whatsapp_body_limit_bytes: int = Field(default=3 * MIB, gt=0)
    # How often the webhook health counts are added to the database (and once more on stop).
    webhook_stats_flush_s: float = Field(default=5.0, gt=0, le=300)


def secret_list(value: SecretStr | None) -> list[str]:
    """Comma-separated secrets (rotation: all are accepted); none when unset."""
    if value is None:
        return []
    return [part.strip() for part in value.get_secret_value().split(",") if part.strip()]


def build_verifiers(settings: IngressSettings) -> Verifiers:
    return Verifiers(
        quickbooks=QuickBooksVerifier(
            secrets=secret_list(settings.quickbooks_webhook_verifier_token)
        ),
        xero=XeroVerifier(secrets=secret_list(settings.xero_webhook_key)),
        stripe=StripeVerifier(secrets=secret_list(settings.stripe_webhook_secrets)),
        whatsapp=WhatsAppVerifier(secrets=secret_list(settings.whatsapp_app_secrets)),
        shopify=ShopifyVerifier(secrets=secret_list(settings.shopify_api_secrets)),
        hubspot=HubSpotVerifier(secrets=secret_list(settings.hubspot_client_secret)),
    )


@asynccontextmanager
async def build(settings: IngressSettings, platform: Platform) -> AsyncIterator[IngressDeps]:
    db = platform.database
    fallback = settings.whatsapp_verify_token
    credentials = CredentialCache(
        db=db,
        box=platform.secret_box(needed_for="ingress decrypts per-tenant secrets"),
        fallback_verify_token=fallback.get_secret_value() if fallback else None,
    )
    stats = WebhookStats(db=db, interval=settings.webhook_stats_flush_s)
    await credentials.start()
    stats.start()
    try:
        yield IngressDeps(
            publisher=platform.publisher,
            exchange=platform.topology.exchange(Exchange.INGRESS),
            verifiers=build_verifiers(settings),
            credentials=credentials,
            stats=stats,
            public_base_url=settings.public_base_url,
            body_limit=settings.body_limit_bytes,
            whatsapp_body_limit=settings.whatsapp_body_limit_bytes,
        )
    finally:
        await stats.stop()  # the HTTP server has stopped: this flush has every request
        await credentials.stop()


SPEC = ServiceSpec(name=NAME, settings=IngressSettings, bootstrap=build, create_app=create_app)
