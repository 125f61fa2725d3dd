"""erp_sync's composition root: settings, the HTTP session, clients, token source, SPEC."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from libs.broker import Exchange, Subscription
from libs.config import ServiceSettings
from libs.http import ProviderHttp
from libs.service import Platform, ServiceSpec
from services.erp_sync.apps import ErpAppSettings
from services.erp_sync.clients.oauth import oauth_clients
from services.erp_sync.clients.quickbooks import QuickBooksClient
from services.erp_sync.clients.xero import XeroClient
from services.erp_sync.clients.zoho import ZohoClient
from services.erp_sync.deps import ErpSyncDeps
from services.erp_sync.handlers.invoice_paid_checkout import invoice_paid_checkout
from services.erp_sync.handlers.sync_erp_invoice import sync_erp_invoice
from services.erp_sync.invoices import ErpInvoices
from services.erp_sync.tokens import TokenSource

NAME = "erp_sync"


class ErpSyncSettings(ServiceSettings, ErpAppSettings):
    # The currency of a QuickBooks company whose invoices carry no CurrencyRef.
    quickbooks_home_currency: str = Field(default="UGX", pattern=r"^[A-Z]{3}$")
    provider_timeout_s: float = Field(default=15.0, gt=0)


def now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def build(
    settings: ErpSyncSettings, platform: Platform, *, clock: Callable[[], datetime] = now
) -> AsyncIterator[ErpSyncDeps]:
    db = platform.database
    box = platform.secret_box(needed_for="erp_sync stores encrypted OAuth tokens")
    events = platform.topology.exchange(Exchange.EVENTS)
    async with ProviderHttp.open(timeout_s=settings.provider_timeout_s) as http:
        tokens = TokenSource(
            db=db, box=box, oauth=oauth_clients(settings, http), events_exchange=events,
            service=NAME, clock=clock,
        )  # fmt: skip
        yield ErpSyncDeps(
            name=NAME,
            db=db,
            box=box,
            erp=ErpInvoices(
                tokens=tokens,
                quickbooks=QuickBooksClient(http, base_url=settings.quickbooks_api_base),
                xero=XeroClient(http, base_url=settings.xero_api_base),
                zoho=ZohoClient(http, base_url=settings.zoho_api_base),
                home_currency=settings.quickbooks_home_currency,
                clock=clock,
            ),
            events_exchange=events,
            clock=clock,
        )


def subscriptions(deps: ErpSyncDeps) -> Sequence[Subscription[Any, ErpSyncDeps]]:
    return [
        Subscription(Exchange.EVENTS, "quickbooks.invoice.*", sync_erp_invoice),
        Subscription(Exchange.EVENTS, "xero.invoice.*", sync_erp_invoice),
        Subscription(Exchange.EVENTS, "zoho.invoice.*", sync_erp_invoice),
        Subscription(Exchange.EVENTS, "stripe.checkout.session.completed", invoice_paid_checkout),
        Subscription(
            Exchange.EVENTS,
            "stripe.checkout.session.async_payment_succeeded",
            invoice_paid_checkout,
        ),
    ]


SPEC = ServiceSpec(
    name=NAME,
    settings=ErpSyncSettings,
    bootstrap=build,
    subscriptions=subscriptions,
    relays_outbox=True,
)
