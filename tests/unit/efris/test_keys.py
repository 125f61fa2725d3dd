from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12

from deploy.certificates import make_pfx
from libs.efris import EfrisCryptoError, load_device_keys, sign, verify
from tests.unit.efris import vectors


@pytest.fixture(scope="module")
def pfx():
    return base64.b64decode(make_pfx("pfx-pass"))


def test_loads_the_rsa_key_and_certificate_from_a_pfx(pfx):
    keys = load_device_keys(pfx, "pfx-pass")

    assert keys.private_key.key_size == 2048
    assert keys.certificate.public_key() == keys.public_key
    assert verify(keys.public_key, "YWJj", sign(keys.private_key, "YWJj"))


def test_repr_hides_the_private_key(pfx):
    keys = load_device_keys(pfx, "pfx-pass")
    private_number = str(keys.private_key.private_numbers().d)

    text = repr(keys)

    assert "hidden" in text
    assert "efris-device-test" in text
    assert private_number[:20] not in text


def test_wrong_password_is_a_clear_crypto_error_without_the_password(pfx):
    with pytest.raises(EfrisCryptoError, match="wrong password") as raised:
        load_device_keys(pfx, "guess-1234")

    assert "guess-1234" not in str(raised.value)


@pytest.mark.parametrize("data", [b"", b"not a pfx", b"\x30\x82\x01\x00"])
def test_bytes_that_are_not_a_pfx_are_a_crypto_error(data):
    with pytest.raises(EfrisCryptoError, match=r"\.pfx"):
        load_device_keys(data, "pfx-pass")


def test_an_unencrypted_pfx_opens_with_an_empty_password():
    key = vectors.test_key()
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "plain")])
    certificate = _self_signed(key, name)
    pfx = pkcs12.serialize_key_and_certificates(b"d", key, certificate, None, NoEncryption())

    keys = load_device_keys(pfx, "")

    assert keys.public_key.public_numbers() == key.public_key().public_numbers()


def test_a_pfx_without_an_rsa_key_is_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "ec")])
    pfx = pkcs12.serialize_key_and_certificates(
        b"d", key, _self_signed(key, name), None, NoEncryption()
    )

    with pytest.raises(EfrisCryptoError, match="no RSA private key"):
        load_device_keys(pfx, "")


def _self_signed(key, name):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
