from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.fiscalizer.efris_amounts import (
    EXEMPT,
    STANDARD,
    ZERO_RATED,
    AmountError,
    category_for,
    money_text,
    negated_text,
    price_text,
    quantity_text,
    tax_in,
    truncate_cents,
    unit_price_for,
)
from tests.unit.fiscalizer.invoices import D


def test_categories_for_canonical_rates():
    assert category_for(None) is EXEMPT
    assert category_for(D(0)) is ZERO_RATED
    assert category_for(D("18.00")) is STANDARD
    with pytest.raises(AmountError, match=r"12\.5%"):
        category_for(D("12.5"))


@pytest.mark.parametrize(
    ("total", "tax"),
    [
        (D("4500.00"), D("686.44")),  # URA's own sample shows 686.45 (net truncated), §5.8
        (D("163044.00"), D("24871.12")),  # ERPCH's sandbox payload, §5.8
        (D("354000.00"), D("54000.00")),
        (D("0.01"), D("0.00")),
    ],
)
def test_standard_tax_is_inside_the_inclusive_total_rounded_half_up(total, tax):
    assert tax_in(total, STANDARD) == tax


def test_zero_and_exempt_carry_no_tax():
    assert tax_in(D("100.00"), ZERO_RATED) == tax_in(D("100.00"), EXEMPT) == D("0.00")


def test_truncation_is_toward_zero():
    assert truncate_cents(D("100.019")) == D("100.01")
    assert truncate_cents(D("-100.019")) == D("-100.01")


def test_unit_price_prefers_the_list_price_when_it_fits():
    assert unit_price_for(D(10), D("354000.00"), preferred=D("35400.00")) == D("35400.00")


def test_unit_price_falls_back_to_the_total_over_quantity_rounded_up():
    assert unit_price_for(D(3), D("100.01"), preferred=D("35.40")) == D("33.33666667")


@given(
    quantity=st.decimals(min_value=D("0.001"), max_value=D(999999), places=3),
    total=st.decimals(min_value=D("0.01"), max_value=D("9999999999.99"), places=2),
)
def test_a_unit_price_always_exists_below_a_million_units(quantity, total):
    price = unit_price_for(quantity, total, preferred=D(0))

    assert truncate_cents(quantity * price) == total


def test_no_unit_price_fits_some_huge_quantities():
    with pytest.raises(AmountError):
        unit_price_for(D(3_000_000_000), D("1.00"), preferred=D(0))


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("1"), "1.00"), (D("-0.001"), "0.00"), (D("2.675"), "2.68"), (D("-2.675"), "-2.68")],
)
def test_money_has_exactly_two_decimals(value, text):
    assert money_text(value) == text


def test_quantities_and_prices_are_written_plainly():
    assert quantity_text(D("10.000")) == "10"
    assert quantity_text(D("2.50")) == "2.5"
    assert quantity_text(D("1E+3")) == "1000"
    assert price_text(D("35400")) == "35400.00"
    assert price_text(D("33.33666667")) == "33.33666667"
    with pytest.raises(AmountError):
        quantity_text(D("0.123456789"))
    with pytest.raises(AmountError):
        quantity_text(D("1000000000000"))


def test_negation_keeps_decimals_and_leaves_zero_and_blank():
    assert negated_text("354000.00") == "-354000.00"
    assert negated_text("10") == "-10"
    assert negated_text("0.00") == "0.00"
    assert negated_text("") == ""
    with pytest.raises(AmountError):
        negated_text("ten")
