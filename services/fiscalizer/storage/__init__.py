"""The fiscalizer's tables: tenants' EFRIS devices (`settings`), invoices and goods (`invoices`)."""

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
    "device_settings",
    "save_settings",
    "set_auto_credit_notes",
    "set_auto_fiscalize",
    "settings_view",
]
