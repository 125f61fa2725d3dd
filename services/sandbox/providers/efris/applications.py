"""Credit-note applications (T110) and how URA decides them (efris.md §4 T110/T111, §8.3).

    T110  → Application(approveStatus 102 "submitted")     answer {"referenceNo"}
    T111  lists it; each listing is a poll. After `ApprovalPolicy.after_polls` polls the
          application is decided: 101 approved (a credit-note FDN is issued, T108 finds it)
          or 103 rejected. after_polls 0 decides at T110 itself.

The default (1) shows one "submitted" answer before the approval, the flow a client polls
through; `PUT /_sandbox/efris/credit-note-approval` changes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from services.sandbox.providers.efris.ledger import FiscalDocument

SUBMITTED, APPROVED, REJECTED = "102", "101", "103"
Outcome = Literal["approved", "rejected"]


@dataclass(frozen=True)
class ApprovalPolicy:
    """After how many T111 listings an application is decided, and how."""

    after_polls: int = 1
    outcome: Outcome = "approved"


@dataclass
class Application:
    """One credit-note application against an issued invoice."""

    id: str
    reference_no: str
    tin: str
    device_no: str
    original: FiscalDocument
    request: dict[str, Any]
    applied_at: datetime
    status: str = SUBMITTED
    polls: int = 0
    decided_at: datetime | None = None
    credit_note: FiscalDocument | None = None
    task_id: str = field(default_factory=lambda: _digits(18))

    @property
    def pending(self) -> bool:
        """Not decided yet."""
        return self.status == SUBMITTED

    def gross(self) -> Decimal:
        """The application's (negative) gross amount."""
        return Decimal(str(self.request["summary"]["grossAmount"]))


Decide = Callable[[Application], None]


class Applications:
    """Every application, oldest first, and the policy that decides them."""

    def __init__(self) -> None:
        self._applications: list[Application] = []
        self.policy = ApprovalPolicy()

    def add(self, application: Application) -> None:
        """Record a new application."""
        self._applications.append(application)

    def against(self, original: FiscalDocument) -> list[Application]:
        """The applications against `original` that still count (pending or approved)."""
        return [
            a
            for a in self._applications
            if a.original.invoice_no == original.invoice_no and a.status != REJECTED
        ]

    def of_tin(self, tin: str) -> list[Application]:
        """The taxpayer's applications, oldest first."""
        return [a for a in self._applications if a.tin == tin]

    def all(self) -> list[Application]:
        """Every application, oldest first."""
        return list(self._applications)

    def poll(self, application: Application, *, now: datetime, approve: Decide) -> None:
        """Count one T111 listing; decide once the policy's polls are spent."""
        if not application.pending:
            return
        application.polls += 1
        if application.polls > self.policy.after_polls:
            self.decide(application, now=now, approve=approve)

    def decide(self, application: Application, *, now: datetime, approve: Decide) -> None:
        """Approve (`approve` issues the credit note) or reject, as the policy says."""
        application.decided_at = now
        if self.policy.outcome == "rejected":
            application.status = REJECTED
            return
        application.status = APPROVED
        approve(application)

    def reset(self) -> None:
        """No applications; the default policy."""
        self._applications.clear()
        self.policy = ApprovalPolicy()


def new_reference_no() -> str:
    """An application's referenceNo: 18 digits (URA-DOC's sample "425502528294126235")."""
    return _digits(18)


def new_application_id() -> str:
    """An application id: 18 digits."""
    return _digits(18)


def _digits(count: int) -> str:
    return str(10 ** (count - 1) + secrets.randbelow(9 * 10 ** (count - 1)))
