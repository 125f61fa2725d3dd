"""Standard Webhooks v1 symmetric signatures (webhook-platforms.md §1.1).

    webhook-id:        msg_...            unique per message, same on every retry
    webhook-timestamp: <unix seconds>     of this attempt, within 5 minutes of our clock
    webhook-signature: v1,<base64> [v1,<base64> ...]      space-separated
    v1 = base64(HMAC-SHA256(key = base64-decoded secret after "whsec_",
                            msg = "<id>.<timestamp>." + raw body))

Valid if any `v1` entry matches any configured secret; entries of other versions (the
asymmetric `v1a`, anything newer) are ignored, but at least one non-empty `v1` is required.
Secrets are accepted with or without the `whsec_` prefix and with or without base64 padding,
as the reference libraries do; one that does not decode is a configuration error (`ValueError`
at construction), not a request failure.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping, Sequence

from libs.signatures._digests import encoded_hmac
from libs.signatures._errors import MalformedSignature
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing
from libs.signatures._timestamps import SignedParts, TimestampedVerifier, parse_timestamp
from libs.signatures._verifier import Verified

_WHSEC_PREFIX = "whsec_"


class StandardWebhooksVerifier(TimestampedVerifier):
    """Verifies `webhook-signature` (with `webhook-id` and `webhook-timestamp`) for a source."""

    provider = "standard_webhooks"
    id_header = "webhook-id"
    timestamp_header = "webhook-timestamp"
    signature_header = "webhook-signature"
    encoding = "base64"

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        """See `SignatureVerifier.verify`; the signature is checked before the timestamp."""
        return self._verify(headers, lambda request: self._read(raw, request))

    def _key_ring(self, secrets: Sequence[str]) -> KeyRing:
        return KeyRing(secrets, key_of=standard_webhooks_key)

    def _read(self, raw: bytes, headers: RequestHeaders) -> SignedParts:
        msg_id = headers.require(self.id_header)
        timestamp_text = headers.require(self.timestamp_header)
        value = headers.require(self.signature_header)
        timestamp = parse_timestamp(
            timestamp_text, provider=self.provider, header=self.timestamp_header
        )
        signed = f"{msg_id}.{timestamp_text}.".encode("ascii") + raw
        return SignedParts(
            timestamp=timestamp, messages=[signed], signatures=self._v1_signatures(value)
        )

    def _v1_signatures(self, value: str) -> list[str]:
        signatures = []
        for entry in value.split():
            version, _, signature = entry.partition(",")
            if version == "v1" and signature:
                signatures.append(signature)
        if not signatures:
            raise MalformedSignature(
                "carries no v1 signature", provider=self.provider, header=self.signature_header
            )
        return signatures


def standard_webhooks_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_...` secret; raises `ValueError` (without the secret) if invalid."""
    encoded = secret.removeprefix(_WHSEC_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ValueError("a Standard Webhooks secret must be non-empty base64, prefix or not")
    return key


def sign_standard_webhooks(raw: bytes, *, msg_id: str, timestamp: int, secret: str) -> str:
    """A `webhook-signature` value (`v1,<base64>`) for `raw` sent as `msg_id` at `timestamp`."""
    return standard_webhooks_signature(
        raw, msg_id=msg_id, timestamp=timestamp, keys=[standard_webhooks_key(secret)]
    )


def standard_webhooks_signature(
    raw: bytes, *, msg_id: str, timestamp: int, keys: Sequence[bytes]
) -> str:
    """`webhook-signature` with one `v1,<base64>` entry per HMAC key, space-separated (the
    current secret and those still valid during a rotation); keys already decoded."""
    signed = f"{msg_id}.{timestamp}.".encode() + raw
    return " ".join("v1," + encoded_hmac(key, signed, "base64") for key in keys)


def new_standard_webhooks_secret() -> str:
    """A fresh `whsec_` secret: 32 random bytes, base64 (the spec asks for 24 to 64)."""
    return _WHSEC_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
