"""The EFRIS simulator's money rules as pure functions: what URA's rounding leaves open is
accepted either way (truncated or half-up), anything a cent or more off is refused."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.sandbox.providers.efris.arithmetic import (
    Line,
    check_line_amounts,
    check_summary,
    check_tax_details,
    rate_of,
)
from services.sandbox.providers.efris.return_codes import EfrisRefusal

CENT = Decimal("0.01")
RATE = Decimal("0.18")
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10_000), places=3)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1_000_000), places=2)


@given(qty=quantities, price=prices, rounding=st.sampled_from([ROUND_DOWN, ROUND_HALF_UP]))
def test_a_line_rounded_either_way_is_accepted(qty, price, rounding):
    total = (qty * price).quantize(CENT, rounding=rounding)
    tax = (total * RATE / (1 + RATE)).quantize(CENT, rounding=rounding)
    check_line_amounts(qty=qty, unit_price=price, total=total, tax=tax, rate=RATE)


@given(qty=quantities, price=prices)
def test_a_total_or_tax_two_cents_off_is_1316_or_2776(qty, price):
    total = (qty * price).quantize(CENT, rounding=ROUND_DOWN)
    tax = (total * RATE / (1 + RATE)).quantize(CENT, rounding=ROUND_HALF_UP)
    with pytest.raises(EfrisRefusal) as refused:
        check_line_amounts(qty=qty, unit_price=price, total=total + 2 * CENT, tax=tax, rate=RATE)
    assert refused.value.code == "1316"
    with pytest.raises(EfrisRefusal) as refused:
        check_line_amounts(qty=qty, unit_price=price, total=total, tax=tax + 2 * CENT, rate=RATE)
    assert refused.value.code == "2776"


def test_exempt_and_zero_rated_lines_carry_no_tax():
    for rate in (None, Decimal(0)):
        check_line_amounts(qty=Decimal(2), unit_price=Decimal(50), total=Decimal(100),
                           tax=Decimal(0), rate=rate)  # fmt: skip
        with pytest.raises(EfrisRefusal):
            check_line_amounts(qty=Decimal(2), unit_price=Decimal(50), total=Decimal(100),
                               tax=Decimal("15.25"), rate=rate)  # fmt: skip


@pytest.mark.parametrize(("text", "rate"), [("0.18", RATE), ("0", Decimal(0)), ("-", None),
                                            ("", None)])  # fmt: skip
def test_tax_rates_read_as_efris_writes_them(text, rate):
    assert rate_of(text) == rate


@pytest.mark.parametrize("text", ["18", "0.16", "abc"])
def test_other_tax_rates_are_2048(text):
    with pytest.raises(EfrisRefusal) as refused:
        rate_of(text)
    assert refused.value.code == "2048"


def test_tax_details_take_a_category_rounding_of_the_gross_as_well_as_the_line_sum():
    lines = [Line(order=i, category="01", total=Decimal("100.00"), tax=Decimal("15.25"),
                  discount=False) for i in range(3)]  # fmt: skip
    # Σ line tax 45.75; 300 x 0.18 / 1.18 = 45.76: both are URA-plausible
    for tax in ("45.75", "45.76"):
        net = f"{Decimal(300) - Decimal(tax):.2f}"
        row = {"taxCategoryCode": "01", "taxRate": "0.18", "netAmount": net, "taxAmount": tax,
               "grossAmount": "300.00"}  # fmt: skip
        [accepted] = check_tax_details(lines, [row])
        gross = check_summary({"netAmount": net, "taxAmount": tax, "grossAmount": "300.00",
                               "itemCount": "3"}, [accepted], item_count=3)  # fmt: skip
        assert gross == Decimal(300)
    short = {"taxCategoryCode": "01", "taxRate": "0.18", "netAmount": "254.30",
             "taxAmount": "45.70", "grossAmount": "300.00"}  # fmt: skip
    with pytest.raises(EfrisRefusal) as refused:
        check_tax_details(lines, [short])
    assert refused.value.code == "2785"


def test_a_category_without_its_row_is_1317():
    lines = [
        Line(order=0, category="01", total=Decimal(118), tax=Decimal(18), discount=False),
        Line(order=1, category="03", total=Decimal(50), tax=Decimal(0), discount=False),
    ]
    row = {"taxCategoryCode": "01", "taxRate": "0.18", "netAmount": "100", "taxAmount": "18",
           "grossAmount": "118"}  # fmt: skip
    with pytest.raises(EfrisRefusal) as refused:
        check_tax_details(lines, [row])
    assert refused.value.code == "1317"
