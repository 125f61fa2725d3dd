from __future__ import annotations

import base64
import os

import pytest

from libs.efris import EfrisCryptoError, aes_decrypt, aes_encrypt
from tests.unit.efris import vectors


def test_matches_the_fips_197_aes_128_vector_block_by_block_as_ecb():
    ciphertext = aes_encrypt(vectors.FIPS197_KEY, vectors.FIPS197_PLAINTEXT)

    # ECB: each 16-byte block on its own; PKCS#7 adds one whole block to a whole-block input.
    assert ciphertext == vectors.FIPS197_CIPHERTEXT + vectors.FIPS197_PAD_BLOCK


def test_encrypts_equal_blocks_to_equal_blocks_because_ecb_has_no_iv():
    ciphertext = aes_encrypt(vectors.FIPS197_KEY, vectors.FIPS197_PLAINTEXT * 3)

    assert ciphertext[:16] == ciphertext[16:32] == ciphertext[32:48] == vectors.FIPS197_CIPHERTEXT


def test_matches_openssl_for_a_json_payload():
    plaintext = b'{"referenceNo":"SINV-2025-000123","pageNo":"1"}'

    ciphertext = aes_encrypt(vectors.JSON_KEY, plaintext)

    assert base64.b64encode(ciphertext).decode() == vectors.JSON_AES_CONTENT


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 31, 32, 1000])
def test_pads_to_whole_blocks_and_round_trips(size):
    key = os.urandom(16)
    plaintext = os.urandom(size)

    ciphertext = aes_encrypt(key, plaintext)

    assert len(ciphertext) == (size // 16 + 1) * 16
    assert aes_decrypt(key, ciphertext) == plaintext


@pytest.mark.parametrize("key", [b"", b"short", bytes(24), bytes(32)])
def test_refuses_a_key_that_is_not_aes_128(key):
    with pytest.raises(EfrisCryptoError, match="AES key"):
        aes_encrypt(key, b"x")
    with pytest.raises(EfrisCryptoError, match="AES key"):
        aes_decrypt(key, bytes(16))


@pytest.mark.parametrize("size", [0, 1, 15, 17])
def test_refuses_ciphertext_that_is_not_whole_blocks(size):
    with pytest.raises(EfrisCryptoError, match="whole blocks"):
        aes_decrypt(vectors.JSON_KEY, bytes(size))


def test_refuses_ciphertext_whose_padding_shows_a_wrong_key():
    ciphertext = aes_encrypt(vectors.JSON_KEY, b'{"a":"1"}')

    with pytest.raises(EfrisCryptoError, match="padding"):
        aes_decrypt(vectors.FIPS197_KEY, ciphertext)
