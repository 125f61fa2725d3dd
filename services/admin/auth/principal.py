"""Who is calling: a user with a role, or a tenant's program with an API key."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"  # the platform operator
    TENANT_ADMIN = "tenant_admin"  # reads and changes their own tenant
    TENANT_USER = "tenant_user"  # reads their own tenant


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. `tenant_id` is None only for the owner."""

    subject: str  # user id or API key id
    role: Role
    tenant_id: str | None
    scopes: frozenset[Scope]
    via_api_key: bool = False

    def tenant(self) -> str:
        """The caller's tenant; only meaningful on tenant endpoints (checked before handlers run)."""
        assert self.tenant_id is not None
        return self.tenant_id
