"""Simulated Stripe Checkout Sessions and the events that announce them (providers.md §4.2).

event   {"id": "evt_…", "object": "event", "api_version", "created", "type", "livemode": false,
         "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null},
         ["account": "acct_…" on Connect], "data": {"object": <checkout.session>}}
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Json = dict[str, Any]
API_VERSION = "2024-06-20"


class CustomerDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str | None = None
    name: str | None = None


class LineItemIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = Field(min_length=1, max_length=500)
    quantity: int = Field(default=1, ge=1)
    amount_total: int = Field(ge=0)


class SessionIn(BaseModel):
    """What `POST /_sandbox/stripe/checkout-sessions` takes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str | None = Field(default=None, pattern=r"^acct_[A-Za-z0-9]{1,64}$")
    amount_total: int = Field(ge=0)
    currency: str = Field(pattern=r"^[a-z]{3}$")
    payment_status: Literal["paid", "unpaid", "no_payment_required"] = "paid"
    customer_details: CustomerDetails = CustomerDetails()
    client_reference_id: str | None = Field(default=None, max_length=200)
    metadata: dict[str, str] = {}
    line_items: list[LineItemIn] | None = None


@dataclass
class CheckoutSession:
    """A stored session and the Connect account it belongs to (None: the platform's own)."""

    account: str | None
    data: Json = field(default_factory=dict)


class StripeSessions:
    """Every simulated Checkout Session, by id."""

    def __init__(self) -> None:
        self.sessions: dict[str, CheckoutSession] = {}

    def create(self, payload: SessionIn, *, created: int) -> CheckoutSession:
        """A new `cs_test_…` session from `payload`."""
        data: Json = {
            "id": f"cs_test_{secrets.token_hex(12)}",
            "object": "checkout.session",
            "mode": "payment",
            "created": created,
            "amount_total": payload.amount_total,
            "currency": payload.currency,
            "payment_status": payload.payment_status,
            "status": "complete",
            "client_reference_id": payload.client_reference_id,
            "metadata": dict(payload.metadata),
            "customer_details": {
                **payload.customer_details.model_dump(),
                "phone": None, "address": None, "tax_exempt": "none", "tax_ids": [],
            },
            "payment_intent": f"pi_{secrets.token_hex(12)}",
            "livemode": False,
        }  # fmt: skip
        if payload.line_items is not None:
            data["line_items"] = {
                "object": "list",
                "data": [
                    {"object": "item", "id": f"li_{secrets.token_hex(8)}", **item.model_dump()}
                    for item in payload.line_items
                ],
            }
        session = CheckoutSession(account=payload.account, data=data)
        self.sessions[data["id"]] = session
        return session

    def event(self, session: CheckoutSession, event_type: str, *, created: int) -> Json:
        """A new event (fresh `evt_…` id) carrying `session`."""
        event: Json = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": API_VERSION,
            "created": created,
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": session.data},
        }
        if session.account is not None:
            event["account"] = session.account
        return event

    def reset(self) -> None:
        """No sessions."""
        self.sessions.clear()
