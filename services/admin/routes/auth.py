"""POST /api/auth/login, /refresh, /logout and GET /api/auth/me."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from libs.crypto import verify_password
from services.admin.auth.principal import Role
from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import TooManyRequests, Unauthenticated
from services.admin.storage import audit, sessions


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class Refresh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=1, max_length=512)


class Logout(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str | None = Field(default=None, max_length=512)


class Tokens(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str
    role: Role
    tenant_id: str | None


class Me(BaseModel):
    user_id: str
    email: str
    role: Role
    tenant_id: str | None


async def login(call: Call[Login, None], deps: AdminDeps) -> Tokens:
    """Email and password for tokens; wrong attempts lock the account for a while."""
    wait = deps.login.attempts.retry_after(call.client)
    if wait:
        raise TooManyRequests("too many login attempts from this client", retry_after=wait)
    account = await sessions.account_by_email(deps.db, call.body.email)
    now = datetime.now(UTC)
    if account is not None and account.locked_until is not None and account.locked_until > now:
        retry = int((account.locked_until - now).total_seconds()) + 1
        raise TooManyRequests("account locked after repeated failures", retry_after=retry)
    if account is None or not verify_password(account.password_hash, call.body.password):
        if account is not None:
            await sessions.record_failed_login(
                deps.db,
                account.id,
                max_failures=deps.login.max_failures,
                lockout_s=deps.login.lockout_s,
            )
        raise Unauthenticated("wrong email or password")
    if not account.usable:
        raise Unauthenticated("account is suspended")
    await sessions.record_login(deps.db, account.id)
    return await _tokens(
        deps, account, await sessions.start_session(deps.db, account.id, ttl_s=deps.refresh_ttl_s)
    )


async def refresh(call: Call[Refresh, None], deps: AdminDeps) -> Tokens:
    """A refresh token for a new pair; each refresh token works once."""
    account, token = await sessions.rotate_refresh(
        deps.db, call.body.refresh_token, ttl_s=deps.refresh_ttl_s
    )
    return await _tokens(deps, account, token)


async def logout(call: Call[Logout, None], deps: AdminDeps) -> None:
    """Revoke this access token now, and the session's refresh tokens."""
    principal = call.who()
    claims = deps.tokens.verify(call.token or "")
    await sessions.end_session(deps.db, claims=claims, refresh_token=call.body.refresh_token)
    await audit.record(deps.db, actor=principal, action="auth.logout", target=principal.subject,
                       tenant_id=principal.tenant_id)  # fmt: skip


async def me(call: Call[None, None], deps: AdminDeps) -> Me:
    principal = call.who()
    account = await sessions.account_by_id(deps.db, principal.subject)
    if account is None:
        raise Unauthenticated("account no longer exists")
    return Me(
        user_id=account.id, email=account.email, role=account.role, tenant_id=account.tenant_id
    )


async def _tokens(deps: AdminDeps, account: sessions.Account, refresh_token: str) -> Tokens:
    access, _ = deps.tokens.issue(
        user_id=account.id, role=account.role, tenant_id=account.tenant_id
    )
    return Tokens(
        access_token=access,
        expires_in=deps.tokens.access_ttl_s,
        refresh_token=refresh_token,
        role=account.role,
        tenant_id=account.tenant_id,
    )


ENDPOINTS = [
    Endpoint("POST", "/api/auth/login", login, "Log in with email and password", Access.PUBLIC,
             body=Login, response=Tokens, tags=("auth",), errors=(400, 401, 429)),
    Endpoint("POST", "/api/auth/refresh", refresh, "Exchange a refresh token", Access.PUBLIC,
             body=Refresh, response=Tokens, tags=("auth",), errors=(400, 401)),
    Endpoint("POST", "/api/auth/logout", logout, "Revoke the current session", Access.AUTHENTICATED,
             body=Logout, status=204, tags=("auth",)),
    Endpoint("GET", "/api/auth/me", me, "Who am I", Access.AUTHENTICATED, response=Me, tags=("auth",)),
]  # fmt: skip
