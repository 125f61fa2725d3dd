"""T110 credit-note application and T111 application list (efris.md §4, §8.3).

T110  payload checked (`credit_rules`) → {"referenceNo": <application reference>}, status
      102 submitted (decided at once when the approval policy's after_polls is 0)
T111  filters referenceNo, oriInvoiceNo, invoiceNo (the credit note's FDN), approveStatus;
      each listed pending application counts a poll (`applications`), so approval shows
      up after the configured number of polls; records as PAYBILL's T111Record, newest
      first, paged. Once approved, `invoiceNo` is the credit note's FDN (T108 reads it).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from libs.efris import efris_time
from services.sandbox.providers.efris.applications import (
    Application,
    Decide,
    new_application_id,
    new_reference_no,
)
from services.sandbox.providers.efris.credit_rules import check_application, find_original
from services.sandbox.providers.efris.documents import issue_credit_note
from services.sandbox.providers.efris.exchange import Call, Reply
from services.sandbox.providers.efris.paging import page_of
from services.sandbox.providers.efris.return_codes import EfrisRefusal


def apply_credit_note(call: Call) -> Reply:
    """T110: record the application; its reference is what T111 finds it by."""
    if not isinstance(call.payload, Mapping):
        raise EfrisRefusal("1480")
    payload: Mapping[str, Any] = call.payload
    applications = call.server.applications
    original = find_original(payload, ledger=call.server.ledger, tin=call.tin)
    check_application(payload, original, earlier=applications.against(original), now=call.now)
    application = Application(
        id=new_application_id(), reference_no=new_reference_no(), tin=call.tin,
        device_no=call.registered.device_no, original=original, request=copy.deepcopy(dict(payload)),
        applied_at=call.now,
    )  # fmt: skip
    applications.add(application)
    if applications.policy.after_polls == 0:
        applications.decide(application, now=call.now, approve=_approver(call))
    return Reply({"referenceNo": application.reference_no})


def query_applications(call: Call) -> Reply:
    """T111: the taxpayer's applications matching the filters, polled, newest first."""
    query: Mapping[str, Any] = call.payload if isinstance(call.payload, Mapping) else {}

    def given(name: str) -> str:
        return str(query.get(name) or "").strip()

    applications = call.server.applications
    found = [
        a
        for a in applications.of_tin(call.tin)
        if given("referenceNo") in ("", a.reference_no)
        and given("oriInvoiceNo") in ("", a.original.invoice_no)
    ]
    approve = _approver(call)
    for application in found:
        applications.poll(application, now=call.now, approve=approve)
    found = [
        a
        for a in found
        if given("approveStatus") in ("", a.status)
        and given("invoiceNo") in ("", a.credit_note.invoice_no if a.credit_note else "")
    ]
    found.reverse()
    return Reply(page_of(query, [_record(a) for a in found]))


def _approver(call: Call) -> Decide:
    def approve(application: Application) -> None:
        device = call.server.devices.get(application.device_no) or call.registered
        application.credit_note = issue_credit_note(
            call.server.ledger, application, device=device, now=call.now, base_url=call.base_url
        )

    return approve


def _record(application: Application) -> dict[str, str]:
    original = application.original
    buyer: Mapping[str, Any] = original.document.get("buyerDetails") or {}
    seller: Mapping[str, Any] = original.document["sellerDetails"]
    return {
        "id": application.id,
        "oriInvoiceNo": original.invoice_no,
        "invoiceNo": application.credit_note.invoice_no if application.credit_note else "",
        "referenceNo": application.reference_no,
        "approveStatus": application.status,
        "applicationTime": efris_time(application.applied_at),
        "invoiceApplyCategoryCode": "101",
        "grossAmount": str(application.request["summary"]["grossAmount"]),
        "oriGrossAmount": str(original.summary.get("grossAmount", "")),
        "currency": str(application.request.get("currency", "")),
        "taskId": application.task_id,
        "buyerTin": str(buyer.get("buyerTin", "")),
        "buyerBusinessName": str(buyer.get("buyerBusinessName", "")),
        "buyerLegalName": str(buyer.get("buyerLegalName", "")),
        "tin": application.tin,
        "businessName": str(seller.get("businessName", "")),
        "legalName": str(seller.get("legalName", "")),
        "waitingDate": "0",
        "dataSource": str(application.request.get("source", "103")),
    }
