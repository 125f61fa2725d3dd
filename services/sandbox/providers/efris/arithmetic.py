"""EFRIS's money rules for T109 and T110, as pure functions over Decimal (efris.md §5.5-§5.8).

    line        total = qty * unitPrice, truncated to 2 decimals (1316)
                tax   = total * rate / (1 + rate): prices are VAT-inclusive (2776)
    taxDetails  one row per category present; net + tax = gross (1342); gross = Σ line totals
                of the category (1317); tax ≥ Σ line taxes (2785) and equal to it or to
                gross * rate / (1 + rate) (2776); 0 for zero-rated (3050) and exempt (3051)
    summary     tax = Σ rows' tax (1344); gross = Σ rows' gross but Excise Duty (1345);
                net = Σ rows' net (1343); itemCount = lines - discount lines (1304)
    payWay      Σ paymentAmount = gross (2270)

Tolerance: efris.md §5.8 leaves URA's rounding open (its own sample truncates the net), so
every comparison accepts a difference below one cent, which covers truncation and
half-up rounding alike. A credit note (T110) runs the same rules on negative amounts.

Tax categories (taxCategoryCode): 01 standard 18 %, 02 zero-rated, 03 exempt ("-"),
04 deemed 18 %, 11 VAT out of scope (rate 0); excise and the others are not simulated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from services.sandbox.providers.efris.return_codes import EfrisRefusal

CENT = Decimal("0.01")
STANDARD_RATE = Decimal("0.18")
CATEGORY_RATES: dict[str, Decimal | None] = {
    "01": STANDARD_RATE,
    "02": Decimal(0),
    "03": None,
    "04": STANDARD_RATE,
    "11": Decimal(0),
}
CATEGORY_NAMES = {
    "01": "Standard",
    "02": "Zero",
    "03": "Exempt",
    "04": "Deemed",
    "11": "VAT Out of Scope",
}
PAYMENT_MODES = frozenset(str(code) for code in range(101, 111))


def decimal_of(value: object) -> Decimal | None:
    """A JSON number or numeric string as Decimal; None for empty, absent or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def required(value: object, code: str) -> Decimal:
    """`value` as Decimal, or the refusal `code` (the field's "cannot be empty")."""
    number = decimal_of(value)
    if number is None:
        raise EfrisRefusal(code)
    return number


def rate_of(text: object) -> Decimal | None:
    """A line's taxRate: 0.18, 0, or None for exempt ("-" or empty); 2048 for anything else."""
    if text in ("-", "", None):
        return None
    rate = decimal_of(text)
    if rate is None or rate not in (Decimal(0), STANDARD_RATE):
        raise EfrisRefusal("2048")
    return rate


def within(actual: Decimal, expected: Decimal) -> bool:
    """Less than a cent from `expected` (unrounded): truncated and half-up rounding both pass."""
    return abs(actual - expected) < CENT


def tax_within(total: Decimal, rate: Decimal | None) -> Decimal:
    """The VAT inside a VAT-inclusive `total` at `rate` (0 for exempt), unrounded."""
    if not rate:
        return Decimal(0)
    return total * rate / (1 + rate)


def category_of(rate: Decimal | None, *, vat_applicable: str = "1") -> str:
    """The taxCategoryCode of a line at `rate`: 01 standard, 02 zero, 03 exempt, 11 out of scope."""
    if rate is None:
        return "03"
    if rate == 0:
        return "11" if vat_applicable == "0" else "02"
    return "01"


def money(amount: Decimal) -> str:
    """An amount as EFRIS writes it: a string with two decimals (efris.md §5.8)."""
    return f"{amount.quantize(CENT):f}"


@dataclass(frozen=True)
class Line:
    """One goods line once its own rules passed: what the totals are checked against."""

    order: int
    category: str
    total: Decimal
    tax: Decimal
    discount: bool


@dataclass(frozen=True)
class CategoryTotal:
    """One taxDetails row as accepted."""

    code: str
    net: Decimal
    tax: Decimal
    gross: Decimal


def check_line_amounts(
    *, qty: Decimal, unit_price: Decimal, total: Decimal, tax: Decimal, rate: Decimal | None
) -> None:
    """qty * unitPrice = total (1316) and the VAT-inclusive tax (2776), signs as given."""
    if not within(total, qty * unit_price):  # truncated (URA's text) or rounded half-up
        raise EfrisRefusal("1316")
    check_line_tax(total=total, tax=tax, rate=rate)


def check_line_tax(*, total: Decimal, tax: Decimal, rate: Decimal | None) -> None:
    """tax = total * rate / (1 + rate); 0 when zero-rated or exempt (2776)."""
    if not within(tax, tax_within(total, rate)):
        raise EfrisRefusal("2776")


def check_tax_details(lines: Sequence[Line], rows: object) -> list[CategoryTotal]:
    """Every taxDetails row against the lines of its category; the rows as accepted."""
    if not isinstance(rows, list) or not rows:
        raise EfrisRefusal("2828")
    expected: dict[str, list[Line]] = {}
    for line in lines:
        expected.setdefault(line.category, []).append(line)
    accepted: dict[str, CategoryTotal] = {}
    for row in rows:
        total = _tax_row(row, expected)
        if total.code in accepted:
            raise EfrisRefusal("1317")  # one row per category
        accepted[total.code] = total
    if set(accepted) != set(expected):
        raise EfrisRefusal("1317")  # a category of the lines has no row, or the reverse
    return list(accepted.values())


def _tax_row(row: object, expected: Mapping[str, list[Line]]) -> CategoryTotal:
    if not isinstance(row, Mapping):
        raise EfrisRefusal("2828")
    code = row.get("taxCategoryCode")
    if not code:
        raise EfrisRefusal("2828")
    if code not in CATEGORY_RATES:
        raise EfrisRefusal("2830")
    rate = CATEGORY_RATES[code]
    stated = row.get("taxRate")
    if (rate is None and stated not in ("-", "", None)) or (
        rate is not None and decimal_of(stated) != rate
    ):
        raise EfrisRefusal("2833")
    net = required(row.get("netAmount"), "1262")
    tax = required(row.get("taxAmount"), "1269")
    gross = required(row.get("grossAmount"), "1274")
    if not within(net + tax, gross):
        raise EfrisRefusal("1342")
    if not rate and tax != 0:
        raise EfrisRefusal("3051" if rate is None else "3050")
    lines = expected.get(code, [])
    if not within(gross, sum((line.total for line in lines), Decimal(0))):
        raise EfrisRefusal("1317")
    line_tax = sum((line.tax for line in lines), Decimal(0))
    if abs(tax) < abs(line_tax) - CENT:
        raise EfrisRefusal("2785")
    if not (within(tax, line_tax) or within(tax, tax_within(gross, rate))):
        raise EfrisRefusal("2776")
    return CategoryTotal(code=code, net=net, tax=tax, gross=gross)


def check_summary(summary: object, rows: Sequence[CategoryTotal], *, item_count: int) -> Decimal:
    """The summary's sums and itemCount against the accepted rows; its grossAmount."""
    if not isinstance(summary, Mapping):
        raise EfrisRefusal("2072")
    net = required(summary.get("netAmount"), "1289")
    tax = required(summary.get("taxAmount"), "1294")
    gross = required(summary.get("grossAmount"), "1299")
    if not within(tax, sum((row.tax for row in rows), Decimal(0))):
        raise EfrisRefusal("1344")
    if not within(gross, sum((row.gross for row in rows), Decimal(0))):
        raise EfrisRefusal("1345")
    if not within(net, sum((row.net for row in rows), Decimal(0))):
        raise EfrisRefusal("1343")
    if str(summary.get("itemCount", "")).strip() != str(item_count):
        raise EfrisRefusal("1304")
    return gross


def check_pay_way(pay_way: object, gross: Decimal) -> None:
    """Payment modes from URA's list (2264) adding up to the gross (2270); absent is fine."""
    if pay_way in (None, []):
        return
    if not isinstance(pay_way, list):
        raise EfrisRefusal("2262")
    paid = Decimal(0)
    for payment in pay_way:
        if not isinstance(payment, Mapping) or not payment.get("paymentMode"):
            raise EfrisRefusal("2262")
        if str(payment["paymentMode"]) not in PAYMENT_MODES:
            raise EfrisRefusal("2264")
        paid += required(payment.get("paymentAmount"), "2265")
    if not within(paid, gross):
        raise EfrisRefusal("2270")
