"""Zoho Accounts' OAuth server under `/zoho-accounts` (ZOHO_ACCOUNTS_BASE = {sandbox}/zoho-accounts).

    GET  /zoho-accounts/oauth/v2/auth          (+ sandbox_account=<organization_id>)
                                               → 302 code, state, location=us, accounts-server
    POST /zoho-accounts/oauth/v2/token         client_id, client_secret, grant_type, code,
                                               redirect_uri | refresh_token: query or form
    POST /zoho-accounts/oauth/v2/token/revoke  ?token=

providers.md §3.5: access tokens live an hour; refresh tokens never rotate and do not expire
unless revoked; `refresh_token` is only in the authorization_code answer; `api_domain` is where
the API lives ({sandbox}/zoho). Refusals are `{"error": "invalid_code"}` (bad code or refresh
token) or `{"error": "invalid_client"}`. Real Zoho answers some of these with HTTP 200; the
sandbox answers 400 (401 for the client) so a client cannot mistake them for tokens.
"""

from __future__ import annotations

from aiohttp import web

from services.sandbox.deps import Identity, SandboxDeps
from services.sandbox.identity_server import IdentityServer, identity_routes, identity_surface
from services.sandbox.oauth import Issued, OAuthRefused, TokenPolicy
from services.sandbox.simulation import base_url

PREFIX = "/zoho-accounts"
POLICY = TokenPolicy(access_ttl_s=3600, rotates=False, prefix="1000.")


def _identity(deps: SandboxDeps) -> Identity:
    return deps.zoho_accounts


def _accounts(deps: SandboxDeps) -> list[tuple[str, str]]:
    return [(org_id, org.name) for org_id, org in deps.zoho.organizations.items()]


def _token_body(request: web.Request, issued: Issued, grant_type: str) -> object:
    body: dict[str, object] = {"access_token": issued.access_token}
    if grant_type == "authorization_code":
        body["refresh_token"] = issued.refresh_token
    return {
        **body,
        "scope": issued.grant.scope,
        "api_domain": base_url(request) + "/zoho",
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
    }


def _error_body(refused: OAuthRefused) -> object:
    return {"error": "invalid_code" if refused.error == "invalid_grant" else refused.error}


SERVER = IdentityServer(
    title="Zoho sandbox accounts",
    identity=_identity,
    accounts=_accounts,
    redirect_extras=lambda request, _: {
        "location": "us",
        "accounts-server": base_url(request) + PREFIX,
    },
    token_body=_token_body,
    error_body=_error_body,
    revoke_body={"status": "success"},
    revoke_needs_client=False,
)
SURFACE = identity_surface("zoho-accounts", _identity)


def routes() -> list[web.RouteDef]:
    """Zoho Accounts' OAuth routes."""
    return identity_routes(
        SERVER, SURFACE,
        authorize_path=f"{PREFIX}/oauth/v2/auth",
        token_path=f"{PREFIX}/oauth/v2/token",
        revoke_path=f"{PREFIX}/oauth/v2/token/revoke",
    )  # fmt: skip
