"""Every route this provider adds to the sandbox, for `services.sandbox.http`."""

from __future__ import annotations

from aiohttp import web

from services.sandbox.providers.zoho import accounts, api, control


def routes() -> list[web.RouteDef]:
    """Every Zoho route of the sandbox."""
    return [*api.routes(), *accounts.routes(), *control.routes()]
