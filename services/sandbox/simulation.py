"""The one wrapper every simulated-provider route runs in: faults, latency, inspection.

    request ─> account_of ─> Faults.draw ─> latency
               ├─ fault "before": the fault's answer, handler not run
               └─ handler (ProviderError → its answer) ─> fault "after": the fault's answer
            ─> RequestLog.record(masked request, final status)

A provider module describes itself once as a `Surface` (its fault/inspection name, how to
find the account a request concerns, what its error body looks like) and wraps each of its
handlers with `simulated(surface, handler)`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import orjson
from aiohttp import web

from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.errors import ProviderError
from services.sandbox.faults import Draw, Fault

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
AccountOf = Callable[[web.Request, SandboxDeps], Awaitable[str | None]]
RETRY_AFTER_S = "1"
MALFORMED = b'{"unterminated": ['


@dataclass(frozen=True)
class Surface:
    """A simulated provider as faults and inspection know it."""

    name: str
    account_of: AccountOf
    fault_body: Callable[[int], object]


def simulated(surface: Surface, handler: Handler) -> Handler:
    """`handler` with `surface`'s faults, latency and request recording around it."""

    async def handle(request: web.Request) -> web.StreamResponse:
        deps = request.app[DEPS]
        account = await surface.account_of(request, deps)
        draw = deps.faults.draw(surface.name, account_id=account, path=request.path)

        async def record(status: int) -> None:
            at = deps.clock.utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
            await deps.requests.record(
                request, provider=surface.name, account_id=account, status=status, at=at
            )

        # Recorded once answered, even if the caller hung up meanwhile (aiohttp lets the
        # handler finish): the request happened all the same.
        response = await _answer(surface, handler, request, draw)
        await record(response.status)
        return response

    handle.__name__ = getattr(handler, "__name__", "simulated")
    return handle


async def _answer(
    surface: Surface, handler: Handler, request: web.Request, draw: Draw
) -> web.StreamResponse:
    if draw.latency_s and not draw.latency_after:
        await asyncio.sleep(draw.latency_s)  # the simulated provider's latency
    if draw.fault is not None and draw.fault.when == "before":
        return fault_response(surface, draw.fault)
    try:
        response = await handler(request)
    except ProviderError as exc:
        response = provider_json(exc.status, exc.body, headers=exc.headers)
    if draw.latency_s and draw.latency_after:
        await asyncio.sleep(draw.latency_s)  # acted, not yet answered
    if draw.fault is not None:
        return fault_response(surface, draw.fault)
    return response


def provider_json(
    status: int, body: object, *, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A provider's JSON answer (orjson: money stays a JSON number)."""
    return web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def fault_response(surface: Surface, fault: Fault) -> web.Response:
    """The injected answer: provider-shaped error, malformed JSON (200), an empty body, or
    the rule's own JSON (200)."""
    headers = {"Retry-After": RETRY_AFTER_S} if fault.status == 429 else None
    if fault.body == "malformed":
        return web.Response(status=200, body=MALFORMED, content_type="application/json")
    if fault.body == "empty":
        return web.Response(status=fault.status, headers=headers)
    if fault.body == "json":
        return provider_json(200, fault.json_body)
    return provider_json(fault.status, surface.fault_body(fault.status), headers=headers)


def base_url(request: web.Request) -> str:
    """The sandbox's own public base URL as this request reached it (works on port 0)."""
    return f"{request.scheme}://{request.host}"
