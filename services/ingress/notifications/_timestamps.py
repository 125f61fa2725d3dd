"""Reading the time a provider says something happened, as an aware UTC datetime.

Providers disagree: ISO 8601 with an offset (QuickBooks `lastUpdated`, CloudEvents `time`,
Zoho, Shopify), ISO 8601 without one but named UTC (Xero `eventDateUtc`), Unix seconds
(Stripe `created`, WhatsApp `timestamp` as a string) and Unix milliseconds (HubSpot
`occurredAt`). A missing or unreadable time is None, never an error: a bad timestamp must not
cost the whole POST.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_ISO_LENGTH = 64
_MAX_DIGITS = 20


def parse_iso(value: object, *, naive_is_utc: bool = False) -> datetime | None:
    """An ISO 8601 string as UTC; one without an offset only when `naive_is_utc`, else None."""
    if not isinstance(value, str) or len(value) > _MAX_ISO_LENGTH:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            return None
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def from_epoch_seconds(value: object) -> datetime | None:
    """Unix seconds (a number or a string of digits) as UTC."""
    return _from_epoch(value, milliseconds=False)


def from_epoch_milliseconds(value: object) -> datetime | None:
    """Unix milliseconds (a number or a string of digits) as UTC."""
    return _from_epoch(value, milliseconds=True)


def _from_epoch(value: object, *, milliseconds: bool) -> datetime | None:
    number: int | float
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = value
    elif (
        isinstance(value, str)
        and 0 < len(value) <= _MAX_DIGITS
        and value.isascii()
        and value.isdigit()
    ):
        number = int(value)
    else:
        return None
    try:
        offset = timedelta(milliseconds=number) if milliseconds else timedelta(seconds=number)
        return _EPOCH + offset
    except (OverflowError, ValueError):
        return None
