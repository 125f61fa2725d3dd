"""Simulated Xero and Zoho Books APIs over real HTTP: shapes, tenants, errors and limits."""

from __future__ import annotations

import re

from tests.integration.sandbox.oauth_flows import connect
from tests.support.sandbox import sandbox_running

MS_DATE = re.compile(r"^/Date\(\d+\+0000\)/$")


async def xero(sandbox, method, path, token, *, tenant=None, json=None):
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if tenant is not None:
        headers["xero-tenant-id"] = tenant
    async with sandbox.session.request(
        method, sandbox.xero_api_base + path, headers=headers, json=json
    ) as response:
        return response.status, await response.json(content_type=None), response.headers


async def zoho(sandbox, path, token, **query):
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    async with sandbox.session.get(
        f"{sandbox.zoho_api_base}/books/v3{path}", headers=headers, params=query
    ) as response:
        return response.status, await response.json(content_type=None), response.headers


XERO_INVOICE = {
    "Type": "ACCREC",
    "Contact": {"Name": "Nile Breweries", "EmailAddress": "ap@nile.example"},
    "LineItems": [
        {"Description": "Crates", "Quantity": 2, "UnitAmount": 50000, "TaxType": "OUTPUT"},
        {"Description": "Deposit", "Quantity": 1, "UnitAmount": 10000, "TaxType": "NONE"},
    ],
    "LineAmountTypes": "Exclusive",
    "Date": "2026-05-01",
    "Status": "AUTHORISED",
}


async def test_xero_invoice_get_has_ms_json_dates_and_computed_totals(sandbox):
    tenant = await sandbox.create_xero_organisation(name="Nile Org")
    seeded = await sandbox.seed_xero_invoice(tenant, XERO_INVOICE)
    token = (await connect(sandbox, "xero", tenant))["access_token"]
    status, body, _ = await xero(sandbox, "GET", f"/api.xro/2.0/Invoices/{seeded.record['InvoiceID']}",
                                 token, tenant=tenant)  # fmt: skip
    assert status == 200
    assert body["Status"] == "OK"
    (invoice,) = body["Invoices"]
    assert MS_DATE.match(invoice["Date"])
    assert invoice["Date"] == "/Date(1777593600000+0000)/"
    assert MS_DATE.match(invoice["DueDate"])
    assert MS_DATE.match(invoice["UpdatedDateUTC"])
    assert [line["LineAmount"] for line in invoice["LineItems"]] == [100000.0, 10000.0]
    assert [line["TaxAmount"] for line in invoice["LineItems"]] == [18000.0, 0.0]
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == (
        110000.0,
        18000.0,
        128000.0,
    )
    assert invoice["Contact"]["Name"] == "Nile Breweries"
    assert invoice["Contact"]["EmailAddress"] == "ap@nile.example"
    assert invoice["CurrencyCode"] == "UGX"


async def test_xero_inclusive_amounts_hold_the_tax_inside(sandbox):
    tenant = await sandbox.create_xero_organisation()
    inclusive = {**XERO_INVOICE, "LineAmountTypes": "Inclusive",
                 "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 118, "TaxType": "OUTPUT"}]}  # fmt: skip
    record = (await sandbox.seed_xero_invoice(tenant, inclusive)).record
    assert (record["SubTotal"], record["TotalTax"], record["Total"]) == (100.0, 18.0, 118.0)


async def test_xero_connections_list_the_authorised_tenant_only(sandbox):
    tenant = await sandbox.create_xero_organisation(name="Only This")
    await sandbox.create_xero_organisation(name="Not This")
    token = (await connect(sandbox, "xero", tenant))["access_token"]
    status, body, _ = await xero(sandbox, "GET", "/connections", token)
    assert status == 200
    assert [(c["tenantId"], c["tenantName"], c["tenantType"]) for c in body] == [
        (tenant, "Only This", "ORGANISATION")
    ]
    assert set(body[0]) == {"id", "authEventId", "tenantId", "tenantType", "tenantName",
                            "createdDateUtc", "updatedDateUtc"}  # fmt: skip


async def test_xero_tenant_header_token_and_unknown_ids_are_refused_like_xero(sandbox):
    tenant = await sandbox.create_xero_organisation()
    other = await sandbox.create_xero_organisation()
    token = (await connect(sandbox, "xero", tenant))["access_token"]
    path = "/api.xro/2.0/Invoices/00000000-0000-0000-0000-000000000000"
    assert (await xero(sandbox, "GET", path, token))[0] == 400
    assert (await xero(sandbox, "GET", path, token, tenant=other))[0] == 403
    status, body, _ = await xero(sandbox, "GET", path, token, tenant=tenant)
    assert status == 404
    await sandbox.expire_tokens("xero", tenant)
    status, body, _ = await xero(sandbox, "GET", path, token, tenant=tenant)
    assert status == 401
    assert body["Title"] == "Unauthorized"
    assert body["Detail"].startswith("TokenExpired: ")


async def test_xero_api_create_shows_up_in_the_control_list(sandbox):
    tenant = await sandbox.create_xero_organisation()
    token = (await connect(sandbox, "xero", tenant))["access_token"]
    status, body, _ = await xero(sandbox, "PUT", "/api.xro/2.0/Invoices", token, tenant=tenant,
                                 json={"Invoices": [XERO_INVOICE]})  # fmt: skip
    assert status == 200
    assert [i["InvoiceID"] for i in await sandbox.xero_invoices(tenant)] == [
        body["Invoices"][0]["InvoiceID"]
    ]
    bad = {**XERO_INVOICE, "LineItems": [{"Quantity": 1, "UnitAmount": 1, "TaxType": "NOPE"}]}
    status, body, _ = await xero(sandbox, "PUT", "/api.xro/2.0/Invoices", token, tenant=tenant,
                                 json={"Invoices": [bad]})  # fmt: skip
    assert status == 400
    assert body["Type"] == "ValidationException"


async def test_xero_over_the_minute_limit_gets_429_with_the_problem_header(test_env):
    async with sandbox_running(sandbox_xero_rate_limit_per_min=2) as sandbox:
        tenant = await sandbox.create_xero_organisation()
        token = (await connect(sandbox, "xero", tenant))["access_token"]
        for _ in range(2):
            assert (await xero(sandbox, "GET", "/api.xro/2.0/Invoices", token, tenant=tenant))[
                0
            ] == 200
        status, _, headers = await xero(
            sandbox, "GET", "/api.xro/2.0/Invoices", token, tenant=tenant
        )
        assert status == 429
        assert headers["X-Rate-Limit-Problem"] == "minute"
        assert int(headers["Retry-After"]) >= 1


ZOHO_INVOICE = {
    "customer_name": "Bowman & Co",
    "date": "2026-05-02",
    "line_items": [
        {
            "name": "Hard Drive",
            "description": "500GB",
            "rate": 120,
            "quantity": 2,
            "tax_percentage": 18,
        },
        {"name": "Cable", "rate": 10, "quantity": 1},
    ],
}


async def test_zoho_invoice_get_has_string_ids_and_computed_taxes(sandbox):
    org = await sandbox.create_zoho_organization(name="Bowman Books")
    seeded = await sandbox.seed_zoho_invoice(org, ZOHO_INVOICE)
    token = (await connect(sandbox, "zoho", org))["access_token"]
    status, body, _ = await zoho(sandbox, f"/invoices/{seeded.record['invoice_id']}", token,
                                 organization_id=org)  # fmt: skip
    assert status == 200
    assert (body["code"], body["message"]) == (0, "success")
    invoice = body["invoice"]
    assert isinstance(invoice["invoice_id"], str)
    assert isinstance(invoice["customer_id"], str)
    assert [line["item_total"] for line in invoice["line_items"]] == [240.0, 10.0]
    assert invoice["line_items"][0]["tax_name"] == "VAT"
    assert invoice["line_items"][0]["tax_percentage"] == 18.0
    assert (invoice["sub_total"], invoice["tax_total"], invoice["total"]) == (250.0, 43.2, 293.2)
    assert invoice["taxes"] == [{"tax_name": "VAT", "tax_amount": 43.2}]
    assert invoice["is_inclusive_tax"] is False
    assert invoice["currency_code"] == "UGX"
    _, orgs, _ = await zoho(sandbox, "/organizations", token)
    assert [o["organization_id"] for o in orgs["organizations"]] == [org]


async def test_zoho_errors_are_code_and_message(sandbox):
    org = await sandbox.create_zoho_organization()
    token = (await connect(sandbox, "zoho", org))["access_token"]
    status, body, _ = await zoho(sandbox, "/invoices/1", token, organization_id=org)
    assert (status, body["code"], body["message"]) == (404, 1002, "Invoice does not exist.")
    status, body, _ = await zoho(sandbox, "/invoices/1", "bogus", organization_id=org)
    assert (status, body["code"]) == (401, 57)
    seeded = await sandbox.seed_zoho_invoice(org, ZOHO_INVOICE)
    invoice_id = seeded.record["invoice_id"]
    await sandbox.call("DELETE", f"/_sandbox/zoho/organizations/{org}/invoices/{invoice_id}")
    status, body, _ = await zoho(sandbox, f"/invoices/{invoice_id}", token, organization_id=org)
    assert (status, body["code"]) == (404, 1002)
    await sandbox.expire_tokens("zoho")
    status, body, _ = await zoho(sandbox, "/invoices/1", token, organization_id=org)
    assert (status, body["code"]) == (401, 57)


async def test_zoho_over_the_minute_limit_gets_429_code_44(test_env):
    async with sandbox_running(sandbox_zoho_rate_limit_per_min=1) as sandbox:
        org = await sandbox.create_zoho_organization()
        token = (await connect(sandbox, "zoho", org))["access_token"]
        assert (await zoho(sandbox, "/invoices", token, organization_id=org))[0] == 200
        status, body, headers = await zoho(sandbox, "/invoices", token, organization_id=org)
        assert (status, body["code"]) == (429, 44)
        assert "Retry-After" in headers
