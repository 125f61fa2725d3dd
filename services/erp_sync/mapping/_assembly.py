"""The last step of every mapping: totals checked against the ERP's, model errors translated.

checked_totals(lines, lines_at=..., net=Stated(...) | None, tax=Stated(...), gross=Stated(...))
    the canonical totals are the sums of the lines (gross = net + tax); each total the
    ERP states must agree with them to the cent, or InvoiceError names the ERP's field

with model_errors():  ...build Buyer / InvoiceLine / Invoice...
    a pydantic ValidationError leaves as InvoiceError("Invoice.lines[0].description", ...),
    a Decimal ArithmeticError (amounts past 28 digits) as InvoiceError("Invoice", ...)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from pydantic import ValidationError

from libs.invoices import InvoiceError, InvoiceLine, InvoiceTotals
from services.erp_sync.mapping._record import Stated

# ERPs round their totals themselves; a cent either way is theirs, more is a different invoice.
_TOLERANCE = Decimal("0.01")


def check_stated(stated: Stated, computed: Decimal) -> None:
    """Raise `InvoiceError(stated.field, ...)` when `computed` differs by more than a cent."""
    if abs(stated.value - computed) > _TOLERANCE:
        raise InvoiceError(stated.field, f"is {stated.value} but the lines add up to {computed}")


def checked_totals(
    lines: Sequence[InvoiceLine],
    *,
    lines_at: str,
    net: Stated | None,
    tax: Stated,
    gross: Stated,
) -> InvoiceTotals:
    """The lines' sums as totals, after checking each total the ERP states against them.

    Raises `InvoiceError` naming `lines_at` when there are no lines, or the first stated
    total (net, tax, gross) that disagrees by more than a cent.
    """
    if not lines:
        raise InvoiceError(lines_at, "has no sales lines")
    net_sum = sum((line.net for line in lines), Decimal(0))
    tax_sum = sum((line.tax for line in lines), Decimal(0))
    if net is not None:
        check_stated(net, net_sum)
    check_stated(tax, tax_sum)
    check_stated(gross, net_sum + tax_sum)
    return InvoiceTotals(net=net_sum, tax=tax_sum, gross=net_sum + tax_sum)


@contextmanager
def model_errors() -> Iterator[None]:
    """Translate a pydantic `ValidationError` or a Decimal failure raised inside into `InvoiceError`.

    The field is the model's name and the error's location ("Buyer.email",
    "Invoice.lines[0].description"); the problem is pydantic's message, without the input.
    Amounts that each pass `Record` can still combine past Decimal's 28 digits (a line of
    1e-140 carrying a cent of tax): that record is no invoice either, named as a whole.
    """
    try:
        yield
    except ArithmeticError as exc:
        raise InvoiceError("Invoice", "its amounts combine beyond any invoice's range") from exc
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        location = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
        )
        raise InvoiceError(f"{exc.title}{location}", error["msg"]) from exc
