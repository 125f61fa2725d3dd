"""QuickBooks Online (Intuit) `intuit-signature` (providers.md §1.3).

    intuit-signature: base64(HMAC-SHA256(key = verifier token UTF-8, msg = raw body))

The same scheme signs the legacy `eventNotifications` bodies and the CloudEvents arrays
(§1.2): the signature covers raw bytes, whatever their shape. There is no timestamp, so no
replay window; ingress dedupes instead (§1.6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from libs.signatures._digests import encode_digest, hmac_sha256, match_digest
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing
from libs.signatures._verifier import Verified


class QuickBooksVerifier:
    """Verifies `intuit-signature` against one or more app Verifier Tokens."""

    provider: ClassVar[str] = "quickbooks"
    signature_header: ClassVar[str] = "intuit-signature"

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
        return f"QuickBooksVerifier(secrets={self._keys!r})"


def sign_quickbooks(raw: bytes, secret: str) -> str:
    """The `intuit-signature` value Intuit would send for `raw` under Verifier Token `secret`."""
    return encode_digest(hmac_sha256(secret.encode("utf-8"), raw), "base64")
