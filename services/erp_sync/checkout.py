"""A paid Stripe Checkout session, and the QuickBooks customer and invoice made from it (pure).

    session = paid_session(event)              # None while the session is not paid
    customer_query(session) · customer_body(session) · invoice_body(session, customer_id)
    request_id(session, "invoice")             # the same for every delivery of every event
                                               # about this session (completed, async succeeded)

Amounts: Stripe sends minor units (`amount_total` 5000 = 50.00 USD); zero-decimal
currencies such as UGX are whole units already (Stripe's list of zero-decimal currencies).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from libs.broker import PermanentError
from libs.events import CloudEvent

_REQUEST_NAMESPACE = uuid.UUID("0c6a3a57-2f7e-4c8e-9b0e-5e7b8d1a4c21")
_ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
_SETTLED = "checkout.session.async_payment_succeeded"


@dataclass(frozen=True)
class PaidSession:
    id: str
    amount: Decimal
    currency: str
    customer_name: str
    customer_email: str | None


def paid_session(event: CloudEvent) -> PaidSession | None:
    """The session in a Stripe event, or None while it is unpaid (its money may come later).

    Raises `PermanentError` when the event carries no usable checkout session.
    """
    session = _object(event.data)
    status = session.get("payment_status")
    if status != "paid" and not event.type.endswith(_SETTLED):
        return None
    session_id, currency, total = (
        session.get("id"),
        session.get("currency"),
        session.get("amount_total"),
    )
    if not isinstance(session_id, str) or not session_id:
        raise PermanentError("checkout session without an id")
    if not isinstance(currency, str) or len(currency) != 3:
        raise PermanentError(f"checkout session {session_id}: currency missing or malformed")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise PermanentError(f"checkout session {session_id}: amount_total missing or malformed")
    details = session.get("customer_details")
    details = details if isinstance(details, dict) else {}
    email = details.get("email") if isinstance(details.get("email"), str) else None
    name = details.get("name") if isinstance(details.get("name"), str) else None
    return PaidSession(
        id=session_id,
        amount=_major_units(total, currency),
        currency=currency.upper(),
        customer_name=(name or email or "Stripe customer").strip()[:100],
        customer_email=email,
    )


def request_id(session: PaidSession, purpose: str) -> str:
    """The QuickBooks `requestid` for `purpose` ("customer", "invoice") of this session."""
    return str(uuid.uuid5(_REQUEST_NAMESPACE, f"{session.id}:{purpose}"))


def customer_query(session: PaidSession) -> str:
    """The QuickBooks query finding the session's customer by display name."""
    escaped = session.customer_name.replace("\\", "\\\\").replace("'", "\\'")
    # QuickBooks query language, not SQL: quotes escaped as Intuit documents.
    return f"select * from Customer where DisplayName = '{escaped}'"  # noqa: S608


def customer_body(session: PaidSession) -> dict[str, Any]:
    body: dict[str, Any] = {"DisplayName": session.customer_name}
    if session.customer_email:
        body["PrimaryEmailAddr"] = {"Address": session.customer_email}
    return body


def invoice_body(session: PaidSession, *, customer_id: str) -> dict[str, Any]:
    # JSON numbers on the wire: a cents-exact Decimal's float has the same shortest repr.
    amount = float(session.amount)
    return {
        "CustomerRef": {"value": customer_id},
        "CurrencyRef": {"value": session.currency},
        "PrivateNote": f"Stripe Checkout session {session.id}",
        "Line": [
            {
                "Amount": amount,
                "DetailType": "SalesItemLineDetail",
                "Description": f"Stripe Checkout payment {session.id}",
                "SalesItemLineDetail": {
                    "Qty": 1,
                    "UnitPrice": amount,
                    "TaxCodeRef": {"value": "NON"},
                },
            }
        ],
    }


def _object(data: dict[str, Any]) -> dict[str, Any]:
    inner = data.get("data")
    session = inner.get("object") if isinstance(inner, dict) else None
    if (
        not isinstance(session, dict)
        or session.get("object", "checkout.session") != "checkout.session"
    ):
        raise PermanentError("Stripe event does not carry a checkout session")
    return session


def _major_units(total: int, currency: str) -> Decimal:
    return Decimal(total) if currency.lower() in _ZERO_DECIMAL else Decimal(total) / 100
