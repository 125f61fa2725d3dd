"""AES-128-ECB with PKCS#7 padding: the session cipher of efris.md §3.3 (no IV, by design)."""

from __future__ import annotations

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from libs.efris._errors import EfrisCryptoError

AES_KEY_BYTES = 16  # AES-128: the T104 key is 16 bytes (efris.md §3.2 item 3)
_BLOCK_BITS = 128


def aes_encrypt(key: bytes, plaintext: bytes) -> bytes:
    """`plaintext` PKCS#7-padded and encrypted with AES-128-ECB; always a whole number of blocks.

    Raises `EfrisCryptoError` when `key` is not 16 bytes.
    """
    padder = padding.PKCS7(_BLOCK_BITS).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = _cipher(key).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_decrypt(key: bytes, ciphertext: bytes) -> bytes:
    """The inverse of `aes_encrypt`.

    Raises `EfrisCryptoError` for a key that is not 16 bytes, a ciphertext that is not a
    positive whole number of 16-byte blocks, or padding that is not PKCS#7 (a wrong key).
    """
    cipher = _cipher(key)
    if not ciphertext or len(ciphertext) % (_BLOCK_BITS // 8):
        raise EfrisCryptoError(f"AES ciphertext of {len(ciphertext)} bytes is not whole blocks")
    decryptor = cipher.decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(_BLOCK_BITS).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise EfrisCryptoError("AES padding is invalid (wrong key?)") from None


def _cipher(key: bytes) -> Cipher[modes.ECB]:
    if len(key) != AES_KEY_BYTES:
        raise EfrisCryptoError(f"AES key is {len(key)} bytes, EFRIS uses {AES_KEY_BYTES}")
    # ECB is what EFRIS specifies (efris.md §3.3); it is not our choice.
    return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305
