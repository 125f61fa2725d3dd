"""A device's RSA key pair, read from the .pfx the taxpayer registered with URA (efris.md §2.1, §3.1)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import pkcs12

from libs.efris._errors import EfrisCryptoError


@dataclass(frozen=True, repr=False)
class DeviceKeys:
    """The device's private key and its certificate; the repr never shows the key."""

    private_key: RSAPrivateKey
    certificate: x509.Certificate

    @property
    def public_key(self) -> RSAPublicKey:
        """The public half, as registered with URA (what EFRIS seals T104 keys for)."""
        return self.private_key.public_key()

    def __repr__(self) -> str:
        subject = self.certificate.subject.rfc4514_string()
        return f"DeviceKeys(private_key=<RSA-{self.private_key.key_size} hidden>, certificate={subject!r})"


def load_device_keys(pfx: bytes, password: str) -> DeviceKeys:
    """The RSA key and certificate inside a PKCS#12 (.pfx / .p12) file.

    An empty `password` opens an unencrypted file. Raises `EfrisCryptoError` for a wrong
    password, bytes that are not PKCS#12, or a file without an RSA key and a certificate;
    the message never contains the password.
    """
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(
            pfx, password.encode("utf-8") if password else None
        )
    except (ValueError, TypeError):
        raise EfrisCryptoError(
            "the device certificate cannot be opened: wrong password, or not a .pfx/.p12 file"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise EfrisCryptoError("the device certificate file holds no RSA private key")
    if certificate is None:
        raise EfrisCryptoError("the device certificate file holds no certificate")
    return DeviceKeys(private_key=key, certificate=certificate)
