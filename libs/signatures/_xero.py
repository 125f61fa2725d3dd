"""Xero `x-xero-signature` (providers.md §2.2).

    x-xero-signature: base64(HMAC-SHA256(key = webhook key UTF-8, msg = raw body))

The webhook key looks like base64 but is used as UTF-8 text, never decoded. No timestamp.
Intent to Receive (§2.3) is the same check: ingress answers 200 when `verify` returns and 401
when it raises.
"""

from __future__ import annotations

from libs.signatures._body_hmac import BodyHmacVerifier


class XeroVerifier(BodyHmacVerifier):
    """Verifies `x-xero-signature` against one or more webhook keys."""

    provider = "xero"
    signature_header = "x-xero-signature"
    encoding = "base64"


def sign_xero(raw: bytes, secret: str) -> str:
    """The `x-xero-signature` value Xero would send for `raw` under webhook key `secret`."""
    return XeroVerifier.sign(raw, secret)
