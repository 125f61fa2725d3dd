"""The OAuth 2.0 endpoints Intuit, Xero and Zoho share, written once.

    GET  authorize   ?client_id&redirect_uri&response_type=code&scope&state
                     + sandbox_account=<account>  → 302 redirect_uri?code&state(+provider extras)
                     without it                   → HTML page linking each account
                     bad request                  → 400 HTML page (no redirect)
    POST token       client via Basic auth or client_id/client_secret params (form or query);
                     grant_type=authorization_code (code, redirect_uri) | refresh_token
    POST revoke      token (JSON, form or query): revokes that token's whole grant

Each provider supplies an `IdentityServer`: its grant store, its accounts, the extras on the
redirect (Intuit's realmId, Zoho's location and accounts-server) and how its token and error
bodies look. `sandbox_account` is the sandbox's stand-in for a user clicking a company.
"""

from __future__ import annotations

import base64
import binascii
import html
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from aiohttp import web
from yarl import URL

from services.sandbox.deps import DEPS, Identity, SandboxDeps
from services.sandbox.oauth import Issued, OAuthRefused
from services.sandbox.simulation import AccountOf, Handler, Surface, provider_json, simulated

ACCOUNT_PARAM = "sandbox_account"


def oauth_error(refused: OAuthRefused) -> object:
    """RFC 6749's error body: `{"error": "invalid_grant"}`."""
    return {"error": refused.error}


def oauth_fault(status: int) -> object:
    """The body of an injected fault on an identity server."""
    return {"error": "server_error" if status >= 500 else "invalid_request"}


@dataclass(frozen=True)
class IdentityServer:
    """How one provider's identity server differs from the others."""

    title: str
    identity: Callable[[SandboxDeps], Identity]
    accounts: Callable[[SandboxDeps], list[tuple[str, str]]]
    redirect_extras: Callable[[web.Request, str], dict[str, str]]
    token_body: Callable[[web.Request, Issued, str], object]
    error_body: Callable[[OAuthRefused], object] = oauth_error
    revoke_body: object = None
    revoke_needs_client: bool = True


def authorize(server: IdentityServer) -> Handler:
    """The consent step: redirect with a code for `sandbox_account`, or list the accounts."""

    async def handle(request: web.Request) -> web.StreamResponse:
        deps = request.app[DEPS]
        query = request.query
        client_id, redirect_uri = query.get("client_id", ""), query.get("redirect_uri", "")
        if query.get("response_type") != "code":
            return _error_page(server, "response_type must be code")
        if not client_id or not redirect_uri:
            return _error_page(server, "client_id and redirect_uri are required")
        configured = server.identity(deps).client.client_id
        if configured is not None and client_id != configured:
            return _error_page(server, "invalid_client: unknown client_id")
        accounts = dict(server.accounts(deps))
        chosen = query.get(ACCOUNT_PARAM)
        if chosen is None:
            return _consent_page(server, request, accounts)
        if chosen not in accounts:
            return _error_page(server, f"no sandbox account {chosen[:100]!r}")
        code = server.identity(deps).grants.issue_code(
            client_id=client_id, redirect_uri=redirect_uri, account_id=chosen,
            scope=query.get("scope", ""),
        )  # fmt: skip
        params = {"code": code, "state": query.get("state", "")}
        params.update(server.redirect_extras(request, chosen))
        location = str(URL(redirect_uri).update_query(params))
        return web.Response(status=302, headers={"Location": location})

    return handle


def token(server: IdentityServer) -> Handler:
    """The token endpoint: authorization_code and refresh_token grants."""

    async def handle(request: web.Request) -> web.StreamResponse:
        identity = server.identity(request.app[DEPS])
        params = await request_params(request)
        grant_type = params.get("grant_type", "")
        try:
            client_id = _client(request, params, identity)
            if grant_type == "authorization_code":
                issued = identity.grants.exchange_code(
                    code=_required(params, "code"),
                    client_id=client_id,
                    redirect_uri=_required(params, "redirect_uri"),
                )
            elif grant_type == "refresh_token":
                issued = identity.grants.refresh(
                    refresh_token=_required(params, "refresh_token"), client_id=client_id
                )
            else:
                raise OAuthRefused(
                    "unsupported_grant_type", "use authorization_code or refresh_token"
                )
        except OAuthRefused as refused:
            return provider_json(refused.status, server.error_body(refused))
        return provider_json(200, server.token_body(request, issued, grant_type))

    return handle


def revoke(server: IdentityServer) -> Handler:
    """Revoke the grant behind a token (unknown tokens are answered 200 too, as RFC 7009 says)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        identity = server.identity(request.app[DEPS])
        params = await request_params(request)
        try:
            if server.revoke_needs_client:
                _client(request, params, identity)
            identity.grants.revoke(_required(params, "token"))
        except OAuthRefused as refused:
            return provider_json(refused.status, server.error_body(refused))
        if server.revoke_body is None:
            return web.Response(status=200)
        return provider_json(200, server.revoke_body)

    return handle


async def request_params(request: web.Request) -> dict[str, str]:
    """Query parameters overlaid with a form or JSON-object body (string values only)."""
    params = {key: value for key, value in request.query.items()}
    if request.content_type == "application/x-www-form-urlencoded":
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    elif request.body_exists:
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            body = None
        if isinstance(body, dict):
            params.update({k: v for k, v in body.items() if isinstance(v, str)})
    return params


def identity_account_of(identity: Callable[[SandboxDeps], Identity]) -> AccountOf:
    """An `account_of` for identity surfaces: the chosen account, or the code's/token's grant."""

    async def account_of(request: web.Request, deps: SandboxDeps) -> str | None:
        params = await request_params(request)
        if ACCOUNT_PARAM in params:
            return params[ACCOUNT_PARAM]
        grants = identity(deps).grants
        for key in ("refresh_token", "code", "token"):
            if key in params:
                return grants.account_of(params[key])
        return None

    return account_of


def _client(request: web.Request, params: dict[str, str], identity: Identity) -> str:
    client_id, client_secret = params.get("client_id", ""), params.get("client_secret", "")
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthRefused(
                "invalid_client", "malformed Basic credentials", status=401
            ) from None
        client_id, _, client_secret = decoded.partition(":")
    identity.client.check(client_id, client_secret)
    return client_id


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise OAuthRefused("invalid_request", f"{name} is required")
    return value


def _consent_page(
    server: IdentityServer, request: web.Request, accounts: dict[str, str]
) -> web.Response:
    links = "".join(
        f'<li><a href="{html.escape(str(request.rel_url.update_query({ACCOUNT_PARAM: account})))}">'
        f"{html.escape(name)}</a> <code>{html.escape(account)}</code></li>"
        for account, name in accounts.items()
    )
    body = links or "<li>No sandbox accounts yet: create one through /_sandbox.</li>"
    return _page(200, f"{server.title}: choose an account", f"<ul>{body}</ul>")


def _error_page(server: IdentityServer, message: str) -> web.Response:
    return _page(400, f"{server.title}: error", f"<p>{html.escape(message)}</p>")


def _page(status: int, title: str, content: str) -> web.Response:
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{content}</body></html>"
    )
    return web.Response(status=status, text=page, content_type="text/html")


def identity_surface(name: str, identity: Callable[[SandboxDeps], Identity]) -> Surface:
    """The fault/inspection surface of an identity server named `name`."""
    return Surface(name=name, account_of=identity_account_of(identity), fault_body=oauth_fault)


def identity_routes(
    server: IdentityServer,
    surface: Surface,
    *,
    authorize_path: str,
    token_path: str,
    revoke_path: str,
) -> list[web.RouteDef]:
    """The authorize (GET), token and revoke (POST) routes of one identity server."""
    return [
        web.get(authorize_path, simulated(surface, authorize(server))),
        web.post(token_path, simulated(surface, token(server))),
        web.post(revoke_path, simulated(surface, revoke(server))),
    ]  # fmt: skip
