"""A tenant's fiscal documents in the admin API, and sending a refused or held invoice again.

GET /api/tenant/invoices shows what EFRIS gave (FDN, verification code, QR) or said (code,
message); POST /api/tenant/invoices/{id}/fiscalize sends a failed or held invoice again
through invoice.fiscalization_requested, and EFRIS issues exactly one FDN for it.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.admin.auth.principal import Role
from services.admin.storage.tenants import create_user
from tests.integration.fiscalizer.test_fiscalize_end_to_end import qbo_line, quickbooks_invoice
from tests.support.erp import ErpStack, Tenant

INVOICES = "/api/tenant/invoices"


async def listed(stack: ErpStack, token: str, **params: str) -> list[dict[str, Any]]:
    status, page = await stack.admin.call("GET", INVOICES, token=token, params=params)
    assert status == 200, page
    return list(page["items"])


async def resubmit(stack: ErpStack, tenant: Tenant, fiscal_id: str) -> tuple[int, Any]:
    return await stack.admin.call("POST", f"{INVOICES}/{fiscal_id}/fiscalize", token=tenant.token)


async def read_only_user(stack: ErpStack, tenant: Tenant) -> str:
    """A tenant_user of `tenant`, logged in: its access token."""
    email, password = f"viewer-{uuid.uuid4().hex[:8]}@client.test", "viewer-password-1234"
    await create_user(stack.db, tenant_id=tenant.id, email=email, password=password,
                      role=Role.TENANT_USER)  # fmt: skip
    return str((await stack.admin.login(email, password))["access_token"])


async def test_a_refused_invoice_is_listed_with_efris_code_and_once_resubmitted_gets_one_fdn(
    stack,
):
    tenant = await stack.new_tenant()
    # EFRIS refuses the first upload with a permanent code; the second is what a fix achieves.
    await stack.sandbox.set_fault("efris", account_id=tenant.tin, return_code="2180", count=1,
                                  paths=["T109"])  # fmt: skip
    _, invoice_id = await quickbooks_invoice(stack, tenant, [qbo_line("Cement", 2, 50000, "TAX")])
    [failed] = await stack.wait_for("invoice.fiscalization_failed", count=1, tenant=tenant)

    [item] = await listed(stack, tenant.token, state="failed")
    assert (item["invoice_id"], item["provider"], item["state"]) == (
        invoice_id,
        "quickbooks",
        "failed",
    )
    assert (item["error_code"], item["error_message"]) == ("2180", failed.data["message"])
    assert (item["gross"], item["currency"], item["fdn"], item["qr_code"]) == (
        "118000.00",
        "UGX",
        None,
        None,
    )

    viewer = await read_only_user(stack, tenant)
    assert [i["id"] for i in await listed(stack, viewer)] == [item["id"]]
    status, refused = await stack.admin.call(
        "POST", f"{INVOICES}/{item['id']}/fiscalize", token=viewer
    )
    assert (status, refused["error"]["code"]) == (403, "forbidden")

    assert await resubmit(stack, tenant, item["id"]) == (202, {"queued": True})
    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant)
    assert fiscalized.subject == f"invoice/{invoice_id}"

    status, one = await stack.admin.call("GET", f"{INVOICES}/{item['id']}", token=tenant.token)
    assert status == 200, one
    assert (one["state"], one["fdn"], one["error_code"], one["error_message"]) == (
        "fiscalized", fiscalized.data["fdn"], None, None)  # fmt: skip
    [shown] = await listed(stack, viewer, state="fiscalized")
    assert shown == one
    assert shown["verification_code"] == fiscalized.data["verification_code"]
    assert all(
        shown[field] for field in ("fdn", "verification_code", "qr_code", "efris_invoice_id")
    )
    assert shown["attempts"] == 2
    issued = await stack.sandbox.efris_invoices(reference_no=item["reference_no"])
    assert [doc["invoice_no"] for doc in issued] == [one["fdn"]]

    status, conflict = await resubmit(stack, tenant, item["id"])
    assert (status, conflict["error"]["code"]) == (409, "conflict")
    assert len(await stack.events("invoice.fiscalization_failed", tenant=tenant)) == 1
    status, audit = await stack.admin.call("GET", "/api/tenant/audit", token=tenant.token)
    assert [e["target"] for e in audit["items"] if e["action"] == "fiscal_invoice.resubmitted"] == [
        item["id"]
    ]


async def test_a_held_invoice_is_released_by_a_resubmit_and_another_tenant_cannot_see_or_send_it(
    stack,
):
    tenant = await stack.new_tenant(auto_fiscalize=False)
    _, invoice_id = await quickbooks_invoice(stack, tenant, [qbo_line("Cement", 1, 50000, "TAX")])
    await stack.wait_for("invoice.fiscalization_held", count=1, tenant=tenant)
    [item] = await listed(stack, tenant.token)
    assert (item["invoice_id"], item["state"], item["attempts"]) == (invoice_id, "held", 0)

    other = await stack.new_tenant()
    assert await listed(stack, other.token) == []
    for method, path in (("GET", f"{INVOICES}/{item['id']}"),
                         ("POST", f"{INVOICES}/{item['id']}/fiscalize"),
                         ("GET", f"{INVOICES}/not-a-uuid"),
                         ("POST", f"{INVOICES}/{uuid.uuid4()}/fiscalize")):  # fmt: skip
        status, answer = await stack.admin.call(method, path, token=other.token)
        assert (status, answer["error"]["code"]) == (404, "not_found"), (method, path)

    assert await resubmit(stack, tenant, item["id"]) == (202, {"queued": True})
    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant)
    [shown] = await listed(stack, tenant.token, state="fiscalized")
    assert (shown["id"], shown["fdn"]) == (item["id"], fiscalized.data["fdn"])
    issued = await stack.sandbox.efris_invoices(reference_no=item["reference_no"])
    assert [doc["invoice_no"] for doc in issued] == [shown["fdn"]]
    assert await stack.events("invoice.fiscalized", tenant=other) == []
