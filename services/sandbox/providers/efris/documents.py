"""Issuing a fiscal document: the FDN and codes URA adds, and the JSON T109/T108 answer with.

    invoiceId       19 digits, URA's internal id (later T110's oriInvoiceId)
    invoiceNo       the FDN, from the issuing device's counter (see `devices`)
    antifakeCode    20 digits, the verification code
    qrCode          {sandbox}/efris/site_mobile/#/invoiceValidation?invoiceNo=…&antifakeCode=…:
                    T103's qrCodeURL with the document's numbers; efris.md §5.10 calls the
                    format opaque (≤ 500 characters), clients print it as a QR image
    issuedDate      the request's issuedDate in the response format dd/MM/yyyy HH:mm:ss

The document is the request echoed with those fields, the seller's branch, the currency
rate and each tax row's category name (efris.md §5.10); T108 answers the same JSON.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from libs.efris import efris_time
from services.sandbox.providers.efris.applications import Application
from services.sandbox.providers.efris.arithmetic import CATEGORY_NAMES
from services.sandbox.providers.efris.devices import Device
from services.sandbox.providers.efris.ledger import (
    CREDIT_NOTE,
    INVOICE,
    FiscalDocument,
    Ledger,
    new_antifake_code,
    new_invoice_id,
)

Json = dict[str, Any]
VALIDATION_PAGE = "/efris/site_mobile/#/invoiceValidation"


def validation_url(base_url: str) -> str:
    """T103's qrCodeURL: the public verification page prefix, here inside the sandbox."""
    return f"{base_url}{VALIDATION_PAGE}"


def issue_invoice(
    ledger: Ledger,
    payload: Mapping[str, Any],
    *,
    device: Device,
    issued: datetime,
    now: datetime,
    base_url: str,
) -> FiscalDocument:
    """A new invoice for an accepted T109 `payload`, recorded in `ledger`."""
    document: Json = copy.deepcopy(dict(payload))
    numbers = _numbers(device, base_url)
    document["sellerDetails"].update(_branch(device))
    document["basicInformation"].update(
        invoiceId=numbers["invoiceId"], invoiceNo=numbers["invoiceNo"],
        antifakeCode=numbers["antifakeCode"], issuedDate=efris_time(issued),
        oriInvoiceId="", currencyRate="1",
    )  # fmt: skip
    _finish(document, numbers["qrCode"])
    reference = str(document["sellerDetails"].get("referenceNo") or "")
    return _record(ledger, device, document, numbers, reference=reference, kind=INVOICE, now=now)


def issue_credit_note(
    ledger: Ledger, application: Application, *, device: Device, now: datetime, base_url: str
) -> FiscalDocument:
    """The credit note an approved T110 application becomes (invoiceType 2)."""
    request, original = application.request, application.original.document
    numbers = _numbers(device, base_url)
    reference = str(request.get("sellersReferenceNo") or "")
    basic_in: Mapping[str, Any] = request.get("basicInformation") or {}
    document: Json = {
        "sellerDetails": {**original["sellerDetails"], "referenceNo": reference},
        "basicInformation": {
            "invoiceId": numbers["invoiceId"], "invoiceNo": numbers["invoiceNo"],
            "antifakeCode": numbers["antifakeCode"], "deviceNo": device.device_no,
            "issuedDate": efris_time(now),
            "operator": basic_in.get("operator") or original["basicInformation"]["operator"],
            "currency": request.get("currency"), "oriInvoiceId": application.original.invoice_id,
            "oriInvoiceNo": application.original.invoice_no, "invoiceType": CREDIT_NOTE,
            "invoiceKind": original["basicInformation"].get("invoiceKind", "1"),
            "dataSource": request.get("source") or "103",
            "invoiceIndustryCode": original["basicInformation"].get("invoiceIndustryCode", "101"),
            "isBatch": "0", "currencyRate": "1",
        },
        "buyerDetails": copy.deepcopy(request.get("buyerDetails") or original["buyerDetails"]),
        "goodsDetails": copy.deepcopy(request["goodsDetails"]),
        "taxDetails": copy.deepcopy(request["taxDetails"]),
        "summary": copy.deepcopy(request["summary"]),
        "payWay": copy.deepcopy(request.get("payWay") or []),
        "extend": {"reason": request.get("reason", ""), "reasonCode": request.get("reasonCode")},
    }  # fmt: skip
    _finish(document, numbers["qrCode"])
    return _record(
        ledger, device, document, numbers, reference=reference, kind=CREDIT_NOTE, now=now
    )


def _numbers(device: Device, base_url: str) -> dict[str, str]:
    invoice_no, antifake = device.next_fdn(), new_antifake_code()
    qr = f"{validation_url(base_url)}?invoiceNo={invoice_no}&antifakeCode={antifake}"
    return {"invoiceId": new_invoice_id(), "invoiceNo": invoice_no, "antifakeCode": antifake,
            "qrCode": qr}  # fmt: skip


def _branch(device: Device) -> dict[str, str]:
    return {
        "branchId": f"2{device.tin}0000000",
        "branchName": device.legal_name,
        "branchCode": "00",
    }


def _finish(document: Json, qr_code: str) -> None:
    for index, line in enumerate(document.get("goodsDetails") or []):
        if isinstance(line, dict):
            line["invoiceItemId"] = f"{document['basicInformation']['invoiceId']}{index:03d}"
    for row in document.get("taxDetails") or []:
        if isinstance(row, dict):
            row["taxCategory"] = CATEGORY_NAMES.get(str(row.get("taxCategoryCode")), "")
    document["summary"]["qrCode"] = qr_code


def _record(
    ledger: Ledger,
    device: Device,
    document: Json,
    numbers: Mapping[str, str],
    *,
    reference: str,
    kind: str,
    now: datetime,
) -> FiscalDocument:
    issued = FiscalDocument(
        tin=device.tin, device_no=device.device_no, invoice_id=numbers["invoiceId"],
        invoice_no=numbers["invoiceNo"], antifake_code=numbers["antifakeCode"],
        qr_code=numbers["qrCode"], reference_no=reference, invoice_type=kind, issued_at=now,
        document=document,
    )  # fmt: skip
    ledger.add(issued)
    return issued
