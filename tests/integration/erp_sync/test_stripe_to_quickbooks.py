"""Paid Stripe Checkout sessions become QuickBooks invoices exactly once, counted at the sandbox."""

from __future__ import annotations

import uuid
from typing import Any

from services.router.storage import link_account
from tests.support.erp import ErpStack, Tenant
from tests.support.polling import eventually


async def stripe_tenant(stack: ErpStack, db) -> tuple[Tenant, str, str]:
    """A tenant with QuickBooks connected and a Stripe Connect account routed: (tenant, realm, acct)."""
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    await stack.connect(tenant, "quickbooks", realm)
    account = f"acct_{uuid.uuid4().hex[:12]}"
    await link_account(db, tenant_id=tenant.id, provider="stripe", account_id=account,
                       connection_id=f"stripe-{account}")  # fmt: skip
    return tenant, realm, account


async def pay(
    stack: ErpStack, account: str, *, amount: int = 5000, name: str = "Jenny Rosen"
) -> dict[str, Any]:
    fired = await stack.sandbox.stripe_checkout_session(
        account=account, amount_total=amount, currency="usd", payment_status="paid",
        customer_details={"email": "jenny@example.com", "name": name},
    )  # fmt: skip
    assert fired["delivery"]["status"] == 200, fired["delivery"]
    return fired


def invoices_of_session(invoices: list[dict[str, Any]], session_id: str) -> list[dict[str, Any]]:
    return [i for i in invoices if session_id in (i.get("PrivateNote") or "")]


async def test_a_paid_session_under_redelivery_makes_one_invoice(stack, db):
    tenant, realm, account = await stripe_tenant(stack, db)
    fired = await pay(stack, account, amount=12345)
    session_id = fired["session"]["id"]
    for _ in range(3):  # Stripe retries the same event
        assert (await stack.sandbox.redeliver(fired["delivery"]["delivery_id"]))["status"] == 200
    # The session's second event type for the same payment must not invoice it again.
    settled = await stack.sandbox.call(
        "POST", f"/_sandbox/stripe/checkout-sessions/{session_id}/async-payment-succeeded"
    )
    assert settled["delivery"]["status"] == 200

    [created] = await stack.wait_for("invoice.created", count=1, tenant=tenant)
    await stack.wait_for("stripe.checkout.session.async_payment_succeeded", count=1, tenant=tenant)
    assert created.data["stripe_session_id"] == session_id
    assert created.accountid == realm
    invoices = invoices_of_session(await stack.sandbox.quickbooks_invoices(realm), session_id)
    assert len(invoices) == 1
    assert invoices[0]["Id"] == created.data["source"]["invoice_id"]
    assert invoices[0]["TotalAmt"] == 123.45
    assert invoices[0]["CurrencyRef"]["value"] == "USD"
    # Still one after everything settled: no late second invoice.
    await stack.wait_for("invoice.created", count=1, tenant=tenant)
    assert len(invoices_of_session(await stack.sandbox.quickbooks_invoices(realm), session_id)) == 1
    assert len(await stack.events("invoice.created", tenant=tenant)) == 1


async def test_thirty_percent_5xx_still_gives_exactly_one_invoice_per_session(stack, db):
    tenant, realm, account = await stripe_tenant(stack, db)
    # Faults before and after the effect: some invoices are created and their answer lost.
    await stack.sandbox.set_fault("quickbooks", account_id=realm, error_rate=0.3,
                                  statuses=[500, 502, 503], when="either")  # fmt: skip
    sessions = [
        (await pay(stack, account, amount=1000 + n, name=f"Customer {n}"))["session"]["id"]
        for n in range(10)
    ]

    created = await stack.wait_for("invoice.created", count=10, tenant=tenant, within=60)
    await stack.sandbox.clear_faults("quickbooks")
    assert sorted(e.data["stripe_session_id"] for e in created) == sorted(sessions)
    invoices = await stack.sandbox.quickbooks_invoices(realm)
    assert sorted(len(invoices_of_session(invoices, s)) for s in sessions) == [1] * 10
    faulted = [r for r in await stack.sandbox.requests(provider="quickbooks", account_id=realm)
               if r["status"] >= 500]  # fmt: skip
    assert faulted, "the fault rule must actually have fired"


async def test_a_tenant_without_quickbooks_gets_a_skipped_entry_not_a_retry_loop(
    stack, db, dead_letters
):
    tenant = await stack.new_tenant()
    account = f"acct_{uuid.uuid4().hex[:12]}"
    await link_account(db, tenant_id=tenant.id, provider="stripe", account_id=account,
                       connection_id=f"stripe-{account}")  # fmt: skip
    await pay(stack, account)

    [skipped] = await stack.wait_for("invoice.sync_skipped", count=1, tenant=tenant)
    assert skipped.data["reason"] == "not connected"

    async def activity() -> list[dict[str, Any]]:
        status, body = await stack.admin.call(
            "GET",
            "/api/tenant/activity",
            token=tenant.token,
            params={"type": "invoice.sync_skipped"},
        )
        assert status == 200
        return list(body["items"])

    [entry] = await eventually(activity, what="the skipped entry in the tenant's activity")
    assert "(not connected): no QuickBooks connection" in entry["summary"]
    assert entry["status"] == "ok"
    assert await dead_letters.list() == []
    assert len(await stack.events("invoice.sync_skipped", tenant=tenant)) == 1
