"""erp_sync's Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter

refreshes = Counter(
    "switchyard_erp_token_refreshes_total", "OAuth token refreshes performed", ["provider"]
)
auth_retries = Counter(
    "switchyard_erp_auth_retries_total", "API calls retried once after a 401 and a refresh"
)
invoices_synced = Counter(
    "switchyard_erp_invoices_synced_total",
    "ERP invoices fetched, mapped and emitted",
    ["provider", "outcome"],
)
stripe_invoices = Counter(
    "switchyard_erp_stripe_invoices_total", "Paid Stripe sessions handled", ["outcome"]
)
