"""The providers' own Python SDKs, unmodified, against the sandbox (run in threads: they are sync).

What was pointed at the sandbox, and nothing else:

- intuit-oauth (`intuitlib.AuthClient`): `environment=` the sandbox's discovery URL, which the
  library accepts in place of "sandbox"/"production"; every endpoint comes from that document.
- python-quickbooks (`QuickBooks`): the instance's `api_url_v3` (the library picks it over
  `sandbox_api_url_v3` because the AuthClient's environment is not the string "sandbox").
  Its requests go through requests-oauthlib's OAuth2Session, which refuses plain http unless
  oauthlib's documented test switch OAUTHLIB_INSECURE_TRANSPORT=1 is set (the in-process
  sandbox has no TLS), so the test sets that variable.
- xero-python: `IdentityApi(base_url=XERO_API_BASE)` and `AccountingApi(base_url=XERO_API_BASE
  + "/api.xro/2.0")`, both constructor arguments. Token refresh is the one place that is not
  a base URL: `xero_python.api_client.oauth2.TokenApi` keeps the identity server's token and
  revocation URLs as class attributes (`refresh_token_url`, `revoke_token_url`), with no
  constructor argument or Configuration field, so the test sets those two attributes (pytest's
  monkeypatch, undone after the test) to {XERO_IDENTITY_BASE}/connect/token and /revocation.
  xero-python has no authorization-code helper (its examples use Authlib in a web app), so the
  code is exchanged with a plain form POST, as such an app would, and handed to the client.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks
from quickbooks.exceptions import ObjectNotFoundException
from quickbooks.objects.base import EmailAddress, Ref
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from xero_python.accounting import AccountingApi
from xero_python.accounting import Contact as XeroContact
from xero_python.accounting import Invoice as XeroInvoice
from xero_python.accounting import Invoices as XeroInvoices
from xero_python.accounting import LineItem as XeroLineItem
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

from tests.support.sandbox import SandboxControl

CLIENT_ID, CLIENT_SECRET = "sdk-client", "sdk-secret"
REDIRECT_URI = "http://127.0.0.1/callback"
TIMEOUT = 10


def follow_authorize(url: str, account: str) -> dict[str, str]:
    """What a user clicking `account` on the consent page would bring back to the app."""
    response = requests.get(f"{url}&sandbox_account={account}", allow_redirects=False,
                            timeout=TIMEOUT)  # fmt: skip
    assert response.status_code == 302, response.text
    return {
        key: values[0]
        for key, values in parse_qs(urlsplit(response.headers["Location"]).query).items()
    }


def quickbooks_round_trip(sandbox_url: str, realm: str) -> dict[str, object]:
    discovery = f"{sandbox_url}/intuit-oauth/.well-known/openid_configuration"
    auth = AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, environment=discovery)
    redirect = follow_authorize(auth.get_authorization_url([Scopes.ACCOUNTING]), realm)
    assert redirect["state"] == auth.state_token
    auth.get_bearer_token(redirect["code"], realm_id=redirect["realmId"])
    first_refresh_token = auth.refresh_token
    auth.refresh()
    assert auth.refresh_token != first_refresh_token
    assert auth.expires_in == 3600

    qb = QuickBooks(auth_client=auth, company_id=auth.realm_id, minorversion=75)
    qb.api_url_v3 = f"{sandbox_url}/quickbooks/v3"

    customer = Customer()
    customer.DisplayName = "Entebbe Fisheries"
    customer.PrimaryEmailAddr = EmailAddress()
    customer.PrimaryEmailAddr.Address = "ap@entebbe.example"
    customer = customer.save(qb=qb)

    line = SalesItemLine()
    line.Description = "Tilapia, 10 kg"
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.Qty = 4
    line.SalesItemLineDetail.UnitPrice = 25000
    line.SalesItemLineDetail.TaxCodeRef = Ref()
    line.SalesItemLineDetail.TaxCodeRef.value = "TAX"
    line.Amount = None
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    invoice.Line.append(line)
    saved = invoice.save(qb=qb, request_id="sdk-invoice-1")

    fetched = Invoice.get(saved.Id, qb=qb)
    found = Customer.filter(DisplayName="Entebbe Fisheries", qb=qb)
    queried = Customer.query(
        "SELECT * FROM Customer WHERE DisplayName = 'Entebbe Fisheries'", qb=qb
    )
    fetched.delete(qb=qb)
    try:
        Invoice.get(saved.Id, qb=qb)
    except ObjectNotFoundException:
        deleted = True
    else:
        deleted = False
    return {
        "customer_id": customer.Id,
        "invoice_total": fetched.TotalAmt,
        "invoice_tax": fetched.TxnTaxDetail.TotalTax,
        "filtered": [c.Id for c in found],
        "queried": [c.Id for c in queried],
        "deleted": deleted,
    }


async def test_intuitlib_and_python_quickbooks_work_unmodified_against_the_sandbox(
    sandbox: SandboxControl, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    realm = await sandbox.create_quickbooks_company()
    result = await asyncio.to_thread(quickbooks_round_trip, sandbox.base_url, realm)
    assert result["invoice_total"] == 118000.0
    assert result["invoice_tax"] == 18000.0
    assert result["filtered"] == [result["customer_id"]]
    assert result["queried"] == [result["customer_id"]]
    assert result["deleted"] is True
    assert await sandbox.quickbooks_invoices(realm) == []
    refreshes = await sandbox.requests(provider="intuit-oauth", account_id=realm)
    grant_types = [(r["form"] or {}).get("grant_type") for r in refreshes if r["method"] == "POST"]
    assert grant_types == ["authorization_code", "refresh_token"]


def xero_round_trip(sandbox: SandboxControl, tenant: str) -> dict[str, object]:
    url = (f"{sandbox.xero_identity_base}/connect/authorize?response_type=code&client_id={CLIENT_ID}"
           f"&redirect_uri={REDIRECT_URI}&scope=offline_access+accounting.transactions&state=s")  # fmt: skip
    code = follow_authorize(url, tenant)["code"]
    response = requests.post(
        f"{sandbox.xero_identity_base}/connect/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    first = response.json()

    store: dict[str, dict[str, object]] = {}
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)),
        oauth2_token_getter=lambda: store["token"],
        oauth2_token_saver=lambda token: store.__setitem__("token", token),
    )
    client.set_oauth2_token({**first, "scope": first["scope"].split()})
    connections = IdentityApi(client, base_url=sandbox.xero_api_base).get_connections()
    accounting = AccountingApi(client, base_url=f"{sandbox.xero_api_base}/api.xro/2.0")
    invoice = XeroInvoice(
        type="ACCREC",
        contact=XeroContact(name="Gulu Growers"),
        line_items=[
            XeroLineItem(description="Sesame", quantity=2.0, unit_amount=50.0, tax_type="OUTPUT")
        ],
        date=dt.date(2026, 5, 1),
        status="AUTHORISED",
    )
    created = accounting.create_invoices(tenant, invoices=XeroInvoices(invoices=[invoice]))
    invoice_id = created.invoices[0].invoice_id
    # Make the client believe its access token has expired: the next call refreshes through it.
    store["token"] = {**store["token"], "expires_at": 0}
    fetched = accounting.get_invoice(tenant, invoice_id).invoices[0]
    return {
        "tenants": [c.tenant_id for c in connections],
        "total": fetched.total,
        "date": fetched.date,
        "contact": fetched.contact.name,
        "refreshed": store["token"]["refresh_token"] != first["refresh_token"],
    }


async def test_xero_python_connections_invoices_and_token_refresh_against_the_sandbox(
    sandbox: SandboxControl, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(
        TokenApi, "refresh_token_url", f"{sandbox.xero_identity_base}/connect/token"
    )
    monkeypatch.setattr(
        TokenApi, "revoke_token_url", f"{sandbox.xero_identity_base}/connect/revocation"
    )
    tenant = await sandbox.create_xero_organisation(name="Gulu Org")
    result = await asyncio.to_thread(xero_round_trip, sandbox, tenant)
    assert result["tenants"] == [tenant]
    assert result["total"] == 118.0
    assert result["date"] == dt.date(2026, 5, 1)
    assert result["contact"] == "Gulu Growers"
    assert result["refreshed"] is True
    assert len(await sandbox.xero_invoices(tenant)) == 1
    refreshes = await sandbox.requests(provider="xero-identity", path_contains="/connect/token")
    assert [(r["form"] or {}).get("grant_type") for r in refreshes] == [
        "authorization_code", "refresh_token",
    ]  # fmt: skip
