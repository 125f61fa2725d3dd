"""What a handler leaves behind: its events, committed once per consumed event.

`emit_once` writes the inbox row and the outbox events in one transaction: a redelivered
event finds its inbox row and emits nothing again. Every emitted event is tenant activity
(the admin records everything on the events exchange).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from libs.db import Connection, Database, inbox, outbox
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


async def emit_once(
    db: Database,
    *,
    consumer: str,
    exchange: str,
    incoming: CloudEvent,
    events: list[CloudEvent],
    writes: Callable[[Connection], Awaitable[bool]] | None = None,
) -> bool:
    """Commit the inbox row for `incoming` and `events`; False if it was handled already.

    `writes(tx)` runs in the same transaction first; when it returns False (its record
    already existed) the events are not emitted.
    """
    async with db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer=consumer, event_id=incoming.id):
            return False
        if writes is not None and not await writes(tx):
            return True
        for event in events:
            await outbox.enqueue(tx, service=consumer, event=event, exchange=exchange)
    return True
