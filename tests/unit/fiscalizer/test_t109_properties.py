"""Properties of t109_payload over random canonical invoices, discounted lines among them.

EFRIS does not document its tolerance for these checks (efris.md §9: 2776, 1342-1345),
so the tolerance asserted here is zero: every sum EFRIS checks agrees to the cent.
    goods line   trunc2(qty x unitPrice) == total (1316); tax == round(total x r/(1+r), 2)
    discounted   flag 1 at the list amount with VAT, then its flag 0 line: total ==
                 discountTotal (1206), negative; the pair adds up to the line's gross and
                 to round(gross x r/(1+r), 2), so the discount line's tax is within a cent
                 of its own total x r/(1+r) (2776)
    taxDetails   per category: Σ line totals, Σ line taxes; net + tax == gross (1342)
    summary      Σ taxDetails (1343-1345); itemCount == goods lines - discount lines (1304)
    payWay       Σ paymentAmount == summary gross (2270)
    canonical    summary gross == the invoice's gross; summary tax == its tax (the ERP
                 rounded each line's tax from its net, as these invoices do)
    sandbox      the EFRIS simulator's own T109 validation accepts the payload
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from libs.efris import GlobalInfo
from libs.invoices import Invoice, InvoiceLine, round_cents
from services.fiscalizer.t109 import Goods, goods_code_for, t109_payload
from services.sandbox.providers.efris import catalog as sandbox_catalog
from services.sandbox.providers.efris.invoice_rules import MAX_GROSS_AMOUNT, check_invoice
from services.sandbox.providers.efris.return_codes import EfrisRefusal
from tests.unit.fiscalizer.invoices import ISSUED_AT, SELLER, D, Sale, invoice_of

quantities = st.decimals(min_value=D("0.001"), max_value=D(5000), places=3)
prices = st.decimals(min_value=D("0.01"), max_value=D("999999.99"), places=2)
rates = st.sampled_from([None, D(0), D(18)])
discount_shares = st.sampled_from([D(0), D(0), D("0.0001"), D("0.05"), D("0.1"), D("0.333"),
                                   D("0.5"), D("0.99")])  # fmt: skip
big_discount_shares = st.sampled_from([D("0.05"), D("0.1"), D("0.333"), D("0.5"), D("0.99")])
codes = st.sampled_from(["CEM-050", "MZG-050", None])
# The sandbox's commodity categories by VAT class (its catalog module).
CATEGORY_OF_RATE = {None: "50221101", D(0): "50131702", D(18): "30111601"}
RATES = {"0.18": D("0.18"), "0": D(0), "-": D(0)}


@st.composite
def sales(draw, discounts=discount_shares):
    quantity, price = draw(quantities), draw(prices)
    discount = round_cents(quantity * price * draw(discounts))
    code = draw(codes)
    description = draw(st.sampled_from(["Cement", "Maize grain", "Consulting hour"]))
    return Sale(quantity, price, draw(rates), discount=discount, item_code=code,
                description=description)  # fmt: skip


def D2(text: str) -> Decimal:
    value = Decimal(text)
    assert value == value.quantize(D("0.01")), text  # money travels with 2 decimals
    return value


def registered(invoice: Invoice) -> dict[str, Goods]:
    """Every line's goods, in the sandbox category of its VAT class (1332 / 1334 / 2048)."""
    goods = {}
    for line in invoice.lines:
        code = goods_code_for(line)
        goods[code] = Goods(code=code, name=line.description, unit_of_measure="101",
                            commodity_category_id=CATEGORY_OF_RATE[line.tax_rate])  # fmt: skip
    return goods


def sandbox_catalog_of(goods: dict[str, Goods]) -> sandbox_catalog.Catalog:
    """The simulator's catalog with `goods` registered (T130) under the seller's TIN."""
    catalog = sandbox_catalog.Catalog()
    for item in goods.values():
        catalog.put(sandbox_catalog.Goods(
            id=sandbox_catalog.new_goods_id(), tin=SELLER.tin, goods_code=item.code,
            goods_name=item.name, measure_unit=item.unit_of_measure, unit_price="1.00",
            currency="101", commodity_category_id=item.commodity_category_id,
            have_excise_tax="102", stock_prewarning="0",
        ))  # fmt: skip
    return catalog


def is_discounted(line: InvoiceLine) -> bool:
    """The rule t109 itemizes by: a cent off the list amount, still a cent once VAT is added."""
    rate = (line.tax_rate or D(0)) / 100
    listed = round_cents(line.quantity * line.unit_price * (1 + rate))
    gross = round_cents(line.net + line.tax)
    return line.quantity * line.unit_price - line.net >= D("0.01") and listed > gross


def check_sold_line(line: dict[str, str], canonical: InvoiceLine) -> None:
    total, tax = D2(line["total"]), D2(line["tax"])
    quantity, price = Decimal(line["qty"]), Decimal(line["unitPrice"])
    assert quantity == canonical.quantity
    assert (quantity * price).quantize(D("0.01"), rounding=ROUND_DOWN) == total
    assert price == price.quantize(D("1E-8"))  # ≤ 8 decimals (§5.5)
    rate = RATES[line["taxRate"]]
    assert tax == round_cents(total * rate / (1 + rate))


def check_goods_lines(goods: list[dict[str, str]], kept: list[InvoiceLine]) -> None:
    lines = iter(goods)
    for canonical in kept:
        gross = round_cents(canonical.net + canonical.tax)
        sold = next(lines)
        check_sold_line(sold, canonical)
        rate = RATES[sold["taxRate"]]
        if not is_discounted(canonical):
            assert (sold["discountFlag"], sold["discountTotal"]) == ("2", "")
            assert D2(sold["total"]) == gross
            continue
        discount = next(lines)
        assert (sold["discountFlag"], discount["discountFlag"]) == ("1", "0")
        assert D2(sold["total"]) == round_cents(
            canonical.quantity * canonical.unit_price * (1 + rate)
        )
        assert sold["discountTotal"] == discount["total"]  # compared as strings (1206)
        assert discount["item"] == sold["item"] + " (Discount)"
        assert (discount["qty"], discount["unitPrice"], discount["itemCode"]) == (
            "", "", sold["itemCode"]
        )  # fmt: skip
        assert D2(discount["total"]) < 0
        assert D2(discount["tax"]) <= 0
        assert D2(sold["total"]) + D2(discount["total"]) == gross
        assert D2(sold["tax"]) + D2(discount["tax"]) == round_cents(gross * rate / (1 + rate))
        assert abs(D2(discount["tax"]) - D2(discount["total"]) * rate / (1 + rate)) < D("0.01")
    assert next(lines, None) is None
    assert [line["orderNumber"] for line in goods] == [str(order) for order in range(len(goods))]


def check_accepted_by_the_sandbox(payload, goods: dict[str, Goods]) -> None:
    info = GlobalInfo(tin=SELLER.tin, device_no=SELLER.device_no, interface_code="T109",
                      request_time="", data_exchange_id="")  # fmt: skip
    catalog = sandbox_catalog_of(goods)
    if D2(payload["summary"]["grossAmount"]) <= MAX_GROSS_AMOUNT:
        check_invoice(payload, global_info=info, catalog=catalog, now=ISSUED_AT)
        return
    # 2075 (over T103's maxGrossAmount) is the last check: every rule before it passed.
    with pytest.raises(EfrisRefusal, match=r"^EFRIS 2075:"):
        check_invoice(payload, global_info=info, catalog=catalog, now=ISSUED_AT)


@given(
    lines=st.lists(sales(), min_size=1, max_size=10),
    buyer_tin=st.sampled_from([None, "1000098765"]),
    currency=st.sampled_from(["UGX", "USD", "EUR"]),
)
def test_every_sum_efris_checks_agrees_to_the_cent(lines, buyer_tin, currency):
    invoice = invoice_of(*lines, buyer_tin=buyer_tin, currency=currency)
    assume(any(round_cents(line.net + line.tax) > 0 for line in invoice.lines))

    check_payload_of(invoice)


@given(lines=st.lists(sales(discounts=big_discount_shares), min_size=1, max_size=5))
def test_discounted_lines_are_itemized_and_accepted(lines):
    invoice = invoice_of(*lines)
    assume(any(is_discounted(line) and line.net > 0 for line in invoice.lines))

    details = check_payload_of(invoice)

    assert any(line["discountFlag"] == "1" for line in details)


def check_payload_of(invoice: Invoice) -> list[dict[str, str]]:
    """Every property of the module docstring for `invoice`'s payload; its goodsDetails."""
    kept = [line for line in invoice.lines if round_cents(line.net + line.tax) > 0]
    goods = registered(invoice)

    payload = t109_payload(invoice, seller=SELLER, goods=goods,
                           reference_no="R-1", issued_at=ISSUED_AT)  # fmt: skip

    details: list[dict[str, str]] = payload["goodsDetails"]
    check_goods_lines(details, kept)

    rows = payload["taxDetails"]
    assert len({row["taxCategoryCode"] for row in rows}) == len(rows)
    for row in rows:
        mine = [line for line in details if line["taxRate"] == row["taxRate"]]
        assert D2(row["grossAmount"]) == sum(D2(line["total"]) for line in mine)
        assert D2(row["taxAmount"]) == sum(D2(line["tax"]) for line in mine)
        assert D2(row["netAmount"]) + D2(row["taxAmount"]) == D2(row["grossAmount"])

    summary = payload["summary"]
    for key in ("netAmount", "taxAmount", "grossAmount"):
        assert D2(summary[key]) == sum(D2(row[key]) for row in rows)
    discount_lines = sum(line["discountFlag"] == "0" for line in details)
    assert summary["itemCount"] == str(len(details) - discount_lines) == str(len(kept))
    assert sum(D2(pay["paymentAmount"]) for pay in payload["payWay"]) == D2(summary["grossAmount"])

    assert D2(summary["grossAmount"]) == invoice.totals.gross
    assert D2(summary["taxAmount"]) == invoice.totals.tax
    check_accepted_by_the_sandbox(payload, goods)
    return details
