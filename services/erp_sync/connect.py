"""Connecting a tenant's ERP by OAuth, and disconnecting it (erp_sync owns the tokens).

    url = await connector.start(tenant_id=…, provider="xero", actor=user_id)   → authorize URL
    (the tenant consents at the provider, which redirects the browser to the callback)
    connected = await connector.complete(provider="xero", code=…, state=…, realm_id=None)
    revoked = await connector.disconnect(tenant_id=…, connection_id=…)

The `state` is a JWT (HS256, fixed algorithm list) naming the tenant and provider, valid
for `state_ttl`, and single-use: its nonce is recorded at start and spent at the callback,
before the code is exchanged. A tampered, expired, reused or cross-provider state is
refused with `ConnectError("invalid_state")`.

A completed connect stores the tokens (encrypted), routes every provider account the grant
reaches to this connection (QuickBooks: the `realmId` of the redirect; Xero: each
organisation in `/connections`; Zoho: each organization), and emits `connection.connected`
through the outbox, all in one transaction. Disconnect revokes the grant at the provider
(failure to revoke is reported, not hidden), forgets the tokens, removes the routes, and
emits `connection.disconnected`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import jwt

from libs.crypto import SecretBox
from libs.db import Connection, Database, outbox
from libs.events import CloudEvent
from libs.http import ProviderError, ProviderHttp
from libs.observability import get_logger
from services.erp_sync import storage
from services.erp_sync.accounts import Account, AccountDirectory
from services.erp_sync.apps import ErpAppSettings, Provider
from services.erp_sync.clients.oauth import GrantRevoked, OAuthClient, oauth_clients
from services.erp_sync.clients.xero import XeroClient
from services.erp_sync.clients.zoho import ZohoClient
from services.router.storage import link_account, unlink_connection

log = get_logger(__name__)

_STATE_TYPE = "erp-connect"
_ALGORITHMS = ["HS256"]


class ConnectError(Exception):
    """A connect cannot complete; `code` is stable for API answers, `message` is safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Connected:
    connection_id: str
    tenant_id: str
    provider: Provider
    accounts: tuple[Account, ...]


@dataclass(frozen=True)
class ErpConnector:
    """See the module docstring. `oauth` holds only the providers whose app is configured."""

    db: Database
    box: SecretBox
    oauth: Mapping[Provider, OAuthClient]
    accounts: AccountDirectory
    state_secret: str
    events_exchange: str
    clock: Callable[[], datetime]
    state_ttl: timedelta = timedelta(minutes=10)
    service: str = "erp_sync"

    @classmethod
    def build(
        cls, settings: ErpAppSettings, http: ProviderHttp, *, db: Database, box: SecretBox,
        state_secret: str, events_exchange: str, clock: Callable[[], datetime],
    ) -> ErpConnector:  # fmt: skip
        """A connector for every provider whose OAuth app `settings` configure.

        The state key is derived from `state_secret` for this one purpose, so a connect
        state can never pass as any other token signed with the same secret.
        """
        key = hmac.new(state_secret.encode(), b"switchyard erp-connect state", hashlib.sha256)
        return cls(
            db=db, box=box, oauth=oauth_clients(settings, http), state_secret=key.hexdigest(),
            accounts=AccountDirectory(
                xero=XeroClient(http, base_url=settings.xero_api_base),
                zoho=ZohoClient(http, base_url=settings.zoho_api_base),
            ),
            events_exchange=events_exchange, clock=clock,
        )  # fmt: skip

    async def start(self, *, tenant_id: str, provider: Provider, actor: str) -> str:
        """The provider's authorize URL for this tenant, carrying a fresh single-use state."""
        client = self._client(provider)
        nonce = secrets.token_urlsafe(24)
        expires = self.clock() + self.state_ttl
        await storage.create_state(
            self.db,
            nonce=nonce,
            tenant_id=tenant_id,
            provider=provider,
            actor=actor,
            expires_at=expires,
        )
        state = jwt.encode(
            {"typ": _STATE_TYPE, "jti": nonce, "tid": tenant_id, "prv": provider, "exp": expires},
            self.state_secret, algorithm="HS256",
        )  # fmt: skip
        app = client.app
        query = {
            "client_id": app.client_id, "response_type": "code", "scope": app.scope,
            "redirect_uri": app.redirect_uri, "state": state,
        }  # fmt: skip
        if provider == "zoho":
            query |= {"access_type": "offline", "prompt": "consent"}
        return f"{app.authorize_url}?{urlencode(query)}"

    async def complete(
        self, *, provider: Provider, code: str, state: str, realm_id: str | None = None
    ) -> Connected:
        """Finish a connect from the provider's redirect; `ConnectError` says what was wrong."""
        client = self._client(provider)
        tenant_id, nonce = self._verify_state(state, provider)
        async with self.db.transaction() as tx:
            if not await storage.consume_state(
                tx, nonce=nonce, tenant_id=tenant_id, provider=provider
            ):
                raise ConnectError(
                    "invalid_state", "this connect link was already used or has expired"
                )
        try:
            tokens = await client.exchange_code(code, now=self.clock())
            accounts = await self.accounts.discover(provider, tokens, realm_id=realm_id)
        except GrantRevoked:
            raise ConnectError(
                "invalid_code", "the provider refused the authorization code"
            ) from None
        except ProviderError as exc:
            log.warning("connect failed at provider", provider=provider, error=str(exc))
            raise ConnectError(
                "provider_unavailable", f"{provider} did not complete the connect"
            ) from None
        async with self.db.transaction() as tx:
            connection_id = await storage.save_connection(
                tx, self.box, tenant_id=tenant_id, provider=provider, account_id=accounts[0].id,
                account_name=accounts[0].name, tokens=tokens,
            )  # fmt: skip
            for account in accounts:
                await link_account(tx, tenant_id=tenant_id, provider=provider, account_id=account.id,
                                   connection_id=connection_id)  # fmt: skip
            await self._emit(tx, "connection.connected", tenant_id=tenant_id, provider=provider,
                             connection_id=connection_id, accounts=accounts)  # fmt: skip
        log.info(
            "erp connected", provider=provider, tenant_id=tenant_id, connection_id=connection_id
        )
        return Connected(connection_id, tenant_id, provider, accounts)

    async def disconnect(self, *, tenant_id: str, connection_id: str) -> bool:
        """Revoke and forget a connection; True if the provider confirmed the revocation.

        Raises `ConnectError("not_found")` for a connection that is not the tenant's.
        """
        stored = await storage.tokens_of(self.db, self.box, connection_id)
        if stored is None or stored.tenant_id != tenant_id or stored.status == "disconnected":
            raise ConnectError("not_found", "no such connection")
        revoked = await self._revoke(stored)
        async with self.db.transaction() as tx:
            await storage.set_status(tx, connection_id, "disconnected")
            accounts = await unlink_connection(tx, tenant_id=tenant_id, connection_id=connection_id)
            unlinked = tuple(Account(id=a, name=None) for a in accounts)
            await self._emit(tx, "connection.disconnected", tenant_id=tenant_id,
                             provider=stored.provider, connection_id=connection_id,
                             accounts=unlinked or (Account(id=stored.account_id, name=None),))  # fmt: skip
        return revoked

    async def _revoke(self, stored: storage.StoredTokens) -> bool:
        token = stored.refresh_token or stored.access_token
        client = self.oauth.get(stored.provider)
        if token is None or client is None:
            return False
        try:
            await client.revoke(token)
        except ProviderError as exc:
            log.warning("revocation failed; tokens forgotten anyway", provider=stored.provider,
                        connection_id=stored.connection_id, error=str(exc))  # fmt: skip
            return False
        return True

    def _client(self, provider: Provider) -> OAuthClient:
        client = self.oauth.get(provider)
        if client is None:  # fail closed: no app configured, no connect
            raise ConnectError("not_configured", f"{provider} connections are not configured")
        return client

    def _verify_state(self, state: str, provider: Provider) -> tuple[str, str]:
        try:
            claims = jwt.decode(
                state, self.state_secret, algorithms=_ALGORITHMS,
                options={"require": ["exp", "jti", "tid", "prv", "typ"]},
            )  # fmt: skip
        except jwt.ExpiredSignatureError:
            raise ConnectError("invalid_state", "this connect link has expired") from None
        except jwt.InvalidTokenError:
            raise ConnectError("invalid_state", "the connect state is not valid") from None
        if claims["typ"] != _STATE_TYPE or claims["prv"] != provider:
            raise ConnectError("invalid_state", "the connect state is not valid")
        return str(claims["tid"]), str(claims["jti"])

    async def _emit(
        self, tx: Connection, kind: str, *, tenant_id: str, provider: Provider,
        connection_id: str, accounts: tuple[Account, ...],
    ) -> None:  # fmt: skip
        event = CloudEvent(
            source=f"/services/{self.service}", type=kind, subject=f"connection/{connection_id}",
            tenantid=tenant_id, accountid=accounts[0].id, connectionid=connection_id,
            data={"provider": provider, "accounts": [a.id for a in accounts]},
        )  # fmt: skip
        await outbox.enqueue(tx, service=self.service, event=event, exchange=self.events_exchange)
