"""Properties over random invoices in each ERP's shape: the canonical totals are the sums
of the lines, gross = net + tax to the cent, they agree with the ERP's, and every amount
is the exact decimal the JSON wrote (never a binary float's expansion)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from libs.invoices import Invoice, InvoiceError, money, round_cents
from services.erp_sync.mapping import from_quickbooks, from_xero, from_zoho
from services.erp_sync.mapping._apportion import apportion
from tests.unit.erp_sync.payloads import (
    Sale,
    as_json,
    quickbooks_document,
    replaced,
    xero_document,
    zoho_document,
)

D = Decimal

quantities = st.decimals(min_value=D("0.001"), max_value=D(1000), places=3)
prices = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)
percents = st.sampled_from([None, D(0), D(5), D("12.5"), D(18)])
sales = st.lists(st.builds(Sale, quantities, prices, percents), min_size=1, max_size=12)


def assert_adds_up(invoice: Invoice) -> None:
    net = sum((line.net for line in invoice.lines), D(0))
    tax = sum((line.tax for line in invoice.lines), D(0))
    assert invoice.totals.net == net
    assert invoice.totals.tax == tax
    assert invoice.totals.gross == invoice.totals.net + invoice.totals.tax
    assert round_cents(invoice.totals.gross) == round_cents(net + tax)


def assert_no_float_expansions(invoice: Invoice) -> None:
    # Decimal(0.1) has 55 places; nothing the mappers build has more than 10.
    for line in invoice.lines:
        for value in (line.quantity, line.unit_price, line.net, line.tax, line.tax_rate):
            exponent = D(0).as_tuple().exponent if value is None else value.as_tuple().exponent
            assert isinstance(exponent, int), value
            assert exponent >= -10, value


@given(sales=sales, inclusive=st.booleans())
def test_quickbooks_totals_are_the_lines_and_agree_with_qbo(sales, inclusive):
    document, tax_codes = quickbooks_document(sales, inclusive=inclusive)

    invoice = from_quickbooks(document, realm_id="1", customer=None, tax_codes=tax_codes)

    assert_adds_up(invoice)
    assert_no_float_expansions(invoice)
    assert invoice.totals.gross == money(document["TotalAmt"], field="TotalAmt")
    assert invoice.totals.tax == money(document["TxnTaxDetail"]["TotalTax"], field="TotalTax")
    assert [line.quantity for line in invoice.lines] == [sale.quantity for sale in sales]
    if not inclusive:
        assert [line.unit_price for line in invoice.lines] == [sale.unit_price for sale in sales]


@given(sales=sales, mode=st.sampled_from(["Exclusive", "Inclusive", "NoTax"]))
def test_xero_totals_are_the_lines_and_agree_with_xero(sales, mode):
    envelope = xero_document(sales, mode=mode)

    invoice = from_xero(envelope, tenant_id="t")

    assert_adds_up(invoice)
    assert_no_float_expansions(invoice)
    stated = envelope["Invoices"][0]
    assert invoice.totals.net == money(stated["SubTotal"], field="SubTotal")
    assert invoice.totals.gross == money(stated["Total"], field="Total")
    if mode != "Inclusive":
        assert [line.unit_price for line in invoice.lines] == [sale.unit_price for sale in sales]


@given(sales=sales, inclusive=st.booleans())
def test_zoho_totals_are_the_lines_and_agree_with_zoho(sales, inclusive):
    envelope = zoho_document(sales, inclusive=inclusive)

    invoice = from_zoho(envelope, organization_id="o")

    assert_adds_up(invoice)
    assert_no_float_expansions(invoice)
    assert invoice.totals.tax == money(envelope["invoice"]["tax_total"], field="tax_total")
    assert invoice.totals.gross == money(envelope["invoice"]["total"], field="total")
    assert [line.tax_rate for line in invoice.lines] == [sale.percent for sale in sales]


@given(values=st.lists(prices, min_size=1, max_size=8))
def test_json_floats_become_the_decimals_they_were_written_as(values):
    sales_ = [Sale(D(1), value) for value in values]
    envelope = zoho_document(sales_)
    assert all(isinstance(item["rate"], float) for item in envelope["invoice"]["line_items"])

    invoice = from_zoho(envelope, organization_id="o")

    assert [line.unit_price for line in invoice.lines] == values
    assert invoice.totals.net == sum(values, D(0))


def test_point_one_plus_point_two_is_point_three():
    envelope = as_json(
        {
            "code": 0,
            "invoice": {
                "invoice_id": "1",
                "date": "2025-01-01",
                "status": "sent",
                "customer_name": "A",
                "currency_code": "UGX",
                "line_items": [
                    {"rate": 0.1, "quantity": 1, "item_total": 0.1},
                    {"rate": 0.2, "quantity": 1, "item_total": 0.2},
                ],
                "sub_total": 0.3,
                "tax_total": 0,
                "total": 0.3,
            },
        }
    )

    invoice = from_zoho(envelope, organization_id="o")

    assert invoice.totals.net == D("0.3")
    assert invoice.model_dump(mode="json")["totals"]["net"] == "0.3"


@given(
    total=st.decimals(min_value=D("-10000"), max_value=D(10000), places=2),
    weights=st.lists(prices, min_size=1, max_size=10),
)
def test_apportioned_shares_are_cents_that_add_up_to_the_total(total, weights):
    shares = apportion(total, weights, field="discount")

    assert sum(shares, D(0)) == total
    assert all(share == round_cents(share) for share in shares)


def _paths(document: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every key and item position in a JSON document."""
    children: list[tuple[str | int, object]] = []
    if isinstance(document, dict):
        children = list(document.items())
    elif isinstance(document, list):
        children = list(enumerate(document))
    paths = []
    for step, child in children:
        paths.append((*prefix, step))
        paths.extend(_paths(child, (*prefix, step)))
    return paths


_SAMPLE = [Sale(D(2), D("59.00"), D(18)), Sale(D(1), D("10.00")), Sale(D(3), D("4.99"), D(18))]
_QUICKBOOKS, _TAX_CODES = quickbooks_document(_SAMPLE, inclusive=True)
_DOCUMENTS = {
    "quickbooks": {
        "Invoice": _QUICKBOOKS,
        "Customer": {"PrimaryTaxIdentifier": "1"},
        "tax_codes": _TAX_CODES,
    },
    "xero": xero_document(_SAMPLE, mode="Inclusive"),
    "zoho": zoho_document(_SAMPLE, inclusive=True),
}
_MAPPERS = {
    "quickbooks": lambda d: from_quickbooks(
        d["Invoice"], realm_id="1", customer=d["Customer"], tax_codes=d["tax_codes"]
    ),
    "xero": lambda d: from_xero(d, tenant_id="t"),
    "zoho": lambda d: from_zoho(d, organization_id="o"),
}
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", " ", "NaN", "-100", "1e999", "/Date(1)/", "2025-01-01", "TaxInclusive"])
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@given(data=st.data(), provider=st.sampled_from(sorted(_DOCUMENTS)), value=json_values)
def test_any_one_field_replaced_by_any_json_maps_or_raises_invoice_error(data, provider, value):
    document = _DOCUMENTS[provider]
    # QuickBooks' top-level names are the mapper's typed arguments; below them is JSON.
    paths = [path for path in _paths(document) if provider != "quickbooks" or len(path) > 1]
    path = data.draw(st.sampled_from(paths))

    try:
        invoice = _MAPPERS[provider](replaced(document, *path, value=value))
    except InvoiceError:
        return
    assert_adds_up(invoice)
