"""outbound's Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

fanned_out = Counter(
    "switchyard_outbound_fanned_out_total", "Deliveries queued by the fan-out, per event"
)
attempts = Counter(
    "switchyard_outbound_attempts_total",
    "Delivery attempts by result: delivered, failed, gone (410), not_tried (breaker open, "
    "refused address, no secret), deferred (endpoint saturated or over its rate), dropped",
    ["result"],
)
latency = Histogram(
    "switchyard_outbound_delivery_latency_seconds",
    "From the fan-out queuing a delivery to its 2xx (first tries and retries alike)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600, 36000),
)
attempt_duration = Histogram(
    "switchyard_outbound_attempt_seconds",
    "One HTTP attempt, request to answer (or timeout)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15),
)


# Children of the per-delivery counters, looked up once (labels() locks and hashes per call).
DELIVERED, FAILED, GONE = (
    attempts.labels("delivered"),
    attempts.labels("failed"),
    attempts.labels("gone"),
)
NOT_TRIED, DEFERRED, DROPPED = (
    attempts.labels("not_tried"),
    attempts.labels("deferred"),
    attempts.labels("dropped"),
)
