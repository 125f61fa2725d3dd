"""QuickBooks Online (Intuit) `intuit-signature` (providers.md §1.3).

    intuit-signature: base64(HMAC-SHA256(key = verifier token UTF-8, msg = raw body))

The same scheme signs the legacy `eventNotifications` bodies and the CloudEvents arrays
(§1.2): the signature covers raw bytes, whatever their shape. There is no timestamp, so no
replay window; ingress dedupes instead (§1.6).
"""

from __future__ import annotations

from libs.signatures._body_hmac import BodyHmacVerifier


class QuickBooksVerifier(BodyHmacVerifier):
    """Verifies `intuit-signature` against one or more app Verifier Tokens."""

    provider = "quickbooks"
    signature_header = "intuit-signature"
    encoding = "base64"


def sign_quickbooks(raw: bytes, secret: str) -> str:
    """The `intuit-signature` value Intuit would send for `raw` under Verifier Token `secret`."""
    return QuickBooksVerifier.sign(raw, secret)
