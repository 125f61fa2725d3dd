"""Stripe `Stripe-Signature` (providers.md §4.1).

    Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...][,v0=<hex>]
    v1 = hex(HMAC-SHA256(key = "whsec_..." UTF-8, whole string, msg = "<t>." + raw body))

The header is split on "," and each item on its first "="; items of other schemes (the fake
`v0` of test mode, anything newer) are ignored. It is valid if any `v1` matches any configured
secret: during Stripe's rotation the header carries one `v1` per live secret. Exactly one `t`
and at least one non-empty `v1` are required. The timestamp must be within `tolerance` of our
clock in both directions (the SDK checks only the past; a future one is refused here too).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from libs.signatures._digests import encode_digest, find_signing_key, hmac_sha256
from libs.signatures._errors import InvalidSignature, MalformedSignature
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing
from libs.signatures._timestamps import (
    DEFAULT_TOLERANCE,
    check_freshness,
    parse_timestamp,
    validated_tolerance,
)
from libs.signatures._verifier import Verified


class StripeVerifier:
    """Verifies `Stripe-Signature` against one or more endpoint secrets (`whsec_...`)."""

    provider: ClassVar[str] = "stripe"
    signature_header: ClassVar[str] = "Stripe-Signature"

    def __init__(
        self,
        *,
        secrets: Sequence[str],
        clock: Callable[[], float] = time.time,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> None:
        self._keys = KeyRing(secrets)
        self._clock = clock
        self._tolerance = validated_tolerance(tolerance)

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        """See `SignatureVerifier.verify`; the signature is checked before the timestamp."""
        keys = self._keys.require(provider=self.provider, header=self.signature_header)
        value = RequestHeaders(headers, provider=self.provider).require(self.signature_header)
        timestamp_text, signatures = self._parse(value)
        timestamp = parse_timestamp(
            timestamp_text, provider=self.provider, header=self.signature_header
        )
        signed = timestamp_text.encode("ascii") + b"." + raw
        index = find_signing_key(keys, [signed], signatures, "hex")
        if index is None:
            raise InvalidSignature(provider=self.provider, header=self.signature_header)
        check_freshness(
            timestamp,
            now=self._clock(),
            tolerance=self._tolerance,
            provider=self.provider,
            header=self.signature_header,
        )
        return Verified(
            provider=self.provider, secret_index=index, encoding="hex", timestamp=float(timestamp)
        )

    def _parse(self, value: str) -> tuple[str, list[str]]:
        """The `t` text and every `v1` value of a `Stripe-Signature` header."""
        timestamps: list[str] = []
        signatures: list[str] = []
        for item in value.split(","):
            scheme, _, signature = item.strip().partition("=")
            if scheme == "t":
                timestamps.append(signature)
            elif scheme == "v1" and signature:
                signatures.append(signature)
        if len(timestamps) != 1:
            raise self._malformed("must carry exactly one t= timestamp")
        if not signatures:
            raise self._malformed("carries no v1 signature")
        return timestamps[0], signatures

    def _malformed(self, reason: str) -> MalformedSignature:
        return MalformedSignature(reason, provider=self.provider, header=self.signature_header)

    def __repr__(self) -> str:
        return f"StripeVerifier(secrets={self._keys!r}, tolerance={self._tolerance:g})"


def sign_stripe(raw: bytes, *, secret: str, timestamp: int) -> str:
    """A `Stripe-Signature` value (`t=...,v1=...`) for `raw` signed at `timestamp` with `secret`.

    For a rotation-style header with several signatures, join further `v1=` items onto it.
    """
    signed = f"{timestamp}.".encode("ascii") + raw
    digest = encode_digest(hmac_sha256(secret.encode("utf-8"), signed), "hex")
    return f"t={timestamp},v1={digest}"
