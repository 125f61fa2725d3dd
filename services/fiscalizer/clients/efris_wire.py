"""One EFRIS round trip: a signed envelope out, its answer read back (efris.md §1-§3, §6).

    exchange(device, "T109", payload, aes_key, attempts)
      seal the payload (AES when a key is given), sign, wrap in the envelope with a fresh
      dataExchangeId and Kampala requestTime → POST → the answer as a ParsedEnvelope
    read_answer(answer, "T109", aes_key)
      "00" → the decoded content; any other returnCode → its efris_errors class

Transport failures become EfrisUnavailable (never reached EFRIS) or EfrisUnknownOutcome
(may have); the key refresh on 401 / 402 is the caller's (EfrisClient).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from libs.efris import (
    DeviceKeys,
    EfrisWireError,
    GlobalInfo,
    ParsedEnvelope,
    envelope,
    kampala_time,
    new_exchange_id,
    open_content,
    parse_envelope,
    seal_content,
)
from libs.http import MalformedResponse, ProviderHttp, ProviderUnavailable
from libs.observability import get_logger
from services.fiscalizer.clients.efris_errors import (
    DUPLICATE_REFERENCE,
    UNKNOWN_OUTCOME_CODES,
    DuplicateReference,
    EfrisError,
    EfrisRejected,
    EfrisUnavailable,
    EfrisUnknownOutcome,
    existing_invoices,
)

PROVIDER = "efris"
SUCCESS = "00"

log = get_logger(__name__)


@dataclass(frozen=True)
class Device:
    """One taxpayer device: whose globalInfo a call carries and which key signs it."""

    tin: str
    device_no: str
    keys: DeviceKeys


class EfrisWire:
    """Sends envelopes to one EFRIS URL over `ProviderHttp`; see the module docstring."""

    def __init__(self, http: ProviderHttp, *, url: str, clock: Callable[[], datetime]) -> None:
        self._http = http
        self._url = url
        self._clock = clock

    async def exchange(
        self,
        device: Device,
        interface: str,
        payload: object,
        *,
        aes_key: bytes | None,
        attempts: int,
    ) -> ParsedEnvelope:
        """One request and its answer as an envelope, whatever its returnCode.

        `attempts` > 1 resends on short-lived unavailability: only for queries.
        Raises `EfrisUnavailable` / `EfrisUnknownOutcome` when no envelope came back.
        """
        content, signature, description = seal_content(
            payload, aes_key=aes_key, private_key=device.keys.private_key
        )
        global_info = GlobalInfo(
            tin=device.tin, device_no=device.device_no, interface_code=interface,
            request_time=kampala_time(self._clock()), data_exchange_id=new_exchange_id(),
        )  # fmt: skip
        body = envelope(
            content=content, signature=signature, description=description,
            global_info=global_info, return_code="", return_message="",
        )  # fmt: skip
        try:
            answer = await self._http.request(
                "POST", self._url, provider=PROVIDER, json=body, attempts=attempts
            )
        except ProviderUnavailable as exc:
            raise _transport_error(exc, interface) from exc
        if answer.status != 200:
            # §1.2: EFRIS answers 200 with the outcome inside; any other status came from
            # something that may have passed the request on.
            raise EfrisUnknownOutcome(
                f"HTTP {answer.status}", interface=interface, status=answer.status
            )
        try:
            parsed = parse_envelope(answer.json())
        except (MalformedResponse, EfrisWireError):
            raise EfrisUnknownOutcome(
                "the answer is not an EFRIS envelope", interface=interface, status=answer.status
            ) from None
        log.debug("efris answered", interface=interface, code=parsed.return_code)
        return parsed


def read_answer(
    answer: ParsedEnvelope,
    interface: str,
    *,
    aes_key: bytes | None,
    accept: Collection[str] = (),
) -> object | None:
    """The decoded content of a "00" (or `accept`ed) answer; any other code raised.

    A success whose content cannot be read is `EfrisUnknownOutcome`: EFRIS did it, we
    cannot tell what it answered.
    """
    code, message = answer.return_code, answer.return_message
    if code == SUCCESS or code in accept:
        try:
            return open_content(answer.data, aes_key=aes_key)
        except EfrisWireError:
            raise EfrisUnknownOutcome(
                f"answer {code} with unreadable content", interface=interface, code=code
            ) from None
    if code in UNKNOWN_OUTCOME_CODES:
        raise EfrisUnknownOutcome(f"{code} {message[:200]}", interface=interface, code=code)
    if code == DUPLICATE_REFERENCE:
        existing = existing_invoices(_readable(answer, aes_key))
        raise DuplicateReference(message, interface=interface, existing=existing)
    raise EfrisRejected(code or "?", message, interface=interface)


def _transport_error(exc: ProviderUnavailable, interface: str) -> EfrisError:
    if exc.status == 429:
        return EfrisUnavailable(
            "EFRIS asked us to slow down", interface=interface, retry_after=exc.retry_after
        )
    if not exc.sent:
        return EfrisUnavailable("EFRIS could not be reached", interface=interface)
    reason = "no answer" if exc.status is None else f"HTTP {exc.status}"
    return EfrisUnknownOutcome(reason, interface=interface, status=exc.status)


def _readable(answer: ParsedEnvelope, aes_key: bytes | None) -> object | None:
    """An error answer's content when it can be read (a 2253 names the existing invoice)."""
    try:
        return open_content(answer.data, aes_key=aes_key)
    except EfrisWireError:
        return None
