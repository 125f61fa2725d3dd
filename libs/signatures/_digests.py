"""HMAC-SHA256 digests: computing them, recognising their text shapes, comparing them.

Comparisons are constant-time (`hmac.compare_digest`) over the ASCII text of the digest, and
the message is always built from the raw body bytes as received.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Sequence
from typing import Literal

from libs.signatures._errors import InvalidSignature, MalformedSignature

DigestEncoding = Literal["hex", "base64"]

# A SHA-256 digest is 32 bytes: 64 hex digits, or 44 base64 characters ending in one "=".
_SHAPES: dict[DigestEncoding, re.Pattern[str]] = {
    "hex": re.compile(r"[0-9a-fA-F]{64}"),
    "base64": re.compile(r"[A-Za-z0-9+/]{43}="),
}

Keys = Sequence[tuple[int, bytes]]
"""HMAC keys, each with its index in the verifier's configured secrets."""


def encoded_hmac(key: bytes, message: bytes, encoding: DigestEncoding) -> str:
    """The HMAC-SHA256 of `message` under `key`, as lowercase hex or standard padded base64."""
    digest = hmac.digest(key, message, "sha256")  # one-shot: no HMAC object per request
    if encoding == "hex":
        return digest.hex()
    return base64.b64encode(digest).decode("ascii")


def require_encoding(
    value: str, accepted: Sequence[DigestEncoding], *, provider: str, header: str
) -> DigestEncoding:
    """Which of the `accepted` encodings `value` is shaped like; `MalformedSignature` if none."""
    for encoding in accepted:
        if _SHAPES[encoding].fullmatch(value):
            return encoding
    shapes = " or ".join(accepted)
    raise MalformedSignature(
        f"is not a {shapes} HMAC-SHA256 digest", provider=provider, header=header
    )


def find_signing_key(
    keys: Keys, messages: Sequence[bytes], presented: Sequence[str], encoding: DigestEncoding
) -> int | None:
    """Index of the first key whose digest of any of `messages` equals any `presented` digest.

    Hex is compared case-insensitively; presented values of the wrong shape simply never match.
    """
    candidates = [_canonical(value, encoding) for value in presented]
    for index, key in keys:
        for message in messages:
            expected = encoded_hmac(key, message, encoding).encode("ascii")
            if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
                return index
    return None


def match_digest(
    value: str,
    messages: Sequence[bytes],
    *,
    keys: Keys,
    accepted: Sequence[DigestEncoding],
    provider: str,
    header: str,
) -> tuple[int, DigestEncoding]:
    """The (secret index, encoding) that produced the single digest `value`.

    Raises `MalformedSignature` when `value` has none of the `accepted` shapes and
    `InvalidSignature` when no key produces it.
    """
    encoding = require_encoding(value, accepted, provider=provider, header=header)
    index = find_signing_key(keys, messages, [value], encoding)
    if index is None:
        raise InvalidSignature(provider=provider, header=header)
    return index, encoding


def _canonical(value: str, encoding: DigestEncoding) -> bytes:
    # Header values are ASCII (RequestHeaders refuses others); "replace" only keeps a stray
    # non-ASCII value from raising, and "?" never occurs in a digest, so it cannot match.
    text = value.lower() if encoding == "hex" else value
    return text.encode("ascii", errors="replace")
