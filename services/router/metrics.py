"""The router's own Prometheus metrics (the kernel's are in libs.observability)."""

from __future__ import annotations

from prometheus_client import Counter

routed = Counter(
    "switchyard_router_routed_total", "Tenant events emitted, one per route.", ["provider"]
)
unrouted = Counter(
    "switchyard_router_unrouted_total",
    "Events parked for an account nobody connected.",
    ["provider"],
)
duplicates = Counter(
    "switchyard_router_duplicates_total",
    "Provider retries of a notification already routed.",
    ["provider"],
)
replayed = Counter(
    "switchyard_router_unrouted_replayed_total", "Parked events sent back for routing.", ["reason"]
)
