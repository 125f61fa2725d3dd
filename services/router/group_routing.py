"""Routing committed in groups: the ingress events in flight share one transaction.

Each handler submits its event and waits for the transaction holding it to commit
(`libs.db.GroupCommit`). A batch reads the routes of all its accounts in one query,
records the dedupe keys of its routable events in the inbox in one statement, and adds
every tenant event and every parked event to the outbox (with the relay's NOTIFY) in one
more: with BEGIN and COMMIT, five round trips per batch where routing one event at a time
took six per event. The inbox row, the tenant events and a parked event still commit
together or not at all, per event as before; a batch that fails fails each of its
handlers, whose messages are retried as usual. A row PostgreSQL refuses fails alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from libs.db import Database, GroupCommit, inbox, outbox
from libs.events import CloudEvent
from services.router.routing import Incoming, Routing, decide
from services.router.storage import routes_of_accounts


class GroupRouter:
    def __init__(
        self,
        *,
        db: Database,
        service: str,
        events_exchange: str,
        unrouted_queue: str,
        max_batch: int = 500,
        writers: int = 2,
    ) -> None:
        self._db = db
        self._service = service
        self._events_exchange = events_exchange
        self._unrouted_queue = unrouted_queue
        self._commit = GroupCommit(
            self._write, max_batch=max_batch, writers=writers, isolate=_refused_row
        )

    async def route(self, event: CloudEvent) -> Routing:
        """Route `event` in the next batch; returns once that batch committed.

        Raises `PermanentError` for an event that can never be routed (before it joins a
        batch), and what the batch's transaction raised when it failed.
        """
        return await self._commit.submit(Incoming.of(event))

    async def close(self) -> None:
        """Wait for the batches under way."""
        await self._commit.close()

    async def _write(self, batch: Sequence[Incoming]) -> list[Routing]:
        async with self._db.transaction() as tx:
            routes = await routes_of_accounts(tx, (incoming.account for incoming in batch))
            routable = [incoming.dedupe_key for incoming in batch if incoming.account in routes]
            fresh = await inbox.mark_seen_many(tx, consumer=self._service, event_ids=routable)
            outcomes, entries = decide(
                batch, routes, fresh,
                events_exchange=self._events_exchange, unrouted_queue=self._unrouted_queue,
            )  # fmt: skip
            await outbox.enqueue_many(tx, service=self._service, entries=entries)
        return outcomes


def _refused_row(exc: Exception) -> bool:
    # A value PostgreSQL will not store (bad encoding, too long) is one row's fault: write the
    # batch's rows alone so the others commit. Anything else (the database away, a timeout)
    # would fail each row alone too.
    return isinstance(exc, asyncpg.DataError)
