"""Signed timestamps: strict parsing and the replay window.

A timestamp header is plain ASCII decimal digits (no sign, no fraction, no exponent); anything
else is malformed. The window is symmetric: a timestamp further than `tolerance` seconds from
our clock in either direction is refused, so a signature minted with a skewed or hostile clock
cannot be held back and replayed later.
"""

from __future__ import annotations

import re

from libs.signatures._errors import MalformedSignature, StaleTimestamp

DEFAULT_TOLERANCE = 300.0
"""Seconds; Stripe's SDK default and the 5 minutes of HubSpot and Standard Webhooks."""

# 16 digits covers milliseconds for the next 250 000 years and keeps int() cheap.
_DIGITS = re.compile(r"[0-9]{1,16}")


def parse_timestamp(value: str, *, provider: str, header: str) -> int:
    """The integer in `value`; raises `MalformedSignature` unless it is 1 to 16 ASCII digits."""
    if not _DIGITS.fullmatch(value):
        raise MalformedSignature("is not an integer timestamp", provider=provider, header=header)
    return int(value)


def check_freshness(
    timestamp: float, *, now: float, tolerance: float, provider: str, header: str
) -> None:
    """Raise `StaleTimestamp` if `timestamp` (Unix seconds) is over `tolerance` away from `now`."""
    skew = timestamp - now
    if abs(skew) > tolerance:
        raise StaleTimestamp(
            provider=provider, header=header, timestamp=timestamp, skew=skew, tolerance=tolerance
        )


def validated_tolerance(tolerance: float) -> float:
    """`tolerance` if it is a usable window in seconds; raises `ValueError` otherwise."""
    if not tolerance >= 0:  # also refuses NaN
        raise ValueError("tolerance must be a non-negative number of seconds")
    return float(tolerance)
