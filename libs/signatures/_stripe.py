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

from collections.abc import Mapping

from libs.signatures._digests import encoded_hmac
from libs.signatures._errors import MalformedSignature
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import utf8_key
from libs.signatures._timestamps import SignedParts, TimestampedVerifier, parse_timestamp
from libs.signatures._verifier import Verified


class StripeVerifier(TimestampedVerifier):
    """Verifies `Stripe-Signature` against one or more endpoint secrets (`whsec_...`)."""

    provider = "stripe"
    signature_header = "Stripe-Signature"
    timestamp_header = "Stripe-Signature"  # the `t=` item rides in the signature header
    encoding = "hex"

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        """See `SignatureVerifier.verify`; the signature is checked before the timestamp."""
        return self._verify(headers, lambda request: self._read(raw, request))

    def _read(self, raw: bytes, headers: RequestHeaders) -> SignedParts:
        timestamp_text, signatures = self._parse(headers.require(self.signature_header))
        timestamp = parse_timestamp(
            timestamp_text, provider=self.provider, header=self.signature_header
        )
        signed = timestamp_text.encode("ascii") + b"." + raw
        return SignedParts(timestamp=timestamp, messages=[signed], signatures=signatures)

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


def sign_stripe(raw: bytes, *, secret: str, timestamp: int) -> str:
    """A `Stripe-Signature` value (`t=...,v1=...`) for `raw` signed at `timestamp` with `secret`.

    For a rotation-style header with several signatures, join further `v1=` items onto it.
    """
    signed = f"{timestamp}.".encode("ascii") + raw
    return f"t={timestamp},v1={encoded_hmac(utf8_key(secret), signed, 'hex')}"
