from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from libs.invoices import InvoiceError, InvoiceStatus
from services.erp_sync.mapping import from_xero
from tests.unit.erp_sync.payloads import (
    XERO_INV_0006,
    Sale,
    as_json,
    replaced,
    without,
    xero_document,
)

D = Decimal


def mapped(envelope):
    return from_xero(envelope, tenant_id="tenant-1")


def test_maps_the_spec_invoice_inv_0006_to_148062_76_nzd():
    result = mapped(XERO_INV_0006)

    assert (result.totals.net, result.totals.tax, result.totals.gross) == (
        D("148062.76"),
        D(0),
        D("148062.76"),
    )
    assert str(result.totals.gross) == "148062.76"
    assert result.currency == "NZD"
    assert result.status is InvoiceStatus.PAID
    assert result.number == "INV-0006"
    assert result.source.model_dump() == {
        "provider": "xero",
        "account_id": "tenant-1",
        "invoice_id": "a03ffcd2-5d91-4c7e-b483-318584e9e439",
    }
    assert (result.issued_on, result.due_on) == (date(2019, 3, 7), date(2019, 3, 13))
    assert (result.buyer.name, result.buyer.reference, result.buyer.tin) == (
        "Liam Gallagher",
        "430fa14a-f945-44d3-9f97-5df5e28441b8",
        None,
    )
    [line] = result.lines
    assert (line.description, line.quantity, line.unit_price, line.net, line.tax) == (
        "Guitars Fender Strat",
        D(1),
        D("148062.76"),
        D("148062.76"),
        D(0),
    )
    assert line.tax_rate == D(0)


def test_a_bill_is_refused_because_only_sales_are_fiscalized():
    with pytest.raises(InvoiceError) as raised:
        mapped(replaced(XERO_INV_0006, "Invoices", 0, "Type", value="ACCPAY"))

    assert raised.value.field == "Invoices[0].Type"
    assert "ACCPAY" in raised.value.problem


@pytest.mark.parametrize("count", [0, 2])
def test_an_envelope_without_exactly_one_invoice_is_refused(count):
    envelope = replaced(XERO_INV_0006, "Invoices", value=XERO_INV_0006["Invoices"][:1] * count)

    with pytest.raises(InvoiceError) as raised:
        mapped(envelope)

    assert raised.value.field == "Invoices"


def test_exclusive_lines_carry_their_own_tax_and_its_implied_rate():
    result = mapped(xero_document([Sale(D(2), D("49.99"), D(18)), Sale(D(1), D(10), D("12.5"))]))

    assert [(line.net, line.tax, line.tax_rate) for line in result.lines] == [
        (D("99.98"), D("18.00"), D("18.00")),
        (D(10), D("1.25"), D("12.50")),
    ]
    assert result.totals.gross == D("129.23")


def test_inclusive_line_amounts_give_net_as_line_amount_less_tax_amount():
    result = mapped(xero_document([Sale(D(2), D(59), D(18))], mode="Inclusive"))

    [line] = result.lines
    assert (line.net, line.tax, line.tax_rate, line.unit_price) == (D(100), D(18), D(18), D(50))
    assert (result.totals.net, result.totals.tax, result.totals.gross) == (D(100), D(18), D(118))


def test_no_tax_lines_have_zero_tax_whatever_tax_amount_says():
    envelope = replaced(
        xero_document([Sale(D(1), D(10))], mode="NoTax"),
        "Invoices",
        0,
        "LineItems",
        0,
        "TaxAmount",
        value=None,
    )

    [line] = mapped(envelope).lines

    assert (line.tax, line.tax_rate) == (D(0), D(0))


def test_a_line_discount_is_already_in_line_amount_and_not_applied_again():
    envelope = xero_document([Sale(D(2), D(100))])
    item = envelope["Invoices"][0]["LineItems"][0]
    item.update(DiscountRate=10.0, LineAmount=180.0)
    envelope["Invoices"][0].update(SubTotal=180.0, Total=180.0)

    [line] = mapped(envelope).lines

    assert (line.quantity, line.unit_price, line.net) == (D(2), D(100), D(180))


def test_a_zero_line_has_no_implied_rate():
    [line] = mapped(xero_document([Sale(D(0), D(10), D(18))])).lines

    assert (line.net, line.tax_rate) == (D(0), None)


@pytest.mark.parametrize(
    ("xero", "status"),
    [
        ("DRAFT", InvoiceStatus.DRAFT),
        ("SUBMITTED", InvoiceStatus.DRAFT),
        ("AUTHORISED", InvoiceStatus.ISSUED),
        ("PAID", InvoiceStatus.PAID),
        ("VOIDED", InvoiceStatus.VOIDED),
        ("DELETED", InvoiceStatus.VOIDED),
    ],
)
def test_status_follows_xero_status(xero, status):
    assert mapped(replaced(XERO_INV_0006, "Invoices", 0, "Status", value=xero)).status is status


def test_an_unknown_status_is_refused():
    with pytest.raises(InvoiceError) as raised:
        mapped(replaced(XERO_INV_0006, "Invoices", 0, "Status", value="ARCHIVED"))

    assert raised.value.field == "Invoices[0].Status"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/Date(1551916800000+0000)/", date(2019, 3, 7)),
        ("/Date(1551916800000)/", date(2019, 3, 7)),
        # 2019-03-06T11:00Z is already the 7th in Auckland (+13:00)
        ("/Date(1551870000000+1300)/", date(2019, 3, 7)),
        ("/Date(1551916800000-0500)/", date(2019, 3, 6)),
        ("/Date(-86400000+0000)/", date(1969, 12, 31)),
        ("2019-03-07T00:00:00", date(2019, 3, 7)),
        ("2019-03-07", date(2019, 3, 7)),
    ],
)
def test_dates_are_read_as_ms_json_or_iso(value, expected):
    assert mapped(replaced(XERO_INV_0006, "Invoices", 0, "Date", value=value)).issued_on == expected


def test_date_string_stands_in_for_a_missing_date():
    envelope = replaced(
        without(XERO_INV_0006, "Invoices", 0, "Date"),
        "Invoices",
        0,
        "DateString",
        value="2019-03-08T00:00:00",
    )

    assert mapped(envelope).issued_on == date(2019, 3, 8)


@pytest.mark.parametrize("value", ["/Date(abc)/", "07/03/2019", "2019-02-30", 1551916800000])
def test_a_malformed_date_is_refused(value):
    with pytest.raises(InvoiceError) as raised:
        mapped(replaced(XERO_INV_0006, "Invoices", 0, "Date", value=value))

    assert raised.value.field == "Invoices[0].Date"


def test_a_missing_due_date_is_none():
    assert mapped(without(XERO_INV_0006, "Invoices", 0, "DueDate")).due_on is None


@pytest.mark.parametrize(
    ("tax_number", "tin"),
    [
        ("1000234567", "1000234567"),
        ("1000-234-567", "1000234567"),
        ("GB123456789", None),
        ("", None),
    ],
)
def test_tin_from_the_contact_tax_number_when_ten_digits(tax_number, tin):
    envelope = replaced(XERO_INV_0006, "Invoices", 0, "Contact", "TaxNumber", value=tax_number)

    assert mapped(envelope).buyer.tin == tin


def test_email_from_the_contact():
    envelope = replaced(
        XERO_INV_0006, "Invoices", 0, "Contact", "EmailAddress", value="liam@example.com"
    )

    assert mapped(envelope).buyer.email == "liam@example.com"


@pytest.mark.parametrize(
    ("key", "value"), [("SubTotal", 148062.74), ("TotalTax", 1.0), ("Total", 148063.76)]
)
def test_totals_that_disagree_with_the_lines_are_refused_naming_the_field(key, value):
    with pytest.raises(InvoiceError) as raised:
        mapped(replaced(XERO_INV_0006, "Invoices", 0, key, value=value))

    assert raised.value.field == f"Invoices[0].{key}"


def test_an_unknown_line_amount_type_is_refused():
    with pytest.raises(InvoiceError) as raised:
        mapped(replaced(XERO_INV_0006, "Invoices", 0, "LineAmountTypes", value="Gross"))

    assert raised.value.field == "Invoices[0].LineAmountTypes"


def test_a_description_too_long_for_the_model_is_an_invoice_error_not_a_validation_error():
    envelope = replaced(
        XERO_INV_0006, "Invoices", 0, "LineItems", 0, "Description", value="x" * 2001
    )

    with pytest.raises(InvoiceError) as raised:
        mapped(envelope)

    assert type(raised.value) is InvoiceError
    assert raised.value.field == "InvoiceLine.description"


def test_amounts_stay_exact_decimals_of_what_the_json_says():
    envelope = as_json(
        {
            "Invoices": [
                {
                    **XERO_INV_0006["Invoices"][0],
                    "LineItems": [
                        {"Quantity": 1, "UnitAmount": 0.1, "LineAmount": 0.1, "TaxAmount": 0.0},
                        {"Quantity": 1, "UnitAmount": 0.2, "LineAmount": 0.2, "TaxAmount": 0.0},
                    ],
                    "SubTotal": 0.1 + 0.2,  # 0.30000000000000004: within a cent of the lines
                    "Total": 0.3,
                }
            ]
        }
    )

    result = mapped(envelope)

    assert [line.unit_price for line in result.lines] == [D("0.1"), D("0.2")]
    assert str(result.totals.net) == "0.3"
    assert str(result.totals.gross) == "0.3"


def test_tax_included_in_a_line_cannot_exceed_the_line():
    envelope = xero_document([Sale(D(1), D(10), D(18))], mode="Inclusive")
    envelope["Invoices"][0]["LineItems"][0]["TaxAmount"] = 11.0

    with pytest.raises(InvoiceError) as raised:
        mapped(envelope)

    assert raised.value.field == "Invoices[0].LineItems[0].TaxAmount"
