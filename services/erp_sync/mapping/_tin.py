"""A buyer's TIN as the fiscal authority takes it: exactly ten digits, or nothing.

ERPs hold tax numbers as free text ("100-234 5678"), masked ("XXXXXX1234", QuickBooks in
production) or in another country's format (a 15-character GSTIN). Anything that is not
ten digits once spaces and dashes are gone is no TIN for us, and not an error: the invoice
is then issued to an unregistered buyer.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s-]+")
_TIN = re.compile(r"\d{10}")


def tin_or_none(value: object) -> str | None:
    """`value` (a string or whole number) as a ten-digit TIN, None when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    digits = _SEPARATORS.sub("", value)
    return digits if _TIN.fullmatch(digits) else None


def first_tin(candidates: list[object]) -> str | None:
    """The first of `candidates` that is a TIN, None when none is."""
    return next((tin for tin in map(tin_or_none, candidates) if tin is not None), None)
