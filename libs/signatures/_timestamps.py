"""Signed timestamps: strict parsing, the replay window, and the schemes that sign one.

A timestamp header is plain ASCII decimal digits (no sign, no fraction, no exponent); anything
else is malformed. The window is symmetric: a timestamp further than `tolerance` seconds from
our clock in either direction is refused, so a signature minted with a skewed or hostile clock
cannot be held back and replayed later.

Stripe, HubSpot and Standard Webhooks are `TimestampedVerifier`s: each reads its headers into
`SignedParts` (the timestamp, the signed message, the presented digests) and the shared
skeleton does the rest, always checking the signature before the timestamp.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from libs.signatures._digests import DigestEncoding, find_signing_key
from libs.signatures._errors import InvalidSignature, MalformedSignature, StaleTimestamp
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing
from libs.signatures._verifier import Verified

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


@dataclass(frozen=True, slots=True)
class SignedParts:
    """What a timestamped scheme reads from one request, before any key is tried."""

    timestamp: float
    """The signed time in Unix seconds."""
    messages: Sequence[bytes]
    """The signed string; several when the scheme admits more than one spelling of it."""
    signatures: Sequence[str]
    """The presented digests; any one of them may match."""


class TimestampedVerifier:
    """The verify skeleton of a scheme that signs a timestamp along with the body.

    Subclasses name `provider`, `signature_header`, `timestamp_header` (the header whose
    timestamp a `StaleTimestamp` is about) and the digest `encoding`, and call `_verify` with a
    reader of their headers. The constructor takes keyword-only `secrets`, `clock` and
    `tolerance`; a bad `tolerance` raises `ValueError`.
    """

    provider: ClassVar[str]
    signature_header: ClassVar[str]
    timestamp_header: ClassVar[str]
    encoding: ClassVar[DigestEncoding]

    def __init__(
        self,
        *,
        secrets: Sequence[str],
        clock: Callable[[], float] = time.time,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> None:
        self._keys = self._key_ring(secrets)
        self._clock = clock
        self._tolerance = validated_tolerance(tolerance)

    def _key_ring(self, secrets: Sequence[str]) -> KeyRing:
        """The HMAC keys of `secrets`: their UTF-8 bytes unless the scheme says otherwise."""
        return KeyRing(secrets)

    def _verify(
        self, headers: Mapping[str, str], read: Callable[[RequestHeaders], SignedParts]
    ) -> Verified:
        """Verify what `read` finds in `headers`: signature first, then the timestamp."""
        keys = self._keys.require(provider=self.provider, header=self.signature_header)
        signed = read(RequestHeaders(headers, provider=self.provider))
        index = find_signing_key(keys, signed.messages, signed.signatures, self.encoding)
        if index is None:
            raise InvalidSignature(provider=self.provider, header=self.signature_header)
        # Only now the clock: a StaleTimestamp always means an authentic replay, never a forgery.
        check_freshness(
            signed.timestamp,
            now=self._clock(),
            tolerance=self._tolerance,
            provider=self.provider,
            header=self.timestamp_header,
        )
        return Verified(
            provider=self.provider,
            secret_index=index,
            encoding=self.encoding,
            timestamp=signed.timestamp,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(secrets={self._keys!r}, tolerance={self._tolerance:g})"
