"""Meta's `X-Hub-Signature-256`, as the WhatsApp Cloud API sends it (providers.md §5.2).

    X-Hub-Signature-256: sha256=<hex(HMAC-SHA256(key = App Secret, msg = raw body))>

Meta signs the bytes it sends (an escaped-unicode rendering of the JSON), so the check runs on
the raw body and never on re-serialised JSON. Several app secrets may be configured (one per
Meta app, or old and new during rotation). No timestamp.
"""

from __future__ import annotations

from libs.signatures._body_hmac import BodyHmacVerifier


class WhatsAppVerifier(BodyHmacVerifier):
    """Verifies `X-Hub-Signature-256` against one or more Meta app secrets."""

    provider = "whatsapp"
    signature_header = "X-Hub-Signature-256"
    encoding = "hex"
    prefix = "sha256="


def sign_whatsapp(raw: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta would send for `raw` under App Secret `secret`."""
    return WhatsAppVerifier.sign(raw, secret)
