"""Whether a tenant's resubmit sends its invoice: once per request, never a fiscalized one (pure:
no broker or database; here beside the resubmit tests it decides for)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.fiscalizer.resubmission import resubmission
from services.fiscalizer.storage.invoices import FiscalInvoice, State
from tests.unit.fiscalizer.invoices import D, Sale, invoice_of

THIS, OTHER = "evt-this", "evt-other"
INVOICE = invoice_of(Sale(quantity=D(2), unit_price=D(50000), tax_rate=D(18)))


def row(state: State, *, asked_by: str | None = None) -> FiscalInvoice:
    return FiscalInvoice(
        id="00000000-0000-0000-0000-000000000001", tenant_id="t1", tin="1000012345",
        reference_no="SY000", state=state, attempts=1, invoice=INVOICE, fdn=None,
        efris_invoice_id=None, error_code=None, resubmit_event_id=asked_by,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("state", "asked_by", "expected"),
    [
        ("failed", None, "start"),
        ("failed", OTHER, "start"),  # a fix after an earlier resubmit was refused too
        ("held", None, "start"),
        ("new", None, "start"),  # stuck after its retries ran out
        ("failed", THIS, "ignore"),  # this request's upload was refused: a redelivery
        ("held", THIS, "ignore"),
        ("new", THIS, "resume"),  # this request stopped before its upload
        ("sending", THIS, "resume"),  # ... or during it: the claim reconciles first
        ("sending", OTHER, "ignore"),
        ("sending", None, "ignore"),
        ("fiscalized", None, "ignore"),
        ("fiscalized", THIS, "ignore"),
    ],
)
def test_a_request_starts_resumes_or_ignores_by_state_and_who_asked_last(state, asked_by, expected):
    assert resubmission(row(state, asked_by=asked_by), event_id=THIS) == expected


def test_a_fiscalized_invoice_is_never_sent_again_whatever_its_fdn():
    fiscalized = replace(row("fiscalized", asked_by=OTHER), fdn="10000000000001")
    assert resubmission(fiscalized, event_id=THIS) == "ignore"
