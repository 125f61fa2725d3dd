"""Every fiscal document the simulator issued: invoices (T109) and approved credit notes (T110).

A document is stored as the JSON T108 answers for it (the T109 request echoed with what
URA adds: invoiceId, invoiceNo = FDN, antifakeCode, issuedDate, qrCode, branch...,
efris.md §5.10), indexed by FDN and by (TIN, seller's referenceNo). Nothing is ever removed
or issued twice for one request: the ledger is what tests count FDNs in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Json = dict[str, Any]
INVOICE = "1"
CREDIT_NOTE = "2"


@dataclass(frozen=True)
class FiscalDocument:
    """One issued document; `document` is its full T108 JSON."""

    tin: str
    device_no: str
    invoice_id: str
    invoice_no: str
    antifake_code: str
    qr_code: str
    reference_no: str
    invoice_type: str
    issued_at: datetime
    document: Json

    @property
    def basic(self) -> Json:
        """`basicInformation`."""
        info: Json = self.document["basicInformation"]
        return info

    @property
    def summary(self) -> Json:
        """`summary`."""
        summary: Json = self.document["summary"]
        return summary

    def exist_entry(self) -> dict[str, str]:
        """This document as 2253's `existInvoiceList` names it (URA-DOC L3464-3468)."""
        return {
            "invoiceNo": self.invoice_no,
            "antifakeCode": self.antifake_code,
            "qrCode": self.qr_code,
        }

    def control_view(self) -> Json:
        """The document as `GET /_sandbox/efris/invoices` lists it."""
        return {
            "tin": self.tin,
            "device_no": self.device_no,
            "invoice_no": self.invoice_no,
            "invoice_id": self.invoice_id,
            "antifake_code": self.antifake_code,
            "qr_code": self.qr_code,
            "reference_no": self.reference_no,
            "invoice_type": self.invoice_type,
            "issued_at": self.issued_at.isoformat(),
            "gross_amount": self.summary.get("grossAmount"),
            "tax_amount": self.summary.get("taxAmount"),
            "document": self.document,
        }


class Ledger:
    """The issued documents, oldest first."""

    def __init__(self) -> None:
        self._documents: list[FiscalDocument] = []
        self._by_fdn: dict[str, FiscalDocument] = {}

    def add(self, document: FiscalDocument) -> None:
        """Record an issued document; `ValueError` for an FDN issued before (never happens)."""
        if document.invoice_no in self._by_fdn:
            raise ValueError("an FDN is issued once")
        self._documents.append(document)
        self._by_fdn[document.invoice_no] = document

    def by_fdn(self, tin: str, invoice_no: str) -> FiscalDocument | None:
        """The taxpayer's document with this FDN (another taxpayer's reads as absent)."""
        found = self._by_fdn.get(invoice_no)
        return found if found is not None and found.tin == tin else None

    def with_reference(self, tin: str, reference_no: str) -> list[FiscalDocument]:
        """The taxpayer's documents carrying this seller's reference, oldest first."""
        return [
            d
            for d in self._documents
            if d.tin == tin and reference_no and d.reference_no == reference_no
        ]

    def find(
        self, *, tin: str | None = None, reference_no: str | None = None
    ) -> list[FiscalDocument]:
        """Documents matching every given filter, oldest first."""
        return [
            d
            for d in self._documents
            if (tin is None or d.tin == tin)
            and (reference_no is None or d.reference_no == reference_no)
        ]

    def reset(self) -> None:
        """No documents."""
        self._documents.clear()
        self._by_fdn.clear()


def new_invoice_id() -> str:
    """URA's internal invoice id: 19 digits (efris.md §5.10 `invoiceId`)."""
    return str(10**18 + secrets.randbelow(9 * 10**18))


def new_antifake_code() -> str:
    """The verification code: 20 digits (URA-DOC L2614, "Digital signature (20 digits)")."""
    return f"{secrets.randbelow(10**20):020d}"
