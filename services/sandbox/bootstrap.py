"""The sandbox's composition root: settings, state, the webhook sender's HTTP session, SPEC.

The sandbox keeps everything in memory: it opens no database and no broker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from pydantic import Field, SecretStr

from libs.config import OAuthClientSettings, ServiceSettings
from libs.service import Platform, ServiceSpec
from services.sandbox.clock import SandboxClock
from services.sandbox.deps import Identity, Limits, SandboxDeps, WebhookSecrets
from services.sandbox.faults import Faults
from services.sandbox.http import create_app
from services.sandbox.inspection import RequestLog
from services.sandbox.oauth import ClientApp, GrantStore, TokenPolicy
from services.sandbox.providers.efris.state import EfrisServer
from services.sandbox.providers.quickbooks import intuit
from services.sandbox.providers.quickbooks.company import QuickBooksBooks
from services.sandbox.providers.stripe.sessions import StripeSessions
from services.sandbox.providers.xero import identity as xero_identity
from services.sandbox.providers.xero.organisation import XeroBooks
from services.sandbox.providers.zoho import accounts as zoho_accounts
from services.sandbox.providers.zoho.organization import ZohoBooks
from services.sandbox.ratelimit import RateLimits
from services.sandbox.webhooks import WebhookSender

NAME = "sandbox"


class SandboxSettings(ServiceSettings, OAuthClientSettings):
    """Where fired webhooks go, what signs them (ingress's own variable names), the OAuth apps
    the identity servers accept (any non-empty client when unset) and the providers' limits."""

    sandbox_ingress_url: str = "http://127.0.0.1:8000"
    quickbooks_webhook_verifier_token: SecretStr | None = None
    xero_webhook_key: SecretStr | None = None
    stripe_webhook_secrets: SecretStr | None = None
    sandbox_quickbooks_rate_limit_per_min: int = Field(default=500, ge=1)
    sandbox_xero_rate_limit_per_min: int = Field(default=60, ge=1)
    sandbox_zoho_rate_limit_per_min: int = Field(default=100, ge=1)
    # Seeds fault injection's random source; unset: a different sequence every run.
    sandbox_fault_seed: int | None = None


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _first_secret(value: SecretStr | None) -> str | None:
    """The first of comma-separated secrets: the one a rotating provider signs with."""
    parts = [part.strip() for part in (_secret(value) or "").split(",") if part.strip()]
    return parts[0] if parts else None


def _identity(
    policy: TokenPolicy, clock: SandboxClock, client_id: str | None, secret: SecretStr | None
) -> Identity:
    client = ClientApp(client_id=client_id, client_secret=_secret(secret))
    return Identity(grants=GrantStore(policy=policy, clock=clock), client=client)


@asynccontextmanager
async def build(settings: SandboxSettings, _: Platform) -> AsyncIterator[SandboxDeps]:
    """The sandbox's deps; the webhook session is closed on the way out."""
    clock = SandboxClock()
    async with aiohttp.ClientSession() as session:
        yield SandboxDeps(
            clock=clock,
            limits=Limits(
                quickbooks=settings.sandbox_quickbooks_rate_limit_per_min,
                xero=settings.sandbox_xero_rate_limit_per_min,
                zoho=settings.sandbox_zoho_rate_limit_per_min,
            ),
            secrets=WebhookSecrets(
                quickbooks=_secret(settings.quickbooks_webhook_verifier_token),
                xero=_secret(settings.xero_webhook_key),
                stripe=_first_secret(settings.stripe_webhook_secrets),
            ),
            faults=Faults(seed=settings.sandbox_fault_seed),
            requests=RequestLog(),
            rate_limits=RateLimits(clock=clock),
            webhooks=WebhookSender(session=session, ingress_url=settings.sandbox_ingress_url),
            quickbooks=QuickBooksBooks(),
            intuit=_identity(intuit.POLICY, clock, settings.quickbooks_client_id,
                             settings.quickbooks_client_secret),
            xero=XeroBooks(),
            xero_identity=_identity(xero_identity.POLICY, clock, settings.xero_client_id,
                                    settings.xero_client_secret),
            zoho=ZohoBooks(),
            zoho_accounts=_identity(zoho_accounts.POLICY, clock, settings.zoho_client_id,
                                    settings.zoho_client_secret),
            stripe=StripeSessions(),
            efris=EfrisServer(),
        )  # fmt: skip


SPEC = ServiceSpec(
    name=NAME,
    settings=SandboxSettings,
    bootstrap=build,
    create_app=create_app,
    uses_database=False,
    uses_broker=False,
)
