"""Intuit's OAuth 2.0 server under `/intuit-oauth` (INTUIT_OAUTH_BASE = {sandbox}/intuit-oauth).

    GET  /intuit-oauth/connect/oauth2                  authorize (+ sandbox_account=<realm>)
                                                       → 302 redirect_uri?code&state&realmId
    POST /intuit-oauth/oauth2/v1/tokens/bearer         Basic client auth, form body
    POST /intuit-oauth/v2/oauth2/tokens/revoke         JSON {"token"}: revokes the grant
    GET  /intuit-oauth/.well-known/openid_configuration discovery (intuitlib's `environment`)
    GET  /intuit-oauth/v1/openid_connect/userinfo      Bearer
    GET  /intuit-oauth/op/v1/jwks                      no keys: the sandbox issues no id_token

Token answer (providers.md §1.7): access 3600 s; the refresh token rotates on every refresh
and its predecessor keeps working for 24 h; `x_refresh_token_expires_in` (rolling 101 days);
`x_refresh_token_hard_expires_in` (5-year cap) when the request carries
`x-include-refresh-token-hard-expires-in: true`. Refusals: `{"error": "invalid_grant"}` (400),
`{"error": "invalid_client"}` (401).
"""

from __future__ import annotations

from aiohttp import web

from services.sandbox.deps import DEPS, Identity, SandboxDeps
from services.sandbox.identity_server import IdentityServer, identity_routes, identity_surface
from services.sandbox.oauth import Issued, TokenPolicy, TokenRejected
from services.sandbox.simulation import base_url, provider_json, simulated

PREFIX = "/intuit-oauth"
POLICY = TokenPolicy(
    access_ttl_s=3600,
    rotates=True,
    grace_s=24 * 3600,
    refresh_ttl_s=8_726_400,
    hard_ttl_s=5 * 365 * 86400,
    prefix="AB11",
)
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"


def _identity(deps: SandboxDeps) -> Identity:
    return deps.intuit


def _accounts(deps: SandboxDeps) -> list[tuple[str, str]]:
    return [(realm, company.name) for realm, company in deps.quickbooks.companies.items()]


def _token_body(request: web.Request, issued: Issued, _: str) -> object:
    body: dict[str, object] = {
        "access_token": issued.access_token,
        "token_type": "bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
        "x_refresh_token_expires_in": issued.refresh_expires_in,
    }
    if request.headers.get(HARD_EXPIRY_HEADER, "").lower() == "true":
        body["x_refresh_token_hard_expires_in"] = issued.hard_expires_in
    return body


SERVER = IdentityServer(
    title="Intuit sandbox sign-in",
    identity=_identity,
    accounts=_accounts,
    redirect_extras=lambda _, realm: {"realmId": realm},
    token_body=_token_body,
)
SURFACE = identity_surface("intuit-oauth", _identity)


def routes() -> list[web.RouteDef]:
    """Intuit's OAuth and OpenID routes."""
    oauth = identity_routes(
        SERVER, SURFACE,
        authorize_path=f"{PREFIX}/connect/oauth2",
        token_path=f"{PREFIX}/oauth2/v1/tokens/bearer",
        revoke_path=f"{PREFIX}/v2/oauth2/tokens/revoke",
    )  # fmt: skip
    return [
        *oauth,
        web.get(f"{PREFIX}/.well-known/openid_configuration", discovery),
        web.get(f"{PREFIX}/.well-known/openid_configuration/", discovery),
        web.get(f"{PREFIX}/v1/openid_connect/userinfo", simulated(SURFACE, user_info)),
        web.get(f"{PREFIX}/op/v1/jwks", jwks),
    ]


async def discovery(request: web.Request) -> web.Response:
    """The OpenID discovery document, every endpoint on this sandbox."""
    base = base_url(request) + PREFIX
    return provider_json(
        200,
        {
            "issuer": f"{base}/op/v1",
            "authorization_endpoint": f"{base}/connect/oauth2",
            "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
            "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
            "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
            "jwks_uri": f"{base}/op/v1/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "com.intuit.quickbooks.accounting"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        },
    )


async def jwks(_: web.Request) -> web.Response:
    return provider_json(200, {"keys": []})


async def user_info(request: web.Request) -> web.Response:
    """The signed-in user: a fixed sandbox identity for any live access token."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    try:
        grant = request.app[DEPS].intuit.grants.authenticate(value.strip())
    except TokenRejected:
        return provider_json(401, {"error": "invalid_token"})
    if scheme.lower() != "bearer":
        return provider_json(401, {"error": "invalid_token"})
    return provider_json(
        200,
        {"sub": grant.id, "email": "sandbox.user@example.com", "emailVerified": True,
         "givenName": "Sandbox", "familyName": "User"},
    )  # fmt: skip
