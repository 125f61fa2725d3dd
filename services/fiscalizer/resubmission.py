"""Whether an `invoice.fiscalization_requested` sends its invoice to EFRIS (efris.md §7.2).

state        resubmit_event_id    what the request does
failed|held  another request      start: back to `new` (remembering this request), upload
new          another request      start: an invoice stuck in `new` (its retries ran out)
failed|held  this request         ignore: this request was carried out (a redelivery)
new|sending  this request         resume: this request stopped before its outcome
fiscalized   any                  ignore: a fiscal document is never sent twice
sending      another request      ignore: another attempt holds the upload
"""

from __future__ import annotations

from typing import Literal

from services.fiscalizer.storage.invoices import FiscalInvoice

Resubmission = Literal["start", "resume", "ignore"]


def resubmission(row: FiscalInvoice, *, event_id: str) -> Resubmission:
    """What the request `event_id` does with `row`; see the module docstring."""
    asked_before = row.resubmit_event_id == event_id
    if row.state in ("new", "sending") and asked_before:
        return "resume"
    if row.state == "new" or (row.state in ("failed", "held") and not asked_before):
        return "start"
    return "ignore"
