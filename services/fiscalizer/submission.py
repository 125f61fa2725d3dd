"""One invoice to one FDN: claim, reconcile, upload, adopt (efris.md §7.2).

    claim        the row moves to `sending` under a lease; only the claimer talks to EFRIS
    reconcile    on any attempt after the first, EFRIS is asked first (T106 by referenceNo,
                 then T108): an earlier attempt may have been fiscalized without us hearing
    upload       T109 with referenceNo and isCheckReferenceNo "1": EFRIS itself refuses a
                 second invoice with the same reference (2253)
    adopt        a 2253 answer's existing invoice is taken as ours when it matches (same
                 reference; gross within a cent), else looked up; never uploaded again

Outcomes, as what the handler must do next:

    Done(result)            store the FDN and emit invoice.fiscalized
    Refused(code, message)  permanent: store, emit invoice.fiscalization_failed (fixable)
    raise RetryableError    nothing known yet; the row stays `sending` with its lease given
                            back (unknown outcome) or returns to `new` (nothing was sent)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from libs.broker import RetryableError
from libs.db import Database
from services.fiscalizer.clients.efris import Device, EfrisClient, Fiscalized
from services.fiscalizer.clients.efris_errors import (
    DuplicateReference,
    EfrisRejected,
    EfrisUnavailable,
    EfrisUnknownOutcome,
)
from services.fiscalizer.goods import CommodityCategories, registered_goods
from services.fiscalizer.storage import invoices as ledger
from services.fiscalizer.storage.invoices import FiscalInvoice, Fiscalization
from services.fiscalizer.t109 import Goods, Seller, T109Error, t109_payload


@dataclass(frozen=True)
class Done:
    result: Fiscalization
    adopted: bool


@dataclass(frozen=True)
class Refused:
    code: str
    message: str


@dataclass(frozen=True)
class Submitter:
    db: Database
    efris: EfrisClient
    categories: CommodityCategories
    clock: Callable[[], datetime]
    lease: timedelta = timedelta(minutes=2)
    _goods: dict[tuple[str, str], Goods] = field(default_factory=dict, repr=False)

    async def submit(self, row: FiscalInvoice, device: Device, seller: Seller) -> Done | Refused:
        """Fiscalize `row` once; see the module docstring for the outcomes."""
        async with self.db.transaction() as tx:
            claimed = await ledger.claim(tx, row.id, lease=self.lease)
        if claimed is None:
            raise RetryableError(
                "another worker holds this invoice's upload", retry_after=self.lease.total_seconds()
            )
        try:
            return await self._fiscalize(claimed, device, seller)
        except EfrisUnavailable as exc:
            await ledger.release(self.db, claimed.id, state="new")
            raise RetryableError(str(exc), retry_after=exc.retry_after) from exc
        except EfrisUnknownOutcome as exc:
            await ledger.release(self.db, claimed.id, state="sending")  # reconcile next time
            raise RetryableError(str(exc)) from exc
        except EfrisRejected as exc:
            if exc.retryable:
                await ledger.release(self.db, claimed.id, state="sending")
                raise RetryableError(str(exc)) from exc
            return Refused(exc.code, exc.message)
        except T109Error as exc:
            return Refused("T109", str(exc))

    async def _fiscalize(
        self, row: FiscalInvoice, device: Device, seller: Seller
    ) -> Done | Refused:
        if row.attempts > 1:
            found = await self._reconcile(row, device)
            if found is not None:
                return Done(found, adopted=True)
        goods = await registered_goods(
            self.db, self.efris, device, row.invoice, self.categories, seen=self._goods
        )
        payload = t109_payload(
            row.invoice, seller=seller, goods=goods, reference_no=row.reference_no,
            issued_at=self.clock(),
        )  # fmt: skip
        try:
            return Done(
                _stored(await self.efris.upload_invoice(device, payload), self.clock), adopted=False
            )
        except DuplicateReference as exc:
            adopted = await self._adopt(row, device, exc.existing)
            if adopted is None:
                return Refused(exc.code, "EFRIS holds another invoice under this reference")
            return Done(adopted, adopted=True)

    async def _reconcile(self, row: FiscalInvoice, device: Device) -> Fiscalization | None:
        """The invoice EFRIS already holds under `row`'s reference, if any (T106 → T108)."""
        records = await self.efris.query_invoices(device, reference_no=row.reference_no)
        if not records:
            return None
        return await self._details(device, str(records[0].get("invoiceNo", "")))

    async def _adopt(
        self, row: FiscalInvoice, device: Device, existing: list[dict[str, Any]]
    ) -> Fiscalization | None:
        for record in existing:
            fdn = str(record.get("invoiceNo") or "")
            if fdn:
                return await self._details(device, fdn)
        return await self._reconcile(row, device)

    async def _details(self, device: Device, fdn: str) -> Fiscalization | None:
        if not fdn:
            return None
        details = await self.efris.invoice_details(device, fdn)
        try:
            return _stored(Fiscalized.from_content(details), self.clock)
        except ValueError:
            raise EfrisUnknownOutcome("T108 answer holds no FDN", interface="T108") from None


def _stored(found: Fiscalized, clock: Callable[[], datetime]) -> Fiscalization:
    return Fiscalization(
        fdn=found.fdn, efris_invoice_id=found.invoice_id or None,
        antifake_code=found.antifake_code or None, qr_code=found.qr_code or None,
        fiscalized_at=found.issued_at or clock(),
    )  # fmt: skip


def as_event_data(row: FiscalInvoice, result: Fiscalization) -> Mapping[str, Any]:
    """`invoice.fiscalized` data: which invoice, and what EFRIS gave it."""
    return {
        "source": row.invoice.source.model_dump(mode="json"), "reference_no": row.reference_no,
        "fdn": result.fdn, "invoice_id": result.efris_invoice_id,
        "verification_code": result.antifake_code, "qr_code": result.qr_code,
        "fiscalized_at": result.fiscalized_at.isoformat(),
        "gross": str(row.invoice.totals.gross), "currency": row.invoice.currency,
    }  # fmt: skip
