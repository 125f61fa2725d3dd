"""EFRIS's two clock formats, both in Kampala time, UTC+3 with no daylight saving (efris.md §1.2-§1.3).

requests  (requestTime, issuedDate)          yyyy-MM-dd HH:mm:ss
responses (T101 currentTime, issuedDate)     dd/MM/yyyy HH:mm:ss
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from libs.efris._errors import EfrisProtocolError

KAMPALA = timezone(timedelta(hours=3), "EAT")
_REQUEST_FORMAT = "%Y-%m-%d %H:%M:%S"
_RESPONSE_FORMAT = "%d/%m/%Y %H:%M:%S"


def kampala_time(now: datetime) -> str:
    """`now` as a request time, "yyyy-MM-dd HH:mm:ss" in Kampala; `now` must be timezone-aware."""
    return _aware(now).astimezone(KAMPALA).strftime(_REQUEST_FORMAT)


def efris_time(now: datetime) -> str:
    """`now` as a response time, "dd/MM/yyyy HH:mm:ss" in Kampala; `now` must be timezone-aware."""
    return _aware(now).astimezone(KAMPALA).strftime(_RESPONSE_FORMAT)


def parse_kampala_time(text: str) -> datetime:
    """A request time ("yyyy-MM-dd HH:mm:ss", Kampala) as an aware datetime.

    Raises `EfrisProtocolError` for any other text.
    """
    return _parse(text, _REQUEST_FORMAT)


def parse_efris_time(text: str) -> datetime:
    """A response time ("dd/MM/yyyy HH:mm:ss", Kampala) as an aware datetime.

    Raises `EfrisProtocolError` for any other text.
    """
    return _parse(text, _RESPONSE_FORMAT)


def _parse(text: str, layout: str) -> datetime:
    try:
        return datetime.strptime(text, layout).replace(tzinfo=KAMPALA)
    except (ValueError, TypeError):
        raise EfrisProtocolError(f"time {str(text)[:40]!r} is not in the EFRIS format") from None


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("EFRIS times need a timezone-aware datetime")
    return now
