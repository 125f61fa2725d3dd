"""Reading and answering control-API JSON: validated bodies in, `orjson` out, 4xx on bad input."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from services.sandbox.errors import InvalidInput

ModelT = TypeVar("ModelT", bound=BaseModel)
MAX_BODY = 1024 * 1024


async def read_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body (`{}` when empty); `InvalidInput` otherwise."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidInput("body is not JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("body must be a JSON object")
    return body


def validated(model: type[ModelT], value: object) -> ModelT:
    """`value` as `model`; `InvalidInput` naming the first bad field."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidInput(f"{where}: {first['msg']}") from None


async def read_model(request: web.Request, model: type[ModelT]) -> ModelT:
    """The JSON body validated as `model`."""
    return validated(model, await read_object(request))


def answer(body: object, *, status: int = 200) -> web.Response:
    """A control-API JSON answer."""
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
