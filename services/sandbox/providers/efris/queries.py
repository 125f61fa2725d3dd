"""T106 invoice query and T108 invoice details: how a client finds what it fiscalised (efris.md §7).

T106  filters (all optional, all must hold): invoiceNo, oriInvoiceNo, deviceNo, buyerTin,
      buyerLegalName (contains), referenceNo (the seller's, ≤ 50: 2060), invoiceType
      ("1" or "1,2"), invoiceKind, dataSource, startDate / endDate (yyyy-MM-dd on the
      issue date, Kampala; also accepted with a time, as 1518's text says);
      queryType 1 (default) the TIN's own output invoices, 0 those where it is the buyer.
      Newest first, paged (`paging`). Records as URA-DOC's T106 (id, invoiceNo, ...).
T108  {"invoiceNo": FDN} → the document as T109 answered it (1500 empty; 2031 [I] not
      found: URA-DOC gives T108 no not-found code, 2031 is its "Invoice does not exist").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from libs.efris import KAMPALA, efris_time
from services.sandbox.providers.efris.applications import APPROVED
from services.sandbox.providers.efris.exchange import Call, Reply
from services.sandbox.providers.efris.ledger import FiscalDocument
from services.sandbox.providers.efris.paging import page_of
from services.sandbox.providers.efris.return_codes import EfrisRefusal

EXACT: dict[str, Callable[[FiscalDocument], object]] = {
    "invoiceNo": lambda d: d.invoice_no,
    "oriInvoiceNo": lambda d: d.basic.get("oriInvoiceNo", ""),
    "deviceNo": lambda d: d.device_no,
    "buyerTin": lambda d: _buyer(d).get("buyerTin", ""),
    "referenceNo": lambda d: d.reference_no,
    "invoiceKind": lambda d: d.basic.get("invoiceKind", ""),
    "dataSource": lambda d: d.basic.get("dataSource", ""),
}


def query_invoices(call: Call) -> Reply:
    """T106: the documents matching every filter given, newest first, paged."""
    query: Mapping[str, Any] = call.payload if isinstance(call.payload, Mapping) else {}
    if len(_given(query, "referenceNo")) > 50:
        raise EfrisRefusal("2060")
    window = _window(query)
    found = [
        d for d in call.server.ledger.find() if _matches(d, query, window=window, tin=call.tin)
    ]
    found.sort(key=lambda d: d.issued_at, reverse=True)
    refunded = {
        a.original.invoice_no for a in call.server.applications.all() if a.status == APPROVED
    }
    return Reply(page_of(query, [_record(d, refunded=refunded) for d in found]))


def invoice_details(call: Call) -> Reply:
    """T108: one of the taxpayer's documents by FDN."""
    query: Mapping[str, Any] = call.payload if isinstance(call.payload, Mapping) else {}
    invoice_no = _given(query, "invoiceNo")
    if not invoice_no:
        raise EfrisRefusal("1500")
    found = call.server.ledger.by_fdn(call.tin, invoice_no)
    if found is None:
        raise EfrisRefusal("2031")
    return Reply(found.document)


def _given(query: Mapping[str, Any], name: str) -> str:
    return str(query.get(name) or "").strip()


def _window(query: Mapping[str, Any]) -> tuple[date | None, date | None]:
    start, end = _given(query, "startDate"), _given(query, "endDate")
    return (_day(start, "1518") if start else None, _day(end, "1520") if end else None)


def _matches(
    document: FiscalDocument,
    query: Mapping[str, Any],
    *,
    window: tuple[date | None, date | None],
    tin: str,
) -> bool:
    buyer = _buyer(document)
    own = buyer.get("buyerTin") == tin if _given(query, "queryType") == "0" else document.tin == tin
    types = {part.strip() for part in _given(query, "invoiceType").split(",") if part.strip()}
    legal_name = _given(query, "buyerLegalName").lower()
    issued_on = document.issued_at.astimezone(KAMPALA).date()
    first, last = window
    return (
        own
        and all(
            not _given(query, name) or field(document) == _given(query, name)
            for name, field in EXACT.items()
        )
        and (not types or document.invoice_type in types)
        and legal_name in str(buyer.get("buyerLegalName", "")).lower()
        and (first is None or issued_on >= first)
        and (last is None or issued_on <= last)
    )


def _buyer(document: FiscalDocument) -> Mapping[str, Any]:
    buyer: Mapping[str, Any] = document.document.get("buyerDetails") or {}
    return buyer


def _day(text: str, code: str) -> date:
    for layout in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise EfrisRefusal(code)


def _record(document: FiscalDocument, *, refunded: set[str]) -> dict[str, str]:
    basic, buyer, summary = document.basic, _buyer(document), document.summary
    return {
        "id": document.invoice_id,
        "invoiceNo": document.invoice_no,
        "oriInvoiceId": str(basic.get("oriInvoiceId", "")),
        "oriInvoiceNo": str(basic.get("oriInvoiceNo", "")),
        "issuedDate": str(basic.get("issuedDate", "")),
        "buyerTin": str(buyer.get("buyerTin", "")),
        "buyerLegalName": str(buyer.get("buyerLegalName", "")),
        "buyerNinBrn": str(buyer.get("buyerNinBrn", "")),
        "currency": str(basic.get("currency", "")),
        "grossAmount": str(summary.get("grossAmount", "")),
        "taxAmount": str(summary.get("taxAmount", "")),
        "dataSource": str(basic.get("dataSource", "")),
        "isInvalid": "0",
        "isRefund": "1" if document.invoice_no in refunded else "0",
        "invoiceType": document.invoice_type,
        "invoiceKind": str(basic.get("invoiceKind", "")),
        "invoiceIndustryCode": str(basic.get("invoiceIndustryCode", "")),
        "branchName": str(document.document["sellerDetails"].get("branchName", "")),
        "deviceNo": document.device_no,
        "uploadingTime": efris_time(document.issued_at),
        "referenceNo": document.reference_no,
        "operator": str(basic.get("operator", "")),
        "userName": str(basic.get("operator", "")),
    }
