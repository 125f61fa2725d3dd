"""Provider-independent control routes.

POST   /_sandbox/reset                                  every account, token, fault, delivery
GET    /_sandbox/clock                                  {"now", "offset_s"}
POST   /_sandbox/clock/advance                          {"seconds"}: simulated time moves on
GET    /_sandbox/faults                                 the active rules
PUT    /_sandbox/faults/{provider}                      a FaultRule (see `faults`)
DELETE /_sandbox/faults/{provider}
GET    /_sandbox/requests?provider=&account_id=&path_contains=&since=<seq>
DELETE /_sandbox/requests
GET    /_sandbox/deliveries                             every webhook fired, with attempts
POST   /_sandbox/deliveries/{delivery_id}/redeliver     the same body again, re-signed
POST   /_sandbox/{quickbooks|xero|zoho}/tokens/expire   {"account_id"?}: access tokens expire now
POST   /_sandbox/{quickbooks|xero|zoho}/tokens/revoke   {"account_id"?}: grants revoked
GET    /_sandbox/{quickbooks|xero|zoho}/grants          who holds which grant (no token values)
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from services.sandbox.control.io import answer, read_model
from services.sandbox.deps import DEPS, Identity, SandboxDeps
from services.sandbox.errors import InvalidInput, NotFound
from services.sandbox.faults import CODED_PROVIDERS, PROVIDERS, FaultRule

IDENTITY_OF = {"quickbooks": "intuit", "xero": "xero_identity", "zoho": "zoho_accounts"}
PROVIDER = r"{provider:quickbooks|xero|zoho}"


class AdvanceIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seconds: float = Field(ge=0, le=10 * 365 * 86400)


class AccountScope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str | None = Field(default=None, min_length=1, max_length=200)


def routes() -> list[web.RouteDef]:
    """The provider-independent control routes."""
    return [
        web.post("/_sandbox/reset", reset),
        web.get("/_sandbox/clock", show_clock),
        web.post("/_sandbox/clock/advance", advance_clock),
        web.get("/_sandbox/faults", list_faults),
        web.put("/_sandbox/faults/{provider}", set_fault),
        web.delete("/_sandbox/faults/{provider}", clear_faults),
        web.get("/_sandbox/requests", list_requests),
        web.delete("/_sandbox/requests", clear_requests),
        web.get("/_sandbox/deliveries", list_deliveries),
        web.post("/_sandbox/deliveries/{delivery_id}/redeliver", redeliver),
        web.post(f"/_sandbox/{PROVIDER}/tokens/expire", expire_tokens),
        web.post(f"/_sandbox/{PROVIDER}/tokens/revoke", revoke_tokens),
        web.get(f"/_sandbox/{PROVIDER}/grants", list_grants),
    ]


async def reset(request: web.Request) -> web.Response:
    request.app[DEPS].reset()
    return answer({"reset": True})


async def show_clock(request: web.Request) -> web.Response:
    return answer(_clock(request.app[DEPS]))


async def advance_clock(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    deps.clock.advance((await read_model(request, AdvanceIn)).seconds)
    return answer(_clock(deps))


async def list_faults(request: web.Request) -> web.Response:
    rules = request.app[DEPS].faults.rules()
    return answer({"faults": [{"provider": p, **rule.model_dump()} for p, rule in rules]})


async def set_fault(request: web.Request) -> web.Response:
    provider = _fault_provider(request)
    rule = await read_model(request, FaultRule)
    if rule.return_code is not None and provider not in CODED_PROVIDERS:
        raise InvalidInput(f"return_code applies to {', '.join(CODED_PROVIDERS)} only")
    request.app[DEPS].faults.set(provider, rule)
    return answer({"provider": provider, **rule.model_dump()})


async def clear_faults(request: web.Request) -> web.Response:
    cleared = request.app[DEPS].faults.clear(_fault_provider(request))
    return answer({"cleared": cleared})


async def list_requests(request: web.Request) -> web.Response:
    query = request.query
    since = query.get("since", "0")
    if not since.isdigit():
        raise InvalidInput("since must be a request seq (a non-negative integer)")
    found = request.app[DEPS].requests.find(
        provider=query.get("provider") or None,
        account_id=query.get("account_id") or None,
        path_contains=query.get("path_contains") or None,
        since=int(since),
    )
    return answer({"requests": [entry.as_json() for entry in found]})


async def clear_requests(request: web.Request) -> web.Response:
    request.app[DEPS].requests.clear()
    return answer({"cleared": True})


async def list_deliveries(request: web.Request) -> web.Response:
    deliveries = request.app[DEPS].webhooks.deliveries()
    return answer(
        {
            "deliveries": [
                {"delivery_id": d.id, "provider": d.provider, "path": d.path,
                 "attempts": [{"status": a.status, "body": a.body, "error": a.error}
                              for a in d.attempts]}
                for d in deliveries
            ]
        }
    )  # fmt: skip


async def redeliver(request: web.Request) -> web.Response:
    delivery = await request.app[DEPS].webhooks.redeliver(request.match_info["delivery_id"])
    return answer(delivery.answer())


async def expire_tokens(request: web.Request) -> web.Response:
    scope = await read_model(request, AccountScope)
    expired = _identity(request).grants.expire_access(scope.account_id)
    return answer({"expired": expired})


async def revoke_tokens(request: web.Request) -> web.Response:
    scope = await read_model(request, AccountScope)
    revoked = _identity(request).grants.revoke_grants(scope.account_id)
    return answer({"revoked": revoked})


async def list_grants(request: web.Request) -> web.Response:
    grants = _identity(request).grants.grants()
    return answer(
        {
            "grants": [
                {"grant_id": g.id, "client_id": g.client_id, "account_ids": list(g.account_ids),
                 "scope": g.scope, "revoked": g.revoked, "created_at": g.created_at}
                for g in grants
            ]
        }
    )  # fmt: skip


def _identity(request: web.Request) -> Identity:
    identity: Identity = getattr(request.app[DEPS], IDENTITY_OF[request.match_info["provider"]])
    return identity


def _fault_provider(request: web.Request) -> str:
    provider = request.match_info["provider"]
    if provider not in PROVIDERS:
        raise NotFound(f"faults apply to {', '.join(PROVIDERS)}")
    return provider


def _clock(deps: SandboxDeps) -> dict[str, object]:
    return {"now": deps.clock.utcnow().isoformat(), "offset_s": deps.clock.offset_s}
