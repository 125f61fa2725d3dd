"""Everything the sandbox's handlers use, built once by `bootstrap.build`.

Adding a simulated provider (WhatsApp Graph, the AI endpoint) means adding its state
here, its reset to `SandboxDeps.reset`, and its routes to `http.create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from services.sandbox.clock import SandboxClock
from services.sandbox.faults import Faults
from services.sandbox.inspection import RequestLog
from services.sandbox.oauth import ClientApp, GrantStore
from services.sandbox.providers.efris.state import EfrisServer
from services.sandbox.providers.quickbooks.company import QuickBooksBooks
from services.sandbox.providers.stripe.sessions import StripeSessions
from services.sandbox.providers.xero.organisation import XeroBooks
from services.sandbox.providers.zoho.organization import ZohoBooks
from services.sandbox.ratelimit import RateLimits
from services.sandbox.receivers import Receivers
from services.sandbox.webhooks import WebhookSender


@dataclass(frozen=True)
class Limits:
    """Requests per minute per account before the provider answers 429."""

    quickbooks: int = 500
    xero: int = 60
    zoho: int = 100


@dataclass(frozen=True)
class WebhookSecrets:
    """The keys the sandbox signs fired webhooks with (ingress's env names); None: not set."""

    quickbooks: str | None = field(default=None, repr=False)
    xero: str | None = field(default=None, repr=False)
    stripe: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Identity:
    """One simulated identity server: its grants and the OAuth app it accepts."""

    grants: GrantStore
    client: ClientApp


@dataclass(frozen=True)
class SandboxDeps:
    """The sandbox's state and ports. Handlers reach it through `request.app[DEPS]`."""

    clock: SandboxClock
    limits: Limits
    secrets: WebhookSecrets
    faults: Faults
    requests: RequestLog
    rate_limits: RateLimits
    webhooks: WebhookSender
    quickbooks: QuickBooksBooks
    intuit: Identity
    xero: XeroBooks
    xero_identity: Identity
    zoho: ZohoBooks
    zoho_accounts: Identity
    stripe: StripeSessions
    efris: EfrisServer
    receivers: Receivers = field(default_factory=Receivers)

    def reset(self) -> None:
        """Forget every account, token, fault, delivery and recorded request."""
        self.clock.reset()
        self.faults.reset()
        self.requests.clear()
        self.rate_limits.reset()
        self.webhooks.reset()
        self.quickbooks.reset()
        self.xero.reset()
        self.zoho.reset()
        self.stripe.reset()
        self.efris.reset()
        self.receivers.reset()
        for identity in (self.intuit, self.xero_identity, self.zoho_accounts):
            identity.grants.reset()


DEPS = web.AppKey("deps", SandboxDeps)
