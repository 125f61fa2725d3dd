"""Money arithmetic the simulated providers share: Decimal in, cents out, JSON numbers on the wire."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(amount: Decimal) -> Decimal:
    """`amount` rounded half-up to two decimals."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def number(amount: Decimal) -> float:
    """`amount` in cents as a JSON number (the providers send money as numbers)."""
    return float(cents(amount))


def tax_on(net: Decimal, percent: Decimal) -> Decimal:
    """Tax at `percent` on a tax-exclusive `net`, in cents."""
    return cents(net * percent / HUNDRED)


def tax_within(gross: Decimal, percent: Decimal) -> Decimal:
    """The tax contained in a tax-inclusive `gross` at `percent`, in cents."""
    return cents(gross * percent / (HUNDRED + percent))
