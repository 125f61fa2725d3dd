"""Canonical invoices for the EFRIS mapping tests, built through libs.invoices so they are valid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from libs.invoices import (
    Buyer,
    Invoice,
    InvoiceLine,
    InvoiceSource,
    InvoiceStatus,
    InvoiceTotals,
    round_cents,
)
from services.fiscalizer.t109 import Goods, Seller, goods_code_for

D = Decimal
NO_DISCOUNT = Decimal(0)
ISSUED_AT = datetime(2025, 3, 14, 7, 25, 31, tzinfo=UTC)  # 10:25:31 in Kampala

SELLER = Seller(
    tin="1000012345",
    device_no="1000012345_02",
    legal_name="ACME TRADING (U) LIMITED",
    business_name="ACME TRADING",
    email="accounts@acme.co.ug",
    address="Plot 12 Industrial Area, Kampala",
    operator="Jane Akello",
)


@dataclass(frozen=True)
class Sale:
    """A line as an ERP states it: tax-exclusive price, an optional discount off the line."""

    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal | None
    discount: Decimal = NO_DISCOUNT
    description: str = "Portland Cement 50kg"
    item_code: str | None = "CEM-050"


def line_of(sale: Sale) -> InvoiceLine:
    net = round_cents(sale.quantity * sale.unit_price - sale.discount)
    tax = round_cents(net * (sale.tax_rate or 0) / 100)
    return InvoiceLine(
        description=sale.description, item_code=sale.item_code, quantity=sale.quantity,
        unit_price=sale.unit_price, net=net, tax_rate=sale.tax_rate, tax=tax,
    )  # fmt: skip


def invoice_of(
    *sales: Sale, buyer_tin: str | None = None, currency: str = "UGX", lines=None
) -> Invoice:
    lines = tuple(lines) if lines is not None else tuple(line_of(sale) for sale in sales)
    net = sum((line.net for line in lines), D(0))
    tax = sum((line.tax for line in lines), D(0))
    return Invoice(
        source=InvoiceSource(provider="quickbooks", account_id="realm-1", invoice_id="130"),
        number="SINV-2025-000123", issued_on=date(2025, 3, 14), currency=currency,
        status=InvoiceStatus.ISSUED,
        buyer=Buyer(name="KAMPALA HARDWARE SUPPLIES LIMITED", tin=buyer_tin,
                    email="procurement@khs.co.ug"),
        lines=lines, totals=InvoiceTotals(net=net, tax=tax, gross=net + tax),
    )  # fmt: skip


def registered(invoice: Invoice) -> dict[str, Goods]:
    """Every line's goods, registered under its code (category by VAT status)."""
    goods = {}
    for line in invoice.lines:
        code = goods_code_for(line)
        goods[code] = Goods(
            code=code, name=line.description[:200] or "Item",
            commodity_category_id="50221101" if line.tax_rate is None else "30111601",
            unit_of_measure="101", commodity_category_name="Test category",
        )  # fmt: skip
    return goods
