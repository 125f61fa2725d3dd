"""The one wrapper every simulated-provider route runs in: faults, latency, inspection.

    request ─> account_of ─> Faults.draw ─> latency
               ├─ fault "before": the fault's answer, handler not run
               └─ handler (ProviderError → its answer) ─> fault "after": the fault's answer
            ─> RequestLog.record(masked request, final status; 0 when the answer was dropped)

A provider module describes itself once as a `Surface` (its fault/inspection name, how to
find the account a request concerns, what its error body looks like) and wraps each of its
handlers with `simulated(surface, handler)`. A provider that answers its failures inside an
HTTP 200 body (EFRIS's return codes) adds `coded_fault`; one whose operations share a path
names them with `scope_of` (what a rule's `paths` match); `secret_fields` are masked in the
request log on top of the usual credentials.
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
ScopeOf = Callable[[web.Request], Awaitable[str]]
CodedFault = Callable[[web.Request, str], Awaitable[web.StreamResponse]]
RETRY_AFTER_S = "1"
MALFORMED = b'{"unterminated": ['
DROPPED = 0  # the status recorded for a request whose connection was closed unanswered


@dataclass(frozen=True)
class Surface:
    """A simulated provider as faults and inspection know it."""

    name: str
    account_of: AccountOf
    fault_body: Callable[[int], object]
    coded_fault: CodedFault | None = None
    scope_of: ScopeOf | None = None
    secret_fields: frozenset[str] = frozenset()


def simulated(surface: Surface, handler: Handler) -> Handler:
    """`handler` with `surface`'s faults, latency and request recording around it."""

    async def handle(request: web.Request) -> web.StreamResponse:
        deps = request.app[DEPS]
        account = await surface.account_of(request, deps)
        scope = request.path if surface.scope_of is None else await surface.scope_of(request)
        draw = deps.faults.draw(surface.name, account_id=account, path=scope)

        async def record(status: int) -> None:
            at = deps.clock.utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
            await deps.requests.record(
                request, provider=surface.name, account_id=account, status=status, at=at,
                secret_fields=surface.secret_fields,
            )  # fmt: skip

        # Recorded once answered, even if the caller hung up meanwhile (aiohttp lets the
        # handler finish): the request happened all the same.
        response = await _answer(surface, handler, request, draw)
        dropped = draw.fault is not None and draw.fault.body == "drop"
        await record(DROPPED if dropped else response.status)
        return response

    handle.__name__ = getattr(handler, "__name__", "simulated")
    return handle


async def _answer(
    surface: Surface, handler: Handler, request: web.Request, draw: Draw
) -> web.StreamResponse:
    if draw.latency_s and not draw.latency_after:
        await asyncio.sleep(draw.latency_s)  # the simulated provider's latency
    if draw.fault is not None and draw.fault.when == "before":
        return await fault_response(surface, draw.fault, request)
    try:
        response = await handler(request)
    except ProviderError as exc:
        response = provider_json(exc.status, exc.body, headers=exc.headers)
    if draw.latency_s and draw.latency_after:
        await asyncio.sleep(draw.latency_s)  # acted, not yet answered
    if draw.fault is not None:
        return await fault_response(surface, draw.fault, request)
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


async def fault_response(
    surface: Surface, fault: Fault, request: web.Request
) -> web.StreamResponse:
    """The injected answer: provider-shaped error, malformed JSON (200), an empty body, the
    rule's own JSON (200), the provider's coded failure (200), or no answer at all."""
    if fault.body == "drop":
        if request.transport is not None:
            request.transport.abort()  # the caller sees a disconnect; what follows goes nowhere
        return web.Response(status=fault.status)
    if fault.return_code is not None and surface.coded_fault is not None:
        return await surface.coded_fault(request, fault.return_code)
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
