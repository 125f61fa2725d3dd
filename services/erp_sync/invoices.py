"""Reading invoices from a tenant's ERP, and writing the ones Stripe payments call for.

    invoice = await erp.fetch(provider, connection_id=…, account_id=…, invoice_id=…)
    made = await erp.create_from_checkout(connection_id=…, realm_id=…, session=…)

Every call goes through the connection's `TokenSource` (fresh token, one refresh and one
retry on a 401). QuickBooks invoices name only their customer and tax codes, so the
customer and each tax code are read too (tax codes at most once per 5 minutes per process): the canonical invoice needs the buyer's TIN and
each line's rate. Errors are the `libs.http` tree, `NeedsReconnect`, and `InvoiceError`
from mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from libs.invoices import Invoice
from services.erp_sync import checkout
from services.erp_sync.apps import Provider
from services.erp_sync.checkout import PaidSession
from services.erp_sync.clients.quickbooks import QuickBooksClient
from services.erp_sync.clients.xero import XeroClient
from services.erp_sync.clients.zoho import ZohoClient
from services.erp_sync.mapping import from_quickbooks, from_xero, from_zoho
from services.erp_sync.tokens import AccessToken, TokenSource

# Tax codes that carry no rate by definition: no lookup needed (providers.md §1.8).
_NO_RATE_CODES = frozenset({"NON"})
# A company's tax codes change rarely (a new VAT rate is a new code); reading each one once
# per this long saves a request per invoice.
TAX_CODES_FOR = timedelta(minutes=5)


@dataclass(frozen=True)
class ErpInvoices:
    tokens: TokenSource
    quickbooks: QuickBooksClient
    xero: XeroClient
    zoho: ZohoClient
    home_currency: str
    clock: Callable[[], datetime]
    _tax_codes: dict[tuple[str, str], tuple[datetime, dict[str, Any]]] = field(
        default_factory=dict, repr=False
    )

    async def fetch(
        self, provider: Provider, *, connection_id: str, account_id: str, invoice_id: str
    ) -> Invoice:
        """The ERP's invoice `invoice_id` in account `account_id`, mapped to an `Invoice`."""
        if provider == "quickbooks":
            return await self._quickbooks(connection_id, account_id, invoice_id)
        if provider == "xero":
            envelope = await self.tokens.call(
                connection_id,
                lambda t: self.xero.get_invoice(account_id, invoice_id, token=t.token),
            )
            return from_xero(envelope, tenant_id=account_id)
        envelope = await self.tokens.call(
            connection_id,
            lambda t: self.zoho.get_invoice(
                account_id, invoice_id, api_domain=t.api_domain, token=t.token
            ),
        )
        return from_zoho(envelope, organization_id=account_id)

    async def create_from_checkout(
        self, *, connection_id: str, realm_id: str, session: PaidSession
    ) -> str:
        """Create (once, by `requestid`) the QuickBooks invoice for a paid session; its id."""
        customer_id = await self._checkout_customer(connection_id, realm_id, session)
        created = await self.tokens.call(
            connection_id,
            lambda t: self.quickbooks.create(
                realm_id,
                "Invoice",
                checkout.invoice_body(session, customer_id=customer_id),
                request_id=checkout.request_id(session, "invoice"),
                token=t.token,
            ),
        )
        return str(created.get("Id"))

    async def _checkout_customer(
        self, connection_id: str, realm_id: str, session: PaidSession
    ) -> str:
        async def find_or_create(token: AccessToken) -> dict[str, Any]:
            found = await self.quickbooks.query(
                realm_id, checkout.customer_query(session), token=token.token
            )
            customers = found.get("Customer")
            if isinstance(customers, list) and customers and isinstance(customers[0], dict):
                return customers[0]
            return await self.quickbooks.create(
                realm_id, "Customer", checkout.customer_body(session),
                request_id=checkout.request_id(session, "customer"), token=token.token,
            )  # fmt: skip

        customer = await self.tokens.call(connection_id, find_or_create)
        return str(customer.get("Id"))

    async def _quickbooks(self, connection_id: str, realm: str, invoice_id: str) -> Invoice:
        async def read(token: AccessToken) -> Invoice:
            invoice = await self.quickbooks.get_invoice(realm, invoice_id, token=token.token)
            customer = None
            customer_ref = _ref(invoice.get("CustomerRef"))
            if customer_ref is not None:
                customer = await self.quickbooks.get_customer(
                    realm, customer_ref, token=token.token
                )
            tax_codes = {
                code: await self._tax_code(realm, code, token=token.token)
                for code in _tax_codes(invoice)
            }
            return from_quickbooks(
                invoice, realm_id=realm, customer=customer, tax_codes=tax_codes,
                home_currency=self.home_currency,
            )  # fmt: skip

        return await self.tokens.call(connection_id, read)

    async def _tax_code(self, realm: str, code: str, *, token: str) -> dict[str, Any]:
        now, key = self.clock(), (realm, code)
        held = self._tax_codes.get(key)
        if held is not None and held[0] + TAX_CODES_FOR > now:
            return held[1]
        found = await self.quickbooks.get_tax_code(realm, code, token=token)
        self._tax_codes[key] = (now, found)
        return found


def _ref(value: object) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("value"), (str, int)):
        return str(value["value"])
    return None


def _tax_codes(invoice: dict[str, Any]) -> list[str]:
    """The distinct tax codes an invoice's sales lines use (nested group lines included)."""
    codes: dict[str, None] = {}
    pending = list(invoice.get("Line") or [])
    while pending:
        line = pending.pop(0)
        if not isinstance(line, dict):
            continue
        group = line.get("GroupLineDetail")
        if isinstance(group, dict):
            pending.extend(group.get("Line") or [])
        detail = line.get("SalesItemLineDetail")
        code = _ref(detail.get("TaxCodeRef")) if isinstance(detail, dict) else None
        if code is not None and code not in _NO_RATE_CODES:
            codes[code] = None
    return list(codes)
