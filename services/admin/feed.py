"""How a tenant event shows in the tenant's activity feed and usage (pure; the handler writes it).

type                          status   usage metrics
invoice.fiscalized            ok       events_processed, invoices_fiscalized
whatsapp.message.sent         ok       events_processed, messages_sent
invoice.fiscalization_failed  failed   events_processed
connection.needs_reconnect    failed   events_processed
endpoint.disabled             failed   events_processed
anything else                 ok       events_processed
"""

from __future__ import annotations

import re
from typing import Literal

EVENTS_PROCESSED = "events_processed"
_METRIC_OF_TYPE = {
    "invoice.fiscalized": "invoices_fiscalized",
    "whatsapp.message.sent": "messages_sent",
}
_FAILED_ENDINGS = ("_failed", ".failed", "needs_reconnect", "endpoint.disabled")
SUMMARY_MAX = 300
_REASON = re.compile(r"[a-z][a-z_ ]{0,39}")


def status_of(event_type: str) -> Literal["ok", "failed"]:
    return "failed" if event_type.endswith(_FAILED_ENDINGS) else "ok"


def summary_of(
    event_type: str, subject: str | None, reason: object = None, detail: object = None
) -> str:
    """One line from the type, subject, a short reason code and an operator-facing detail.

    `data` may hold personal data or secrets, so of it only `reason` is read (when it is a
    short phrase of lower-case words: "not connected", "invalid_invoice") and `detail`, a
    line the emitting service writes for the tenant on purpose (EFRIS's own code and
    message: "EFRIS 2180: currency error"), cut to fit.
    """
    words = event_type.replace(".", " ").replace("_", " ")
    text = words[:1].upper() + words[1:]
    if subject:
        text = f"{text}: {subject}"
    if isinstance(reason, str) and _REASON.fullmatch(reason):
        text = f"{text} ({reason.replace('_', ' ')})"
    if isinstance(detail, str) and detail.strip():
        text = f"{text}: {' '.join(detail.split())}"
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def metrics_of(event_type: str) -> tuple[str, ...]:
    """The usage counters one event of `event_type` adds to."""
    extra = _METRIC_OF_TYPE.get(event_type)
    return (EVENTS_PROCESSED, extra) if extra else (EVENTS_PROCESSED,)
