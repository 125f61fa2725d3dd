from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from libs.invoices import InvoiceError, InvoiceStatus
from services.erp_sync.mapping import from_quickbooks
from tests.unit.erp_sync.payloads import QUICKBOOKS_INVOICE_239, as_json, replaced, without

D = Decimal

# Tax code "3": one 18% rate ("5"); "ZR": zero-rated ("6", 0%); "NON": exempt.
TAX_CODES: dict[str, Any] = {
    "3": {
        "Id": "3",
        "Name": "VAT 18%",
        "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "5"}}]},
    },
    "ZR": {
        "Id": "ZR",
        "Name": "Zero",
        "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "6"}}]},
    },
    "EMPTY": {"Id": "EMPTY", "Name": "No rates", "SalesTaxRateList": {"TaxRateDetail": []}},
}


def sale(amount, code, *, qty=None, price=None, description=None):
    detail: dict[str, Any] = {
        "ItemRef": {"value": "7", "name": "Widget"},
        "TaxCodeRef": {"value": code},
    }
    if qty is not None:
        detail["Qty"] = qty
    if price is not None:
        detail["UnitPrice"] = price
    line: dict[str, Any] = {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": detail,
    }
    if description is not None:
        line["Description"] = description
    return line


def tax_line(rate_id, percent, amount):
    return {
        "Amount": amount,
        "DetailType": "TaxLineDetail",
        "TaxLineDetail": {
            "TaxRateRef": {"value": rate_id},
            "PercentBased": True,
            "TaxPercent": percent,
        },
    }


def invoice(lines, *, tax_lines=(), total_tax=0, total, balance=None, **extra):
    return as_json(
        {
            "Id": "900",
            "DocNumber": "1090",
            "TxnDate": "2025-02-03",
            "CurrencyRef": {"value": "UGX"},
            "CustomerRef": {"value": "58", "name": "Kampala Traders"},
            "Line": list(lines),
            "TxnTaxDetail": {"TotalTax": total_tax, "TaxLine": list(tax_lines)},
            "TotalAmt": total,
            "Balance": total if balance is None else balance,
            **extra,
        }
    )


def mapped(document, *, customer=None, tax_codes=TAX_CODES, home_currency="UGX"):
    return from_quickbooks(
        document,
        realm_id="9130",
        customer=customer,
        tax_codes=tax_codes,
        home_currency=home_currency,
    )


def test_maps_the_spec_invoice_239_to_150_net_0_tax_150_gross():
    result = from_quickbooks(
        QUICKBOOKS_INVOICE_239, realm_id="9130", customer=None, tax_codes={}, home_currency="USD"
    )

    assert (result.totals.net, result.totals.tax, result.totals.gross) == (D(150), D(0), D(150))
    assert result.source.model_dump() == {
        "provider": "quickbooks",
        "account_id": "9130",
        "invoice_id": "239",
    }
    assert result.number == "1070"
    assert str(result.issued_on) == "2015-07-24"
    assert str(result.due_on) == "2015-08-23"
    assert result.currency == "USD"
    assert result.status is InvoiceStatus.ISSUED
    assert result.buyer.name == "Amy's Bird Sanctuary"
    assert result.buyer.reference == "1"
    assert result.buyer.tin is None
    [line] = result.lines
    assert line.description == "Services"
    assert line.item_code == "1"
    assert (line.quantity, line.unit_price, line.net, line.tax, line.tax_rate) == (
        D(1),
        D(150),
        D(150),
        D(0),
        None,
    )


def test_multi_rate_invoice_reconciles_each_rate_to_its_tax_line_on_the_largest_line():
    # 18% of 20.03, 10.03, 10.03 rounds to 3.61 + 1.81 + 1.81 = 7.23; QBO taxes the rate's
    # 40.09 once: 7.22. The cent comes off the largest line.
    lines = [
        sale(20.03, "3"),
        sale(10.03, "3"),
        sale(10.03, "3"),
        sale(50.00, "NON"),
        sale(5.00, "ZR"),
    ]
    document = invoice(
        lines,
        tax_lines=[tax_line("5", 18, 7.22), tax_line("6", 0, 0)],
        total_tax=7.22,
        total=102.31,
    )

    result = mapped(document)

    assert [line.tax for line in result.lines] == [D("3.60"), D("1.81"), D("1.81"), D(0), D(0)]
    assert [line.tax_rate for line in result.lines] == [D(18), D(18), D(18), None, D(0)]
    assert (result.totals.net, result.totals.tax, result.totals.gross) == (
        D("95.09"),
        D("7.22"),
        D("102.31"),
    )


def test_a_code_with_several_rates_sums_them_and_reconciles_each_rate():
    codes = {
        "GP": {
            "Id": "GP",
            "SalesTaxRateList": {
                "TaxRateDetail": [{"TaxRateRef": {"value": "G"}}, {"TaxRateRef": {"value": "P"}}]
            },
        }
    }
    document = invoice(
        [sale(33.33, "GP"), sale(66.67, "GP")],
        tax_lines=[tax_line("G", 5, 5.00), tax_line("P", 7, 7.00)],
        total_tax=12.00,
        total=112.00,
    )

    result = mapped(document, tax_codes=codes)

    assert [line.tax_rate for line in result.lines] == [D(12), D(12)]
    # 5%: 1.67 + 3.33 = 5.00; 7%: 2.33 + 4.67 = 7.00
    assert [line.tax for line in result.lines] == [D("4.00"), D("8.00")]
    assert result.totals.tax == D("12.00")


def test_a_code_without_rates_and_an_absent_tax_code_mean_no_tax():
    line = sale(10, "EMPTY")
    bare = {"Amount": 5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}

    result = mapped(invoice([line, bare], total=15))

    assert [(line.tax, line.tax_rate) for line in result.lines] == [(D(0), None), (D(0), None)]


def test_tax_inclusive_amounts_give_net_as_amount_less_tax_and_a_tax_exclusive_unit_price():
    document = invoice(
        [sale(118.00, "3", qty=2, price=59), sale(59.00, "NON", qty=1, price=59)],
        tax_lines=[tax_line("5", 18, 18.00)],
        total_tax=18.00,
        total=177.00,
        GlobalTaxCalculation="TaxInclusive",
    )

    result = mapped(document)

    first, exempt = result.lines
    assert (first.net, first.tax, first.unit_price, first.quantity) == (D(100), D(18), D(50), D(2))
    assert (exempt.net, exempt.tax, exempt.unit_price) == (D(59), D(0), D(59))
    assert (result.totals.net, result.totals.tax, result.totals.gross) == (D(159), D(18), D(177))


def test_an_invoice_discount_amount_reduces_the_lines_net_in_proportion_before_tax():
    discount = {
        "Amount": 10.0,
        "DetailType": "DiscountLineDetail",
        "DiscountLineDetail": {"PercentBased": False},
    }
    document = invoice(
        [
            sale(60, "3"),
            sale(40, "3"),
            {"Amount": 100, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
            discount,
        ],
        tax_lines=[tax_line("5", 18, 16.20)],
        total_tax=16.20,
        total=106.20,
    )

    result = mapped(document)

    assert [(line.net, line.tax) for line in result.lines] == [
        (D(54), D("9.72")),
        (D(36), D("6.48")),
    ]
    assert [line.unit_price for line in result.lines] == [D(60), D(40)]
    assert result.totals.gross == D("106.20")


def test_a_percent_discount_without_amount_is_computed_from_the_subtotal():
    discount = {
        "DetailType": "DiscountLineDetail",
        "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10},
    }
    document = invoice([sale(60, "NON"), sale(40, "NON"), discount], total=90)

    result = mapped(document)

    assert [line.net for line in result.lines] == [D(54), D(36)]


def test_a_discount_that_does_not_split_evenly_still_adds_up_to_the_cent():
    discount = {"Amount": 1.00, "DetailType": "DiscountLineDetail", "DiscountLineDetail": {}}
    document = invoice([sale(10, "NON"), sale(10, "NON"), sale(10, "NON"), discount], total=29)

    result = mapped(document)

    assert [line.net for line in result.lines] == [D("9.66"), D("9.67"), D("9.67")]


def test_tax_before_discount_when_apply_tax_after_discount_is_false():
    discount = {"Amount": 10.0, "DetailType": "DiscountLineDetail", "DiscountLineDetail": {}}
    document = invoice(
        [sale(60, "3"), sale(40, "3"), discount],
        tax_lines=[tax_line("5", 18, 18.00)],
        total_tax=18.00,
        total=108.00,
        ApplyTaxAfterDiscount=False,
    )

    result = mapped(document)

    assert [(line.net, line.tax) for line in result.lines] == [
        (D(54), D("10.80")),
        (D(36), D("7.20")),
    ]


def test_group_lines_contribute_their_nested_sales_lines():
    group = {
        "Amount": 30,
        "DetailType": "GroupLineDetail",
        "GroupLineDetail": {
            "GroupItemRef": {"value": "9"},
            "Quantity": 1,
            "Line": [sale(10, "NON"), sale(20, "NON")],
        },
    }

    result = mapped(invoice([sale(5, "NON"), group], total=35))

    assert [line.net for line in result.lines] == [D(5), D(10), D(20)]


def test_description_quantity_and_unit_price_come_from_the_line():
    result = mapped(
        invoice([sale(7.5, "NON", qty=3, price=2.5, description="Bolts, M8")], total=7.5)
    )

    [line] = result.lines
    assert (line.description, line.quantity, line.unit_price, line.net) == (
        "Bolts, M8",
        D(3),
        D("2.5"),
        D("7.5"),
    )


@pytest.mark.parametrize(
    ("identifier", "tin"),
    [
        ("1002345678", "1002345678"),
        ("100-234 5678", "1002345678"),
        ("XXXXXX1234", None),  # QBO masks it in production
        ("12345", None),
        ("", None),
        (None, None),
    ],
)
def test_tin_comes_from_the_customer_when_it_is_ten_digits(identifier, tin):
    customer: dict[str, Any] = {"Id": "58", "DisplayName": "Kampala Traders"}
    if identifier is not None:
        customer["PrimaryTaxIdentifier"] = identifier

    assert mapped(invoice([sale(1, "NON")], total=1), customer=customer).buyer.tin == tin


def test_email_prefers_the_customer_and_falls_back_to_bill_email():
    document = invoice([sale(1, "NON")], total=1, BillEmail={"Address": "billing@traders.ug"})
    customer = {"PrimaryEmailAddr": {"Address": "owner@traders.ug"}}

    assert mapped(document, customer=customer).buyer.email == "owner@traders.ug"
    assert mapped(document, customer={}).buyer.email == "billing@traders.ug"
    assert mapped(document).buyer.email == "billing@traders.ug"


def test_buyer_name_falls_back_to_the_customer_display_name():
    document = without(invoice([sale(1, "NON")], total=1), "CustomerRef", "name")

    assert (
        mapped(document, customer={"DisplayName": "Kampala Traders Ltd"}).buyer.name
        == "Kampala Traders Ltd"
    )


@pytest.mark.parametrize(
    ("total", "balance", "note", "status"),
    [
        (100, 100, None, InvoiceStatus.ISSUED),
        (100, 40, None, InvoiceStatus.ISSUED),
        (100, 0, None, InvoiceStatus.PAID),
        (0, 0, "Voided", InvoiceStatus.VOIDED),
        (0, 0, "Voided - 03/02/2025", InvoiceStatus.VOIDED),
        (0, 0, None, InvoiceStatus.ISSUED),
    ],
)
def test_status_from_balance_and_the_void_marks(total, balance, note, status):
    extra = {} if note is None else {"PrivateNote": note}
    document = invoice([sale(total, "NON")], total=total, balance=balance, **extra)

    assert mapped(document).status is status


def test_currency_ref_wins_over_the_home_currency_which_fills_in_when_absent():
    document = invoice([sale(1, "NON")], total=1)

    assert mapped(document, home_currency="USD").currency == "UGX"
    assert mapped(without(document, "CurrencyRef"), home_currency="usd").currency == "USD"
    with pytest.raises(InvoiceError) as raised:
        mapped(without(document, "CurrencyRef"), home_currency=None)
    assert raised.value.field == "Invoice.CurrencyRef"


def test_total_amt_within_a_cent_gives_the_lines_gross():
    assert mapped(invoice([sale(100, "NON")], total=100.01)).totals.gross == D(100)


REFUSALS = [
    pytest.param(
        invoice([sale(100, "NON")], total=100.02),
        TAX_CODES,
        "Invoice.TotalAmt",
        id="TotalAmt more than a cent from net + tax",
    ),
    pytest.param(
        invoice(
            [sale(100, "3")], tax_lines=[tax_line("5", 18, 20.00)], total_tax=20.00, total=120.00
        ),
        TAX_CODES,
        "Invoice.TxnTaxDetail.TaxLine[0].Amount",
        id="a TaxLine its lines' rounding cannot explain",
    ),
    pytest.param(
        invoice(
            [sale(100, "3")], tax_lines=[tax_line("5", 18, 18.00)], total_tax=19.00, total=119.00
        ),
        TAX_CODES,
        "Invoice.TxnTaxDetail.TotalTax",
        id="TotalTax not the sum of the TaxLines",
    ),
    pytest.param(
        invoice(
            [sale(100, "NON")], tax_lines=[tax_line("5", 18, 18.00)], total_tax=18.00, total=118.00
        ),
        TAX_CODES,
        "Invoice.TxnTaxDetail.TaxLine[0].Amount",
        id="a TaxLine for a rate no line uses",
    ),
    pytest.param(
        invoice([sale(100, "3")], total=100),
        TAX_CODES,
        "Invoice.Line[0].SalesItemLineDetail.TaxCodeRef.value",
        id="a line rate without its TaxLine",
    ),
    pytest.param(
        invoice([sale(100, "3")], total=100),
        {},
        "Invoice.Line[0].SalesItemLineDetail.TaxCodeRef.value",
        id="a tax code that was not read",
    ),
    pytest.param(
        invoice([sale(1, "NON"), {"Amount": 1, "DetailType": "ShippingLineDetail"}], total=2),
        TAX_CODES,
        "Invoice.Line[1].DetailType",
        id="an unknown line type",
    ),
    pytest.param(
        replaced(QUICKBOOKS_INVOICE_239, "Line", value=[QUICKBOOKS_INVOICE_239["Line"][1]]),
        TAX_CODES,
        "Invoice.Line",
        id="only a subtotal line",
    ),
]


@pytest.mark.parametrize(("document", "tax_codes", "field"), REFUSALS)
def test_an_inconsistent_invoice_is_refused_naming_the_field(document, tax_codes, field):
    with pytest.raises(InvoiceError) as raised:
        mapped(document, tax_codes=tax_codes)

    assert raised.value.field == field
