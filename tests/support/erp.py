"""The ERP flow end to end, in-process: ingress, router, sandbox, erp_sync and admin.

    async with erp_stack(broker_channel, topology) as stack:
        tenant = await stack.new_tenant()
        realm = await stack.sandbox.create_quickbooks_company()
        connected = await stack.connect(tenant, "quickbooks", realm)
        ...
        ready = await stack.wait_for("invoice.ready", count=1)

Admin issues the OAuth start and serves the callback; the test plays the browser:
it follows the authorize URL at the sandbox (choosing the account, as a user would)
and takes the redirect back to admin's callback. Every provider base points at the
sandbox; the sandbox signs webhooks with the same secrets ingress verifies with.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import yarl
from cryptography.hazmat.primitives.serialization import Encoding

from deploy.certificates import make_pfx
from libs.broker import Topology
from libs.db import Database
from libs.efris import load_device_keys
from libs.events import CloudEvent
from services.erp_sync.bootstrap import SPEC as ERP_SYNC
from services.fiscalizer.bootstrap import SPEC as FISCALIZER
from tests.support.admin import AdminApi, admin_api
from tests.support.polling import eventually
from tests.support.running import running
from tests.support.sandbox import SandboxControl, sandbox_running
from tests.support.stack import PROVIDER_SECRETS, collect_tenant_events, ingress_and_router

OAUTH_APPS = {
    "quickbooks_client_id": "switchyard-qb", "quickbooks_client_secret": "qb-app-secret",
    "xero_client_id": "switchyard-xero", "xero_client_secret": "xero-app-secret",
    "zoho_client_id": "switchyard-zoho", "zoho_client_secret": "zoho-app-secret",
}  # fmt: skip
SIGNING = {
    key: PROVIDER_SECRETS[key]
    for key in ("quickbooks_webhook_verifier_token", "xero_webhook_key", "stripe_webhook_secrets")
}
FAST_TIERS = "100,300,600"


@dataclass(frozen=True)
class Tenant:
    id: str
    token: str
    tin: str = ""
    device_no: str = ""


@dataclass
class ErpStack:
    sandbox: SandboxControl
    admin: AdminApi
    db: Database
    owner_token: str
    collect: Any
    seen: list[CloudEvent] = field(default_factory=list)

    async def new_tenant(self, *, auto_fiscalize: bool = True) -> Tenant:
        """A client onboarded by the operator, its EFRIS device registered at the sandbox."""
        tin = f"10{secrets.randbelow(10**8):08d}"
        pfx = make_pfx("pfx-pass")
        view, email, password = await self.admin.new_client(
            self.owner_token, tin=tin, efris_device_no=f"{tin}_01", certificate_pfx_base64=pfx,
            certificate_password="pfx-pass",
        )  # fmt: skip
        keys = load_device_keys(base64.b64decode(pfx), "pfx-pass")
        await self.sandbox.register_efris_device(
            tin=tin, device_no=f"{tin}_01", legal_name=str(view["company_name"]),
            certificate_pem=keys.certificate.public_bytes(Encoding.PEM).decode(),
        )  # fmt: skip
        login = await self.admin.login(email, password)
        tenant = Tenant(id=str(view["id"]), token=str(login["access_token"]), tin=tin,
                        device_no=f"{tin}_01")  # fmt: skip
        if not auto_fiscalize:
            status, _ = await self.admin.call("PUT", "/api/tenant/efris/auto-fiscalize",
                                              token=tenant.token, json={"enabled": False})  # fmt: skip
            assert status == 200
        return tenant

    async def authorize(self, tenant: Tenant, provider: str, account_id: str) -> yarl.URL:
        """Start a connect as the tenant and consent at the sandbox: the callback URL to visit."""
        status, body = await self.admin.call(
            "POST", "/api/tenant/erp/connect", token=tenant.token, json={"provider": provider}
        )
        assert status == 200, body
        url = yarl.URL(body["authorize_url"]).update_query(sandbox_account=account_id)
        async with self.sandbox.session.get(url, allow_redirects=False) as consent:
            assert consent.status == 302, await consent.text()
            return yarl.URL(consent.headers["Location"])

    async def callback(self, redirect: yarl.URL) -> tuple[int, Any]:
        """Deliver the provider's redirect to admin's callback, as the browser would."""
        return await self.admin.call("GET", redirect.path, params=dict(redirect.query))

    async def connect(self, tenant: Tenant, provider: str, account_id: str) -> dict[str, Any]:
        status, body = await self.callback(await self.authorize(tenant, provider, account_id))
        assert status == 200, body
        return dict(body)

    async def events(self, event_type: str, *, tenant: Tenant | None = None) -> list[CloudEvent]:
        self.seen = await self.collect()
        return [
            event for event in self.seen
            if event.type == event_type and (tenant is None or event.tenantid == tenant.id)
        ]  # fmt: skip

    async def wait_for(
        self, event_type: str, *, count: int, tenant: Tenant | None = None, within: float = 20
    ) -> list[CloudEvent]:
        """At least `count` events of `event_type` (for `tenant`) on the events exchange."""
        return await eventually(
            lambda: self.events(event_type, tenant=tenant), until=lambda found: len(found) >= count,
            within=within, what=f"{count} x {event_type}",
        )  # fmt: skip


@asynccontextmanager
async def erp_stack(
    channel: Any, topology: Topology, db: Database, *, erp_sync: bool = True,
    fiscalizer: bool = False, **erp_overrides: Any,
) -> AsyncIterator[ErpStack]:  # fmt: skip
    """Everything the ERP flow needs; `erp_sync=False` leaves erp_sync for the test to run,
    `fiscalizer=True` runs the fiscalizer against the sandbox's EFRIS too."""
    collect = await collect_tenant_events(channel, topology)
    async with (
        ingress_and_router() as ingress,
        sandbox_running(
            sandbox_ingress_url=ingress.ingress_url, **SIGNING, **OAUTH_APPS
        ) as sandbox,
    ):
        bases = erp_settings(sandbox)
        async with admin_api(**bases) as admin:
            owner = await admin.owner_token(db)
            stack = ErpStack(
                sandbox=sandbox, admin=admin, db=db, owner_token=owner, collect=collect
            )
            if not erp_sync:
                yield stack
                return
            async with AsyncExitStack() as services:
                await services.enter_async_context(
                    running(ERP_SYNC, **bases, retry_tiers_ms=FAST_TIERS, **erp_overrides)
                )
                if fiscalizer:
                    await services.enter_async_context(running(
                        FISCALIZER, efris_url=sandbox.efris_url, efris_test_url=sandbox.efris_url,
                        retry_tiers_ms=FAST_TIERS,
                    ))  # fmt: skip
                yield stack


def erp_settings(sandbox: SandboxControl) -> dict[str, str]:
    """erp_sync's and admin's provider settings, every base at `sandbox`."""
    return {
        **OAUTH_APPS,
        "quickbooks_api_base": sandbox.quickbooks_api_base,
        "intuit_oauth_base": sandbox.intuit_oauth_base,
        "xero_api_base": sandbox.xero_api_base,
        "xero_identity_base": sandbox.xero_identity_base,
        "zoho_api_base": sandbox.zoho_api_base,
        "zoho_accounts_base": sandbox.zoho_accounts_base,
        "oauth_redirect_base": "http://admin.switchyard.test",
    }
