"""erp_sync's follow-up events (committed with `libs.db.outbox.emit_once`).

Every emitted event is tenant activity (the admin records everything on the events exchange).
"""

from __future__ import annotations

from typing import Any

from libs.events import CloudEvent

SOURCE = "/services/erp_sync"


def follow_up(
    incoming: CloudEvent, *, type: str, subject: str | None, data: dict[str, Any]
) -> CloudEvent:
    """An erp_sync event about the same tenant, account and connection as `incoming`."""
    return CloudEvent(
        source=SOURCE, type=type, subject=subject, tenantid=incoming.tenantid,
        accountid=incoming.accountid, connectionid=incoming.connectionid, data=data,
    )  # fmt: skip
