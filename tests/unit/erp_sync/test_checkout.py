"""A paid Stripe Checkout session → the QuickBooks customer and invoice bodies (pure)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from libs.broker import PermanentError
from libs.events import CloudEvent
from services.erp_sync import checkout


def stripe_event(
    event_type: str = "stripe.checkout.session.completed", **session: Any
) -> CloudEvent:
    body = {
        "id": "cs_test_a1b2c3", "object": "checkout.session", "amount_total": 5000,
        "currency": "usd", "payment_status": "paid",
        "customer_details": {"email": "jenny@example.com", "name": "Jenny Rosen"}, **session,
    }  # fmt: skip
    return CloudEvent(
        source="/providers/stripe",
        type=event_type,
        tenantid="t1",
        data={"id": "evt_1", "type": event_type.removeprefix("stripe."), "data": {"object": body}},
    )


def test_a_paid_session_gives_major_units_and_the_customer():
    session = checkout.paid_session(stripe_event())
    assert session is not None
    assert session.amount == Decimal("50")
    assert session.currency == "USD"
    assert session.customer_name == "Jenny Rosen"
    assert session.customer_email == "jenny@example.com"


def test_zero_decimal_currencies_are_whole_units():
    session = checkout.paid_session(stripe_event(currency="ugx", amount_total=150000))
    assert session is not None
    assert session.amount == Decimal("150000")


def test_an_unpaid_completed_session_waits_for_its_async_payment():
    assert checkout.paid_session(stripe_event(payment_status="unpaid")) is None
    settled = checkout.paid_session(
        stripe_event("stripe.checkout.session.async_payment_succeeded", payment_status="unpaid")
    )
    assert settled is not None


def test_both_event_types_of_one_session_share_the_quickbooks_request_id():
    completed = checkout.paid_session(stripe_event())
    settled = checkout.paid_session(stripe_event("stripe.checkout.session.async_payment_succeeded"))
    assert completed is not None
    assert settled is not None
    assert checkout.request_id(completed, "invoice") == checkout.request_id(settled, "invoice")
    assert checkout.request_id(completed, "invoice") != checkout.request_id(completed, "customer")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": None}, "without an id"),
        ({"currency": "dollars"}, "currency"),
        ({"amount_total": "5000"}, "amount_total"),
        ({"amount_total": -1}, "amount_total"),
        ({"object": "payment_intent"}, "checkout session"),
    ],
)
def test_a_malformed_session_is_permanent(changes, problem):
    with pytest.raises(PermanentError, match=problem):
        checkout.paid_session(stripe_event(**changes))


def test_the_customer_query_escapes_quotes():
    session = checkout.paid_session(
        stripe_event(customer_details={"name": "O'Brien \\ Sons", "email": None})
    )
    assert session is not None
    assert checkout.customer_query(session) == (
        "select * from Customer where DisplayName = 'O\\'Brien \\\\ Sons'"
    )


def test_the_invoice_body_names_the_session_and_its_amount():
    session = checkout.paid_session(stripe_event(amount_total=12345))
    assert session is not None
    body = checkout.invoice_body(session, customer_id="58")
    assert body["CustomerRef"] == {"value": "58"}
    assert body["CurrencyRef"] == {"value": "USD"}
    line = body["Line"][0]
    assert line["Amount"] == 123.45
    assert line["SalesItemLineDetail"]["UnitPrice"] == 123.45
    assert "cs_test_a1b2c3" in body["PrivateNote"]
