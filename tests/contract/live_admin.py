"""The admin API served from a background thread, for synchronous HTTP clients such as schemathesis.

schemathesis calls the API with blocking `requests`, so the server cannot share the
test's event loop: it runs in a thread with a loop of its own, from start to stop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import aio_pika

from libs.broker import Topology
from libs.config import load_settings
from libs.db import Database
from services.admin.auth.principal import Role
from services.admin.auth.tokens import TokenIssuer
from services.admin.bootstrap import NAME, AdminSettings
from services.admin.storage.sessions import create_owner
from services.admin.storage.tenants import admin_user
from tests.support.admin import JWT_SECRET, admin_api, client_form
from tests.support.environment import TestEnvironment

_TOKENS = TokenIssuer(secret=JWT_SECRET, access_ttl_s=900)


@dataclass(frozen=True)
class LiveAdmin:
    """A running admin, an owner and one client's tenant admin to call it as."""

    url: str
    owner_id: str
    tenant_id: str
    tenant_admin_id: str

    def owner_token(self) -> str:
        return _TOKENS.issue(user_id=self.owner_id, role=Role.OWNER, tenant_id=None)[0]

    def tenant_admin_token(self) -> str:
        return _TOKENS.issue(
            user_id=self.tenant_admin_id, role=Role.TENANT_ADMIN, tenant_id=self.tenant_id
        )[0]


@contextmanager
def live_admin(env: TestEnvironment, **overrides: object) -> Iterator[LiveAdmin]:
    """The admin with settings `overrides`, serving until the block ends; its queues deleted after."""
    ready: concurrent.futures.Future[LiveAdmin] = concurrent.futures.Future()
    finished: concurrent.futures.Future[None] = concurrent.futures.Future()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def run() -> None:
        try:
            loop.run_until_complete(_serve(env, overrides, ready, stop))
        except BaseException as exc:  # reported to the test thread, not lost in this one
            if not ready.done():
                ready.set_exception(exc)
            finished.set_exception(exc)
        else:
            finished.set_result(None)
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="live-admin", daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=60)
    finally:
        if not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed between the check and here
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=60)
        finished.result(timeout=0)


async def _serve(
    env: TestEnvironment,
    overrides: dict[str, object],
    ready: concurrent.futures.Future[LiveAdmin],
    stop: asyncio.Event,
) -> None:
    try:
        async with admin_api(**overrides) as api:
            db = await Database.connect(env.database_url)
            try:
                owner_id = await create_owner(
                    db,
                    email=f"owner-{uuid.uuid4().hex[:8]}@switchyard.test",
                    password="owner-pass-1234",
                )
                owner = _TOKENS.issue(user_id=owner_id, role=Role.OWNER, tenant_id=None)[0]
                body, _, _ = client_form()
                status, client = await api.call(
                    "POST", "/api/owner/tenants", token=owner, json=body
                )
                assert status == 201, client
                tenant_admin_id = await admin_user(db, client["id"])
                assert tenant_admin_id is not None
            finally:
                await db.close()
            ready.set_result(
                LiveAdmin(
                    url=api.url,
                    owner_id=owner_id,
                    tenant_id=client["id"],
                    tenant_admin_id=tenant_admin_id,
                )
            )
            await stop.wait()
    finally:
        await _delete_admin_queues(env)


async def _delete_admin_queues(env: TestEnvironment) -> None:
    """The admin consumes the events exchange: its work, retry and dead-letter queues go."""
    settings = load_settings(AdminSettings)
    queues = Topology(env.broker_prefix).service(NAME, retry_tiers=settings.retry_tiers)
    connection = await aio_pika.connect(env.amqp_url)
    async with connection:
        for name in queues.all_queues:
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)
