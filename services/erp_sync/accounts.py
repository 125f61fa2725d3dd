"""Which provider accounts a fresh grant reaches: the accounts a connect routes to the tenant.

QuickBooks   the `realmId` the authorize redirect carried (providers.md §1.5)
Xero         every organisation in `GET /connections` (§2.7): one grant may reach several
Zoho         every organization in `GET /books/v3/organizations` (§3.4)
"""

from __future__ import annotations

from dataclasses import dataclass

from libs.http import MalformedResponse
from services.erp_sync.apps import Provider
from services.erp_sync.clients.oauth import TokenSet
from services.erp_sync.clients.xero import XeroClient
from services.erp_sync.clients.zoho import ZohoClient


@dataclass(frozen=True)
class Account:
    id: str
    name: str | None


class NoAccount(MalformedResponse):
    """The grant reaches no account we could route (no realm id, no organisation)."""


@dataclass(frozen=True)
class AccountDirectory:
    xero: XeroClient
    zoho: ZohoClient

    async def discover(
        self, provider: Provider, tokens: TokenSet, *, realm_id: str | None
    ) -> tuple[Account, ...]:
        """The accounts `tokens` reach, first the primary one; `NoAccount` when there are none."""
        if provider == "quickbooks":
            found = [Account(id=realm_id, name=None)] if realm_id else []
        elif provider == "xero":
            organisations = await self.xero.connections(token=tokens.access_token)
            found = _accounts(organisations, id_key="tenantId", name_key="tenantName")
        else:
            organizations = await self.zoho.organizations(
                api_domain=tokens.api_domain, token=tokens.access_token
            )
            found = _accounts(organizations, id_key="organization_id", name_key="name")
        if not found:
            raise NoAccount("the grant reaches no account", provider=provider)
        return tuple(found)


def _accounts(items: list[dict[str, object]], *, id_key: str, name_key: str) -> list[Account]:
    accounts = []
    for item in items:
        account_id, name = item.get(id_key), item.get(name_key)
        if isinstance(account_id, (str, int)) and str(account_id).strip():
            accounts.append(Account(id=str(account_id), name=str(name) if name else None))
    return accounts
