"""The canonical invoice every ERP's invoice is mapped to, and `invoice.*` event payloads.

    Invoice
      source: InvoiceSource     provider, account_id (realm / Xero tenant / Zoho org), invoice_id
      number, issued_on, due_on, currency (ISO 4217, upper case), status
      buyer: Buyer              name, tin (10 digits when present), email, reference
      lines: [InvoiceLine]      description, item_code, quantity, unit_price, net, tax_rate, tax
      totals: InvoiceTotals     net, tax, gross

Money and quantities are `Decimal`, never float; on the wire (event `data`) they are JSON
strings ("148062.76"), so no consumer can read them as binary floats. Amounts are
tax-exclusive per line (`net`), with the line's tax beside it; the totals equal the sums
of the lines (`Invoice` refuses one whose lines do not add up to its totals).

    InvoiceError      an ERP's record cannot be mapped (a required field is missing or malformed)

`money()` reads a JSON number or string as an exact Decimal; `round_cents()` is the one
rounding rule (half-up to cents) the model and every mapper use.
"""

from libs.invoices._model import (
    Buyer,
    Invoice,
    InvoiceError,
    InvoiceLine,
    InvoiceSource,
    InvoiceStatus,
    InvoiceTotals,
    InvoiceVoided,
    money,
    round_cents,
)

__all__ = [
    "Buyer",
    "Invoice",
    "InvoiceError",
    "InvoiceLine",
    "InvoiceSource",
    "InvoiceStatus",
    "InvoiceTotals",
    "InvoiceVoided",
    "money",
    "round_cents",
]
