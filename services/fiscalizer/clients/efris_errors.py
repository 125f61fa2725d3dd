"""What can go wrong calling EFRIS, by what the caller must do next (efris.md §6, §7).

    EfrisError                    an EFRIS call gave no usable result; `interface` says which
    ├── EfrisUnavailable          nothing reached EFRIS (DNS, connection refused, HTTP 429):
    │                             safe to resend later
    ├── EfrisUnknownOutcome       sent, but no usable answer (timeout, connection dropped,
    │                             HTTP ≠ 200, not an envelope, content unreadable, return code
    │                             99 or 46): it may have taken effect, so reconcile (T106 by
    │                             referenceNo) before any resend
    └── EfrisRejected             EFRIS answered a returnCode other than "00": `code`,
        │                         `message`; `retryable` for the transient codes of §6.4
        ├── DuplicateReference    2253: the referenceNo is already fiscalized; `existing`
        │                         holds the answer's `existInvoiceList` (may be empty)
        └── DeviceKeyMismatch     T104 answered, but its key does not open with this
                                  device's private key: the .pfx is not the one URA holds

None of them carries a key, a TIN or payload plaintext; `message` is EFRIS's own short text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# §6.4 "safe to retry": the request was not committed. 401/402 reach the caller only
# after the client's own single key refresh and resend did not help.
RETRYABLE_CODES = frozenset({"401", "402", "28", "9901", "9902", "3052", "2125"})
# §6.4 "outcome unknown": EFRIS may have committed the request before failing.
UNKNOWN_OUTCOME_CODES = frozenset({"99", "46"})
KEY_REFRESH_CODES = frozenset({"401", "402"})
CLOCK_SKEW_CODE = "28"  # requestTime more than 10 min from EFRIS's clock: T101, then resend
DUPLICATE_REFERENCE = "2253"
_MESSAGE_LIMIT = 300


class EfrisError(Exception):
    """An EFRIS call failed; see the module docstring for the tree."""

    def __init__(self, message: str, *, interface: str) -> None:
        super().__init__(f"EFRIS {interface}: {message}")
        self.interface = interface


class EfrisUnavailable(EfrisError):
    """Nothing reached EFRIS; resend later (`retry_after` seconds when EFRIS said so)."""

    def __init__(self, message: str, *, interface: str, retry_after: float | None = None) -> None:
        super().__init__(message, interface=interface)
        self.retry_after = retry_after


class EfrisUnknownOutcome(EfrisError):
    """The request may have taken effect; reconcile before resending.

    `status` is the HTTP status when there was one; `code` the returnCode (99, 46) when
    EFRIS answered one.
    """

    def __init__(
        self,
        message: str,
        *,
        interface: str,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, interface=interface)
        self.status = status
        self.code = code


class EfrisRejected(EfrisError):
    """EFRIS refused the request with `code` / `message`; nothing was fiscalized.

    `retryable` is True for the transient codes of efris.md §6.4 (resend as it is,
    later); otherwise the data or the device setup must change first.
    """

    def __init__(self, code: str, message: str, *, interface: str) -> None:
        self.code = code
        self.message = message[:_MESSAGE_LIMIT]
        super().__init__(f"{code} {self.message}", interface=interface)

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed later (§6.4 "safe to retry")."""
        return self.code in RETRYABLE_CODES


class DuplicateReference(EfrisRejected):
    """2253: an invoice with this referenceNo exists; adopt it rather than upload again (§7).

    `existing` is the answer's `existInvoiceList` (`invoiceNo`, `antifakeCode` or
    `antiFakeCode`, `qrCode`); empty when EFRIS sent none, then look it up with T106.
    """

    def __init__(self, message: str, *, interface: str, existing: list[dict[str, Any]]) -> None:
        super().__init__(DUPLICATE_REFERENCE, message, interface=interface)
        self.existing = existing


class DeviceKeyMismatch(EfrisRejected):
    """The T104 key is sealed for another key pair: the tenant's .pfx must be replaced.

    EFRIS itself answered "00", so `code` is "" (no EFRIS code); never retryable.
    """

    def __init__(self, message: str, *, interface: str) -> None:
        super().__init__("", message, interface=interface)


def existing_invoices(content: object) -> list[dict[str, Any]]:
    """The `existInvoiceList` of a 2253 answer's content, [] when absent or malformed."""
    if not isinstance(content, Mapping):
        return []
    found = content.get("existInvoiceList")
    if not isinstance(found, list):
        return []
    return [dict(item) for item in found if isinstance(item, Mapping)]
