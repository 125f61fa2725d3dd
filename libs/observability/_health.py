from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from libs.observability import _metrics as metrics

ReadinessCheck = Callable[[], Awaitable[bool]]
"""An async probe answering True when a dependency is usable right now."""

_CHECK_TIMEOUT_S = 2.0


class HealthServer:
    """The HTTP listener of a service: `/metrics`, `/healthz`, `/readyz` and its own routes.

    `/healthz` answers 200 while the process runs; `/readyz` runs every
    readiness check (each bounded by 2 s) and answers 503 naming the ones
    that failed. The service's own app, if given, is served on the same port.
    """

    def __init__(
        self,
        *,
        service: str,
        host: str,
        port: int,
        checks: Mapping[str, ReadinessCheck],
        app: web.Application | None = None,
    ) -> None:
        self._service = service
        self._host = host
        self._port = port
        self._checks = dict(checks)
        self._app = app if app is not None else web.Application()
        self._runner: web.AppRunner | None = None
        self._requests = metrics.Children(metrics.http_requests, service)
        self._durations = metrics.Children(metrics.http_request_duration, service)
        self.bound_port: int | None = None

    async def start(self) -> None:
        """Bind and serve; sets `bound_port` (useful when the port asked for is 0)."""
        self._app.middlewares.append(self._count_requests)
        self._app.router.add_get("/metrics", self._metrics)
        self._app.router.add_get("/healthz", self._healthz)
        self._app.router.add_get("/readyz", self._readyz)
        self._runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=10.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self._port

    async def stop(self) -> None:
        """Stop accepting, finish in-flight requests, run the app's cleanup."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _count_requests(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.perf_counter()
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            self._requests(name, str(status)).inc()
            self._durations(name).observe(time.perf_counter() - started)

    async def _metrics(self, _: web.Request) -> web.Response:
        response = web.Response(body=generate_latest())
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        return response

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "alive", "service": self._service})

    async def _readyz(self, _: web.Request) -> web.Response:
        results = await asyncio.gather(*(self._run(check) for check in self._checks.values()))
        failing = [name for name, ok in zip(self._checks, results, strict=True) if not ok]
        status = 503 if failing else 200
        body = {"status": "not ready" if failing else "ready", "failing": failing}
        return web.json_response(body, status=status)

    @staticmethod
    async def _run(check: ReadinessCheck) -> bool:
        try:
            return await asyncio.wait_for(check(), _CHECK_TIMEOUT_S)
        except Exception:  # a probe that raises is a failed probe: report not ready, never 500
            return False
