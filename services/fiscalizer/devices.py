"""Each tenant's EFRIS device, ready to sign: its .pfx opened once per process.

Opening a .pfx (PKCS#12 with a password) costs milliseconds; the device is kept per
tenant and replaced when the tenant's settings change (a new certificate or device).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from libs.efris import load_device_keys
from services.fiscalizer.clients.efris import Device
from services.fiscalizer.storage import DeviceSettings
from services.fiscalizer.t109 import Seller


@dataclass
class Devices:
    """`device(settings)` → the tenant's `Device`, cached by the settings it came from."""

    _held: dict[str, tuple[str, Device]] = field(default_factory=dict)

    def device(self, settings: DeviceSettings) -> Device:
        """The device; raises `EfrisCryptoError` when the .pfx does not open with its password."""
        fingerprint = hashlib.sha256(
            settings.pfx + settings.password.encode() + settings.device_no.encode()
        ).hexdigest()
        held = self._held.get(settings.tenant_id)
        if held is not None and held[0] == fingerprint:
            return held[1]
        device = Device(
            tin=settings.tin, device_no=settings.device_no,
            keys=load_device_keys(settings.pfx, settings.password),
        )  # fmt: skip
        self._held[settings.tenant_id] = (fingerprint, device)
        return device


def seller_of(settings: DeviceSettings) -> Seller:
    """sellerDetails for the tenant (efris.md §5.2): TIN, device, legal name, e-mail."""
    return Seller(
        tin=settings.tin, device_no=settings.device_no, legal_name=settings.legal_name,
        email=settings.email, business_name=settings.legal_name,
    )  # fmt: skip
