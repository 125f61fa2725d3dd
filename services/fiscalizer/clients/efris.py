"""URA EFRIS system-to-system API (efris.md), as the fiscalizer uses it.

    POST {url}  one envelope per call (libs.efris), the interface in globalInfo.interfaceCode

    T101 server_time          plain            →  {"currentTime": "dd/MM/yyyy HH:mm:ss"}; asked
                                                   when EFRIS refuses our requestTime (28):
                                                   the skew then shifts every requestTime
    T104 (session key)        plain            →  {"passowrdDes", "sign"}: the AES key, ~24 h
    T106 query_invoices       AES both ways    →  {"page", "records": [...]}  (by referenceNo)
    T108 invoice_details      AES both ways    →  the invoice as T109 answered it
    T109 upload_invoice       AES both ways    →  the invoice with invoiceNo (FDN), invoiceId, …
    T110 issue_credit_note    AES both ways    →  {"referenceNo": application reference}
    T111 credit_note_status   AES both ways    →  {"page", "records": [...]}
    T130 register_goods       AES both ways    →  per-item results ([] when all succeeded)

The session key is fetched per device on first use and kept ~23 h (EFRIS says 24 h,
§2.2). A 401 / 402 answer (key missing / expired) costs one new key and one resend,
then the code is raised like any other. Uploads (T109, T110, T130) are sent exactly
once per call: a lost answer is `EfrisUnknownOutcome`, never an automatic resend.
Queries are retried in process on short-lived unavailability.

    EfrisError (efris_errors)     what the caller does next
    ├── EfrisUnavailable          never reached EFRIS (DNS, refused, 429): resend later
    ├── EfrisUnknownOutcome       timeout, dropped connection, HTTP ≠ 200, no envelope,
    │                             unreadable content, code 99 / 46: reconcile (T106) first
    └── EfrisRejected             any other returnCode; `retryable` per §6.4 (401/402 after
        │                         our one refresh, 28, 2125, 3052, 9901, 9902)
        ├── DuplicateReference    2253; `existing` is the answer's existInvoiceList
        └── DeviceKeyMismatch     the T104 key does not open with this device's .pfx
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from libs.efris import EfrisWireError, parse_efris_time
from libs.http import ProviderHttp
from libs.observability import get_logger
from services.fiscalizer.clients.efris_errors import (
    CLOCK_SKEW_CODE,
    KEY_REFRESH_CODES,
    EfrisRejected,
    EfrisUnknownOutcome,
)
from services.fiscalizer.clients.efris_session import KEY_LIFETIME, SessionKeys
from services.fiscalizer.clients.efris_wire import Device, EfrisWire, read_answer

__all__ = ["KEY_LIFETIME", "Device", "EfrisClient", "Fiscalized"]

_QUERY_ATTEMPTS = 3
_PAGE_SIZE = "99"  # ≤ 100 (1526); MUDEGI settled on 99 (efris.md §7.2)

log = get_logger(__name__)


@dataclass(frozen=True)
class Fiscalized:
    """What URA assigned an uploaded invoice (efris.md §5.10 "What to persist")."""

    fdn: str
    invoice_id: str
    antifake_code: str
    qr_code: str
    issued_at: datetime | None
    raw: Mapping[str, Any]

    @classmethod
    def from_content(cls, content: object) -> Fiscalized:
        """Read a T109 (or T108) answer's content; `ValueError` when it holds no FDN."""
        if not isinstance(content, Mapping):
            raise ValueError("the invoice answer is not an object")
        basic = _mapping(content.get("basicInformation"))
        summary = _mapping(content.get("summary"))
        fdn = _text(basic.get("invoiceNo"))
        if not fdn:
            raise ValueError("the invoice answer has no basicInformation.invoiceNo")
        issued = _text(basic.get("issuedDate"))
        try:
            issued_at = parse_efris_time(issued) if issued else None
        except EfrisWireError:
            issued_at = None  # a date in another format must not lose an FDN we hold
        return cls(
            fdn=fdn,
            invoice_id=_text(basic.get("invoiceId")),
            antifake_code=_text(basic.get("antifakeCode") or basic.get("antiFakeCode")),
            qr_code=_text(summary.get("qrCode")),
            issued_at=issued_at,
            raw=dict(content),
        )


class EfrisClient:
    """One method per EFRIS interface; see the module docstring. Safe for concurrent use."""

    def __init__(self, http: ProviderHttp, *, url: str, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        # EFRIS's clock minus ours, learned from T101 when EFRIS refuses our requestTime (28)
        self._skew = timedelta(0)
        self._wire = EfrisWire(http, url=url, clock=self._efris_now)
        self._keys = SessionKeys(self._wire, clock=clock)

    def _efris_now(self) -> datetime:
        """Now by EFRIS's clock, as far as we know it: what requestTime carries."""
        return self._clock() + self._skew

    async def server_time(self, device: Device) -> datetime:
        """EFRIS's clock (T101), to compare with ours (requests must be within ±10 min)."""
        answer = await self._wire.exchange(
            device, "T101", None, aes_key=None, attempts=_QUERY_ATTEMPTS
        )
        current = _mapping(read_answer(answer, "T101", aes_key=None))
        try:
            return parse_efris_time(_text(current.get("currentTime")))
        except EfrisWireError:
            raise EfrisUnknownOutcome(
                "currentTime is missing or malformed", interface="T101"
            ) from None

    async def upload_invoice(self, device: Device, payload: Mapping[str, Any]) -> Fiscalized:
        """Upload an invoice (T109), once; its FDN and verification data.

        Raises `DuplicateReference` when its referenceNo is already fiscalized,
        `EfrisUnknownOutcome` when it may have been fiscalized without us hearing so.
        """
        content = await self._call(device, "T109", payload, attempts=1)
        try:
            return Fiscalized.from_content(content)
        except ValueError:
            # "00" without an FDN: URA may well hold the invoice; only a lookup can tell.
            raise EfrisUnknownOutcome("success answer without an FDN", interface="T109") from None

    async def query_invoices(
        self,
        device: Device,
        *,
        reference_no: str,
        start: date | None = None,
        end: date | None = None,
    ) -> list[dict[str, Any]]:
        """Invoices whose seller referenceNo is exactly `reference_no` (T106, §7.2).

        EFRIS's filter may match loosely, so records are kept only on an exact match.
        """
        query = {"referenceNo": reference_no, "invoiceKind": "1", "queryType": "1",
                 "pageNo": "1", "pageSize": _PAGE_SIZE}  # fmt: skip
        if start is not None:
            query["startDate"] = start.isoformat()
        if end is not None:
            query["endDate"] = end.isoformat()
        content = await self._call(device, "T106", query, attempts=_QUERY_ATTEMPTS)
        records = _records(content, interface="T106")
        return [record for record in records if record.get("referenceNo") == reference_no]

    async def invoice_details(self, device: Device, invoice_no: str) -> dict[str, Any]:
        """The fiscal document with FDN `invoice_no` (T108), as T109 answered it."""
        content = await self._call(
            device, "T108", {"invoiceNo": invoice_no}, attempts=_QUERY_ATTEMPTS
        )
        if not isinstance(content, Mapping):
            raise EfrisUnknownOutcome("T108 answer holds no invoice", interface="T108")
        return dict(content)

    async def issue_credit_note(self, device: Device, payload: Mapping[str, Any]) -> str:
        """Apply for a credit note (T110), once; the application's referenceNo.

        The credit note's own FDN comes only after URA approves it (see `credit_note_status`).
        """
        content = _mapping(await self._call(device, "T110", payload, attempts=1))
        reference = _text(content.get("referenceNo"))
        if not reference:
            raise EfrisUnknownOutcome("T110 answer lacks referenceNo", interface="T110")
        return reference

    async def credit_note_status(
        self, device: Device, *, reference_no: str
    ) -> list[dict[str, Any]]:
        """The credit note applications with application referenceNo `reference_no` (T111).

        Each record's `approveStatus`: 101 approved, 102 submitted, 103 rejected, 104
        voided; an approved one carries the credit note's `invoiceNo` for T108.
        """
        records = await self._credit_notes(device, referenceNo=reference_no)
        return [record for record in records if record.get("referenceNo") == reference_no]

    async def credit_notes_of(self, device: Device, *, invoice_no: str) -> list[dict[str, Any]]:
        """The credit note applications against the fiscal document `invoice_no` (T111
        by oriInvoiceNo), whatever their status: how a lost T110 answer is reconciled."""
        records = await self._credit_notes(device, oriInvoiceNo=invoice_no)
        return [record for record in records if record.get("oriInvoiceNo") == invoice_no]

    async def _credit_notes(self, device: Device, **filters: str) -> list[dict[str, Any]]:
        query = {**filters, "queryType": "1", "pageNo": "1", "pageSize": _PAGE_SIZE}
        content = await self._call(device, "T111", query, attempts=_QUERY_ATTEMPTS)
        return _records(content, interface="T111")

    async def register_goods(
        self, device: Device, goods: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Register goods (T130), once; the per-item results EFRIS returned.

        EFRIS answers an empty content when every item was accepted, and each failed
        item with its own `returnCode` / `returnMessage` (code 45, partial failure, is
        not raised: the items tell which failed).
        """
        content = await self._call(device, "T130", goods, attempts=1, accept=("45",))
        if content is None:
            return []
        if not isinstance(content, list):
            raise EfrisUnknownOutcome("T130 answer is not a list of items", interface="T130")
        return [dict(item) for item in content if isinstance(item, Mapping)]

    def forget_key(self, device: Device) -> None:
        """Drop the device's cached session key (the next call fetches a new one)."""
        self._keys.forget(device)

    async def _call(
        self,
        device: Device,
        interface: str,
        payload: object,
        *,
        attempts: int,
        accept: Collection[str] = (),
    ) -> object | None:
        """Send an encrypted request; the decrypted content of a "00" (or `accept`ed) answer."""
        try:
            aes_key = await self._keys.get(device)
        except EfrisRejected as exc:  # T104 refused our requestTime: learn EFRIS's, once
            if exc.code != CLOCK_SKEW_CODE:
                raise
            await self._learn_skew(device, "T104")
            aes_key = await self._keys.get(device)
        answer = await self._wire.exchange(
            device, interface, payload, aes_key=aes_key, attempts=attempts
        )
        if answer.return_code == CLOCK_SKEW_CODE:
            # refused before it was processed: learn EFRIS's time (T101), resend once
            await self._learn_skew(device, interface)
            answer = await self._wire.exchange(
                device, interface, payload, aes_key=aes_key, attempts=attempts
            )
        if answer.return_code in KEY_REFRESH_CODES:
            log.info("efris session key refused, fetching a new one", interface=interface,
                     code=answer.return_code)  # fmt: skip
            aes_key = await self._keys.get(device, stale=aes_key)
            answer = await self._wire.exchange(
                device, interface, payload, aes_key=aes_key, attempts=attempts
            )
        return read_answer(answer, interface, aes_key=aes_key, accept=accept)

    async def _learn_skew(self, device: Device, interface: str) -> None:
        sent = self._clock()
        server = await self.server_time(device)
        # T101 answers to the second: half its round trip is within that
        self._skew = server - sent - (self._clock() - sent) / 2
        log.warning("efris clock skew corrected", interface=interface,
                    skew_s=round(self._skew.total_seconds(), 1))  # fmt: skip


def _records(content: object, *, interface: str) -> list[dict[str, Any]]:
    if content is None:
        return []
    records = _mapping(content).get("records", [])
    if not isinstance(records, list):
        raise EfrisUnknownOutcome("records is not a list", interface=interface)
    return [dict(record) for record in records if isinstance(record, Mapping)]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
