from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from libs.crypto import SecretBox
from libs.db import Database
from services.erp_sync.invoices import ErpInvoices


@dataclass(frozen=True)
class ErpSyncDeps:
    """What erp_sync's handlers need; built once by `bootstrap.build`."""

    name: str
    db: Database
    box: SecretBox
    erp: ErpInvoices
    events_exchange: str
    clock: Callable[[], datetime]
