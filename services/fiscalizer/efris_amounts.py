"""EFRIS's VAT categories, arithmetic and number format (efris.md §5.5-§5.8), as pure functions.

    category   taxCategoryCode  taxRate  line tax
    standard   "01"             "0.18"   round_half_up(total x 0.18 / 1.18, 2)      §5.8
    zero       "02"             "0"      0.00                                        §5.6 (3050)
    exempt     "03"             "-"      0.00                                        §5.6 (3051)

    total      = qty x unitPrice truncated to 2 decimals, VAT included            §5.5 (1316)
    net        = total - tax                                                      §5.8
    numbers    = JSON strings; money with exactly 2 decimals ("-17700.00")        §5.8 [R]
    qty        ≤ 12 integer and 8 decimal digits; unitPrice ≤ 8 decimal digits     §5.5

Rounding is ROUND_HALF_UP throughout (libs.invoices.round_cents), the "round" of §5.8;
truncation appears only where 1316 says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal, InvalidOperation

from libs.invoices import round_cents

_CENT = Decimal("0.01")
_PRICE_STEP = Decimal("1E-8")  # unitPrice: at most 8 decimal digits (§5.5)
_MAX_INTEGER_DIGITS = 12  # qty and unitPrice: at most 12 integer digits (§5.5)
_HUNDRED = Decimal(100)


class AmountError(ValueError):
    """An amount EFRIS cannot carry (a rate it has no category for, too many digits)."""


@dataclass(frozen=True)
class TaxCategory:
    """A VAT category as EFRIS writes it: code, rate text, and the rate as a fraction."""

    code: str
    rate_text: str
    rate: Decimal
    name: str


STANDARD = TaxCategory("01", "0.18", Decimal("0.18"), "Standard")
ZERO_RATED = TaxCategory("02", "0", Decimal(0), "Zero")
EXEMPT = TaxCategory("03", "-", Decimal(0), "Exempt")


def category_for(tax_rate: Decimal | None) -> TaxCategory:
    """The category of a canonical line's `tax_rate` (percent; None = exempt, 0 = zero-rated).

    Raises `AmountError` for any other rate: Uganda's VAT has 18 % only, and deemed (04)
    or excise (05) lines need data a canonical invoice does not carry.
    """
    if tax_rate is None:
        return EXEMPT
    if tax_rate == 0:
        return ZERO_RATED
    if tax_rate == STANDARD.rate * _HUNDRED:
        return STANDARD
    raise AmountError(f"VAT rate {tax_rate}% has no EFRIS category (18, 0 or exempt)")


def tax_in(total: Decimal, category: TaxCategory) -> Decimal:
    """The VAT inside a VAT-inclusive `total` (§5.8: round(total x r / (1 + r), 2))."""
    if not category.rate:
        return Decimal("0.00")
    return round_cents(total * category.rate / (1 + category.rate))


def truncate_cents(value: Decimal) -> Decimal:
    """`value` cut (not rounded) to cents, toward zero: 1316's "truncated to 2 decimals"."""
    return value.quantize(_CENT, rounding=ROUND_DOWN)


def unit_price_for(quantity: Decimal, total: Decimal, *, preferred: Decimal) -> Decimal:
    """A VAT-inclusive unit price with qty x price truncated to cents == `total` (1316).

    `preferred` (the line's list price with VAT, to cents) wins when it satisfies 1316,
    so undiscounted lines print the price the buyer saw. Otherwise the price is
    total / qty rounded up to 8 decimals: the product then exceeds `total` by less than
    qty x 1e-8, which truncation removes while qty < 1,000,000. Raises `AmountError` when
    no price of at most 8 decimals satisfies 1316.
    """
    for price in (preferred, (total / quantity).quantize(_PRICE_STEP, rounding=ROUND_CEILING)):
        if price > 0 and truncate_cents(quantity * price) == total:
            return price
    raise AmountError(f"no unit price of ≤ 8 decimals gives {quantity} x price = {total}")


def money_text(value: Decimal) -> str:
    """Money as EFRIS compares it: exactly 2 decimals, "-0.00" written "0.00"."""
    text = f"{round_cents(value):.2f}"
    return "0.00" if text == "-0.00" else text


def quantity_text(value: Decimal) -> str:
    """A quantity without trailing zeros ("10", "2.5"); `AmountError` past 12.8 digits."""
    return _plain(value, what="quantity")


def price_text(value: Decimal) -> str:
    """A unit price: 2 decimals when it has no more ("35400.00"), else up to 8 ("2.33333334")."""
    if value == round_cents(value):
        return money_text(value)
    return _plain(value, what="unit price")


def negated_text(text: str) -> str:
    """A number written as EFRIS sent it, negated with its decimals kept ("" and zero stay)."""
    if text.strip() == "":
        return text
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise AmountError(f"{text[:30]!r} is not a number") from None
    return text if value == 0 else str(-value)


def _plain(value: Decimal, *, what: str) -> str:
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if decimals > 8 or abs(value) >= Decimal(10) ** _MAX_INTEGER_DIGITS:
        raise AmountError(f"{what} {value} has more than 12 integer or 8 decimal digits")
    return f"{value.normalize():f}"
