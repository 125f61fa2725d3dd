"""Simulated QuickBooks Online over real HTTP: computed invoices, Faults, requestid replay, limits."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.sandbox.oauth_flows import connect
from tests.support.sandbox import SandboxControl, sandbox_running


@pytest.fixture
async def company(sandbox: SandboxControl):
    realm = await sandbox.create_quickbooks_company(name="Kampala Traders")
    tokens = await connect(sandbox, "quickbooks", realm)
    customer = await sandbox.seed_quickbooks_customer(
        realm,
        {"DisplayName": "Acme Ltd", "PrimaryEmailAddr": {"Address": "ap@acme.example"},
         "PrimaryTaxIdentifier": "1000023456"},
    )  # fmt: skip
    return realm, tokens["access_token"], customer


async def qbo(sandbox, method, realm, path, token, *, json=None, **params):
    url = f"{sandbox.quickbooks_api_base}/v3/company/{realm}/{path}"
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    params.setdefault("minorversion", "75")
    async with sandbox.session.request(
        method, url, json=json, params=params, headers=headers
    ) as response:
        return response.status, await response.json(content_type=None), response.headers


def two_lines(customer_id: str) -> dict[str, Any]:
    return {
        "CustomerRef": {"value": customer_id},
        "Line": [
            {"DetailType": "SalesItemLineDetail", "Description": "Consulting",
             "SalesItemLineDetail": {"Qty": 3, "UnitPrice": 100000, "TaxCodeRef": {"value": "TAX"}}},
            {"DetailType": "SalesItemLineDetail", "Amount": 50000, "Description": "Exempt fee",
             "SalesItemLineDetail": {"TaxCodeRef": {"value": "NON"}}},
        ],
    }  # fmt: skip


async def test_invoice_create_computes_lines_tax_totals_like_qbo_and_get_returns_it(
    sandbox, company
):
    realm, token, customer = company
    status, body, _ = await qbo(
        sandbox, "POST", realm, "invoice", token, json=two_lines(customer["Id"])
    )
    assert status == 200, body
    invoice = body["Invoice"]
    assert invoice["Line"][0]["Amount"] == 300000.0
    assert invoice["Line"][-1] == {
        "Amount": 350000.0, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {},
    }  # fmt: skip
    assert invoice["TxnTaxDetail"]["TotalTax"] == 54000.0
    assert invoice["TxnTaxDetail"]["TaxLine"] == [
        {"Amount": 54000.0, "DetailType": "TaxLineDetail",
         "TaxLineDetail": {"TaxRateRef": {"value": "1"}, "PercentBased": True, "TaxPercent": 18.0,
                           "NetAmountTaxable": 300000.0}},
    ]  # fmt: skip
    assert invoice["TotalAmt"] == 404000.0 == invoice["Balance"]
    assert invoice["CurrencyRef"]["value"] == "UGX"
    assert invoice["CustomerRef"] == {"value": customer["Id"], "name": "Acme Ltd"}
    assert invoice["DocNumber"]
    assert invoice["TxnDate"]
    assert invoice["SyncToken"] == "0"
    status, fetched, _ = await qbo(sandbox, "GET", realm, f"invoice/{invoice['Id']}", token)
    assert status == 200
    assert fetched["Invoice"] == invoice
    assert "time" in fetched


async def test_same_requestid_replays_the_first_answer_without_creating_twice(sandbox, company):
    realm, token, customer = company
    request_id = str(uuid.uuid4())
    first = await qbo(sandbox, "POST", realm, "invoice", token, json=two_lines(customer["Id"]),
                      requestid=request_id)  # fmt: skip
    again = await qbo(sandbox, "POST", realm, "invoice", token, json=two_lines(customer["Id"]),
                      requestid=request_id)  # fmt: skip
    other = await qbo(sandbox, "POST", realm, "invoice", token, json=two_lines(customer["Id"]),
                      requestid=str(uuid.uuid4()))  # fmt: skip
    assert first[0] == again[0] == 200
    assert again[1] == first[1]
    assert other[1]["Invoice"]["Id"] != first[1]["Invoice"]["Id"]
    assert len(await sandbox.quickbooks_invoices(realm)) == 2


async def test_update_bumps_sync_token_and_stale_token_or_deleted_id_are_validation_faults(
    sandbox, company
):
    realm, token, customer = company
    _, created, _ = await qbo(
        sandbox, "POST", realm, "invoice", token, json=two_lines(customer["Id"])
    )
    invoice = created["Invoice"]
    sparse = {"Id": invoice["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "rush"}
    status, updated, _ = await qbo(sandbox, "POST", realm, "invoice", token, json=sparse)
    assert status == 200
    assert updated["Invoice"]["SyncToken"] == "1"
    assert updated["Invoice"]["PrivateNote"] == "rush"
    assert updated["Invoice"]["TotalAmt"] == invoice["TotalAmt"]
    status, stale, _ = await qbo(sandbox, "POST", realm, "invoice", token, json=sparse)
    assert status == 400
    assert stale["Fault"]["type"] == "ValidationFault"
    assert stale["Fault"]["Error"][0]["code"] == "5010"
    delete = {"Id": invoice["Id"], "SyncToken": "1"}
    status, deleted, _ = await qbo(sandbox, "POST", realm, "invoice", token, json=delete,
                                   operation="delete")  # fmt: skip
    assert status == 200
    assert deleted["Invoice"]["status"] == "Deleted"
    status, gone, _ = await qbo(sandbox, "GET", realm, f"invoice/{invoice['Id']}", token)
    assert status == 400
    assert gone["Fault"]["Error"][0]["code"] == "610"
    assert gone["Fault"]["Error"][0]["Message"] == "Object Not Found"
    assert await sandbox.quickbooks_invoices(realm) == []


async def test_unknown_customer_and_unknown_tax_code_are_refused_with_400(sandbox, company):
    realm, token, customer = company
    status, body, _ = await qbo(sandbox, "POST", realm, "invoice", token, json=two_lines("999"))
    assert status == 400
    assert body["Fault"]["type"] == "ValidationFault"
    assert body["Fault"]["Error"][0]["element"] == "CustomerRef"
    invoice = two_lines(customer["Id"])
    invoice["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"] = {"value": "VAT99"}
    status, body, _ = await qbo(sandbox, "POST", realm, "invoice", token, json=invoice)
    assert status == 400
    assert body["Fault"]["Error"][0]["code"] == "2500"


async def test_query_filters_customers_and_pages_invoices(sandbox, company):
    realm, token, customer = company
    await sandbox.seed_quickbooks_customer(realm, {"DisplayName": "O'Brien & Sons"})
    for _ in range(3):
        await qbo(sandbox, "POST", realm, "invoice", token, json=two_lines(customer["Id"]))
    status, body, _ = await qbo(sandbox, "GET", realm, "query", token,
                                query="select * from Customer where DisplayName = 'Acme Ltd'")  # fmt: skip
    assert status == 200
    assert [c["Id"] for c in body["QueryResponse"]["Customer"]] == [customer["Id"]]
    assert body["QueryResponse"]["startPosition"] == 1
    _, body, _ = await qbo(sandbox, "GET", realm, "query", token,
                           query="SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien & Sons'")  # fmt: skip
    assert body["QueryResponse"]["Customer"][0]["DisplayName"] == "O'Brien & Sons"
    _, body, _ = await qbo(sandbox, "GET", realm, "query", token,
                           query="select * from Invoice STARTPOSITION 2 MAXRESULTS 5")  # fmt: skip
    assert body["QueryResponse"]["maxResults"] == 2
    assert body["QueryResponse"]["startPosition"] == 2
    _, body, _ = await qbo(sandbox, "GET", realm, "query", token,
                           query="select * from Customer where DisplayName = 'nobody'")  # fmt: skip
    assert body["QueryResponse"] == {}
    status, body, _ = await qbo(sandbox, "GET", realm, "query", token, query="delete everything")
    assert status == 400
    assert body["Fault"]["Error"][0]["code"] == "4000"


async def test_missing_expired_or_foreign_token_gets_401_3200_or_403_3100(sandbox, company):
    realm, token, _ = company
    status, body, _ = await qbo(sandbox, "GET", realm, f"companyinfo/{realm}", None)
    assert status == 401
    assert body["Fault"]["type"] == "AuthenticationFault"
    assert body["Fault"]["Error"][0]["code"] == "3200"
    other_realm = await sandbox.create_quickbooks_company()
    status, body, _ = await qbo(sandbox, "GET", other_realm, f"companyinfo/{other_realm}", token)
    assert status == 403
    assert body["Fault"]["Error"][0]["code"] == "3100"
    status, body, _ = await qbo(sandbox, "GET", realm, f"companyinfo/{realm}", token)
    assert status == 200
    assert body["CompanyInfo"]["CompanyName"] == "Kampala Traders"
    assert await sandbox.expire_tokens("quickbooks", realm) >= 1
    status, body, _ = await qbo(sandbox, "GET", realm, f"companyinfo/{realm}", token)
    assert status == 401
    assert body["Fault"]["Error"][0]["code"] == "3200"
    assert token not in str(body)


async def test_seeded_tax_code_is_readable_and_applies_its_rate(sandbox, company):
    realm, token, customer = company
    await sandbox.call("POST", f"/_sandbox/quickbooks/companies/{realm}/tax-codes",
                       {"id": "EXC", "name": "Excise 12%", "percent": 12})  # fmt: skip
    status, body, _ = await qbo(sandbox, "GET", realm, "taxcode/EXC", token)
    assert status == 200
    assert body["TaxCode"]["Taxable"] is True
    line = {"DetailType": "SalesItemLineDetail", "Amount": 1000,
            "SalesItemLineDetail": {"TaxCodeRef": {"value": "EXC"}}}  # fmt: skip
    invoice = {"CustomerRef": {"value": customer["Id"]}, "Line": [line]}
    _, created, _ = await qbo(sandbox, "POST", realm, "invoice", token, json=invoice)
    assert created["Invoice"]["TxnTaxDetail"]["TotalTax"] == 120.0
    assert created["Invoice"]["TotalAmt"] == 1120.0


async def test_more_than_the_limit_per_minute_gets_429_throttle_with_retry_after(test_env):
    async with sandbox_running(sandbox_quickbooks_rate_limit_per_min=3) as sandbox:
        realm = await sandbox.create_quickbooks_company()
        token = (await connect(sandbox, "quickbooks", realm))["access_token"]
        statuses = [(await qbo(sandbox, "GET", realm, "taxcode/TAX", token))[0] for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        status, body, headers = await qbo(sandbox, "GET", realm, "taxcode/TAX", token)
        assert status == 429
        assert body["Fault"]["Error"][0]["code"] == "003001"
        assert int(headers["Retry-After"]) >= 1
        await sandbox.advance_clock(61)
        assert (await qbo(sandbox, "GET", realm, "taxcode/TAX", token))[0] == 200
