"""From an ERP's line amounts, invoice discounts and tax totals to each line's net and tax.

QuickBooks and Zoho state a tax total (per rate, or per invoice) but no tax per line, so
the lines' taxes are computed and then reconciled to what the ERP states:

    price_lines(amounts, unit_prices, discounts=[Stated], groups=[TaxGroup], inclusive, tax_after_discount)
      1. each invoice-level discount is apportioned over the lines by amount (to the cent)
      2. tax base: the discounted amount, or the undiscounted one when tax comes before the
         discount (tax-exclusive only)
      3. per group: base x percent / 100 (tax inclusive: / (100 + the line's summed
         percents)), rounded half-up, reconciled to the group's stated total
      4. net = discounted amount, less the tax when amounts include it; a tax-inclusive
         unit price is scaled by net/amount so `unit_price` is tax-exclusive like `net`

    TaxGroup(field="Invoice.TxnTaxDetail.TaxLine[0].Amount", total=18.00, percents=(18, 0, 18))
      one tax total the ERP states, and each line's percent of it (0 where it does not apply)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from libs.invoices import round_cents
from services.erp_sync.mapping._apportion import apportion, reconcile
from services.erp_sync.mapping._record import Stated

_HUNDRED = Decimal(100)
# A derived unit price keeps at least 4 places (Xero's unitdp maximum) and at most 10, so
# rounding stays within Decimal's 28 digits for any amount `Record` accepts.
_PRICE_PLACES = -4
_PRICE_PLACES_MAX = -10


@dataclass(frozen=True)
class TaxGroup:
    """A tax total the ERP states (`field` names it) and each line's percent of that tax."""

    field: str
    total: Decimal
    percents: tuple[Decimal, ...]


@dataclass(frozen=True)
class LinePrice:
    """A line's tax-exclusive net, its tax, and its unit price before tax."""

    net: Decimal
    tax: Decimal
    unit_price: Decimal


def price_lines(
    amounts: Sequence[Decimal],
    unit_prices: Sequence[Decimal],
    *,
    discounts: Sequence[Stated],
    groups: Sequence[TaxGroup],
    inclusive: bool,
    tax_after_discount: bool,
) -> list[LinePrice]:
    """Each line's net, tax and tax-exclusive unit price (steps in the module docstring).

    Raises `InvoiceError` naming a discount or tax total the lines cannot account for.
    """
    discounted = list(amounts)
    for discount in discounts:
        shares = apportion(discount.value, discounted, field=discount.field)
        discounted = [amount - share for amount, share in zip(discounted, shares, strict=True)]
    bases = discounted if inclusive or tax_after_discount else amounts
    taxes = _line_taxes(bases, groups, inclusive=inclusive)
    prices = []
    for gross, tax, unit_price in zip(discounted, taxes, unit_prices, strict=True):
        net = gross - tax if inclusive else gross
        price = price_without_tax(unit_price, net=net, gross=gross) if inclusive else unit_price
        prices.append(LinePrice(net=net, tax=tax, unit_price=price))
    return prices


def _line_taxes(
    bases: Sequence[Decimal], groups: Sequence[TaxGroup], *, inclusive: bool
) -> list[Decimal]:
    summed = [
        sum((group.percents[index] for group in groups), Decimal(0)) for index in range(len(bases))
    ]
    taxes = [Decimal(0)] * len(bases)
    for group in groups:
        shares = [
            round_cents(base * percent / (_HUNDRED + line_percent if inclusive else _HUNDRED))
            for base, percent, line_percent in zip(bases, group.percents, summed, strict=True)
        ]
        weights = [
            base if percent else Decimal(0)
            for base, percent in zip(bases, group.percents, strict=True)
        ]
        reconciled = reconcile(shares, weights, total=group.total, field=group.field)
        taxes = [tax + share for tax, share in zip(taxes, reconciled, strict=True)]
    return taxes


def price_without_tax(price: Decimal, *, net: Decimal, gross: Decimal) -> Decimal:
    """A tax-inclusive unit price scaled by its line's net/gross, to 4 to 10 places.

    A zero `gross`, or one without tax, leaves the price as it is.
    """
    if gross in {Decimal(0), net}:
        return price
    exponent = price.as_tuple().exponent
    own = exponent if isinstance(exponent, int) else _PRICE_PLACES
    return round_places(price * net / gross, max(min(own, _PRICE_PLACES), _PRICE_PLACES_MAX))


def round_places(value: Decimal, exponent: int) -> Decimal:
    """`value` rounded half-up to a multiple of `10 ** exponent`."""
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
