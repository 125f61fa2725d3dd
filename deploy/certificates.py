"""Self-signed EFRIS device certificates (.pfx) for the demo and the tests; never for production."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID


def make_pfx(password: str, *, days: int = 365, key_size: int = 2048) -> str:
    """A base64 .pfx with an RSA key and a self-signed certificate valid for `days` (negative: expired)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "efris-device-test")])
    now = datetime.now(UTC)
    start, end = now - timedelta(days=400), now + timedelta(days=days)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    raw = pkcs12.serialize_key_and_certificates(
        b"device", key, certificate, None, BestAvailableEncryption(password.encode())
    )
    return base64.b64encode(raw).decode()
