"""The sandbox application: every simulated provider's routes, the control API, one error middleware.

    /quickbooks, /intuit-oauth      providers.quickbooks
    /xero, /xero-identity           providers.xero
    /zoho, /zoho-accounts           providers.zoho
    /efris                          providers.efris (URA EFRIS system-to-system)
    /_sandbox/stripe                providers.stripe (fires events; no simulated API yet)
    /_sandbox/receivers/{name}      control.receivers: stand-ins for tenants' webhook endpoints
    /_sandbox/...                   control.platform and each provider's control routes

Simulated-provider routes answer in their provider's shapes (see `simulation`); everything
else that goes wrong is `{"error": {"code", "message"}}` with a 4xx, never a 5xx for bad input.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web

from libs.observability import get_logger
from services.sandbox.control import platform, receivers
from services.sandbox.control.io import MAX_BODY
from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.errors import ControlError, ProviderError
from services.sandbox.providers.efris import routes as efris
from services.sandbox.providers.quickbooks import routes as quickbooks
from services.sandbox.providers.stripe import routes as stripe
from services.sandbox.providers.xero import routes as xero
from services.sandbox.providers.zoho import routes as zoho

log = get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(deps: SandboxDeps) -> web.Application:
    """The sandbox's routes from an explicit list, with `deps` under `DEPS`."""
    app = web.Application(middlewares=[answer_errors], client_max_size=MAX_BODY)
    app[DEPS] = deps
    app.router.add_routes(
        [
            *quickbooks.routes(),
            *xero.routes(),
            *zoho.routes(),
            *stripe.routes(),
            *efris.routes(),
            *platform.routes(),
            *receivers.routes(),
        ]
    )
    return app


@web.middleware
async def answer_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Control-API failures as `{"error": {"code", "message"}}`; internals to the log only."""
    try:
        return await handler(request)
    except ControlError as exc:
        return _error(exc.status, exc.code, exc.message)
    except ProviderError as exc:
        # A seeding call the simulated provider itself refuses (unknown customer, bad tax code).
        status = exc.status if 400 <= exc.status < 500 else 400
        body = {"code": "rejected", "message": "the simulated provider refused it",
                "provider_error": exc.body}  # fmt: skip
        return web.Response(status=status, body=orjson.dumps({"error": body}),
                            content_type="application/json")  # fmt: skip
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        refused = _error(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
        if "Allow" in exc.headers:
            refused.headers["Allow"] = exc.headers["Allow"]
        return refused
    except Exception:
        log.exception("sandbox_request_failed", path=request.path, method=request.method)
        return _error(500, "internal_error", "the request could not be completed")


def _error(status: int, code: str, message: str) -> web.Response:
    body = {"error": {"code": code, "message": message}}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
