"""Every admin endpoint, in one list: what the API serves is visible here and nowhere else."""

from services.admin.endpoints import Endpoint
from services.admin.routes import (
    audit_log,
    auth,
    ops,
    owner,
    tenant_activity,
    tenant_api_keys,
    tenant_connections,
    tenant_erp,
    tenant_invoices,
    tenant_profile,
    tenant_sources,
    tenant_webhook_deliveries,
    tenant_webhooks,
    tenant_whatsapp,
)

ENDPOINTS: list[Endpoint] = [
    *auth.ENDPOINTS,
    *owner.ENDPOINTS,
    *ops.ENDPOINTS,
    *tenant_profile.ENDPOINTS,
    *tenant_connections.ENDPOINTS,
    *tenant_erp.ENDPOINTS,
    *tenant_invoices.ENDPOINTS,
    *tenant_whatsapp.ENDPOINTS,
    *tenant_sources.ENDPOINTS,
    *tenant_api_keys.ENDPOINTS,
    *tenant_webhooks.ENDPOINTS,
    *tenant_webhook_deliveries.ENDPOINTS,
    *tenant_activity.ENDPOINTS,
    *audit_log.ENDPOINTS,
]

__all__ = ["ENDPOINTS"]
