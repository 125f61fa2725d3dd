"""Every route this provider adds to the sandbox, for `services.sandbox.http`."""

from __future__ import annotations

from aiohttp import web

from services.sandbox.providers.quickbooks import api, control, intuit


def routes() -> list[web.RouteDef]:
    """Every QuickBooks route of the sandbox."""
    return [*api.routes(), *intuit.routes(), *control.routes()]
