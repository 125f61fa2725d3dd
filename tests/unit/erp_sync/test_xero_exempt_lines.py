"""Xero lines of the exempt-sales tax type (EXEMPTOUTPUT) map as exempt, not zero-rated."""

from __future__ import annotations

from decimal import Decimal

import pytest

from libs.invoices import InvoiceError
from services.erp_sync.mapping import from_xero
from tests.unit.erp_sync.payloads import Sale, replaced, xero_document

D = Decimal


def with_tax_types(*tax_types: str):
    """A standard-rated line of 200 (+36), then one untaxed line of 150 per further type."""
    envelope = xero_document([Sale(D(2), D(100), D(18))] + [Sale(D(5), D(30))] * 2)
    for item, tax_type in zip(envelope["Invoices"][0]["LineItems"], tax_types, strict=True):
        item["TaxType"] = tax_type
    return envelope


def test_an_exempt_output_line_has_no_rate_beside_a_zero_rated_none_line():
    lines = from_xero(with_tax_types("OUTPUT", "EXEMPTOUTPUT", "NONE"), tenant_id="t").lines

    assert [(line.net, line.tax, line.tax_rate) for line in lines] == [
        (D(200), D(36), D(18)), (D(150), D(0), None), (D(150), D(0), D(0))
    ]  # fmt: skip


def test_an_exempt_line_carrying_tax_is_refused():
    envelope = replaced(xero_document([Sale(D(1), D(100), D(18))]), "Invoices", 0, "LineItems", 0,
                        "TaxType", value="EXEMPTOUTPUT")  # fmt: skip

    with pytest.raises(InvoiceError) as raised:
        from_xero(envelope, tenant_id="t")

    assert raised.value.field == "Invoices[0].LineItems[0].TaxAmount"
