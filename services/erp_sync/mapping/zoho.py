"""A Zoho Books invoice (providers.md §3.6) as the canonical `Invoice`.

    {"code": 0, "message": "success",
     "invoice": {invoice_id, invoice_number, date, due_date, status, currency_code,
                 customer_id, customer_name, email, contact_persons_details[{email}],
                 tax_reg_no, gst_no, custom_fields / customer_custom_fields[{label, value}],
                 is_inclusive_tax, is_discount_before_tax, discount_type, discount_total,
                 line_items[{item_id, name, description, rate, quantity, discount,
                             item_total, tax_percentage}],
                 sub_total, tax_total, total}}

Ids may be numbers or strings; they are kept as strings. A line's own `discount` is
already in its `item_total`; an entity-level discount (`discount_total`) is spread over
the lines. Zoho states one tax total: each line's tax is item_total x tax_percentage
(/ (100 + tax_percentage) when is_inclusive_tax), reconciled to `tax_total`. `sub_total`
must equal the sum of the lines' item_total: providers.md's own sample (10000 for one line
of 120) is refused rather than fiscalized wrong.

Status: draft, pending_approval, approved -> draft; sent, viewed, unpaid, overdue,
partially_paid -> issued; paid -> paid; void -> voided; anything else is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from libs.invoices import Buyer, Invoice, InvoiceError, InvoiceLine, InvoiceSource, InvoiceStatus
from services.erp_sync.mapping._assembly import check_stated, checked_totals, model_errors
from services.erp_sync.mapping._pricing import TaxGroup, price_lines
from services.erp_sync.mapping._record import Record, Stated
from services.erp_sync.mapping._tin import first_tin

_STATUSES = {
    "draft": InvoiceStatus.DRAFT,
    "pending_approval": InvoiceStatus.DRAFT,
    "approved": InvoiceStatus.DRAFT,
    "sent": InvoiceStatus.ISSUED,
    "viewed": InvoiceStatus.ISSUED,
    "unpaid": InvoiceStatus.ISSUED,
    "overdue": InvoiceStatus.ISSUED,
    "partially_paid": InvoiceStatus.ISSUED,
    "paid": InvoiceStatus.PAID,
    "void": InvoiceStatus.VOIDED,
}
_TIN_LABEL = "tin"


def from_zoho(envelope: Mapping[str, object], *, organization_id: str) -> Invoice:
    """The invoice in a GET /invoices/{id} response as the canonical `Invoice`.

    Pure. Raises `InvoiceError` naming the field (e.g. `invoice.line_items[0].rate`) when
    `code` is not 0, when a required field is missing or malformed, or when sub_total,
    tax_total or total disagrees with the lines by more than a cent.
    """
    with model_errors():
        root = Record.parse(envelope, "")
        if root.ident("code") != "0":
            message = root.optional_text("message") or "no message"
            raise InvoiceError("code", f"is {root.ident('code')}: {message}")
        record = root.record("invoice")
        lines = _lines(record)
        return Invoice(
            source=InvoiceSource(
                provider="zoho", account_id=organization_id, invoice_id=record.ident("invoice_id")
            ),
            number=record.optional_text("invoice_number"),
            issued_on=record.date("date"),
            due_on=record.optional_date("due_date"),
            currency=record.currency("currency_code"),
            status=record.one_of("status", _STATUSES),
            buyer=_buyer(record),
            lines=tuple(lines),
            totals=checked_totals(
                lines,
                lines_at=record.at("line_items"),
                net=None,
                tax=Stated.read(record, "tax_total"),
                gross=Stated.read(record, "total"),
            ),
        )


def _lines(record: Record) -> list[InvoiceLine]:
    items = record.records("line_items")
    amounts = [item.amount("item_total") for item in items]
    check_stated(Stated.read(record, "sub_total"), sum(amounts, Decimal(0)))
    percents = [item.optional_percent("tax_percentage") for item in items]
    tax = Stated.read(record, "tax_total")
    prices = price_lines(
        amounts,
        [item.amount("rate") for item in items],
        discounts=_entity_discount(record),
        groups=[TaxGroup(tax.field, tax.value, tuple(p or Decimal(0) for p in percents))],
        inclusive=record.flag("is_inclusive_tax", default=False),
        tax_after_discount=record.flag("is_discount_before_tax", default=True),
    )
    return [
        InvoiceLine(
            description=item.optional_text("description") or item.optional_text("name") or "",
            item_code=item.optional_ident("item_id"),
            quantity=item.amount("quantity"),
            unit_price=price.unit_price,
            net=price.net,
            tax_rate=percent,
            tax=price.tax,
        )
        for item, price, percent in zip(items, prices, percents, strict=True)
    ]


def _entity_discount(record: Record) -> list[Stated]:
    if record.optional_text("discount_type") != "entity_level" or not record.present(
        "discount_total"
    ):
        return []
    return [Stated.read(record, "discount_total")]


def _buyer(record: Record) -> Buyer:
    contacts = record.optional_records("contact_persons_details")
    contact_email = contacts[0].optional_text("email") if contacts else None
    return Buyer(
        name=record.text("customer_name"),
        tin=first_tin([record.raw("tax_reg_no"), record.raw("gst_no"), *_tin_fields(record)]),
        email=contact_email or record.optional_text("email"),
        reference=record.optional_ident("customer_id"),
    )


def _tin_fields(record: Record) -> list[object]:
    fields = record.optional_records("custom_fields") + record.optional_records(
        "customer_custom_fields"
    )
    return [
        field.raw("value")
        for field in fields
        if (field.optional_text("label") or "").casefold() == _TIN_LABEL
    ]
