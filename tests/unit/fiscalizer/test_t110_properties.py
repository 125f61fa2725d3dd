"""Properties of t110_payload over the T109 documents of random invoices, discounted or not.

lines     one per original line but discount lines, orderNumber the sold line's; Σ
          totals and taxes == the negated summary (what the original's lines came to)
sandbox   the EFRIS simulator's own T110 rules accept the full credit
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from libs.invoices import round_cents
from services.fiscalizer.t109 import t109_payload
from services.fiscalizer.t110 import t110_payload
from services.sandbox.providers.efris.credit_rules import check_application
from services.sandbox.providers.efris.ledger import INVOICE, FiscalDocument
from tests.unit.fiscalizer.invoices import ISSUED_AT, SELLER, invoice_of
from tests.unit.fiscalizer.test_t109_properties import registered, sales

APPLIED_AT = datetime(2025, 3, 20, 6, 0, tzinfo=UTC)


@given(lines=st.lists(sales(), min_size=1, max_size=8))
def test_a_full_credit_of_any_invoice_is_accepted_and_adds_up(lines):
    invoice = invoice_of(*lines)
    assume(any(round_cents(line.net + line.tax) > 0 for line in invoice.lines))
    original = t109_payload(invoice, seller=SELLER, goods=registered(invoice),
                            reference_no="R-1", issued_at=ISSUED_AT)  # fmt: skip
    original["basicInformation"] |= {"invoiceId": "1", "invoiceNo": "325000000001"}

    payload = t110_payload(original, reason_code="102", application_time=APPLIED_AT,
                           seller_reference_no="CN-1")  # fmt: skip

    sold = [line for line in original["goodsDetails"] if line["discountFlag"] != "0"]
    assert [line["orderNumber"] for line in payload["goodsDetails"]] == [
        line["orderNumber"] for line in sold
    ]
    for key, total in (("total", "grossAmount"), ("tax", "taxAmount")):
        credited = sum(Decimal(line[key]) for line in payload["goodsDetails"])
        assert (
            credited == Decimal(payload["summary"][total]) == -Decimal(original["summary"][total])
        )
    document = FiscalDocument(
        tin=SELLER.tin, device_no=SELLER.device_no, invoice_id="1", invoice_no="325000000001",
        antifake_code="", qr_code="", reference_no="R-1", invoice_type=INVOICE,
        issued_at=ISSUED_AT, document=original,
    )  # fmt: skip
    check_application(payload, document, earlier=[], now=APPLIED_AT)
