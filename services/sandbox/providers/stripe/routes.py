"""Every route this provider adds to the sandbox, for `services.sandbox.http`."""

from __future__ import annotations

from aiohttp import web

from services.sandbox.providers.stripe import control


def routes() -> list[web.RouteDef]:
    """Every Stripe route of the sandbox."""
    return control.routes()
