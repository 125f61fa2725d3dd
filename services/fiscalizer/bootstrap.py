"""The fiscalizer's composition root: settings, the EFRIS clients, devices, SPEC."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from libs.broker import Exchange, Subscription
from libs.config import ServiceSettings
from libs.http import ProviderHttp
from libs.service import Platform, ServiceSpec
from services.fiscalizer.clients.efris import EfrisClient
from services.fiscalizer.deps import FiscalizerDeps
from services.fiscalizer.devices import Devices
from services.fiscalizer.goods import CommodityCategories
from services.fiscalizer.handlers.check_credit_note import check_credit_note
from services.fiscalizer.handlers.fiscalize_invoice import fiscalize_invoice
from services.fiscalizer.handlers.invoice_voided import invoice_voided
from services.fiscalizer.handlers.resubmit_invoice import resubmit_invoice
from services.fiscalizer.submission import Submitter

NAME = "fiscalizer"


class FiscalizerSettings(ServiceSettings):
    # CONTRACT §2: EFRIS_URL is production; a tenant in test mode uses EFRIS_TEST_URL.
    efris_url: str = "https://efrisws.ura.go.ug/ws/taapp/getInformation"
    efris_test_url: str = "https://efristest.ura.go.ug/efrisws/ws/taapp/getInformation"
    efris_timeout_s: float = Field(default=30.0, gt=0)
    # How long a claimed upload is the claimer's alone; outlast EFRIS_TIMEOUT_S. A worker
    # killed mid-upload holds its invoice this long, then another reconciles and resumes.
    efris_upload_lease_s: float = Field(default=120.0, gt=0)
    # Commodity categories goods are registered under, by VAT class (goods.py).
    efris_standard_category: str = "30111601"
    efris_zero_rated_category: str = "50131702"
    efris_exempt_category: str = "50221101"
    efris_unit_of_measure: str = "101"


def now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def build(
    settings: FiscalizerSettings, platform: Platform, *, clock: Callable[[], datetime] = now
) -> AsyncIterator[FiscalizerDeps]:
    db = platform.database
    box = platform.secret_box(needed_for="device certificates are stored encrypted")
    categories = CommodityCategories(
        standard=settings.efris_standard_category, zero_rated=settings.efris_zero_rated_category,
        exempt=settings.efris_exempt_category, unit_of_measure=settings.efris_unit_of_measure,
    )  # fmt: skip
    async with ProviderHttp.open(timeout_s=settings.efris_timeout_s) as http:

        def submitter(url: str) -> Submitter:
            efris = EfrisClient(http, url=url, clock=clock)
            return Submitter(db=db, efris=efris, categories=categories, clock=clock,
                             lease=timedelta(seconds=settings.efris_upload_lease_s))  # fmt: skip

        yield FiscalizerDeps(
            name=NAME, db=db, box=box,
            devices=Devices(), test_submitter=submitter(settings.efris_test_url),
            live_submitter=submitter(settings.efris_url),
            events_exchange=platform.topology.exchange(Exchange.EVENTS), clock=clock,
        )  # fmt: skip


def subscriptions(deps: FiscalizerDeps) -> Sequence[Subscription[Any, FiscalizerDeps]]:
    return [
        Subscription(Exchange.EVENTS, "invoice.ready", fiscalize_invoice, timeout=120.0),
        Subscription(
            Exchange.EVENTS, "invoice.fiscalization_requested", resubmit_invoice, timeout=120.0
        ),
        Subscription(Exchange.EVENTS, "invoice.voided", invoice_voided),
        Subscription(Exchange.EVENTS, "invoice.credit_note_applied", check_credit_note),
    ]


SPEC = ServiceSpec(
    name=NAME,
    settings=FiscalizerSettings,
    bootstrap=build,
    subscriptions=subscriptions,
    relays_outbox=True,
)
