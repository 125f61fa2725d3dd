"""The three ERPs' OAuth 2.0 token endpoints: exchange a code, refresh, revoke.

QuickBooks, Xero   client credentials as HTTP Basic, grant as a form (providers.md §1.7, §2.7)
Zoho               client credentials and grant as form parameters (§3.5); the answer
                   names the `api_domain` the tenant's API calls must go to

GrantRevoked(ProviderRejected)   `invalid_grant` / `invalid_code`: the refresh token or code
                                 is expired, revoked or rotated away; reconnect, never retry
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from libs.http import MalformedResponse, ProviderHttp, ProviderRejected
from services.erp_sync.apps import PROVIDERS, ErpAppSettings, OAuthApp, Provider

# Asks Intuit for the refresh token's 5-year hard expiry (providers.md §1.7).
_HARD_EXPIRY_HEADER = {"x-include-refresh-token-hard-expires-in": "true"}
_REVOKED_ERRORS = frozenset({"invalid_grant", "invalid_code", "invalid_token"})


class GrantRevoked(ProviderRejected):
    """The grant (code or refresh token) is no longer valid: the tenant must reconnect."""


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint granted; `refresh_token` None means "keep the one you have"."""

    access_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_token: str | None = field(repr=False)
    refresh_expires_at: datetime | None = None
    refresh_hard_expires_at: datetime | None = None
    api_domain: str | None = None


class OAuthClient:
    """Talks to one provider's token endpoint for one OAuth app."""

    def __init__(self, http: ProviderHttp, app: OAuthApp) -> None:
        self._http = http
        self._app = app

    @property
    def app(self) -> OAuthApp:
        return self._app

    async def exchange_code(self, code: str, *, now: datetime) -> TokenSet:
        """Trade an authorization code for tokens; `GrantRevoked` for a bad or used code."""
        return await self._grant(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self._app.redirect_uri,
            },
            now=now,
        )

    async def refresh(self, refresh_token: str, *, now: datetime) -> TokenSet:
        """New tokens from `refresh_token`; `GrantRevoked` when it is dead (never retried)."""
        return await self._grant(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}, now=now
        )

    async def revoke(self, token: str) -> None:
        """Revoke the grant `token` belongs to; a token the provider no longer knows is fine."""
        app = self._app
        if app.provider == "quickbooks":
            answer = await self._http.request(
                "POST", app.revoke_url, provider=self._endpoint_name, headers=self._basic(),
                json={"token": token}, attempts=3,
            )  # fmt: skip
        elif app.provider == "xero":
            answer = await self._http.request(
                "POST", app.revoke_url, provider=self._endpoint_name, headers=self._basic(),
                form={"token": token}, attempts=3,
            )  # fmt: skip
        else:
            answer = await self._http.request(
                "POST", app.revoke_url, provider=self._endpoint_name, params={"token": token},
                attempts=3,
            )  # fmt: skip
        if answer.status == 400:  # already revoked or rotated away: the goal is met
            return
        answer.raise_for_status()

    @property
    def _endpoint_name(self) -> str:
        return {"quickbooks": "intuit-oauth", "xero": "xero-identity"}.get(
            self._app.provider, "zoho-accounts"
        )

    def _basic(self) -> dict[str, str]:
        pair = f"{self._app.client_id}:{self._app.client_secret}".encode()
        return {
            "Authorization": "Basic " + base64.b64encode(pair).decode(),
            "Accept": "application/json",
        }

    async def _grant(self, grant: dict[str, str], *, now: datetime) -> TokenSet:
        app = self._app
        headers = {"Accept": "application/json"}
        if app.provider == "zoho":
            form = {**grant, "client_id": app.client_id, "client_secret": app.client_secret}
        else:
            form = grant
            headers = self._basic() | (_HARD_EXPIRY_HEADER if app.provider == "quickbooks" else {})
        # Not retried in process: a refresh whose answer was lost has already rotated the
        # token; the predecessor's grace period (§1.7, §2.7) covers the broker-level retry.
        answer = await self._http.request(
            "POST", app.token_url, provider=self._endpoint_name, headers=headers, form=form
        )
        body = answer.json_object() if answer.body else {}
        error = body.get("error")
        if isinstance(error, str) and error in _REVOKED_ERRORS:
            raise GrantRevoked(
                error, provider=self._endpoint_name, status=answer.status, code=error
            )
        answer.raise_for_status(error if isinstance(error, str) else None)
        return _token_set(body, now=now, provider=self._endpoint_name)


def _token_set(body: dict[str, object], *, now: datetime, provider: str) -> TokenSet:
    access = body.get("access_token")
    expires_in = body.get("expires_in")
    if not isinstance(access, str) or not access or not isinstance(expires_in, int):
        raise MalformedResponse("token answer lacks access_token or expires_in", provider=provider)
    refresh = body.get("refresh_token")
    return TokenSet(
        access_token=access,
        access_expires_at=now + timedelta(seconds=expires_in),
        refresh_token=_text(refresh),
        refresh_expires_at=_after(now, body.get("x_refresh_token_expires_in")),
        refresh_hard_expires_at=_after(now, body.get("x_refresh_token_hard_expires_in")),
        api_domain=_text(body.get("api_domain")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _after(now: datetime, seconds: object) -> datetime | None:
    return now + timedelta(seconds=seconds) if isinstance(seconds, int) else None


def oauth_clients(settings: ErpAppSettings, http: ProviderHttp) -> dict[Provider, OAuthClient]:
    """An OAuth client for every provider whose app is configured (the rest cannot connect)."""
    clients = {}
    for provider in PROVIDERS:
        app = settings.oauth_app(provider)
        if app is not None:
            clients[provider] = OAuthClient(http, app)
    return clients
