from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from libs.efris import EfrisCryptoError, b64encode, open_aes_key, seal_aes_key, sign, verify
from tests.unit.efris import vectors


@pytest.fixture(scope="module")
def key():
    return vectors.test_key()


@pytest.fixture(scope="module")
def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_signs_like_openssl_rsa_sha1_pkcs1v15(key):
    assert sign(key, vectors.SIGNED_TEXT) == vectors.SIGNED_TEXT_SIGNATURE
    assert sign(key, vectors.JSON_AES_CONTENT) == vectors.JSON_AES_SIGNATURE


def test_signature_is_standard_base64_of_one_rsa_2048_block(key):
    signature = sign(key, vectors.SIGNED_TEXT)

    assert len(signature) == 344
    assert signature.endswith("=")
    assert len(base64.b64decode(signature, validate=True)) == 256


def test_verifies_its_own_signature(key):
    assert verify(key.public_key(), "YWJj", sign(key, "YWJj"))


def test_verify_is_false_for_tampered_content_or_signature(key):
    signature = sign(key, vectors.SIGNED_TEXT)
    flipped = bytearray(base64.b64decode(signature))
    flipped[100] ^= 0x01

    assert not verify(key.public_key(), vectors.SIGNED_TEXT[:-3] + "A==", signature)
    assert not verify(key.public_key(), vectors.SIGNED_TEXT, b64encode(bytes(flipped)))


def test_verify_is_false_for_another_key(key, other_key):
    assert not verify(other_key.public_key(), vectors.SIGNED_TEXT, sign(key, vectors.SIGNED_TEXT))


@pytest.mark.parametrize(
    ("content", "signature"),
    [
        ("YWJj", ""),
        ("YWJj", "not base64!"),
        ("YWJj", "YWJj"),  # base64, but far too short to be a signature
        ("YWJj", "é"),
        ("é", vectors.SIGNED_TEXT_SIGNATURE),
    ],
)
def test_verify_is_false_never_an_error_for_malformed_input(key, content, signature):
    assert verify(key.public_key(), content, signature) is False


def test_refuses_to_sign_text_that_is_not_ascii(key):
    with pytest.raises(EfrisCryptoError, match="ASCII"):
        sign(key, "naïve")


def test_t104_key_sealed_by_the_server_opens_with_the_device_key(key):
    aes_key = os.urandom(16)

    passowrd_des = seal_aes_key(key.public_key(), aes_key)

    assert len(passowrd_des) == 344  # 256 bytes of RSA-2048, as in URA's Java sample (§3.2)
    assert open_aes_key(key, passowrd_des) == aes_key


def test_t104_inner_text_is_the_base64_of_the_key(key):
    aes_key = bytes(range(16))

    inner = key.decrypt(
        base64.b64decode(seal_aes_key(key.public_key(), aes_key)), padding.PKCS1v15()
    )

    assert inner == b"AAECAwQFBgcICQoLDA0ODw=="


def test_t104_open_accepts_a_key_sealed_by_hand_like_efrislib(key):
    # EFRISLIB: base64_decode(rsaDecrypt(base64_decode(passowrdDes))); build the other side by hand.
    sealed = key.public_key().encrypt(b"MDEyMzQ1Njc4OWFiY2RlZg==", padding.PKCS1v15())

    assert open_aes_key(key, base64.b64encode(sealed).decode()) == b"0123456789abcdef"


def test_t104_open_refuses_a_key_sealed_for_another_device(key, other_key):
    passowrd_des = seal_aes_key(other_key.public_key(), os.urandom(16))

    with pytest.raises(EfrisCryptoError):
        open_aes_key(key, passowrd_des)


@pytest.mark.parametrize("inner", [b"MTIzNDU2Nzg=", b"not base64 at all"])
def test_t104_open_refuses_an_inner_value_that_is_not_a_16_byte_key(key, inner):
    sealed = b64encode(key.public_key().encrypt(inner, padding.PKCS1v15()))

    with pytest.raises(EfrisCryptoError):
        open_aes_key(key, sealed)


@pytest.mark.parametrize("passowrd_des", ["", "%%%", "YWJj"])
def test_t104_open_refuses_malformed_text(key, passowrd_des):
    with pytest.raises(EfrisCryptoError):
        open_aes_key(key, passowrd_des)


def test_t104_seal_refuses_a_key_that_is_not_16_bytes(key):
    with pytest.raises(EfrisCryptoError, match="16"):
        seal_aes_key(key.public_key(), b"12345678")
