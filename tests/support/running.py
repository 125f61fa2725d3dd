"""Run a service in-process through the real entry point (`libs.service.serve`) for a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from libs.config import load_settings
from libs.observability import HealthServer
from libs.service import Platform, ServiceSpec, serve


@asynccontextmanager
async def running(spec: ServiceSpec[Any, Any], **overrides: Any) -> AsyncIterator[HealthServer]:
    """Start `spec` with settings from the environment plus `overrides`; stop it on exit."""
    settings = load_settings(spec.settings, http_port=0, **overrides)
    stop = asyncio.Event()
    ready: asyncio.Future[HealthServer] = asyncio.get_running_loop().create_future()

    async def started(_: Platform, health: HealthServer) -> None:
        ready.set_result(health)

    task = asyncio.create_task(serve(spec, settings, stop=stop, started=started))

    def startup_failed(finished: asyncio.Task[None]) -> None:
        if not ready.done():
            error = None if finished.cancelled() else finished.exception()
            ready.set_exception(error or AssertionError(f"{spec.name} stopped before it started"))

    task.add_done_callback(startup_failed)
    await asyncio.wait_for(asyncio.shield(ready), 30)
    try:
        yield ready.result()
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
