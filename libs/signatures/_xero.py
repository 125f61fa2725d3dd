"""Xero `x-xero-signature` (providers.md §2.2).

    x-xero-signature: base64(HMAC-SHA256(key = webhook key UTF-8, msg = raw body))

The webhook key looks like base64 but is used as UTF-8 text, never decoded. No timestamp.
Intent to Receive (§2.3) is the same check: ingress answers 200 when `verify` returns and 401
when it raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from libs.signatures._digests import encode_digest, hmac_sha256, match_digest
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing
from libs.signatures._verifier import Verified


class XeroVerifier:
    """Verifies `x-xero-signature` against one or more webhook keys."""

    provider: ClassVar[str] = "xero"
    signature_header: ClassVar[str] = "x-xero-signature"

    def __init__(self, *, secrets: Sequence[str]) -> None:
        self._keys = KeyRing(secrets)

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        """See `SignatureVerifier.verify`."""
        keys = self._keys.require(provider=self.provider, header=self.signature_header)
        value = RequestHeaders(headers, provider=self.provider).require(self.signature_header)
        index, encoding = match_digest(
            value,
            [raw],
            keys=keys,
            accepted=["base64"],
            provider=self.provider,
            header=self.signature_header,
        )
        return Verified(provider=self.provider, secret_index=index, encoding=encoding)

    def __repr__(self) -> str:
        return f"XeroVerifier(secrets={self._keys!r})"


def sign_xero(raw: bytes, secret: str) -> str:
    """The `x-xero-signature` value Xero would send for `raw` under webhook key `secret`."""
    return encode_digest(hmac_sha256(secret.encode("utf-8"), raw), "base64")
