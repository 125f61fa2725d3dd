"""Webhook receivers' control routes (the state and its docstring: services.sandbox.receivers)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from services.sandbox.control.io import answer, read_model
from services.sandbox.deps import DEPS
from services.sandbox.errors import NotFound
from services.sandbox.receivers import record

PATH = "/_sandbox/receivers/{name:[A-Za-z0-9_-]{1,64}}"


class ReceiverIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    secret: str | None = Field(default=None, min_length=1, max_length=200)
    status: int = Field(default=204, ge=200, le=599)


def routes() -> list[web.RouteDef]:
    return [web.post(PATH, receive), web.put(PATH, configure), web.get(PATH, show),
            web.delete(PATH, forget)]  # fmt: skip


async def receive(request: web.Request) -> web.Response:
    receiver = request.app[DEPS].receivers.get(request.match_info["name"])
    raw = await request.read()
    receiver.received.append(record(raw, request.headers, receiver.secret))
    return web.Response(status=receiver.status)


async def configure(request: web.Request) -> web.Response:
    config = await read_model(request, ReceiverIn)
    receiver = request.app[DEPS].receivers.get(request.match_info["name"])
    receiver.secret, receiver.status = config.secret, config.status
    return answer({"name": request.match_info["name"], "status": receiver.status,
                   "verifies": receiver.secret is not None})  # fmt: skip


async def show(request: web.Request) -> web.Response:
    receiver = request.app[DEPS].receivers.find(request.match_info["name"])
    if receiver is None:
        raise NotFound(f"no receiver {request.match_info['name']}")
    return answer({"received": list(receiver.received)})


async def forget(request: web.Request) -> web.Response:
    if not request.app[DEPS].receivers.forget(request.match_info["name"]):
        raise NotFound(f"no receiver {request.match_info['name']}")
    return web.Response(status=204)
