"""The idempotent-consumer inbox: `(consumer, event_id)` rows written in the handler's transaction.

    async with deps.db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer="fiscalizer", event_id=event.id):
            return                       # a redelivery: the effect already committed
        ...write the effect, enqueue outbox events...

Because the row commits together with the effect, a crash before commit
leaves neither (the redelivery does the work), and a crash after commit
leaves both (the redelivery is skipped).
"""

from __future__ import annotations

from libs.db.database import Connection


async def mark_seen(tx: Connection, *, consumer: str, event_id: str) -> bool:
    """Record that `consumer` handled `event_id`; False if it already had (a duplicate).

    Must run inside the handler's own transaction.
    """
    inserted = await tx.fetchval(
        "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING RETURNING true",
        consumer,
        event_id,
    )
    return bool(inserted)
