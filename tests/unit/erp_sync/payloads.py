"""ERP invoice documents for the mapping tests: the providers.md samples, and builders.

The builders take `Sale`s (quantity, unit price, tax percent) and compute every total the
way the ERP does, then pass the document through `json` so amounts arrive as the JSON
floats a real response parses to.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from libs.invoices import round_cents

HUNDRED = Decimal(100)


def as_json(document: object) -> Any:
    """`document` as a JSON parser hands it back: Decimals become JSON numbers."""
    return json.loads(json.dumps(document, default=float))


def without(document: Any, *path: str | int) -> Any:
    """A deep copy of `document` with the key or item at `path` removed."""
    changed = copy.deepcopy(document)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return changed


def replaced(document: Any, *path: str | int, value: object) -> Any:
    """A deep copy of `document` with the value at `path` replaced by `value`."""
    changed = copy.deepcopy(document)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


# providers.md §1.8, the object inside {"Invoice": ...}
QUICKBOOKS_INVOICE_239: dict[str, Any] = json.loads("""{
    "Id": "239",
    "SyncToken": "0",
    "domain": "QBO",
    "sparse": false,
    "MetaData": { "CreateTime": "2015-07-24T10:35:08-07:00", "LastUpdatedTime": "2015-07-24T10:35:08-07:00" },
    "DocNumber": "1070",
    "TxnDate": "2015-07-24",
    "DueDate": "2015-08-23",
    "CustomerRef": { "value": "1", "name": "Amy's Bird Sanctuary" },
    "Line": [
      { "Id": "1", "LineNum": 1, "Amount": 150.0, "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": { "ItemRef": { "value": "1", "name": "Services" }, "TaxCodeRef": { "value": "NON" } } },
      { "Amount": 150.0, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {} }
    ],
    "TxnTaxDetail": { "TotalTax": 0 },
    "TotalAmt": 150.0,
    "Balance": 150.0,
    "EmailStatus": "NotSet",
    "PrintStatus": "NeedToPrint",
    "LinkedTxn": []
}""")

# providers.md §2.8
XERO_INV_0006: dict[str, Any] = json.loads("""{
  "Id": "516f400a-b764-4c88-831b-12d2b210fa24",
  "Status": "OK",
  "ProviderName": "Provider Name Example",
  "DateTimeUTC": "/Date(1551981658323)/",
  "Invoices": [
    {
      "Type": "ACCREC",
      "InvoiceID": "a03ffcd2-5d91-4c7e-b483-318584e9e439",
      "InvoiceNumber": "INV-0006",
      "Reference": "Tour",
      "Contact": { "ContactID": "430fa14a-f945-44d3-9f97-5df5e28441b8", "Name": "Liam Gallagher" },
      "DateString": "2019-03-07T00:00:00",
      "Date": "/Date(1551916800000+0000)/",
      "DueDate": "/Date(1552435200000+0000)/",
      "Status": "PAID",
      "LineAmountTypes": "Exclusive",
      "LineItems": [ { "LineItemID": "b18f39d9-7739-4246-9288-72afe939d2d5", "Description": "Guitars Fender Strat", "Quantity": 1.0, "UnitAmount": 148062.76, "TaxType": "NONE", "TaxAmount": 0.0, "LineAmount": 148062.76, "AccountCode": "200" } ],
      "SubTotal": 148062.76, "TotalTax": 0.00, "Total": 148062.76,
      "AmountDue": 0.00, "AmountPaid": 148062.76,
      "CurrencyCode": "NZD",
      "UpdatedDateUTC": "/Date(1551981568133+0000)/"
    }
  ]
}""")

# providers.md §3.6, as printed: sub_total 10000 and total 10000 for one line of 120.
ZOHO_SPEC_SAMPLE: dict[str, Any] = json.loads("""{
  "code": 0,
  "message": "success",
  "invoice": {
    "invoice_id": "982000000567114",
    "invoice_number": "INV-00003",
    "date": "2013-11-17",
    "due_date": "2013-12-03",
    "status": "draft",
    "customer_id": "982000000567001",
    "customer_name": "Bowman & Co",
    "currency_code": "USD",
    "sub_total": 10000.0,
    "tax_total": 22.6,
    "total": 10000.0,
    "balance": 40.6,
    "payment_made": 26.91,
    "reference_number": " ",
    "created_time": "2013-11-18T02:17:40-0800",
    "last_modified_time": "2013-11-18T02:02:51-0800",
    "line_items": [
      { "line_item_id": "982000000567021", "item_id": "982000000030049", "name": "Hard Drive",
        "description": "500GB, USB 2.0 interface 1400 rpm, protective hard case.", "rate": 120, "quantity": 1, "item_total": 120 }
    ]
  }
}""")

# The same invoice with totals that add up, and ids as the numbers the spec's examples show.
ZOHO_CONSISTENT: dict[str, Any] = replaced(
    replaced(
        replaced(
            replaced(ZOHO_SPEC_SAMPLE, "invoice", "sub_total", value=120.0),
            "invoice",
            "tax_total",
            value=0.0,
        ),
        "invoice",
        "total",
        value=120.0,
    ),
    "invoice",
    "invoice_id",
    value=982000000567114,
)
ZOHO_CONSISTENT["invoice"]["customer_id"] = 982000000567001
ZOHO_CONSISTENT["invoice"]["line_items"][0]["item_id"] = 982000000030049


@dataclass(frozen=True)
class Sale:
    """One invoice line as a seller keys it in: quantity, unit price, tax percent (None: exempt)."""

    quantity: Decimal
    unit_price: Decimal
    percent: Decimal | None = None

    @property
    def amount(self) -> Decimal:
        return round_cents(self.quantity * self.unit_price)

    def tax(self, *, inclusive: bool) -> Decimal:
        """This line's tax on its own, rounded."""
        return round_cents(
            self.amount * self.rate / (HUNDRED + self.rate if inclusive else HUNDRED)
        )

    @property
    def rate(self) -> Decimal:
        return self.percent or Decimal(0)


def _rates(sales: Sequence[Sale]) -> list[Decimal]:
    return sorted({sale.percent for sale in sales if sale.percent is not None})


def _rate_tax(sales: Sequence[Sale], percent: Decimal, *, inclusive: bool) -> Decimal:
    """The tax of one rate as an ERP computes it: on the rate's summed amounts, rounded once."""
    taxable = sum((sale.amount for sale in sales if sale.percent == percent), Decimal(0))
    return round_cents(taxable * percent / (HUNDRED + percent if inclusive else HUNDRED))


def quickbooks_document(
    sales: Sequence[Sale], *, inclusive: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A QBO invoice for `sales` and the TaxCodes it names: one code and rate per percent."""
    rates = _rates(sales)
    lines = [
        {
            "Id": str(index + 1),
            "Amount": sale.amount,
            "DetailType": "SalesItemLineDetail",
            "Description": f"Item {index + 1}",
            "SalesItemLineDetail": {
                "ItemRef": {"value": str(index + 1), "name": f"Item {index + 1}"},
                "Qty": sale.quantity,
                "UnitPrice": sale.unit_price,
                "TaxCodeRef": {
                    "value": "NON" if sale.percent is None else f"C{rates.index(sale.percent)}"
                },
            },
        }
        for index, sale in enumerate(sales)
    ]
    tax_lines: list[dict[str, Any]] = [
        {
            "Amount": _rate_tax(sales, percent, inclusive=inclusive),
            "DetailType": "TaxLineDetail",
            "TaxLineDetail": {
                "TaxRateRef": {"value": f"R{index}"},
                "PercentBased": True,
                "TaxPercent": percent,
            },
        }
        for index, percent in enumerate(rates)
    ]
    total_tax = sum((_rate_tax(sales, p, inclusive=inclusive) for p in rates), Decimal(0))
    amounts = sum((sale.amount for sale in sales), Decimal(0))
    invoice = {
        "Id": "1001",
        "DocNumber": "INV-1001",
        "TxnDate": "2025-03-01",
        "CurrencyRef": {"value": "UGX"},
        "CustomerRef": {"value": "58", "name": "Kampala Traders"},
        "GlobalTaxCalculation": "TaxInclusive" if inclusive else "TaxExcluded",
        "Line": lines,
        "TxnTaxDetail": {"TotalTax": total_tax, "TaxLine": tax_lines},
        "TotalAmt": amounts if inclusive else amounts + total_tax,
        "Balance": amounts if inclusive else amounts + total_tax,
    }
    tax_codes = {
        f"C{index}": {
            "Id": f"C{index}",
            "Name": f"VAT {percent}%",
            "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": f"R{index}"}}]},
        }
        for index, percent in enumerate(rates)
    }
    return dict(as_json(invoice)), dict(as_json(tax_codes))


def xero_document(sales: Sequence[Sale], *, mode: str = "Exclusive") -> dict[str, Any]:
    """A Xero GET /Invoices/{id} response for `sales`, each line's tax rounded on its own."""
    inclusive = mode == "Inclusive"
    taxes = [Decimal(0) if mode == "NoTax" else sale.tax(inclusive=inclusive) for sale in sales]
    amounts = [sale.amount for sale in sales]
    nets = [a - t if inclusive else a for a, t in zip(amounts, taxes, strict=True)]
    invoice = {
        "Type": "ACCREC",
        "InvoiceID": "b1c2",
        "InvoiceNumber": "INV-0042",
        "Contact": {"ContactID": "c-1", "Name": "Gulu Hardware", "TaxNumber": "1000234567"},
        "Date": "/Date(1740787200000+0000)/",
        "Status": "AUTHORISED",
        "LineAmountTypes": mode,
        "LineItems": [
            {
                "Description": f"Item {index + 1}",
                "Quantity": sale.quantity,
                "UnitAmount": sale.unit_price,
                "TaxAmount": tax,
                "LineAmount": sale.amount,
            }
            for index, (sale, tax) in enumerate(zip(sales, taxes, strict=True))
        ],
        "SubTotal": sum(nets, Decimal(0)),
        "TotalTax": sum(taxes, Decimal(0)),
        "Total": sum(nets, Decimal(0)) + sum(taxes, Decimal(0)),
        "CurrencyCode": "UGX",
    }
    return dict(as_json({"Invoices": [invoice]}))


def zoho_document(sales: Sequence[Sale], *, inclusive: bool = False) -> dict[str, Any]:
    """A Zoho GET /invoices/{id} response for `sales`, tax rounded per rate."""
    amounts = sum((sale.amount for sale in sales), Decimal(0))
    tax_total = sum(
        (_rate_tax(sales, percent, inclusive=inclusive) for percent in _rates(sales)), Decimal(0)
    )
    invoice = {
        "invoice_id": "982000000567200",
        "invoice_number": "INV-00042",
        "date": "2025-03-01",
        "status": "sent",
        "customer_id": "982000000567001",
        "customer_name": "Mbarara Dairies",
        "currency_code": "UGX",
        "is_inclusive_tax": inclusive,
        "line_items": [
            {
                "line_item_id": str(index),
                "name": f"Item {index + 1}",
                "rate": sale.unit_price,
                "quantity": sale.quantity,
                "item_total": sale.amount,
                **({} if sale.percent is None else {"tax_percentage": sale.percent}),
            }
            for index, sale in enumerate(sales)
        ],
        "sub_total": amounts,
        "tax_total": tax_total,
        "total": amounts if inclusive else amounts + tax_total,
    }
    return dict(as_json({"code": 0, "message": "success", "invoice": invoice}))
