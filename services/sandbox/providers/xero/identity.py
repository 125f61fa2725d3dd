"""Xero's identity server under `/xero-identity` (XERO_IDENTITY_BASE = {sandbox}/xero-identity).

    GET  /xero-identity/connect/authorize   (+ sandbox_account=<tenantId>) → 302 code+state
    POST /xero-identity/connect/token       Basic or client_id/client_secret in the form
    POST /xero-identity/connect/revocation  form token: revokes the grant

providers.md §2.7: access tokens live 30 minutes; refresh tokens rotate, the predecessor
works for a 30-minute grace, unused ones expire after 60 days; `invalid_grant` otherwise.
"""

from __future__ import annotations

from aiohttp import web

from services.sandbox.deps import Identity, SandboxDeps
from services.sandbox.identity_server import IdentityServer, identity_routes, identity_surface
from services.sandbox.oauth import Issued, TokenPolicy

PREFIX = "/xero-identity"
POLICY = TokenPolicy(access_ttl_s=1800, rotates=True, grace_s=1800, refresh_ttl_s=60 * 86400)


def _identity(deps: SandboxDeps) -> Identity:
    return deps.xero_identity


def _accounts(deps: SandboxDeps) -> list[tuple[str, str]]:
    return [(tenant, org.name) for tenant, org in deps.xero.organisations.items()]


def _token_body(_: web.Request, issued: Issued, __: str) -> object:
    return {
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "refresh_token": issued.refresh_token,
        "scope": issued.grant.scope or "offline_access accounting.transactions",
    }


SERVER = IdentityServer(
    title="Xero sandbox login",
    identity=_identity,
    accounts=_accounts,
    redirect_extras=lambda _, __: {},
    token_body=_token_body,
)
SURFACE = identity_surface("xero-identity", _identity)


def routes() -> list[web.RouteDef]:
    """Xero identity's OAuth routes."""
    return identity_routes(
        SERVER, SURFACE,
        authorize_path=f"{PREFIX}/connect/authorize",
        token_path=f"{PREFIX}/connect/token",
        revoke_path=f"{PREFIX}/connect/revocation",
    )  # fmt: skip
