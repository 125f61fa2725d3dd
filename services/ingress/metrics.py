"""Ingress's webhook health metrics: what each provider sent and how it was answered."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from libs.observability import metrics as kernel

webhooks = Counter(
    "switchyard_webhooks_total",
    "Webhook requests by provider and outcome.",
    [
        "provider",
        "outcome",
    ],  # accepted | invalid_signature | too_large | invalid_body | unknown_endpoint | unavailable
)
events = Counter(
    "switchyard_webhook_events_total", "Events published from accepted webhooks.", ["provider"]
)
last_received = Gauge(
    "switchyard_webhook_last_received_timestamp_seconds",
    "When the provider's last webhook was accepted (Unix time).",
    ["provider"],
)

# Children cached by label values: these run on every webhook.
webhooks_by = kernel.Children(webhooks)
events_by = kernel.Children(events)
last_received_by = kernel.Children(last_received)
