"""The Xero simulator's line discounts: LineAmount after DiscountRate or DiscountAmount, taxed
per LineAmountTypes, as Xero computes them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.erp_sync.mapping import from_xero
from services.sandbox.providers.xero.invoices import (
    XeroInvalid,
    create_invoice,
    parse_invoice,
    update_invoice,
)
from services.sandbox.providers.xero.organisation import Organisation

NOW = datetime(2025, 3, 14, 7, 0, tzinfo=UTC)


def organisation() -> Organisation:
    return Organisation(tenant_id="t-1", name="Gulu Dairy", currency="UGX", created_at=NOW)


def invoice(*lines: dict[str, Any], mode: str = "Exclusive", books: Organisation | None = None):
    books = books or organisation()
    payload = {
        "Contact": {"Name": "Lira Traders"},
        "LineAmountTypes": mode,
        "LineItems": list(lines),
    }
    return create_invoice(books, parse_invoice(payload), at=NOW)


def line(quantity: float, unit: float, **fields: Any) -> dict[str, Any]:
    return {"Description": "Cement", "Quantity": quantity, "UnitAmount": unit, **fields}


def totals(record: dict[str, Any]) -> tuple[float, float, float]:
    return record["SubTotal"], record["TotalTax"], record["Total"]


def test_a_discount_rate_comes_off_the_line_amount_before_its_tax():
    stored = invoice(line(2, 100000, DiscountRate=10))

    [item] = stored["LineItems"]
    assert (item["LineAmount"], item["TaxAmount"], item["DiscountRate"]) == (
        180000.0,
        32400.0,
        10.0,
    )
    assert totals(stored) == (180000.0, 32400.0, 212400.0)


def test_a_discount_amount_comes_off_the_line_amount_before_its_tax():
    stored = invoice(line(3, 50000, DiscountAmount=7500))

    [item] = stored["LineItems"]
    assert (item["LineAmount"], item["TaxAmount"], item["DiscountAmount"]) == (
        142500.0,
        25650.0,
        7500.0,
    )
    assert "DiscountRate" not in item
    assert totals(stored) == (142500.0, 25650.0, 168150.0)


def test_an_inclusive_discounted_line_amount_holds_its_tax():
    stored = invoice(line(2, 59000, DiscountRate=10), mode="Inclusive")

    [item] = stored["LineItems"]
    assert (item["LineAmount"], item["TaxAmount"]) == (106200.0, 16200.0)
    assert totals(stored) == (90000.0, 16200.0, 106200.0)


def test_a_discounted_line_amount_is_rounded_to_the_cent():
    stored = invoice(line(3, 33.33, DiscountRate=12.5, TaxType="NONE"))

    # 99.99 x 0.875 = 87.49125
    assert stored["LineItems"][0]["LineAmount"] == 87.49


@pytest.mark.parametrize(
    "discount",
    [
        pytest.param({"DiscountRate": 10, "DiscountAmount": 5}, id="both"),
        pytest.param({"DiscountAmount": 300.01}, id="more-than-the-line"),
        pytest.param({"DiscountRate": 101}, id="over-100-percent"),
    ],
)
def test_an_impossible_discount_is_refused(discount):
    with pytest.raises(XeroInvalid):
        invoice(line(3, 100, **discount))


def test_an_update_keeps_the_line_discount():
    books = organisation()
    stored = invoice(line(2, 100000, DiscountRate=10), books=books)

    updated = update_invoice(books, stored["InvoiceID"], {"Status": "AUTHORISED"}, at=NOW)

    assert updated["LineItems"][0]["LineAmount"] == 180000.0
    assert totals(updated) == totals(stored)


def test_erp_sync_maps_a_discounted_simulated_invoice_at_its_list_price_and_net():
    stored = invoice(line(2, 59000, DiscountRate=10), mode="Inclusive")

    [mapped] = from_xero({"Invoices": [stored]}, tenant_id="t-1").lines

    assert (mapped.quantity, mapped.unit_price, mapped.net, mapped.tax) == (
        Decimal(2),
        Decimal(50000),
        Decimal(90000),
        Decimal(16200),
    )
