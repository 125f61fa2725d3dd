"""Base64 as EFRIS writes it: the standard alphabet with `=` padding (efris.md §1.3, §3.3)."""

from __future__ import annotations

import base64
import binascii

from libs.efris._errors import EfrisCryptoError


def b64encode(raw: bytes) -> str:
    """`raw` as standard base64 text with padding."""
    return base64.b64encode(raw).decode("ascii")


def b64decode(text: str, *, what: str) -> bytes:
    """Strictly decoded standard base64; `EfrisCryptoError` naming `what` for anything else.

    Whitespace, the URL-safe alphabet and missing padding are all refused: EFRIS writes
    none of them, so their presence means the text is not what we think it is.
    """
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise EfrisCryptoError(f"{what} is not standard base64") from None
