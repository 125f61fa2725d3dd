from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class ProviderError(Exception):
    """A provider call failed; `provider` says which (see the package docstring for the tree)."""

    def __init__(self, message: str, *, provider: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class ProviderUnavailable(ProviderError):
    """Try again later; `retry_after` (seconds) is the provider's own hint, if it gave one.

    `sent` is False only when the request certainly never reached the provider (DNS
    failure, connection refused, TLS handshake failed); True whenever it may have arrived
    (a timeout, a connection dropped mid-request, any HTTP status), so a non-idempotent
    call must be reconciled before it is resent.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        retry_after: float | None = None,
        sent: bool = True,
    ) -> None:
        super().__init__(message, provider=provider)
        self.status = status
        self.retry_after = retry_after
        self.sent = sent


class ProviderRejected(ProviderError):
    """The provider refused the request for a reason a retry cannot fix."""

    def __init__(
        self, message: str, *, provider: str, status: int, code: str | None = None
    ) -> None:
        super().__init__(message, provider=provider)
        self.status = status
        self.code = code


class NotFound(ProviderRejected):
    """The object does not exist (any more) at the provider."""


class AuthExpired(ProviderRejected):
    """The access token was refused: refresh it once and retry once."""


class MalformedResponse(ProviderError):
    """The provider answered, but not with the JSON its protocol promises."""


def retry_after_of(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date), or None."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
