"""OAuth 2.0 grants shared by the three simulated identity servers (Intuit, Xero, Zoho).

    authorize ──> AuthCode        single use, `code_ttl_s`, bound to client + redirect_uri + account
    code      ──> Grant           one consent: client, account(s), scope; revocable as a whole
                   ├── AccessToken   `access_ttl_s`; many may be live at once
                   └── RefreshToken  a chain: with `rotates`, each refresh issues a successor and
                                     the predecessor keeps working for `grace_s`, then is
                                     refused; rolling `refresh_ttl_s`; optional hard cap

Every refusal is an `OAuthRefused` carrying the RFC 6749 error word (`invalid_grant`,
`invalid_client`, ...); each provider module renders it in its own shape. Token values are
random and only ever leave through the token response: nothing here logs them.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from services.sandbox.clock import SandboxClock


@dataclass(frozen=True)
class TokenPolicy:
    """One identity server's lifetimes (seconds) and rotation rule."""

    access_ttl_s: int
    rotates: bool
    grace_s: float = 0.0
    refresh_ttl_s: int | None = None
    hard_ttl_s: int | None = None
    code_ttl_s: int = 600
    prefix: str = ""


@dataclass(frozen=True)
class ClientApp:
    """The OAuth app the server accepts: exactly these credentials when both are configured,
    else any non-empty pair (the client id is recorded on every grant either way)."""

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    def check(self, client_id: str, client_secret: str) -> None:
        """Raise `OAuthRefused("invalid_client", status=401)` unless the pair is accepted."""
        if not client_id or not client_secret:
            raise OAuthRefused("invalid_client", "client credentials are required", status=401)
        if self.client_id is None or self.client_secret is None:
            return
        same_id = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        same_secret = hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        if not (same_id and same_secret):
            raise OAuthRefused("invalid_client", "unknown client or wrong secret", status=401)


class OAuthRefused(Exception):
    """The identity server refuses: `error` is the RFC 6749 word, `status` the HTTP status."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


class TokenRejected(Exception):
    """An access token the API will not accept; `reason` is unknown, expired or revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Grant:
    """One consent: what a client may reach (`account_ids`) until it is revoked."""

    id: str
    client_id: str
    account_ids: tuple[str, ...]
    scope: str
    created_at: float
    hard_expires_at: float | None
    revoked: bool = False


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    account_id: str
    scope: str
    expires_at: float
    used: bool = False


@dataclass
class _Access:
    grant_id: str
    expires_at: float


@dataclass
class _Refresh:
    grant_id: str
    expires_at: float | None
    superseded_at: float | None = None


@dataclass(frozen=True)
class Issued:
    """A token response's content; `refresh_expires_in`/`hard_expires_in` None when unlimited."""

    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int | None
    hard_expires_in: int | None
    grant: Grant


class GrantStore:
    """Codes, grants and tokens of one simulated identity server, in memory."""

    def __init__(self, *, policy: TokenPolicy, clock: SandboxClock) -> None:
        self.policy = policy
        self._clock = clock
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, Grant] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Refresh] = {}

    def issue_code(self, *, client_id: str, redirect_uri: str, account_id: str, scope: str) -> str:
        """A fresh authorization code for the consent the user just gave."""
        code = self._new_value("code")
        self._codes[code] = _Code(
            client_id=client_id,
            redirect_uri=redirect_uri,
            account_id=account_id,
            scope=scope,
            expires_at=self._clock.now() + self.policy.code_ttl_s,
        )
        return code

    def exchange_code(self, *, code: str, client_id: str, redirect_uri: str) -> Issued:
        """Trade a code for tokens once; `invalid_grant` when unknown, used, expired or mismatched."""
        found = self._codes.get(code)
        if found is None or found.used or found.expires_at <= self._clock.now():
            raise OAuthRefused("invalid_grant", "the code is unknown, used or expired")
        if found.client_id != client_id:
            raise OAuthRefused("invalid_grant", "the code was issued to another client")
        if found.redirect_uri != redirect_uri:
            raise OAuthRefused("invalid_grant", "redirect_uri does not match the authorize request")
        found.used = True
        now = self._clock.now()
        hard = self.policy.hard_ttl_s
        grant = Grant(
            id=self._new_value("grant"),
            client_id=client_id,
            account_ids=(found.account_id,),
            scope=found.scope,
            created_at=now,
            hard_expires_at=now + hard if hard is not None else None,
        )
        self._grants[grant.id] = grant
        return self._issue(grant, refresh_token=None)

    def refresh(self, *, refresh_token: str, client_id: str) -> Issued:
        """New tokens for a live refresh token (rotating it when the policy says so)."""
        now = self._clock.now()
        found = self._refresh.get(refresh_token)
        grant = self._grants.get(found.grant_id) if found is not None else None
        if found is None or grant is None or grant.revoked:
            raise OAuthRefused("invalid_grant", "the refresh token is unknown or revoked")
        if grant.client_id != client_id:
            raise OAuthRefused("invalid_grant", "the refresh token was issued to another client")
        if found.expires_at is not None and found.expires_at <= now:
            raise OAuthRefused("invalid_grant", "the refresh token has expired")
        if grant.hard_expires_at is not None and grant.hard_expires_at <= now:
            raise OAuthRefused("invalid_grant", "the refresh token passed its hard expiry")
        if found.superseded_at is not None and found.superseded_at + self.policy.grace_s <= now:
            raise OAuthRefused("invalid_grant", "the refresh token was rotated out")
        if not self.policy.rotates:
            return self._issue(grant, refresh_token=refresh_token)
        if found.superseded_at is None:
            found.superseded_at = now
        return self._issue(grant, refresh_token=None)

    def authenticate(self, access_token: str) -> Grant:
        """The grant behind a live access token; `TokenRejected` otherwise."""
        found = self._access.get(access_token)
        grant = self._grants.get(found.grant_id) if found is not None else None
        if found is None or grant is None:
            raise TokenRejected("unknown")
        if grant.revoked:
            raise TokenRejected("revoked")
        if found.expires_at <= self._clock.now():
            raise TokenRejected("expired")
        return grant

    def revoke(self, token: str) -> bool:
        """Revoke the whole grant behind an access or refresh token; False when unknown."""
        found = self._access.get(token) or self._refresh.get(token)
        grant = self._grants.get(found.grant_id) if found is not None else None
        if grant is None:
            return False
        grant.revoked = True
        return True

    def expire_access(self, account_id: str | None = None) -> int:
        """Make live access tokens (of grants reaching `account_id`, or all) expire now."""
        now = self._clock.now()
        expired = 0
        for access in self._access.values():
            if access.expires_at > now and self._reaches(access.grant_id, account_id):
                access.expires_at = now
                expired += 1
        return expired

    def revoke_grants(self, account_id: str | None = None) -> int:
        """Revoke every live grant (reaching `account_id`, or all); how many were revoked."""
        revoked = 0
        for grant in self._grants.values():
            if not grant.revoked and self._reaches(grant.id, account_id):
                grant.revoked = True
                revoked += 1
        return revoked

    def account_of(self, value: str) -> str | None:
        """The account a code, access or refresh token concerns (for faults and inspection)."""
        code = self._codes.get(value)
        if code is not None:
            return code.account_id
        token = self._access.get(value) or self._refresh.get(value)
        grant = self._grants.get(token.grant_id) if token is not None else None
        return grant.account_ids[0] if grant is not None and grant.account_ids else None

    def grants(self) -> list[Grant]:
        """Every grant made so far, oldest first (no token values)."""
        return list(self._grants.values())

    def reset(self) -> None:
        """Forget every code, grant and token."""
        self._codes.clear()
        self._grants.clear()
        self._access.clear()
        self._refresh.clear()

    def _reaches(self, grant_id: str, account_id: str | None) -> bool:
        grant = self._grants.get(grant_id)
        return grant is not None and (account_id is None or account_id in grant.account_ids)

    def _issue(self, grant: Grant, *, refresh_token: str | None) -> Issued:
        now = self._clock.now()
        policy = self.policy
        access = self._new_value("access")
        self._access[access] = _Access(grant_id=grant.id, expires_at=now + policy.access_ttl_s)
        ttl = policy.refresh_ttl_s
        if refresh_token is None:
            refresh_token = self._new_value("refresh")
            self._refresh[refresh_token] = _Refresh(grant_id=grant.id, expires_at=None)
        if ttl is not None:  # rolling: every use extends the token it returns
            self._refresh[refresh_token].expires_at = now + ttl
        hard = grant.hard_expires_at
        return Issued(
            access_token=access,
            expires_in=policy.access_ttl_s,
            refresh_token=refresh_token,
            refresh_expires_in=ttl,
            hard_expires_in=int(hard - now) if hard is not None else None,
            grant=grant,
        )

    def _new_value(self, kind: str) -> str:
        return f"{self.policy.prefix}{kind[0].upper()}{secrets.token_urlsafe(24)}"
