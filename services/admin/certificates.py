"""Checking an EFRIS device certificate (.pfx) before it is stored: pure, no I/O."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12

from services.admin.errors import Unprocessable


def check_pfx(pfx_base64: str, password: str, *, now: datetime | None = None) -> datetime:
    """The certificate's expiry; 422 unless it opens with `password`, holds an RSA key and is valid.

    EFRIS signs with RSA (PKCS#1 v1.5, specs/efris.md §3), so other key types are refused.
    """
    try:
        raw = base64.b64decode(pfx_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Unprocessable("certificate is not valid base64") from None
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(raw, password.encode())
    except ValueError:
        raise Unprocessable(
            "certificate does not open with this password (or is not a .pfx)"
        ) from None
    if key is None or certificate is None:
        raise Unprocessable("the .pfx must hold both the private key and its certificate")
    if not isinstance(key, RSAPrivateKey):
        raise Unprocessable("the private key must be RSA")
    moment = now or datetime.now(UTC)
    if certificate.not_valid_after_utc <= moment:
        raise Unprocessable(f"certificate expired on {certificate.not_valid_after_utc.date()}")
    if certificate.not_valid_before_utc > moment:
        raise Unprocessable("certificate is not valid yet")
    return certificate.not_valid_after_utc
