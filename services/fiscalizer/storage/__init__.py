"""The fiscalizer's tables: tenants' EFRIS devices (`settings`), invoices and goods (`invoices`),
and the invoices as tenants see them (`invoice_views`)."""

from services.fiscalizer.storage.invoice_views import FiscalInvoiceView, invoice_of, invoices_of
from services.fiscalizer.storage.settings import (
    DeviceSettings,
    EfrisSettingsView,
    device_settings,
    save_settings,
    set_auto_credit_notes,
    set_auto_fiscalize,
    settings_view,
)

__all__ = [
    "DeviceSettings",
    "EfrisSettingsView",
    "FiscalInvoiceView",
    "device_settings",
    "invoice_of",
    "invoices_of",
    "save_settings",
    "set_auto_credit_notes",
    "set_auto_fiscalize",
    "settings_view",
]
