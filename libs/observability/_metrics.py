"""Prometheus metrics of the kernel, labelled by service so one process can host several.

Definitions are plain objects in the default registry (they open nothing); the
health listener serves them at `/metrics`. The Grafana overview dashboard and
the alert rules in deploy/ read exactly these names.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from prometheus_client import Counter, Gauge, Histogram

messages_consumed = Counter(
    "switchyard_messages_consumed_total",
    "Messages taken from a work queue, by how they ended.",
    ["service", "event_type", "outcome"],  # ack | retry | dlq | duplicate | invalid
)
messages_published = Counter(
    "switchyard_messages_published_total",
    "Publishes, by broker outcome.",
    ["service", "exchange", "outcome"],  # confirmed | returned | nacked | timeout | unavailable
)
retries_scheduled = Counter(
    "switchyard_retries_scheduled_total",
    "Messages moved into a retry tier.",
    ["service", "tier"],
)
dlq_parked = Counter(
    "switchyard_dlq_parked_total",
    "Messages parked in the service's DLQ.",
    ["service", "reason"],  # permanent | exhausted | invalid
)
queue_depth = Gauge(
    "switchyard_queue_depth",
    "Ready messages in the service's queues, sampled by the watchdog.",
    ["service", "queue"],  # work | retry.N | dlq
)
handler_duration = Histogram(
    "switchyard_handler_duration_seconds",
    "Handler run time, including its transaction.",
    ["service", "event_type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
outbox_relayed = Counter(
    "switchyard_outbox_relayed_total", "Outbox rows published and removed.", ["service"]
)
outbox_pending = Gauge(
    "switchyard_outbox_pending", "Outbox rows waiting at the last relay pass.", ["service"]
)
broker_reconnects = Counter(
    "switchyard_broker_reconnects_total", "Broker connections re-established.", ["service"]
)
consumer_restarts = Counter(
    "switchyard_consumer_restarts_total",
    "Consumers re-attached by the watchdog after the broker lost them.",
    ["service"],
)
http_requests = Counter(
    "switchyard_http_requests_total", "HTTP requests served.", ["service", "route", "status"]
)
http_request_duration = Histogram(
    "switchyard_http_request_duration_seconds",
    "HTTP request handling time.",
    ["service", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)


MetricT = TypeVar("MetricT", Counter, Gauge, Histogram)


class Children(Generic[MetricT]):
    """A metric's labelled children, each looked up once.

    `metric.labels(...)` takes a lock and builds a key on every call (~1 us);
    on paths that run thousands of times a second (every delivery, every
    webhook) the children are cached here by their label values.
    """

    def __init__(self, metric: MetricT, *fixed: str) -> None:
        self._metric: MetricT = metric
        self._fixed = fixed
        self._children: dict[tuple[str, ...], MetricT] = {}

    def __call__(self, *values: str) -> MetricT:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self._metric.labels(*self._fixed, *values)
        return child
