"""The QuickBooks simulator's invoice-level discounts: tax after the discount, as QBO computes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.sandbox.errors import ProviderError
from services.sandbox.providers.quickbooks.company import Company
from services.sandbox.providers.quickbooks.invoices import create_invoice

NOW = datetime(2025, 3, 14, 7, 0, tzinfo=UTC)


def company() -> Company:
    company = Company(realm_id="9130000000000001", name="Kampala Traders", currency="UGX",
                      created_at=NOW.isoformat())  # fmt: skip
    company.customers["1"] = {"Id": "1", "DisplayName": "Acme Ltd"}
    return company


def sale(amount: int, tax_code: str) -> dict[str, Any]:
    return {"DetailType": "SalesItemLineDetail", "Amount": amount,
            "SalesItemLineDetail": {"TaxCodeRef": {"value": tax_code}}}  # fmt: skip


def invoice(*lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return create_invoice(
        company(), {"CustomerRef": {"value": "1"}, "Line": list(lines), **fields}, now=NOW
    )


def test_a_percent_discount_is_taken_off_before_tax_and_stored_after_the_sub_total():
    stored = invoice(sale(100000, "TAX"), {"DetailType": "DiscountLineDetail",
                     "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10}})  # fmt: skip

    assert stored["Line"][-2]["DetailType"] == "SubTotalLineDetail"
    assert stored["Line"][-1] == {
        "Amount": 10000.0, "DetailType": "DiscountLineDetail",
        "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10.0,
                               "DiscountAccountRef": {"value": "86", "name": "Discounts given"}},
    }  # fmt: skip
    [tax_line] = stored["TxnTaxDetail"]["TaxLine"]
    assert tax_line["TaxLineDetail"]["NetAmountTaxable"] == 90000.0
    assert (stored["TxnTaxDetail"]["TotalTax"], stored["TotalAmt"]) == (16200.0, 106200.0)
    assert stored["ApplyTaxAfterDiscount"] is True


def test_an_amount_discount_is_shared_by_tax_code_in_proportion_to_their_amounts():
    stored = invoice(sale(30000, "TAX"), sale(10000, "NON"), sale(5000, "TAX"),
                     {"DetailType": "DiscountLineDetail", "Amount": 1000})  # fmt: skip

    # 35,000 taxable and 10,000 not: 777.78 of the 1,000 comes off the taxable amount.
    [tax_line] = stored["TxnTaxDetail"]["TaxLine"]
    assert tax_line["TaxLineDetail"]["NetAmountTaxable"] == 34222.22
    assert stored["TxnTaxDetail"]["TotalTax"] == 6160.0
    assert stored["TotalAmt"] == 45000 - 1000 + 6160.0


def test_tax_before_the_discount_when_the_invoice_asks_for_it():
    stored = invoice(sale(100000, "TAX"), {"DetailType": "DiscountLineDetail", "Amount": 5000},
                     ApplyTaxAfterDiscount=False)  # fmt: skip

    assert stored["TxnTaxDetail"]["TotalTax"] == 18000.0
    assert stored["TotalAmt"] == 113000.0
    assert stored["ApplyTaxAfterDiscount"] is False


@pytest.mark.parametrize(
    "discount",
    [
        {"DetailType": "DiscountLineDetail", "Amount": 200000},
        {"DetailType": "DiscountLineDetail", "DiscountLineDetail": {"PercentBased": False}},
    ],
)
def test_a_discount_larger_than_the_sub_total_or_without_an_amount_is_refused(discount):
    with pytest.raises(ProviderError):
        invoice(sale(100000, "TAX"), discount)
