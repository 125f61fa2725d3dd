"""Access tokens (JWT, HS256 only) and opaque refresh tokens.

Access tokens are short-lived JWTs signed with JWT_SECRET; decoding accepts
exactly one algorithm (RFC 8725 §2.1: never the token's own `alg`), requires
`exp`, `iat`, `sub`, `role` and `jti`, and checks `jti` against the revocation
set. Refresh tokens are 256 random bits, stored only as SHA-256 digests,
rotated on every use (the old one is revoked; reusing a revoked one revokes
the whole family).
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt

from services.admin.auth.principal import Principal, Role, Scope
from services.admin.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "switchyard-admin"


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    role: Role
    tenant_id: str | None
    token_id: str
    expires_at: int


class TokenIssuer:
    """Signs and checks access tokens with one secret and one algorithm."""

    def __init__(self, *, secret: str, access_ttl_s: int) -> None:
        if len(secret) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        self._secret = secret
        self.access_ttl_s = access_ttl_s

    def __repr__(self) -> str:
        return f"TokenIssuer(algorithm={ALGORITHM!r}, access_ttl_s={self.access_ttl_s})"

    def issue(self, *, user_id: str, role: Role, tenant_id: str | None) -> tuple[str, AccessClaims]:
        now = int(time.time())
        claims = AccessClaims(
            user_id=user_id,
            role=role,
            tenant_id=tenant_id,
            token_id=uuid.uuid4().hex,
            expires_at=now + self.access_ttl_s,
        )
        payload = {
            "iss": ISSUER,
            "sub": user_id,
            "role": role.value,
            "tid": tenant_id,
            "jti": claims.token_id,
            "iat": now,
            "exp": claims.expires_at,
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM), claims

    def verify(self, token: str) -> AccessClaims:
        """The token's claims; `Unauthenticated` for any fault (never says which secret or why in detail)."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "jti", "iss"]},
            )
            role = Role(payload["role"])
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("access token expired") from None
        except (jwt.InvalidTokenError, KeyError, ValueError):
            raise Unauthenticated("invalid access token") from None
        tenant_id = payload.get("tid")
        if (role is Role.OWNER) != (tenant_id is None):
            raise Unauthenticated("invalid access token")
        return AccessClaims(
            user_id=str(payload["sub"]),
            role=role,
            tenant_id=tenant_id,
            token_id=str(payload["jti"]),
            expires_at=int(payload["exp"]),
        )


def principal_of(claims: AccessClaims) -> Principal:
    scopes = {Scope.READ}
    if claims.role in (Role.OWNER, Role.TENANT_ADMIN):
        scopes.add(Scope.WRITE)
    return Principal(
        subject=claims.user_id,
        role=claims.role,
        tenant_id=claims.tenant_id,
        scopes=frozenset(scopes),
    )


def new_refresh_token() -> tuple[str, str]:
    """`(token, digest)`: the token goes to the client once, the digest to the database."""
    token = "rt_" + secrets.token_urlsafe(32)
    return token, refresh_digest(token)


def refresh_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
