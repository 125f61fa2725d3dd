"""Each tenant's EFRIS device settings.

    efris_settings(tenant_id, tin, device_no, certificate, certificate_password,
                   certificate_not_after, test_mode, auto_fiscalize)

The .pfx and its password are encrypted with the platform's SecretBox; reads
for display (`settings_view`) never decrypt them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime

from libs.crypto import SecretBox
from libs.db import Connection, Database, executor


@dataclass(frozen=True)
class EfrisSettingsView:
    """What an operator or tenant may see: no certificate, no password."""

    tin: str
    device_no: str
    certificate_not_after: datetime
    test_mode: bool
    auto_fiscalize: bool
    auto_credit_notes: bool


async def save_settings(
    db: Database | Connection,
    box: SecretBox,
    *,
    tenant_id: str,
    tin: str,
    device_no: str,
    pfx_base64: str,
    password: str,
    not_after: datetime,
    test_mode: bool,
    legal_name: str,
    email: str,
) -> None:
    """Store (or replace) a tenant's device, certificate and password, encrypted."""
    await executor(db).execute(
        "INSERT INTO efris_settings (tenant_id, tin, device_no, certificate, certificate_password, "
        "certificate_not_after, test_mode, legal_name, email) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (tenant_id) DO UPDATE SET tin = EXCLUDED.tin, device_no = EXCLUDED.device_no, "
        "legal_name = EXCLUDED.legal_name, email = EXCLUDED.email, "
        "certificate = EXCLUDED.certificate, certificate_password = EXCLUDED.certificate_password, "
        "certificate_not_after = EXCLUDED.certificate_not_after, test_mode = EXCLUDED.test_mode, "
        "updated_at = now()",
        tenant_id,
        tin,
        device_no,
        box.encrypt(pfx_base64),
        box.encrypt(password),
        not_after,
        test_mode,
        legal_name,
        email,
    )


async def settings_view(db: Database, *, tenant_id: str) -> EfrisSettingsView | None:
    row = await db.pool.fetchrow(
        "SELECT tin, device_no, certificate_not_after, test_mode, auto_fiscalize, "
        "auto_credit_notes FROM efris_settings WHERE tenant_id = $1",
        tenant_id,
    )
    return EfrisSettingsView(**dict(row)) if row else None


async def set_auto_fiscalize(db: Database, *, tenant_id: str, enabled: bool) -> bool:
    status = await db.pool.execute(
        "UPDATE efris_settings SET auto_fiscalize = $2, updated_at = now() WHERE tenant_id = $1",
        tenant_id,
        enabled,
    )
    return status != "UPDATE 0"


async def set_auto_credit_notes(db: Database, *, tenant_id: str, enabled: bool) -> bool:
    """Whether a void of a fiscalized invoice applies for its credit note (T110) by itself."""
    status = await db.pool.execute(
        "UPDATE efris_settings SET auto_credit_notes = $2, updated_at = now() WHERE tenant_id = $1",
        tenant_id,
        enabled,
    )
    return status != "UPDATE 0"


@dataclass(frozen=True)
class DeviceSettings:
    """A tenant's EFRIS device as the fiscalizer uses it: the .pfx and password decrypted."""

    tenant_id: str
    tin: str
    device_no: str
    pfx: bytes = field(repr=False)
    password: str = field(repr=False)
    test_mode: bool
    auto_fiscalize: bool
    legal_name: str
    email: str
    auto_credit_notes: bool


async def device_settings(db: Database, box: SecretBox, *, tenant_id: str) -> DeviceSettings | None:
    """The tenant's device with its certificate decrypted; None when EFRIS is not set up."""
    row = await db.pool.fetchrow(
        "SELECT tin, device_no, certificate, certificate_password, test_mode, auto_fiscalize, "
        "legal_name, email, auto_credit_notes FROM efris_settings WHERE tenant_id = $1",
        tenant_id,
    )
    if row is None:
        return None
    return DeviceSettings(
        tenant_id=tenant_id, tin=row["tin"], device_no=row["device_no"],
        pfx=base64.b64decode(box.decrypt(row["certificate"])),
        password=box.decrypt(row["certificate_password"]), test_mode=row["test_mode"],
        auto_fiscalize=row["auto_fiscalize"], legal_name=row["legal_name"], email=row["email"],
        auto_credit_notes=row["auto_credit_notes"],
    )  # fmt: skip
