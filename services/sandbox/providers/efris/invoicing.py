"""T109 invoice upload: validate as URA does, then issue one FDN, never two (efris.md §5, §7).

    payload ─ check_invoice (`invoice_rules`) ─┬─ isCheckReferenceNo 1 and the TIN already has
                                               │  that referenceNo → 2253, content = the
                                               │  request echoed + existInvoiceList [{invoiceNo,
                                               │  antifakeCode, qrCode}] of what was issued
                                               └─ issue (`documents`) → "00", content = the
                                                  §5.10 response (the T108 document)

The reference check runs after validation, as URA reports field errors first (an invalid
retry of an issued invoice still says what is invalid). With isCheckReferenceNo 0 a reused
referenceNo gets another FDN: URA only checks when asked to (§7.1).
"""

from __future__ import annotations

from services.sandbox.providers.efris.documents import issue_invoice
from services.sandbox.providers.efris.exchange import Call, Reply
from services.sandbox.providers.efris.invoice_rules import check_invoice
from services.sandbox.providers.efris.return_codes import EfrisRefusal


def upload_invoice(call: Call) -> Reply:
    """T109: the issued invoice's document, or the refusal URA would answer."""
    checked = check_invoice(
        call.payload, global_info=call.global_info, catalog=call.server.catalog, now=call.now
    )
    payload = checked.payload
    if checked.check_reference:
        existing = call.server.ledger.with_reference(call.tin, checked.reference_no)
        if existing:
            exist_list = [document.exist_entry() for document in existing]
            raise EfrisRefusal("2253", payload={**payload, "existInvoiceList": exist_list})
    issued = issue_invoice(
        call.server.ledger, payload, device=call.registered, issued=checked.issued,
        now=call.now, base_url=call.base_url,
    )  # fmt: skip
    return Reply(issued.document)
