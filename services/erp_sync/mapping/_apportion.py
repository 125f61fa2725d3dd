"""Cent-exact shares of an amount the ERP states once for several lines.

    apportion(Decimal("10"), [Decimal("1"), Decimal("1"), Decimal("1")], field=...)
        -> [3.34, 3.33, 3.33]     each share rounded half-up, the rounding difference on the
                                  largest line, so the shares add up to the stated amount

`reconcile` is the second half on its own: shares computed elsewhere (a rate times a net)
are brought to the ERP's stated total. A difference larger than the rounding of the shares
can explain is not rounding: the record is inconsistent, and a wrong fiscal document is
worse than a parked one, so it raises `InvoiceError` naming the stated field.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from libs.invoices import InvoiceError, round_cents

# Our shares are each off by at most half a cent, and the ERP's total by at most half a
# cent per line however it grouped them (per line, per rate, per invoice): a cent a line.
_CENT = Decimal("0.01")


def apportion(total: Decimal, weights: Sequence[Decimal], *, field: str) -> list[Decimal]:
    """`total` split over lines in proportion to `weights`, to the cent, adding up exactly.

    Raises `InvoiceError(field, ...)` when `total` is not zero but the weights are.
    """
    base = sum(weights, Decimal(0))
    if base == 0:
        return reconcile([Decimal(0)] * len(weights), weights, total=total, field=field)
    shares = [round_cents(total * weight / base) for weight in weights]
    return reconcile(shares, weights, total=total, field=field)


def reconcile(
    shares: Sequence[Decimal], weights: Sequence[Decimal], *, total: Decimal, field: str
) -> list[Decimal]:
    """`shares` with `total - sum(shares)` added to the share of the largest non-zero weight.

    Raises `InvoiceError(field, ...)` when the difference is more than rounding explains
    (a cent per line with a weight), or when no line has a weight.
    """
    difference = total - sum(shares, Decimal(0))
    if difference == 0:
        return list(shares)
    carriers = [index for index, weight in enumerate(weights) if weight != 0]
    if not carriers or abs(difference) > _CENT * len(carriers):
        computed = sum(shares, Decimal(0))
        raise InvoiceError(field, f"is {total} but the lines it covers come to {computed}")
    largest = max(carriers, key=lambda index: abs(weights[index]))
    return [share + difference if index == largest else share for index, share in enumerate(shares)]
