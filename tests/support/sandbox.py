"""The provider sandbox in-process, and a small typed client for its control API.

    async with sandbox_running(ingress_url=...) as sandbox:      # or the `sandbox` fixture
        realm = await sandbox.create_quickbooks_company()
        await sandbox.seed_quickbooks_customer(realm, {"DisplayName": "Acme"})
        client = QuickBooksClient(api_base=sandbox.quickbooks_api_base, ...)

`sandbox_running` starts the real service (`services.sandbox`) on a free port through
`tests.support.running`; `SandboxControl` wraps `/_sandbox/...` (see services/sandbox/http.py).
Every account id is random unless you pass one, so tests sharing a sandbox do not meet.
The `*_base` properties are what a service's QUICKBOOKS_API_BASE, INTUIT_OAUTH_BASE, ... should
be set to. Methods raise `SandboxRefused` (status and the JSON error) on a 4xx/5xx answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import yarl

from services.sandbox.bootstrap import SPEC
from tests.support.running import running

Json = dict[str, Any]
Provider = Literal["quickbooks", "xero", "zoho"]
FaultProvider = Literal[
    "quickbooks", "intuit-oauth", "xero", "xero-identity", "zoho", "zoho-accounts", "efris"
]
EFRIS_PATH = "/efris/efrisws/ws/taapp/getInformation"


class SandboxRefused(AssertionError):
    """The control API answered an error: `status` and its JSON `body`."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"sandbox answered {status}: {body!r}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Seeded:
    """A record the control API created, and the webhook delivery it fired (if any)."""

    record: Json
    delivery: Json | None


class SandboxControl:
    """Typed calls to a running sandbox's control API (`/_sandbox`)."""

    def __init__(self, *, base_url: str, session: aiohttp.ClientSession) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session

    # Where a service under test should point each provider (CONTRACT §2).
    @property
    def quickbooks_api_base(self) -> str:
        return f"{self.base_url}/quickbooks"

    @property
    def intuit_oauth_base(self) -> str:
        return f"{self.base_url}/intuit-oauth"

    @property
    def xero_api_base(self) -> str:
        return f"{self.base_url}/xero"

    @property
    def xero_identity_base(self) -> str:
        return f"{self.base_url}/xero-identity"

    @property
    def zoho_api_base(self) -> str:
        return f"{self.base_url}/zoho"

    @property
    def zoho_accounts_base(self) -> str:
        return f"{self.base_url}/zoho-accounts"

    @property
    def efris_url(self) -> str:
        """EFRIS_URL: the one endpoint every EFRIS interface is posted to."""
        return f"{self.base_url}{EFRIS_PATH}"

    async def call(
        self, method: str, path: str, body: Json | None = None, *, query: Json | None = None
    ) -> Any:
        """One control call; the JSON answer, or `SandboxRefused`."""
        async with self.session.request(
            method, f"{self.base_url}{path}", json=body, params=query
        ) as response:
            answer = await response.json(content_type=None)
            if response.status >= 400:
                raise SandboxRefused(response.status, answer)
            return answer

    # QuickBooks
    async def create_quickbooks_company(
        self, *, realm_id: str | None = None, name: str | None = None, currency: str = "UGX"
    ) -> str:
        """A new company; its realm id."""
        body: Json = {"realm_id": realm_id, "name": name, "currency": currency}
        return str((await self.call("POST", "/_sandbox/quickbooks/companies", body))["realm_id"])

    async def seed_quickbooks_customer(self, realm: str, customer: Json) -> Json:
        """Store a QBO Customer (DisplayName, PrimaryEmailAddr, PrimaryTaxIdentifier...)."""
        path = f"/_sandbox/quickbooks/companies/{realm}/customers"
        result: Json = await self.call("POST", path, customer)
        return result

    async def seed_quickbooks_invoice(
        self,
        realm: str,
        invoice: Json,
        *,
        notify: Literal["legacy", "cloudevents"] | None = None,
    ) -> Seeded:
        """Store a QBO Invoice computed as the API would; `notify` fires the Create webhook."""
        path = f"/_sandbox/quickbooks/companies/{realm}/invoices"
        return _seeded(await self.call("POST", path, {**invoice, "notify": notify}))

    async def update_quickbooks_invoice(
        self, realm: str, invoice_id: str, fields: Json, *, notify: str | None = None
    ) -> Seeded:
        path = f"/_sandbox/quickbooks/companies/{realm}/invoices/{invoice_id}"
        return _seeded(await self.call("PUT", path, {**fields, "notify": notify}))

    async def quickbooks_invoices(self, realm: str) -> list[Json]:
        """Every invoice in the company, API-created ones included."""
        path = f"/_sandbox/quickbooks/companies/{realm}/invoices"
        invoices: list[Json] = (await self.call("GET", path))["invoices"]
        return invoices

    # Xero
    async def create_xero_organisation(
        self, *, tenant_id: str | None = None, name: str | None = None, currency: str = "UGX"
    ) -> str:
        """A new organisation; its tenant id."""
        body: Json = {"tenant_id": tenant_id, "name": name, "currency": currency}
        return str((await self.call("POST", "/_sandbox/xero/organisations", body))["tenant_id"])

    async def seed_xero_invoice(
        self, tenant: str, invoice: Json, *, notify: bool = False
    ) -> Seeded:
        """Store a Xero invoice (Contact, LineItems, ...); `notify` fires INVOICE CREATE."""
        path = f"/_sandbox/xero/organisations/{tenant}/invoices"
        return _seeded(await self.call("POST", path, {**invoice, "notify": notify}))

    async def xero_invoices(self, tenant: str) -> list[Json]:
        invoices: list[Json] = (
            await self.call("GET", f"/_sandbox/xero/organisations/{tenant}/invoices")
        )["invoices"]
        return invoices

    # Zoho
    async def create_zoho_organization(
        self, *, organization_id: str | None = None, name: str | None = None,
        currency_code: str = "UGX",
    ) -> str:  # fmt: skip
        """A new organization; its organization id."""
        body: Json = {
            "organization_id": organization_id,
            "name": name,
            "currency_code": currency_code,
        }
        answer = await self.call("POST", "/_sandbox/zoho/organizations", body)
        return str(answer["organization_id"])

    async def seed_zoho_invoice(
        self, organization: str, invoice: Json, *, notify: Json | None = None
    ) -> Seeded:
        """Store a Zoho invoice; `notify={"path_token", "secret"}` fires the signed webhook."""
        path = f"/_sandbox/zoho/organizations/{organization}/invoices"
        return _seeded(await self.call("POST", path, {**invoice, "notify": notify}))

    async def zoho_invoices(self, organization: str) -> list[Json]:
        path = f"/_sandbox/zoho/organizations/{organization}/invoices"
        invoices: list[Json] = (await self.call("GET", path))["invoices"]
        return invoices

    # EFRIS
    async def register_efris_device(
        self, *, tin: str, device_no: str, certificate_pem: str,
        legal_name: str | None = None, business_name: str | None = None,
    ) -> Json:  # fmt: skip
        """Onboard a device as URA does outside the API: its TIN, DSN and certificate (PEM).

        The simulator verifies the device's signatures with that certificate's key and seals
        its T104 keys for it. Answers the device as listed (no key material).
        """
        body: Json = {"tin": tin, "device_no": device_no, "certificate_pem": certificate_pem,
                      "legal_name": legal_name, "business_name": business_name}  # fmt: skip
        answer: Json = await self.call(
            "POST", "/_sandbox/efris/devices", {k: v for k, v in body.items() if v is not None}
        )
        return answer

    async def efris_invoices(
        self, *, tin: str | None = None, reference_no: str | None = None
    ) -> list[Json]:
        """Every fiscal document the simulator issued (one entry per FDN), oldest first."""
        query = {"tin": tin, "reference_no": reference_no}
        given = {key: value for key, value in query.items() if value is not None}
        invoices: list[Json] = (await self.call("GET", "/_sandbox/efris/invoices", query=given))[
            "invoices"
        ]
        return invoices

    async def expire_efris_key(self, device_no: str) -> bool:
        """Expire the device's T104 key now (its next encrypted call answers 402); False if none."""
        path = f"/_sandbox/efris/devices/{device_no}/expire-key"
        return bool((await self.call("POST", path))["expired"])

    # Webhook receivers
    def receiver_url(self, name: str) -> str:
        """A webhook receiver standing in for a tenant's endpoint (services/sandbox/receivers.py)."""
        return f"{self.base_url}/_sandbox/receivers/{name}"

    async def configure_receiver(self, name: str, *, secret: str | None, status: int = 204) -> Json:
        body: Json = {"secret": secret, "status": status}
        answer: Json = await self.call("PUT", f"/_sandbox/receivers/{name}", body)
        return answer

    async def received(self, name: str) -> list[Json]:
        answer = await self.call("GET", f"/_sandbox/receivers/{name}")
        received: list[Json] = answer["received"]
        return received

    # Stripe
    async def stripe_checkout_session(self, **session: Any) -> Json:
        """Create a session and fire checkout.session.completed: {session, event, delivery}."""
        answer: Json = await self.call("POST", "/_sandbox/stripe/checkout-sessions", session)
        return answer

    # OAuth: the consent step, as a user clicking the account would do it
    async def authorization_code(
        self,
        provider: Provider,
        account_id: str,
        *,
        client_id: str = "sandbox-client",
        redirect_uri: str = "http://127.0.0.1/callback",
        scope: str = "com.intuit.quickbooks.accounting",
        state: str = "state",
    ) -> str:
        """Follow the provider's authorize URL with `sandbox_account`; the code it redirects with."""
        authorize = {
            "quickbooks": f"{self.intuit_oauth_base}/connect/oauth2",
            "xero": f"{self.xero_identity_base}/connect/authorize",
            "zoho": f"{self.zoho_accounts_base}/oauth/v2/auth",
        }[provider]
        query = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
                 "scope": scope, "state": state, "sandbox_account": account_id}  # fmt: skip
        async with self.session.get(authorize, params=query, allow_redirects=False) as response:
            if response.status != 302:
                raise SandboxRefused(response.status, await response.text())
            location = yarl.URL(response.headers["Location"])
        return location.query["code"]

    # Webhooks, tokens, faults, inspection, time
    async def redeliver(self, delivery_id: str) -> Json:
        """Send a fired webhook again (Stripe re-signed): {delivery_id, status, body}."""
        answer: Json = await self.call("POST", f"/_sandbox/deliveries/{delivery_id}/redeliver")
        return answer

    async def expire_tokens(self, provider: Provider, account_id: str | None = None) -> int:
        """Expire live access tokens now (refresh tokens untouched); how many."""
        body = {"account_id": account_id}
        return int(
            (await self.call("POST", f"/_sandbox/{provider}/tokens/expire", body))["expired"]
        )

    async def revoke_tokens(self, provider: Provider, account_id: str | None = None) -> int:
        """Revoke grants (their refresh tokens then get invalid_grant); how many."""
        body = {"account_id": account_id}
        return int(
            (await self.call("POST", f"/_sandbox/{provider}/tokens/revoke", body))["revoked"]
        )

    async def set_fault(self, provider: FaultProvider, **rule: Any) -> Json:
        """Install a fault rule: account_id, error_rate, statuses, latency_ms, body, when, count,
        paths; for EFRIS also return_code (answered in the envelope) and paths as interface codes."""
        answer: Json = await self.call("PUT", f"/_sandbox/faults/{provider}", rule)
        return answer

    async def clear_faults(self, provider: FaultProvider) -> None:
        await self.call("DELETE", f"/_sandbox/faults/{provider}")

    async def requests(
        self,
        *,
        provider: str | None = None,
        account_id: str | None = None,
        path_contains: str | None = None,
        since: int = 0,
    ) -> list[Json]:
        """What the simulated providers received (masked), oldest first."""
        query = {"provider": provider, "account_id": account_id, "path_contains": path_contains}
        given = {key: value for key, value in query.items() if value is not None}
        found: list[Json] = (
            await self.call("GET", "/_sandbox/requests", query={**given, "since": str(since)})
        )["requests"]
        return found

    async def advance_clock(self, seconds: float) -> None:
        """Let simulated time pass (token lifetimes, grace periods, rate windows)."""
        await self.call("POST", "/_sandbox/clock/advance", {"seconds": seconds})


def _seeded(answer: Json) -> Seeded:
    return Seeded(record=answer["invoice"], delivery=answer["delivery"])


@asynccontextmanager
async def sandbox_running(**settings: Any) -> AsyncIterator[SandboxControl]:
    """The sandbox service on a free port (settings as keyword overrides), and its control client."""
    async with running(SPEC, **settings) as health, aiohttp.ClientSession() as session:
        yield SandboxControl(base_url=f"http://127.0.0.1:{health.bound_port}", session=session)
