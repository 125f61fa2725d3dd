"""Exactly one FDN per invoice when everything retries: counted at the sandbox's EFRIS.

redelivered invoice.ready events (same id, and a copy under a new id)
the sandbox committing the upload, then failing the answer, on 30 % of calls
the device's session key expiring mid-run
SIGKILL of a real fiscalizer process after EFRIS issued the FDN, before the commit
"""

from __future__ import annotations

from collections import Counter

from libs.broker import Exchange
from tests.integration.fiscalizer.test_fiscalize_end_to_end import qbo_line
from tests.support.erp import ErpStack, Tenant, erp_stack
from tests.support.polling import eventually
from tests.support.processes import ServiceProcess


async def connected_realm(stack: ErpStack, tenant: Tenant) -> tuple[str, str]:
    realm = await stack.sandbox.create_quickbooks_company()
    await stack.connect(tenant, "quickbooks", realm)
    customer = await stack.sandbox.seed_quickbooks_customer(realm, {"DisplayName": "Jinja Mills"})
    return realm, str(customer["Id"])


async def new_invoices(stack: ErpStack, realm: str, customer: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        seeded = await stack.sandbox.seed_quickbooks_invoice(realm, {
            "CustomerRef": {"value": customer},
            "Line": [qbo_line("Cement", n + 1, 50000, "TAX"), qbo_line("Maize grain", 2, 3000, "NON")],
        }, notify="cloudevents")  # fmt: skip
        assert seeded.delivery is not None
        ids.append(str(seeded.record["Id"]))
    return ids


async def fdns_per_reference(stack: ErpStack, tenant: Tenant) -> Counter[str]:
    issued = await stack.sandbox.efris_invoices(tin=tenant.tin)
    return Counter(str(document["reference_no"]) for document in issued)


async def test_faults_redelivery_and_key_expiry_still_give_one_fdn_each(
    stack, db, publisher, topology
):
    tenant = await stack.new_tenant()
    realm, customer = await connected_realm(stack, tenant)
    await stack.sandbox.set_fault("efris", error_rate=0.3, when="after", statuses=[502, 504])
    invoice_ids = await new_invoices(stack, realm, customer, 5)
    await stack.sandbox.expire_efris_key(tenant.device_no)
    invoice_ids += await new_invoices(stack, realm, customer, 5)

    ready = await stack.wait_for("invoice.ready", count=10, tenant=tenant, within=30)
    for event in ready[:3]:  # the broker redelivers; an upstream resends under a new id
        exchange = topology.exchange(Exchange.EVENTS)
        await publisher.publish(event, exchange=exchange)
        await publisher.publish(event.derive(), exchange=exchange)
    fiscalized = await stack.wait_for("invoice.fiscalized", count=10, tenant=tenant, within=90)
    await stack.sandbox.clear_faults("efris")

    assert sorted(e.data["source"]["invoice_id"] for e in fiscalized) == sorted(invoice_ids)
    per_reference = await fdns_per_reference(stack, tenant)
    assert sorted(per_reference.values()) == [1] * 10
    stored = await db.pool.fetch(
        "SELECT reference_no, fdn FROM fiscal_invoices WHERE tenant_id = $1 AND state = 'fiscalized'",
        tenant.id,
    )
    assert {row["reference_no"] for row in stored} == set(per_reference)
    faulted = [r for r in await stack.sandbox.requests(provider="efris") if r["status"] >= 500]
    assert faulted, "the fault rule must actually have fired"
    # Late redeliveries are absorbed too: still exactly ten announcements.
    assert len(await stack.events("invoice.fiscalized", tenant=tenant)) == 10


async def test_sigkill_after_efris_issued_the_fdn_before_the_commit(
    broker, topology, db, fiscal_queues, test_env
):
    channel = await broker.channel()
    async with erp_stack(channel, topology, db) as stack:
        tenant = await stack.new_tenant()
        realm, customer = await connected_realm(stack, tenant)
        await stack.sandbox.set_fault("efris", error_rate=0, latency_ms=4000, latency_when="after")
        first = fiscalizer_process(test_env, stack)
        try:
            await first.ready()
            [invoice_id] = await new_invoices(stack, realm, customer, 1)
            await eventually(lambda: stack.sandbox.efris_invoices(tin=tenant.tin),
                             what="EFRIS to have issued the FDN (its answer held back)", within=30)  # fmt: skip
            first.kill()
        finally:
            first.close()
        assert await stack.events("invoice.fiscalized", tenant=tenant) == []
        await stack.sandbox.clear_faults("efris")

        second = fiscalizer_process(test_env, stack)
        try:
            await second.ready()
            [fiscalized] = await stack.wait_for(
                "invoice.fiscalized", count=1, tenant=tenant, within=30
            )
        finally:
            second.close()
        [issued] = await stack.sandbox.efris_invoices(tin=tenant.tin)
        assert fiscalized.data["fdn"] == issued["invoice_no"]
        assert fiscalized.data["adopted"] is True  # reconciled (T106), not uploaded again
        assert fiscalized.data["source"]["invoice_id"] == invoice_id
    await channel.close()


def fiscalizer_process(test_env, stack: ErpStack) -> ServiceProcess:
    url = stack.sandbox.efris_url
    # A short lease: the killed process's claim must lapse within the test, not in 2 minutes.
    return ServiceProcess(test_env, "services.fiscalizer", EFRIS_URL=url, EFRIS_TEST_URL=url,
                          RETRY_TIERS_MS="500,1000,2000", EFRIS_UPLOAD_LEASE_S="2")  # fmt: skip
