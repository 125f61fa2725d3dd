"""The Zoho simulator's discounts, as Books computes them: a line's own discount inside its
item_total, an entity-level one shared by the lines and taken off before tax (or after)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.erp_sync.mapping import from_zoho
from services.sandbox.providers.zoho.organization import InvoiceIn, Organization, compute_invoice

NOW = datetime(2025, 3, 14, 7, 0, tzinfo=UTC)


def invoice(*lines: dict[str, Any], books: Organization | None = None, **fields: Any):
    books = books or Organization(organization_id="10234695", name="Mbale", currency_code="UGX")
    payload = InvoiceIn.model_validate(
        {"customer_name": "Mbale Dairy", "line_items": list(lines), **fields}
    )
    return compute_invoice(books, payload, at=NOW, previous=None)


def item(name: str, quantity: int, rate: int, **fields: Any) -> dict[str, Any]:
    return {"name": name, "quantity": quantity, "rate": rate, **fields}


def amounts(record: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("sub_total", "discount_type", "discount_total", "tax_total", "total", "balance")
    return tuple(record[key] for key in keys)


def test_line_discounts_are_inside_each_item_total_and_taxed_after():
    stored = invoice(item("Cement", 2, 50000, tax_percentage=18, discount="10%"),
                     item("Maize grain", 5, 3000, discount=1500))  # fmt: skip

    cement, maize = stored["line_items"]
    assert (cement["discount"], cement["discount_amount"], cement["item_total"]) == (
        "10.00%",
        10000.0,
        90000.0,
    )
    assert (maize["discount"], maize["discount_amount"], maize["item_total"]) == (
        1500.0,
        1500.0,
        13500.0,
    )
    assert amounts(stored) == (103500.0, "item_level", 11500.0, 16200.0, 119700.0, 119700.0)


def test_an_entity_level_percent_discount_is_taken_off_before_tax():
    stored = invoice(item("Cement", 3, 50000, tax_percentage=18), discount="5%")

    assert stored["discount"] == "5.00%"
    assert stored["is_discount_before_tax"] is True
    assert amounts(stored) == (150000.0, "entity_level", 7500.0, 25650.0, 168150.0, 168150.0)


def test_an_entity_level_amount_is_shared_by_the_lines_in_proportion_to_their_totals():
    stored = invoice(item("Cement", 1, 60000, tax_percentage=18), item("Maize grain", 1, 40000),
                     discount=10000)  # fmt: skip

    # 6,000 of the 10,000 comes off the taxed 60,000: tax on 54,000.
    assert amounts(stored) == (100000.0, "entity_level", 10000.0, 9720.0, 99720.0, 99720.0)


def test_an_entity_level_discount_after_tax_leaves_the_tax_on_the_full_amounts():
    stored = invoice(item("Cement", 3, 50000, tax_percentage=18), discount=7500,
                     is_discount_before_tax=False)  # fmt: skip

    assert amounts(stored) == (150000.0, "entity_level", 7500.0, 27000.0, 169500.0, 169500.0)


@pytest.mark.parametrize(
    ("lines", "fields"),
    [
        pytest.param([item("Cement", 1, 100, discount=5)], {"discount": "5%"}, id="both-kinds"),
        pytest.param([item("Cement", 1, 100, discount=100.01)], {}, id="line-over-its-amount"),
        pytest.param([item("Cement", 1, 100)], {"discount": 100.01}, id="entity-over-sub-total"),
    ],
)
def test_an_impossible_discount_is_refused(lines, fields):
    with pytest.raises(ValueError, match="discount"):
        invoice(*lines, **fields)


def test_an_untaxed_line_has_no_tax_percentage_and_a_zero_rated_one_has_zero():
    stored = invoice(item("Maize grain", 1, 100), item("Milk", 1, 100, tax_percentage=0))

    exempt, zero_rated = stored["line_items"]
    assert "tax_percentage" not in exempt
    assert (zero_rated["tax_percentage"], zero_rated["tax_id"]) == (0.0, "")


@pytest.mark.parametrize(
    ("lines", "fields"),
    [
        pytest.param([item("Cement", 2, 50000, tax_percentage=18, discount="10%")], {}, id="line"),
        pytest.param(
            [item("Cement", 3, 50000, tax_percentage=18)], {"discount": "5%"}, id="entity"
        ),
    ],
)
def test_a_stored_invoice_read_back_as_an_update_computes_the_same_amounts(lines, fields):
    books = Organization(organization_id="10234695", name="Mbale", currency_code="UGX")
    stored = invoice(*lines, books=books, **fields)

    # The control API's update re-reads the stored record merged with the changes.
    again = compute_invoice(books, InvoiceIn.model_validate(stored), at=NOW, previous=stored)

    assert amounts(again) == amounts(stored)


def test_erp_sync_maps_an_entity_level_discount_of_the_simulator_into_the_line_nets():
    stored = invoice(item("Cement", 1, 60000, tax_percentage=18), item("Maize grain", 1, 40000),
                     discount=10000)  # fmt: skip

    mapped = from_zoho({"code": 0, "message": "success", "invoice": stored}, organization_id="1")

    assert [(line.net, line.tax, line.tax_rate) for line in mapped.lines] == [
        (Decimal(54000), Decimal(9720), Decimal(18)),
        (Decimal(36000), Decimal(0), None),
    ]
    assert mapped.totals.gross == Decimal(99720)
