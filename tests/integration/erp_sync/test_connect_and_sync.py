"""Each ERP connected by OAuth end to end, then a webhook for a new invoice gives invoice.ready.

Over real HTTP: admin starts the connect and serves the callback, the sandbox plays the
provider (consent, token endpoint, API, signed webhooks), ingress and router route the
webhook to the tenant, erp_sync fetches the invoice with the tenant's token.
"""

from __future__ import annotations

from decimal import Decimal

from libs.invoices import Invoice
from services.erp_sync import storage
from services.router.storage import routes_for
from tests.support.polling import eventually


def totals(invoice: Invoice) -> tuple[Decimal, Decimal, Decimal]:
    return invoice.totals.net, invoice.totals.tax, invoice.totals.gross


async def test_quickbooks_connected_by_oauth_then_a_new_invoice_is_ready(stack, db, secret_box):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    connected = await stack.connect(tenant, "quickbooks", realm)
    assert connected["accounts"] == [realm]
    routes = await routes_for(db, provider="quickbooks", account_id=realm)
    assert [(r.tenant_id, r.connection_id) for r in routes] == [
        (tenant.id, connected["connection_id"])
    ]
    stored = await storage.tokens_of(db, secret_box, connected["connection_id"])
    assert stored is not None
    assert stored.status == "connected"
    raw = await db.pool.fetchval(
        "SELECT access_token FROM erp_connections WHERE id = $1::uuid", connected["connection_id"]
    )
    assert stored.access_token is not None
    assert stored.access_token.encode() not in raw  # encrypted at rest

    customer = await stack.sandbox.seed_quickbooks_customer(
        realm, {"DisplayName": "Kampala Traders", "PrimaryTaxIdentifier": "1000023456",
                "PrimaryEmailAddr": {"Address": "ap@kampala.test"}},
    )  # fmt: skip
    lines = [
        {"DetailType": "SalesItemLineDetail", "Description": "Cement", "Amount": 300000,
         "SalesItemLineDetail": {"Qty": 6, "UnitPrice": 50000, "TaxCodeRef": {"value": "TAX"}}},
        {"DetailType": "SalesItemLineDetail", "Description": "Delivery", "Amount": 20000,
         "SalesItemLineDetail": {"Qty": 1, "UnitPrice": 20000, "TaxCodeRef": {"value": "NON"}}},
    ]  # fmt: skip
    seeded = await stack.sandbox.seed_quickbooks_invoice(
        realm, {"CustomerRef": {"value": customer["Id"]}, "Line": lines}, notify="cloudevents"
    )
    assert seeded.delivery is not None
    assert seeded.delivery["status"] == 200

    [ready] = await stack.wait_for("invoice.ready", count=1, tenant=tenant)
    invoice = Invoice.model_validate(ready.data)
    assert invoice.source.invoice_id == seeded.record["Id"]
    assert invoice.source.account_id == realm
    assert totals(invoice) == (Decimal(320000), Decimal(54000), Decimal(374000))
    assert invoice.buyer.tin == "1000023456"
    assert invoice.currency == "UGX"
    assert [line.tax for line in invoice.lines] == [Decimal(54000), Decimal(0)]
    assert ready.connectionid == connected["connection_id"]
    assert ready.source == "/services/erp_sync"


async def test_xero_connected_by_oauth_then_a_new_invoice_is_ready(stack, db):
    tenant = await stack.new_tenant()
    organisation = await stack.sandbox.create_xero_organisation(name="Nile Breweries")
    connected = await stack.connect(tenant, "xero", organisation)
    assert connected["accounts"] == [organisation]
    invoice = {
        "Type": "ACCREC", "Contact": {"Name": "Gulu Hardware", "TaxNumber": "1000098765"},
        "LineAmountTypes": "Exclusive", "CurrencyCode": "UGX",
        "LineItems": [{"Description": "Crates", "Quantity": 4, "UnitAmount": 12500.5,
                       "TaxType": "OUTPUT"}],
    }  # fmt: skip
    seeded = await stack.sandbox.seed_xero_invoice(organisation, invoice, notify=True)
    assert seeded.delivery is not None
    assert seeded.delivery["status"] == 200

    [ready] = await stack.wait_for("invoice.ready", count=1, tenant=tenant)
    mapped = Invoice.model_validate(ready.data)
    assert mapped.source.provider == "xero"
    assert mapped.source.invoice_id == seeded.record["InvoiceID"]
    assert totals(mapped) == (Decimal("50002.00"), Decimal("9000.36"), Decimal("59002.36"))
    assert mapped.buyer.tin == "1000098765"


async def test_zoho_connected_by_oauth_then_a_new_invoice_is_ready(stack):
    tenant = await stack.new_tenant()
    organization = await stack.sandbox.create_zoho_organization(name="Jinja Mills")
    connected = await stack.connect(tenant, "zoho", organization)
    assert connected["accounts"] == [organization]
    [webhook] = connected["zoho_webhooks"]
    assert webhook["organization_id"] == organization
    path_token = webhook["url"].rsplit("/", 1)[1]
    invoice = {
        "customer_name": "Mbale Dairy", "currency_code": "UGX",
        "line_items": [{"name": "Maize flour", "rate": 3500, "quantity": 10, "tax_percentage": 18},
                       {"name": "Bags", "rate": 500, "quantity": 10, "tax_percentage": 0}],
    }  # fmt: skip
    seeded = await stack.sandbox.seed_zoho_invoice(
        organization, invoice, notify={"path_token": path_token, "secret": webhook["secret"]}
    )
    assert seeded.delivery is not None
    # Ingress learns a new Zoho URL through LISTEN/NOTIFY, milliseconds after the connect;
    # a webhook racing it is answered 404 and retried, as Zoho would.
    await eventually(
        lambda: stack.sandbox.redeliver(seeded.delivery["delivery_id"]),
        until=lambda answer: answer["status"] == 200, what="ingress to accept the Zoho URL",
    )  # fmt: skip

    [ready] = await stack.wait_for("invoice.ready", count=1, tenant=tenant)
    mapped = Invoice.model_validate(ready.data)
    assert mapped.source.provider == "zoho"
    assert mapped.source.invoice_id == str(seeded.record["invoice_id"])
    assert totals(mapped) == (Decimal(40000), Decimal(6300), Decimal(46300))
