"""Webhooks the sandbox fires, verified by the real ingress (signatures, shapes, routing ids)."""

from __future__ import annotations

import pytest

from libs.broker import Exchange
from services.ingress.storage import register_zoho_connection
from tests.integration.ingress.deliveries import ingress_running
from tests.support.polling import eventually
from tests.support.sandbox import SandboxRefused, sandbox_running
from tests.support.stack import PROVIDER_SECRETS, collect_events

SIGNING = {
    "quickbooks_webhook_verifier_token": PROVIDER_SECRETS["quickbooks_webhook_verifier_token"],
    "xero_webhook_key": PROVIDER_SECRETS["xero_webhook_key"],
    # ingress accepts both; the sandbox signs with the first, as a provider mid-rotation does
    "stripe_webhook_secrets": PROVIDER_SECRETS["stripe_webhook_secrets"],
}


@pytest.fixture
async def zoho_connection(db, secret_box):
    secret = "zohoSecret123456"
    organization_id = "6001234"
    token = await register_zoho_connection(
        db, secret_box, tenant_id="tenant-sandbox", organization_id=organization_id, secret=secret
    )
    return {"path_token": token, "secret": secret, "organization_id": organization_id}


@pytest.fixture
async def wired(zoho_connection):
    """Ingress (with the test secrets) and a sandbox firing at it, signing with the same secrets."""
    async with (
        ingress_running() as ingress,
        sandbox_running(sandbox_ingress_url=ingress.url, **SIGNING) as sandbox,
    ):
        yield sandbox


@pytest.fixture
async def published(broker, topology):
    """Every CloudEvent ingress publishes during the test."""
    channel = await broker.channel()
    collect = await collect_events(channel, topology.exchange(Exchange.INGRESS))

    async def take(count: int):
        return await eventually(
            collect, until=lambda got: len(got) >= count, what=f"{count} events"
        )

    yield take
    await channel.close()


async def test_quickbooks_cloudevents_and_legacy_notifications_reach_ingress(wired, published):
    sandbox = wired
    realm = await sandbox.create_quickbooks_company()
    customer = await sandbox.seed_quickbooks_customer(realm, {"DisplayName": "Acme"})
    line = {"DetailType": "SalesItemLineDetail", "Amount": 100,
            "SalesItemLineDetail": {"TaxCodeRef": {"value": "TAX"}}}  # fmt: skip
    invoice = {"CustomerRef": {"value": customer["Id"]}, "Line": [line]}
    seeded = await sandbox.seed_quickbooks_invoice(realm, invoice, notify="cloudevents")
    assert seeded.delivery is not None
    assert seeded.delivery["status"] == 200, seeded.delivery
    path = f"/_sandbox/quickbooks/companies/{realm}/invoices/{seeded.record['Id']}/void"
    voided = await sandbox.call("POST", path, {"notify": "legacy"})
    assert voided["delivery"]["status"] == 200
    events = await published(2)
    assert [(e.type, e.accountid, e.subject) for e in events] == [
        ("quickbooks.invoice.created", realm, f"invoice/{seeded.record['Id']}"),
        ("quickbooks.invoice.voided", realm, f"invoice/{seeded.record['Id']}"),
    ]


async def test_one_cloudevents_post_can_carry_several_realms(wired, published):
    answer = await wired.call("POST", "/_sandbox/webhooks/quickbooks", {
        "format": "cloudevents",
        "events": [{"realm_id": "111", "entity": "Invoice", "id": "7", "operation": "Create"},
                   {"realm_id": "222", "entity": "Customer", "id": "8", "operation": "Update"}],
    })  # fmt: skip
    assert answer["status"] == 200
    events = await published(2)
    assert sorted((e.type, e.accountid) for e in events) == [
        ("quickbooks.customer.updated", "222"),
        ("quickbooks.invoice.created", "111"),
    ]


async def test_xero_invoice_events_reach_ingress_for_the_tenant(wired, published):
    tenant = await wired.create_xero_organisation()
    invoice = {"Contact": {"Name": "Nile"}, "LineItems": [{"Quantity": 1, "UnitAmount": 5}]}
    seeded = await wired.seed_xero_invoice(tenant, invoice, notify=True)
    assert seeded.delivery["status"] == 200
    path = f"/_sandbox/xero/organisations/{tenant}/invoices/{seeded.record['InvoiceID']}"
    await wired.call("PUT", path, {"Reference": "PO-9", "notify": True})
    events = await published(2)
    assert [(e.type, e.accountid) for e in events] == [
        ("xero.invoice.created", tenant),
        ("xero.invoice.updated", tenant),
    ]


async def test_zoho_default_payload_is_signed_for_the_connection(wired, published, zoho_connection):
    org = await wired.create_zoho_organization()
    target = {"path_token": zoho_connection["path_token"], "secret": zoho_connection["secret"]}
    invoice = {"customer_name": "Bowman", "line_items": [{"name": "Drive", "rate": 10}]}
    seeded = await wired.seed_zoho_invoice(org, invoice, notify=target)
    assert seeded.delivery["status"] == 200, seeded.delivery
    path = f"/_sandbox/zoho/organizations/{org}/invoices/{seeded.record['invoice_id']}"
    await wired.call("PUT", path, {"status": "paid", "notify": target})
    events = await published(2)
    assert [(e.type, e.accountid) for e in events] == [
        ("zoho.invoice.created", zoho_connection["organization_id"]),
        ("zoho.invoice.updated", zoho_connection["organization_id"]),
    ]
    wrong = {**target, "secret": "notTheSecret1234"}
    refused = await wired.seed_zoho_invoice(org, invoice, notify=wrong)
    assert refused.delivery["status"] == 401


async def test_stripe_event_and_its_redelivery_carry_one_event_id(wired, published):
    answer = await wired.stripe_checkout_session(
        account="acct_1Tenant", amount_total=5000, currency="ugx", payment_status="unpaid",
        customer_details={"email": "jenny@example.com", "name": "Jenny"}, metadata={"order": "7"},
    )  # fmt: skip
    assert answer["session"]["id"].startswith("cs_test_")
    assert answer["event"]["id"].startswith("evt_")
    assert answer["delivery"]["status"] == 200
    again = await wired.redeliver(answer["delivery"]["delivery_id"])
    assert again["status"] == 200
    paid = await wired.call(
        "POST",
        f"/_sandbox/stripe/checkout-sessions/{answer['session']['id']}/async-payment-succeeded",
    )
    assert paid["event"]["data"]["object"]["payment_status"] == "paid"
    events = await published(3)
    assert [(e.type, e.accountid) for e in events] == [
        ("stripe.checkout.session.completed", "acct_1Tenant"),
        ("stripe.checkout.session.completed", "acct_1Tenant"),
        ("stripe.checkout.session.async_payment_succeeded", "acct_1Tenant"),
    ]
    assert events[0].dedupekey == events[1].dedupekey != events[2].dedupekey


async def test_firing_without_a_configured_secret_is_refused_with_409(sandbox):
    with pytest.raises(SandboxRefused) as refused:
        await sandbox.stripe_checkout_session(amount_total=1, currency="usd")
    assert refused.value.status == 409
    assert refused.value.body["error"]["code"] == "not_configured"


async def test_unreachable_ingress_is_reported_and_can_be_redelivered_later(test_env):
    async with sandbox_running(sandbox_ingress_url="http://127.0.0.1:9", **SIGNING) as sandbox:
        answer = await sandbox.call("POST", "/_sandbox/webhooks/xero",
                                    {"events": [{"tenant_id": "t1", "resource_id": "r1"}]})  # fmt: skip
        assert answer["status"] is None
        assert answer["error"].startswith("ingress unreachable")
        again = await sandbox.redeliver(answer["delivery_id"])
        assert again["delivery_id"] == answer["delivery_id"]
