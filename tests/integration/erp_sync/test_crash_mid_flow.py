"""SIGKILL of erp_sync after QuickBooks made the invoice, before erp_sync recorded it.

A real erp_sync subprocess; the sandbox creates the invoice and holds the answer back,
the test kills the process in that window, a fresh process takes the redelivered event
and must end with the same single invoice (requestid replay), announced once.
"""

from __future__ import annotations

from tests.integration.erp_sync.test_stripe_to_quickbooks import (
    invoices_of_session,
    pay,
    stripe_tenant,
)
from tests.support.erp import FAST_TIERS, erp_settings, erp_stack
from tests.support.polling import eventually
from tests.support.processes import ServiceProcess


async def invoice_posts(stack, realm: str) -> int:
    found = await stack.sandbox.requests(
        provider="quickbooks", account_id=realm, path_contains="/invoice"
    )
    return len([r for r in found if r["method"] == "POST"])


def erp_sync_process(test_env, sandbox) -> ServiceProcess:
    settings = {key.upper(): value for key, value in erp_settings(sandbox).items()}
    return ServiceProcess(test_env, "services.erp_sync", RETRY_TIERS_MS=FAST_TIERS, **settings)


async def test_sigkill_between_the_quickbooks_create_and_the_commit_leaves_one_invoice(
    broker, topology, db, erp_queues, test_env
):
    channel = await broker.channel()
    async with erp_stack(channel, topology, db, erp_sync=False) as stack:
        tenant, realm, account = await stripe_tenant(stack, db)
        await stack.sandbox.set_fault("quickbooks", account_id=realm, error_rate=0, latency_ms=4000,
                                      latency_when="after", paths=["/invoice"])  # fmt: skip
        first = erp_sync_process(test_env, stack.sandbox)
        try:
            await first.ready()
            session_id = (await pay(stack, account))["session"]["id"]
            await eventually(
                lambda: stack.sandbox.quickbooks_invoices(realm),
                what="QuickBooks to have made the invoice (its answer held back)",
            )  # fmt: skip
            first.kill()
        finally:
            first.close()
        assert await stack.events("invoice.created", tenant=tenant) == []
        await stack.sandbox.clear_faults("quickbooks")

        second = erp_sync_process(test_env, stack.sandbox)
        try:
            await second.ready()
            [created] = await stack.wait_for("invoice.created", count=1, tenant=tenant)
        finally:
            second.close()
        invoices = invoices_of_session(await stack.sandbox.quickbooks_invoices(realm), session_id)
        assert [invoice["Id"] for invoice in invoices] == [created.data["source"]["invoice_id"]]
        # The original create (logged when its held-back answer went to a dead client) and
        # the replay: two requests, one invoice.
        await eventually(lambda: invoice_posts(stack, realm), until=lambda n: n == 2,
                         what="both creates in the sandbox's request log")  # fmt: skip
    await channel.close()
