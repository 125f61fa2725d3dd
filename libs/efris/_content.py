"""The `data` object of an envelope: how a payload becomes `content` and back (efris.md §3.3-§3.5).

seal:  JSON (UTF-8) ─[AES-128-ECB if a key]─[gzip if compress]─ base64 → content
       signature = sign(content)                      "" when there is no payload
open:  content ─ base64 ─[gunzip if zipCode 1]─[AES if encryptCode 2]─ JSON

dataDescription   codeType   encryptCode   zipCode
PLAIN             "0"        "1"           "0"
ENCRYPTED         "1"        "2"           "0"
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from libs.efris._aes import aes_decrypt, aes_encrypt
from libs.efris._base64 import b64decode, b64encode
from libs.efris._errors import EfrisCryptoError, EfrisProtocolError
from libs.efris._rsa import sign

_KEYS = ("codeType", "encryptCode", "zipCode")


@dataclass(frozen=True)
class DataDescription:
    """`data.dataDescription`: whether `content` is ciphertext, with what, and whether gzipped."""

    code_type: str
    encrypt_code: str
    zip_code: str

    PLAIN: ClassVar[DataDescription]
    ENCRYPTED: ClassVar[DataDescription]

    @property
    def encrypted(self) -> bool:
        """AES ciphertext inside; efris.md §3.5 decides on `encryptCode` alone, as we do."""
        return self.encrypt_code == "2"

    @property
    def zipped(self) -> bool:
        """gzip applied over the (cipher)text before base64."""
        return self.zip_code == "1"

    def to_json(self) -> dict[str, str]:
        """EFRIS's camelCase object."""
        return {
            "codeType": self.code_type,
            "encryptCode": self.encrypt_code,
            "zipCode": self.zip_code,
        }

    @classmethod
    def from_json(cls, obj: object) -> DataDescription:
        """Read a `dataDescription` object; a missing one or missing keys read as plain text.

        Raises `EfrisProtocolError` when it is not an object or a value is not a string.
        """
        if obj is None:
            return PLAIN
        if not isinstance(obj, Mapping):
            raise EfrisProtocolError("dataDescription is not an object")
        values = [obj.get(key, default) for key, default in zip(_KEYS, PLAIN_TUPLE, strict=True)]
        if not all(isinstance(value, str) for value in values):
            raise EfrisProtocolError("dataDescription values must be strings")
        return cls(*(str(value) for value in values))


PLAIN_TUPLE = ("0", "1", "0")
ENCRYPTED_TUPLE = ("1", "2", "0")
PLAIN = DataDescription(*PLAIN_TUPLE)
ENCRYPTED = DataDescription(*ENCRYPTED_TUPLE)
DataDescription.PLAIN = PLAIN
DataDescription.ENCRYPTED = ENCRYPTED


def seal_content(
    payload: object | None,
    *,
    aes_key: bytes | None,
    private_key: RSAPrivateKey | None,
    compress: bool = False,
) -> tuple[str, str, DataDescription]:
    """`(content, signature, dataDescription)` for a request or response payload.

    None → `("", "", PLAIN)`. With `aes_key` the JSON is AES-encrypted (§3.3), else it is
    only base64-encoded (§3.4); `compress` gzips over that (zipCode "1"). The signature is
    over the final base64 text, and only made when `private_key` is given. JSON is written
    as the caller's values are: strings stay strings (EFRIS wants numbers as strings, §5.8).
    Raises `EfrisProtocolError` for a payload JSON cannot represent.
    """
    if payload is None:
        return "", "", PLAIN
    try:
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise EfrisProtocolError(f"payload is not JSON: {type(exc).__name__}") from None
    body = raw.encode("utf-8")
    description = ENCRYPTED if aes_key is not None else PLAIN
    if aes_key is not None:
        body = aes_encrypt(aes_key, body)
    if compress:
        # mtime=0: the same payload always seals to the same bytes.
        body = gzip.compress(body, mtime=0)
        description = replace(description, zip_code="1")
    content = b64encode(body)
    signature = sign(private_key, content) if private_key is not None else ""
    return content, signature, description


def open_content(data: Mapping[str, object], *, aes_key: bytes | None) -> object | None:
    """The payload inside an envelope's `data` object; None when `content` is empty (§3.5).

    Raises `EfrisCryptoError` for bad base64, bad gzip, an encrypted content without
    `aes_key` or with the wrong one; `EfrisProtocolError` when what is inside is not JSON.
    The signature is not checked here (see `verify`).
    """
    content = data.get("content", "")
    if content is None or content == "":
        return None
    if not isinstance(content, str):
        raise EfrisProtocolError("data.content is not a string")
    description = DataDescription.from_json(data.get("dataDescription"))
    body = b64decode(content, what="data.content")
    if description.zipped:
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error):
            raise EfrisCryptoError("data.content says gzip but is not") from None
    if description.encrypted:
        if aes_key is None:
            raise EfrisCryptoError("data.content is AES-encrypted and no key is at hand")
        body = aes_decrypt(aes_key, body)
    try:
        payload: object = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EfrisProtocolError("data.content does not hold JSON") from None
    return payload
