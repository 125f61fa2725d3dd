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

from collections.abc import Sequence

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


async def mark_seen_many(tx: Connection, *, consumer: str, event_ids: Sequence[str]) -> set[str]:
    """Record that `consumer` handled each of `event_ids`; the ids it had not seen before.

    One statement for a whole batch. An id repeated within `event_ids` is new at most once:
    the caller treats its first occurrence as the new one. Must run inside the handler's own
    transaction.
    """
    if not event_ids:
        return set()
    rows = await tx.fetch(
        "INSERT INTO inbox (consumer, event_id) SELECT $1, id FROM unnest($2::text[]) AS id "
        "ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        list(event_ids),
    )
    return {row["event_id"] for row in rows}
