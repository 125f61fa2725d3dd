"""Properties of t109_payload over random canonical invoices.

EFRIS does not document its tolerance for these checks (efris.md §9: 2776, 1342-1345),
so the tolerance asserted here is zero: every sum EFRIS checks agrees to the cent.
    goods line   trunc2(qty x unitPrice) == total (1316); tax == round(total x r/(1+r), 2)
    taxDetails   per category: Σ line totals, Σ line taxes; net + tax == gross (1342)
    summary      Σ taxDetails (1343-1345); itemCount == goods lines (1304)
    payWay       Σ paymentAmount == summary gross (2270)
    canonical    summary gross == the invoice's gross; summary tax == its tax (the ERP
                 rounded each line's tax from its net, as these invoices do)
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from libs.invoices import round_cents
from services.fiscalizer.t109 import t109_payload
from tests.unit.fiscalizer.invoices import ISSUED_AT, SELLER, D, Sale, invoice_of, registered

quantities = st.decimals(min_value=D("0.001"), max_value=D(5000), places=3)
prices = st.decimals(min_value=D("0.01"), max_value=D("999999.99"), places=2)
rates = st.sampled_from([None, D(0), D(18)])
discount_shares = st.sampled_from([D(0), D(0), D("0.05"), D("0.1"), D("0.333"), D("0.5")])
codes = st.sampled_from(["CEM-050", "MZG-050", None])


@st.composite
def sales(draw):
    quantity, price = draw(quantities), draw(prices)
    discount = round_cents(quantity * price * draw(discount_shares))
    code = draw(codes)
    description = draw(st.sampled_from(["Cement", "Maize grain", "Consulting hour"]))
    return Sale(quantity, price, draw(rates), discount=discount, item_code=code,
                description=description)  # fmt: skip


def D2(text: str) -> Decimal:
    value = Decimal(text)
    assert value == value.quantize(D("0.01")), text  # money travels with 2 decimals
    return value


@given(
    lines=st.lists(sales(), min_size=1, max_size=10),
    buyer_tin=st.sampled_from([None, "1000098765"]),
    currency=st.sampled_from(["UGX", "USD", "EUR"]),
)
def test_every_sum_efris_checks_agrees_to_the_cent(lines, buyer_tin, currency):
    invoice = invoice_of(*lines, buyer_tin=buyer_tin, currency=currency)
    kept = [line for line in invoice.lines if round_cents(line.net + line.tax) > 0]
    assume(kept)

    payload = t109_payload(invoice, seller=SELLER, goods=registered(invoice),
                           reference_no="R-1", issued_at=ISSUED_AT)  # fmt: skip

    goods = payload["goodsDetails"]
    assert len(goods) == len(kept)
    for order, (line, canonical) in enumerate(zip(goods, kept, strict=True)):
        total, tax = D2(line["total"]), D2(line["tax"])
        quantity, price = Decimal(line["qty"]), Decimal(line["unitPrice"])
        assert quantity == canonical.quantity
        assert (quantity * price).quantize(D("0.01"), rounding=ROUND_DOWN) == total
        assert price == price.quantize(D("1E-8"))  # ≤ 8 decimals (§5.5)
        rate = {"0.18": D("0.18"), "0": D(0), "-": D(0)}[line["taxRate"]]
        assert tax == round_cents(total * rate / (1 + rate))
        assert total == round_cents(canonical.net + canonical.tax)
        assert line["orderNumber"] == str(order)

    rows = payload["taxDetails"]
    assert len({row["taxCategoryCode"] for row in rows}) == len(rows)
    for row in rows:
        mine = [line for line in goods if line["taxRate"] == row["taxRate"]]
        assert D2(row["grossAmount"]) == sum(D2(line["total"]) for line in mine)
        assert D2(row["taxAmount"]) == sum(D2(line["tax"]) for line in mine)
        assert D2(row["netAmount"]) + D2(row["taxAmount"]) == D2(row["grossAmount"])

    summary = payload["summary"]
    for key in ("netAmount", "taxAmount", "grossAmount"):
        assert D2(summary[key]) == sum(D2(row[key]) for row in rows)
    assert summary["itemCount"] == str(len(goods))
    assert sum(D2(pay["paymentAmount"]) for pay in payload["payWay"]) == D2(summary["grossAmount"])

    assert D2(summary["grossAmount"]) == invoice.totals.gross
    assert D2(summary["taxAmount"]) == invoice.totals.tax
