"""Zoho Books' API under `/zoho` (ZOHO_API_BASE = the token answer's api_domain = {sandbox}/zoho).

    GET /zoho/books/v3/organizations                          the grant's organizations
    GET /zoho/books/v3/invoices?organization_id=              {"code": 0, "invoices": [...]}
    GET /zoho/books/v3/invoices/{id}?organization_id=         {"code": 0, "message": "success", "invoice"}

`Authorization: Zoho-oauthtoken <token>`. Errors are `{"code": <nonzero>, "message"}`:
401 code 57 for a bad, expired or revoked token (or an organization the grant does not
reach), 400 code 2 without organization_id, 404 code 1002 for an unknown or deleted invoice,
429 code 44 beyond the organization's requests per minute (Retry-After).
"""

from __future__ import annotations

from aiohttp import web

from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.errors import ProviderError
from services.sandbox.oauth import Grant, TokenRejected
from services.sandbox.providers.zoho.organization import Organization
from services.sandbox.simulation import Surface, provider_json, simulated

BOOKS = "/zoho/books/v3"
NOT_AUTHORIZED = "You are not authorized to perform this operation"


def error(code: int, message: str) -> object:
    """Zoho's error body."""
    return {"code": code, "message": message}


def injected(status: int) -> object:
    if status == 429:
        return error(44, "Maximum number of requests exceeded. Please try again later.")
    return error(1 if status >= 500 else 2, "Injected fault")


async def _organization_of(request: web.Request, _: SandboxDeps) -> str | None:
    return request.query.get("organization_id")


SURFACE = Surface(name="zoho", account_of=_organization_of, fault_body=injected)


def routes() -> list[web.RouteDef]:
    """The Zoho Books API routes."""
    return [
        web.get(f"{BOOKS}/organizations", simulated(SURFACE, organizations)),
        web.get(f"{BOOKS}/invoices", simulated(SURFACE, list_invoices)),
        web.get(f"{BOOKS}/invoices/{{id}}", simulated(SURFACE, get_invoice)),
    ]


def _grant(request: web.Request, deps: SandboxDeps) -> Grant:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        if scheme != "Zoho-oauthtoken":
            raise TokenRejected("unknown")
        return deps.zoho_accounts.grants.authenticate(token.strip())
    except TokenRejected:
        raise ProviderError(401, error(57, NOT_AUTHORIZED)) from None


def _organization(request: web.Request) -> tuple[SandboxDeps, Organization]:
    deps = request.app[DEPS]
    grant = _grant(request, deps)
    org_id = request.query.get("organization_id", "")
    if not org_id:
        raise ProviderError(400, error(2, "Invalid value passed for organization_id"))
    organization = deps.zoho.get(org_id)
    if org_id not in grant.account_ids or organization is None:
        raise ProviderError(401, error(57, NOT_AUTHORIZED))
    retry_after = deps.rate_limits.over(f"zoho:{org_id}", limit=deps.limits.zoho)
    if retry_after is not None:
        raise ProviderError(
            429,
            error(44, "Maximum number of requests exceeded. Please try again later."),
            headers={"Retry-After": str(retry_after)},
        )
    return deps, organization


async def organizations(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    grant = _grant(request, deps)
    found = [deps.zoho.get(org_id) for org_id in grant.account_ids]
    listed = [org.summary() for org in found if org is not None]
    return provider_json(200, {"code": 0, "message": "success", "organizations": listed})


async def list_invoices(request: web.Request) -> web.Response:
    _, organization = _organization(request)
    invoices = list(organization.invoices.values())
    return provider_json(200, {"code": 0, "message": "success", "invoices": invoices})


async def get_invoice(request: web.Request) -> web.Response:
    _, organization = _organization(request)
    record = organization.invoices.get(request.match_info["id"])
    if record is None:
        raise ProviderError(404, error(1002, "Invoice does not exist."))
    return provider_json(200, {"code": 0, "message": "success", "invoice": record})
