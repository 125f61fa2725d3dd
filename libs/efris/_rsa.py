"""RSA as EFRIS uses it: PKCS#1 v1.5 SHA-1 signatures and the sealed T104 AES key (efris.md §3).

signature   = base64(RSA-PKCS1v15-SHA1-sign(private key, ASCII bytes of content))
passowrdDes = base64(RSA-PKCS1v15-encrypt(public key, ASCII of base64(aes key)))
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from libs.efris._aes import AES_KEY_BYTES
from libs.efris._base64 import b64decode, b64encode
from libs.efris._errors import EfrisCryptoError

# SHA-1 is not our choice: it is what EFRIS signs and verifies with (efris.md §3.3).
_SHA1 = hashes.SHA1()  # noqa: S303


def sign(private_key: RSAPrivateKey, content: str) -> str:
    """The base64 RSA-SHA1 (PKCS#1 v1.5) signature of `content`'s ASCII bytes.

    Deterministic for a given key and content. Raises `EfrisCryptoError` when `content`
    is not ASCII (EFRIS signs base64 text, which always is).
    """
    signed = private_key.sign(_ascii(content, what="signed content"), padding.PKCS1v15(), _SHA1)
    return b64encode(signed)


def verify(public_key: RSAPublicKey, content: str, signature: str) -> bool:
    """Whether `signature` is `sign(private_key, content)` for `public_key`'s private half.

    False for a wrong signature and for any malformed input; never raises.
    """
    try:
        raw_signature = b64decode(signature, what="signature")
        public_key.verify(raw_signature, _ascii(content, what="content"), padding.PKCS1v15(), _SHA1)
    except (EfrisCryptoError, InvalidSignature, ValueError, TypeError):
        return False
    return True


def seal_aes_key(public_key: RSAPublicKey, aes_key: bytes) -> str:
    """The T104 `passowrdDes` for `aes_key`, as the EFRIS server builds it (efris.md §3.2).

    Randomized (PKCS#1 v1.5 encryption pads with random bytes): two seals differ.
    Raises `EfrisCryptoError` when `aes_key` is not 16 bytes.
    """
    if len(aes_key) != AES_KEY_BYTES:
        raise EfrisCryptoError(f"AES key is {len(aes_key)} bytes, EFRIS uses {AES_KEY_BYTES}")
    sealed = public_key.encrypt(b64encode(aes_key).encode("ascii"), padding.PKCS1v15())
    return b64encode(sealed)


def open_aes_key(private_key: RSAPrivateKey, passowrd_des: str) -> bytes:
    """The 16-byte AES key inside a T104 `passowrdDes`; the inverse of `seal_aes_key`.

    Raises `EfrisCryptoError` when the text is not base64, was sealed for another key, or
    does not hold the base64 of a 16-byte key.
    """
    sealed = b64decode(passowrd_des, what="passowrdDes")
    try:
        inner = private_key.decrypt(sealed, padding.PKCS1v15())
    except ValueError:
        raise EfrisCryptoError("passowrdDes cannot be decrypted with this device key") from None
    # OpenSSL's implicit rejection answers a wrong key with random bytes rather than an
    # error, so the checks below are what catches a key sealed for another device.
    try:
        text = inner.decode("ascii")
    except UnicodeDecodeError:
        raise EfrisCryptoError("passowrdDes was not sealed for this device key") from None
    aes_key = b64decode(text, what="the key inside passowrdDes")
    if len(aes_key) != AES_KEY_BYTES:
        raise EfrisCryptoError(f"T104 key is {len(aes_key)} bytes, EFRIS uses {AES_KEY_BYTES}")
    return aes_key


def _ascii(text: str, *, what: str) -> bytes:
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        raise EfrisCryptoError(f"{what} is not ASCII") from None
