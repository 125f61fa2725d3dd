"""The OAuth apps Switchyard is registered as at each ERP, and where each ERP lives.

    ErpAppSettings      the environment variables (CONTRACT §2): client ids and secrets,
                        `*_BASE` URLs (real hosts by default), the OAuth redirect base
    OAuthApp            one provider's app: endpoints, credentials, scopes, redirect URI

Shared by erp_sync (refresh, API calls) and admin (start and callback of a connect),
so both read the same variables the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

from libs.config import OAuthClientSettings

Provider = Literal["quickbooks", "xero", "zoho"]
PROVIDERS: tuple[Provider, ...] = ("quickbooks", "xero", "zoho")

# The real hosts (providers.md §1.7, §2.7, §3.5). A *_BASE variable replaces a whole
# family of them at once, so the sandbox (or any other implementation) can stand in.
_INTUIT = {
    "authorize": "https://appcenter.intuit.com/connect/oauth2",
    "token": "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    "revoke": "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
}
_INTUIT_PATHS = {
    "authorize": "/connect/oauth2",
    "token": "/oauth2/v1/tokens/bearer",
    "revoke": "/v2/oauth2/tokens/revoke",
}
_XERO_IDENTITY = {
    "authorize": "https://login.xero.com/identity/connect/authorize",
    "token": "https://identity.xero.com/connect/token",
    "revoke": "https://identity.xero.com/connect/revocation",
}
_XERO_IDENTITY_PATHS = {
    "authorize": "/connect/authorize",
    "token": "/connect/token",
    "revoke": "/connect/revocation",
}
_ZOHO_ACCOUNTS_PATHS = {
    "authorize": "/oauth/v2/auth",
    "token": "/oauth/v2/token",
    "revoke": "/oauth/v2/token/revoke",
}
SCOPES: dict[Provider, str] = {
    "quickbooks": "com.intuit.quickbooks.accounting",
    "xero": "openid offline_access accounting.transactions accounting.contacts",
    "zoho": "ZohoBooks.invoices.READ,ZohoBooks.invoices.CREATE,ZohoBooks.settings.READ",
}


class ErpAppSettings(OAuthClientSettings):
    """CONTRACT §2 variables for the three ERPs; mixed into erp_sync's and admin's settings."""

    quickbooks_api_base: str = "https://quickbooks.api.intuit.com"
    intuit_oauth_base: str | None = None
    xero_api_base: str = "https://api.xero.com"
    xero_identity_base: str | None = None
    zoho_api_base: str = "https://www.zohoapis.com"
    zoho_accounts_base: str = "https://accounts.zoho.com"
    # Where providers send the browser back after consent: the admin API's public address.
    oauth_redirect_base: str = "http://127.0.0.1:8001"

    def oauth_app(self, provider: Provider) -> OAuthApp | None:
        """`provider`'s app, or None when its client id or secret is not configured."""
        client_id = getattr(self, f"{provider}_client_id")
        secret: SecretStr | None = getattr(self, f"{provider}_client_secret")
        if not client_id or secret is None:
            return None
        return OAuthApp(
            provider=provider,
            client_id=client_id,
            client_secret=secret.get_secret_value(),
            endpoints=self._endpoints(provider),
            scope=SCOPES[provider],
            redirect_uri=f"{self.oauth_redirect_base.rstrip('/')}/api/oauth/{provider}/callback",
        )

    def _endpoints(self, provider: Provider) -> dict[str, str]:
        if provider == "quickbooks":
            return _from_base(self.intuit_oauth_base, _INTUIT_PATHS) or dict(_INTUIT)
        if provider == "xero":
            return _from_base(self.xero_identity_base, _XERO_IDENTITY_PATHS) or dict(_XERO_IDENTITY)
        return _from_base(self.zoho_accounts_base, _ZOHO_ACCOUNTS_PATHS) or {}


def _from_base(base: str | None, paths: dict[str, str]) -> dict[str, str] | None:
    if base is None:
        return None
    return {name: base.rstrip("/") + path for name, path in paths.items()}


@dataclass(frozen=True)
class OAuthApp:
    """One provider's OAuth app; `repr` never shows the secret."""

    provider: Provider
    client_id: str
    client_secret: str = field(repr=False)
    endpoints: dict[str, str]
    scope: str
    redirect_uri: str

    @property
    def authorize_url(self) -> str:
        return self.endpoints["authorize"]

    @property
    def token_url(self) -> str:
        return self.endpoints["token"]

    @property
    def revoke_url(self) -> str:
        return self.endpoints["revoke"]
