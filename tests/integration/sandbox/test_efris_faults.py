"""EFRIS under injected faults: an answer lost after the commit (return code 99, a dropped
connection, a 502) leaves the invoice issued and findable; return-code faults before the
handler issue nothing; faults scope by interface code; latency; the masked request log."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from libs.efris import b64encode, kampala_time
from tests.integration.sandbox.efris_documents import one_line_invoice
from tests.integration.sandbox.test_efris_invoices import ready
from tests.support.polling import eventually
from tests.support.sandbox import SandboxRefused


async def invoice_for(device, reference):
    return one_line_invoice(device.tin, device.device_no, reference,
                            kampala_time(await device.now()))  # fmt: skip


async def by_reference(device, reference):
    query = {"referenceNo": reference, "pageNo": "1", "pageSize": "10"}
    answer = await device.send("T106", query)
    assert answer.code == "00"
    return answer.payload["records"]


async def test_return_code_99_after_the_commit_means_the_invoice_was_issued(sandbox):
    device = await ready(sandbox)
    invoice = await invoice_for(device, "LOST-99")
    await sandbox.set_fault("efris", when="after", return_code="99", count=1, paths=["T109"])
    lost = await device.send("T109", invoice)
    assert (lost.status, lost.code, lost.message) == (200, "99", "Unknow error")
    assert lost.payload is None
    assert lost.body["globalInfo"]["interfaceCode"] == "T109"  # the request's envelope, echoed
    [record] = await by_reference(device, "LOST-99")  # reconcile first (efris.md §7.2)
    retried = await device.send("T109", invoice)
    assert retried.code == "2253"
    assert retried.payload["existInvoiceList"][0]["invoiceNo"] == record["invoiceNo"]
    assert len(await sandbox.efris_invoices(tin=device.tin, reference_no="LOST-99")) == 1


async def test_a_dropped_answer_after_the_commit_leaves_one_fdn(sandbox):
    device = await ready(sandbox)
    invoice = await invoice_for(device, "LOST-DROP")
    await sandbox.set_fault("efris", when="after", body="drop", count=1, paths=["T109"])
    with pytest.raises(aiohttp.ClientError):
        await device.send("T109", invoice)
    [issued] = await sandbox.efris_invoices(tin=device.tin, reference_no="LOST-DROP")
    [record] = await by_reference(device, "LOST-DROP")
    assert record["invoiceNo"] == issued["invoice_no"]
    [logged] = [r for r in await sandbox.requests(provider="efris", account_id=device.tin)
                if r["body"]["globalInfo"]["interfaceCode"] == "T109"]  # fmt: skip
    assert logged["status"] == 0  # no answer went out


async def test_an_http_502_after_the_commit_is_an_unknown_outcome_with_the_invoice_issued(sandbox):
    device = await ready(sandbox)
    await sandbox.set_fault("efris", when="after", statuses=[502], count=1, paths=["T109"])
    async with sandbox.session.post(
        sandbox.efris_url, json=await device.envelope("T109", await invoice_for(device, "L-502"))
    ) as response:
        assert response.status == 502
    assert len(await sandbox.efris_invoices(tin=device.tin, reference_no="L-502")) == 1


@pytest.mark.parametrize("code", ["9901", "46"])
async def test_a_return_code_before_the_handler_issues_nothing_and_scopes_by_interface(
    sandbox, code
):
    device = await ready(sandbox)
    invoice = await invoice_for(device, "BUSY-1")
    await sandbox.set_fault("efris", when="before", return_code=code, count=1, paths=["T109"])
    assert (await by_reference(device, "BUSY-1")) == []  # T106 is not in the rule's scope
    busy = await device.send("T109", invoice)
    assert busy.code == code
    assert await sandbox.efris_invoices(tin=device.tin) == []
    assert (await device.send("T109", invoice)).code == "00"  # count=1: the rule cleared


async def test_faults_scope_by_tin(sandbox):
    device = await ready(sandbox)
    other = await ready(sandbox)
    await sandbox.set_fault("efris", account_id=other.tin, return_code="99")
    assert (await device.send("T109", await invoice_for(device, "OK-1"))).code == "00"
    assert (await other.send("T109", await invoice_for(other, "NO-1"))).code == "99"
    await sandbox.clear_faults("efris")


async def test_latency_after_commits_before_the_late_answer(sandbox):
    device = await ready(sandbox)
    invoice = await invoice_for(device, "SLOW-1")
    await sandbox.set_fault("efris", error_rate=0, latency_ms=1500, latency_when="after",
                            paths=["T109"])  # fmt: skip
    started = time.monotonic()
    upload = asyncio.create_task(device.send("T109", invoice))
    await eventually(lambda: sandbox.efris_invoices(reference_no="SLOW-1"),
                     what="the invoice, before its answer")  # fmt: skip
    assert not upload.done()
    assert (await upload).code == "00"
    assert time.monotonic() - started >= 1.5


async def test_return_code_faults_are_efris_only_and_answer_in_the_provider_body(sandbox):
    with pytest.raises(SandboxRefused) as refused:
        await sandbox.set_fault("quickbooks", return_code="99")
    assert refused.value.status == 400
    with pytest.raises(SandboxRefused) as refused:
        await sandbox.set_fault("efris", return_code="99", body="empty")
    assert refused.value.status == 400


async def test_the_request_log_keeps_global_info_and_masks_content_and_signatures(sandbox):
    device = await ready(sandbox)
    await device.send("T109", await invoice_for(device, "LOG-1"))
    logged = await sandbox.requests(provider="efris", account_id=device.tin)
    assert [r["body"]["globalInfo"]["interfaceCode"] for r in logged] == ["T104", "T130", "T109"]
    for entry in logged:
        assert entry["body"]["data"]["content"] == "***"
        assert entry["body"]["data"]["signature"] == "***"
        assert entry["status"] == 200
    assert device.aes_key is not None
    assert b64encode(device.aes_key) not in str(logged)
    assert "LOG-1" not in str(logged)  # the invoice travels encrypted and is not kept
