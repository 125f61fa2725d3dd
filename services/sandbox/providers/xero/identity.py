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
from services.sandbox.identity_server import (
    IdentityServer,
    authorize,
    identity_account_of,
    oauth_fault,
    revoke,
    token,
)
from services.sandbox.oauth import Issued, TokenPolicy
from services.sandbox.simulation import Surface, simulated

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
SURFACE = Surface(
    name="xero-identity",
    account_of=identity_account_of(_identity),
    fault_body=oauth_fault,
)


def routes() -> list[web.RouteDef]:
    """Xero identity's OAuth routes."""
    return [
        web.get(f"{PREFIX}/connect/authorize", simulated(SURFACE, authorize(SERVER))),
        web.post(f"{PREFIX}/connect/token", simulated(SURFACE, token(SERVER))),
        web.post(f"{PREFIX}/connect/revocation", simulated(SURFACE, revoke(SERVER))),
    ]
