"""The admin application: every endpoint from `routes.ENDPOINTS`, one error middleware, docs."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from libs.observability import get_logger
from services.admin.auth.authenticate import authenticate
from services.admin.deps import AdminDeps
from services.admin.endpoints import Call, Endpoint
from services.admin.errors import AdminError, InvalidRequest, NotFound, TooManyRequests
from services.admin.openapi import NUL, build_document
from services.admin.routes import ENDPOINTS

log = get_logger(__name__)

DEPS = web.AppKey("deps", AdminDeps)
OPENAPI = web.AppKey("openapi", bytes)
MAX_BODY = 4 * 1024 * 1024  # a .pfx certificate travels base64-encoded in JSON


def create_app(deps: AdminDeps) -> web.Application:
    app = web.Application(middlewares=[answer_errors], client_max_size=MAX_BODY)
    app[DEPS] = deps
    document = build_document(ENDPOINTS, title="Switchyard admin API", version="1.0.0")
    app[OPENAPI] = orjson.dumps(document)
    for endpoint in ENDPOINTS:
        app.router.add_route(endpoint.method, endpoint.path, _route(endpoint))
    app.router.add_get("/api/openapi.json", openapi_json)
    app.router.add_get("/api/docs", docs_page)
    return app


def _route(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        deps = request.app[DEPS]
        principal = await authenticate(
            request.headers, access=endpoint.access, db=deps.db, tokens=deps.tokens
        )
        path = dict(request.match_info)
        if any(NUL in value for value in path.values()):
            raise NotFound("no such object")  # no stored id holds U+0000: see NUL
        call: Call[Any, Any] = Call(
            principal=principal,
            body=await _body(request, endpoint.body),
            query=_validate(endpoint.query, dict(request.query), where="query"),
            path=path,
            client=request.remote or "unknown",
            token=_bearer(request),
        )
        result = await endpoint.handler(call, deps)
        if result is None:
            return web.Response(status=endpoint.status)
        return _json(endpoint.status, result.model_dump(mode="json"))

    handle.__name__ = endpoint.operation_id
    return handle


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _body(request: web.Request, model: type[BaseModel] | None) -> BaseModel | None:
    if model is None:
        return None
    raw = await request.read()
    try:
        parsed = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        raise InvalidRequest("body is not JSON") from None
    return _validate(model, parsed, where="body", json=raw if raw.strip() else b"null")


def _validate(
    model: type[BaseModel] | None, value: object, *, where: str, json: bytes | None = None
) -> BaseModel | None:
    """`value` as `model`; a body validates from its `json`, strictly: JSON's own types only,
    as the document says (no 0 or "true" for a boolean, no "1.5" for a number)."""
    if model is None:
        return None
    nul = _nul_at(value)
    if nul is not None:
        loc, text = [where, *nul], "text cannot contain U+0000"
        detail = {"loc": loc, "msg": text, "type": "nul_character"}
        raise InvalidRequest(f"invalid {where}", details=[detail])
    try:
        if json is not None:
            return model.model_validate_json(json, strict=True)
        return model.model_validate(value)
    except ValidationError as exc:
        details = [
            {"loc": [where, *map(str, error["loc"])], "msg": error["msg"], "type": error["type"]}
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise InvalidRequest(f"invalid {where}", details=details) from None


def _nul_at(value: object) -> list[str] | None:
    """Where parsed JSON (or a query) has a string or key holding NUL; None if nowhere.

    Iterative, with each location linked to its parent's: a body may nest as deep as
    the JSON parser allows and hold millions of items.
    """
    pending: list[tuple[tuple[Any, str] | None, object]] = [(None, value)]
    while pending:
        loc, item = pending.pop()
        if isinstance(item, str) and NUL in item:
            return _unlink(loc)
        if isinstance(item, dict):
            for key, inner in item.items():
                if NUL in key:
                    return _unlink((loc, key))
                pending.append(((loc, key), inner))
        elif isinstance(item, list):
            pending.extend(((loc, str(index)), inner) for index, inner in enumerate(item))
    return None


def _unlink(loc: tuple[Any, str] | None) -> list[str]:
    path: list[str] = []
    while loc is not None:
        loc, key = loc
        path.append(key)
    return path[::-1]


async def openapi_json(request: web.Request) -> web.Response:
    return web.Response(body=request.app[OPENAPI], content_type="application/json")


async def docs_page(request: web.Request) -> web.Response:
    """A self-contained page listing every operation (no CDN: machines here are offline)."""
    document = orjson.loads(request.app[OPENAPI])
    rows = "".join(
        f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
        f"<td>{html.escape(op.get('summary', ''))}</td>"
        f"<td>{html.escape(', '.join(next(iter(s)) for s in op.get('security', [])) or 'public')}</td></tr>"
        for path, operations in document["paths"].items()
        for method, op in operations.items()
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Switchyard admin API</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:.2em .8em;border-bottom:1px solid #ddd}"
        "</style></head><body><h1>Switchyard admin API</h1>"
        "<p>Machine-readable: <a href='/api/openapi.json'>/api/openapi.json</a> (OpenAPI 3.1).</p>"
        f"<table><tr><th>method</th><th>path</th><th>what</th><th>auth</th></tr>{rows}</table>"
        "</body></html>"
    )
    return web.Response(text=page, content_type="text/html")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def answer_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure as `{"error": {"code", "message"}}`; internals go to the log only."""
    try:
        return await handler(request)
    except AdminError as exc:
        response = _error(exc.status, exc.code, exc.message, exc.details)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        refused = _error(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
        if "Allow" in exc.headers:  # RFC 9110 §15.5.6: a 405 names the allowed methods
            refused.headers["Allow"] = exc.headers["Allow"]
        return refused
    except Exception:
        log.exception("admin_request_failed", path=request.path, method=request.method)
        return _error(500, "internal_error", "the request could not be completed")


def _error(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> web.Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return _json(status, {"error": error})


def _json(status: int, body: Any) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
