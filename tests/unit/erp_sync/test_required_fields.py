"""Every missing or malformed field raises `InvoiceError` naming its dotted path, never
KeyError, TypeError or pydantic's ValidationError.

Each provider's inputs are one JSON document here; QuickBooks' three (the invoice, the
customer and the tax codes) sit under the names its mapper reports them by.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from libs.invoices import Invoice, InvoiceError
from services.erp_sync.mapping import from_quickbooks, from_xero, from_zoho
from tests.unit.erp_sync.payloads import (
    Sale,
    quickbooks_document,
    replaced,
    without,
    xero_document,
    zoho_document,
)

D = Decimal
SALES = [Sale(D(2), D("59.00"), D(18)), Sale(D(1), D("10.00")), Sale(D(3), D("4.99"), D(18))]
Path = tuple[str | int, ...]


def quickbooks_inputs() -> dict[str, Any]:
    invoice, tax_codes = quickbooks_document(SALES)
    return {
        "Invoice": invoice,
        "Customer": {"DisplayName": "Kampala Traders"},
        "tax_codes": tax_codes,
    }


def map_quickbooks(inputs: dict[str, Any]) -> Invoice:
    return from_quickbooks(
        inputs["Invoice"],
        realm_id="9130",
        customer=inputs["Customer"],
        tax_codes=inputs["tax_codes"],
    )


PROVIDERS: dict[str, tuple[Callable[[], dict[str, Any]], Callable[[dict[str, Any]], Invoice]]] = {
    "quickbooks": (quickbooks_inputs, map_quickbooks),
    "xero": (lambda: xero_document(SALES), lambda document: from_xero(document, tenant_id="t")),
    "zoho": (
        lambda: zoho_document(SALES),
        lambda document: from_zoho(document, organization_id="o"),
    ),
}


def dotted(path: Path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def refusal(provider: str, document: dict[str, Any]) -> InvoiceError:
    with pytest.raises(InvoiceError) as raised:
        PROVIDERS[provider][1](document)
    assert type(raised.value) is InvoiceError
    return raised.value


MISSING: list[tuple[str, Path]] = [
    ("quickbooks", ("Invoice", "Id")),
    ("quickbooks", ("Invoice", "TxnDate")),
    ("quickbooks", ("Invoice", "Line")),
    ("quickbooks", ("Invoice", "Line", 2, "Amount")),
    ("quickbooks", ("Invoice", "Line", 0, "DetailType")),
    ("quickbooks", ("Invoice", "Line", 1, "SalesItemLineDetail")),
    ("quickbooks", ("Invoice", "Line", 1, "SalesItemLineDetail", "UnitPrice")),
    ("quickbooks", ("Invoice", "CustomerRef")),
    ("quickbooks", ("Invoice", "CustomerRef", "value")),
    ("quickbooks", ("Invoice", "CurrencyRef", "value")),
    ("quickbooks", ("Invoice", "TotalAmt")),
    ("quickbooks", ("Invoice", "Balance")),
    ("quickbooks", ("Invoice", "TxnTaxDetail", "TotalTax")),
    ("quickbooks", ("Invoice", "TxnTaxDetail", "TaxLine", 0, "Amount")),
    ("quickbooks", ("Invoice", "TxnTaxDetail", "TaxLine", 0, "TaxLineDetail")),
    ("quickbooks", ("Invoice", "TxnTaxDetail", "TaxLine", 0, "TaxLineDetail", "TaxPercent")),
    (
        "quickbooks",
        ("Invoice", "TxnTaxDetail", "TaxLine", 0, "TaxLineDetail", "TaxRateRef", "value"),
    ),
    ("xero", ("Invoices",)),
    ("xero", ("Invoices", 0, "InvoiceID")),
    ("xero", ("Invoices", 0, "Type")),
    ("xero", ("Invoices", 0, "Status")),
    ("xero", ("Invoices", 0, "CurrencyCode")),
    ("xero", ("Invoices", 0, "Date")),
    ("xero", ("Invoices", 0, "Contact")),
    ("xero", ("Invoices", 0, "Contact", "Name")),
    ("xero", ("Invoices", 0, "LineAmountTypes")),
    ("xero", ("Invoices", 0, "LineItems")),
    ("xero", ("Invoices", 0, "LineItems", 2, "UnitAmount")),
    ("xero", ("Invoices", 0, "LineItems", 1, "Quantity")),
    ("xero", ("Invoices", 0, "LineItems", 0, "LineAmount")),
    ("xero", ("Invoices", 0, "LineItems", 0, "TaxAmount")),
    ("xero", ("Invoices", 0, "SubTotal")),
    ("xero", ("Invoices", 0, "TotalTax")),
    ("xero", ("Invoices", 0, "Total")),
    ("zoho", ("code",)),
    ("zoho", ("invoice",)),
    ("zoho", ("invoice", "invoice_id")),
    ("zoho", ("invoice", "date")),
    ("zoho", ("invoice", "status")),
    ("zoho", ("invoice", "currency_code")),
    ("zoho", ("invoice", "customer_name")),
    ("zoho", ("invoice", "line_items")),
    ("zoho", ("invoice", "line_items", 2, "rate")),
    ("zoho", ("invoice", "line_items", 1, "quantity")),
    ("zoho", ("invoice", "line_items", 0, "item_total")),
    ("zoho", ("invoice", "sub_total")),
    ("zoho", ("invoice", "tax_total")),
    ("zoho", ("invoice", "total")),
]


@pytest.mark.parametrize(
    ("provider", "path"), MISSING, ids=[f"{p}:{dotted(path)}" for p, path in MISSING]
)
def test_a_missing_required_field_is_named_by_its_path(provider, path):
    document = without(PROVIDERS[provider][0](), *path)

    assert refusal(provider, document).field == dotted(path)


def test_a_missing_quickbooks_customer_name_is_named_when_no_customer_was_read():
    document = without(quickbooks_inputs(), "Invoice", "CustomerRef", "name")
    document["Customer"] = None

    assert refusal("quickbooks", document).field == "Invoice.CustomerRef.name"


def test_a_missing_rate_in_a_quickbooks_tax_code_is_named():
    path = ("tax_codes", "C0", "SalesTaxRateList", "TaxRateDetail", 0, "TaxRateRef", "value")

    error = refusal("quickbooks", without(quickbooks_inputs(), *path))

    assert error.field == "tax_codes['C0'].SalesTaxRateList.TaxRateDetail[0].TaxRateRef.value"


MALFORMED: list[tuple[str, Path, object, str]] = [
    ("quickbooks", ("Invoice", "TxnDate"), "24/07/2015", "Invoice.TxnDate"),
    ("quickbooks", ("Invoice", "DueDate"), "2015-02-30", "Invoice.DueDate"),
    ("quickbooks", ("Invoice", "Line", 0, "Amount"), "abc", "Invoice.Line[0].Amount"),
    ("quickbooks", ("Invoice", "Line", 0, "Amount"), True, "Invoice.Line[0].Amount"),
    ("quickbooks", ("Invoice", "Line", 0, "Amount"), "NaN", "Invoice.Line[0].Amount"),
    ("quickbooks", ("Invoice", "Line", 0, "Amount"), 1e16, "Invoice.Line[0].Amount"),
    ("quickbooks", ("Invoice", "Line"), {"Amount": 1}, "Invoice.Line"),
    ("quickbooks", ("Invoice", "Line", 1), "a line", "Invoice.Line[1]"),
    (
        "quickbooks",
        ("Invoice", "Line", 0, "SalesItemLineDetail", "Qty"),
        [],
        "Invoice.Line[0].SalesItemLineDetail.Qty",
    ),
    ("quickbooks", ("Invoice", "Id"), " ", "Invoice.Id"),
    ("quickbooks", ("Invoice", "Id"), 12.5, "Invoice.Id"),
    ("quickbooks", ("Invoice", "CurrencyRef", "value"), "dollars", "Invoice.CurrencyRef.value"),
    ("quickbooks", ("Invoice", "GlobalTaxCalculation"), 1, "Invoice.GlobalTaxCalculation"),
    ("quickbooks", ("Invoice", "ApplyTaxAfterDiscount"), "yes", "Invoice.ApplyTaxAfterDiscount"),
    ("quickbooks", ("Customer",), "Kampala Traders", "Customer"),
    ("quickbooks", ("tax_codes", "C0"), ["18%"], "tax_codes['C0']"),
    (
        "xero",
        ("Invoices", 0, "LineItems", 2, "UnitAmount"),
        "NaN",
        "Invoices[0].LineItems[2].UnitAmount",
    ),
    (
        "xero",
        ("Invoices", 0, "LineItems", 0, "Quantity"),
        "Infinity",
        "Invoices[0].LineItems[0].Quantity",
    ),
    (
        "xero",
        ("Invoices", 0, "LineItems", 0, "TaxAmount"),
        "",
        "Invoices[0].LineItems[0].TaxAmount",
    ),
    ("xero", ("Invoices", 0, "Date"), "/Date(1551916800000+00)/", "Invoices[0].Date"),
    ("xero", ("Invoices", 0, "CurrencyCode"), "NZ", "Invoices[0].CurrencyCode"),
    ("xero", ("Invoices", 0, "Contact"), "Liam", "Invoices[0].Contact"),
    ("xero", ("Invoices", 0, "Contact", "Name"), "", "Invoices[0].Contact.Name"),
    ("xero", ("Invoices",), {}, "Invoices"),
    (
        "xero",
        ("Invoices", 0, "LineItems", 0, "TaxAmount"),
        -1.0,
        "Invoices[0].LineItems[0].TaxAmount",
    ),
    (
        "zoho",
        ("invoice", "line_items", 0, "tax_percentage"),
        "eighteen",
        "invoice.line_items[0].tax_percentage",
    ),
    ("zoho", ("invoice", "is_inclusive_tax"), "yes", "invoice.is_inclusive_tax"),
    ("zoho", ("invoice", "date"), "2013-13-01", "invoice.date"),
    ("zoho", ("invoice", "line_items", 0), None, "invoice.line_items[0]"),
    (
        "zoho",
        ("invoice", "contact_persons_details"),
        "jo@example.com",
        "invoice.contact_persons_details",
    ),
    ("zoho", ("code",), True, "code"),
    # A model constraint (Buyer.name is at most 500 characters) is named by the model's field.
    ("zoho", ("invoice", "customer_name"), "x" * 501, "Buyer.name"),
]


@pytest.mark.parametrize(
    ("provider", "path", "value", "field"),
    MALFORMED,
    ids=[f"{p}:{dotted(path)}={value!r:.20}" for p, path, value, _ in MALFORMED],
)
def test_a_malformed_field_is_named_by_its_path(provider, path, value, field):
    document = replaced(PROVIDERS[provider][0](), *path, value=value)

    error = refusal(provider, document)

    assert error.field == field
    assert "xxxxxxxxxx" not in error.problem  # the input is never echoed


def test_an_envelope_that_is_not_an_object_is_refused():
    with pytest.raises(InvoiceError) as raised:
        from_xero([], tenant_id="t")  # type: ignore[arg-type]

    assert raised.value.field == "(document)"


def test_amounts_that_combine_beyond_decimal_precision_are_an_invoice_error():
    # Each amount is in range, but a cent of tax on a 1e-12 tax-inclusive line scales its
    # unit price past Decimal's 28 digits.
    line = {
        "Amount": "0.000000000001",
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "Qty": 1,
            "UnitPrice": 999999999999999,
            "TaxCodeRef": {"value": "C0"},
        },
    }
    inputs = quickbooks_inputs()
    inputs["Invoice"].update(
        GlobalTaxCalculation="TaxInclusive",
        Line=[line],
        TxnTaxDetail={
            "TotalTax": 0.01,
            "TaxLine": [inputs["Invoice"]["TxnTaxDetail"]["TaxLine"][0] | {"Amount": 0.01}],
        },
    )

    error = refusal("quickbooks", inputs)

    assert (error.field, error.problem) == (
        "Invoice",
        "its amounts combine beyond any invoice's range",
    )
