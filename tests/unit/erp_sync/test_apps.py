"""Which URLs and credentials each ERP's OAuth app uses (CONTRACT §2 variables)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from libs.http import ProviderRejected
from services.erp_sync.apps import ErpAppSettings
from services.erp_sync.clients.zoho import ZohoClient


def configured(**changes):
    return ErpAppSettings(
        quickbooks_client_id="qb-id", quickbooks_client_secret=SecretStr("qb-secret"),
        xero_client_id="x-id", xero_client_secret=SecretStr("x-secret"),
        zoho_client_id="z-id", zoho_client_secret=SecretStr("z-secret"), **changes,
    )  # fmt: skip


def test_real_hosts_are_the_defaults():
    settings = configured()
    quickbooks, xero, zoho = (settings.oauth_app(p) for p in ("quickbooks", "xero", "zoho"))
    assert quickbooks is not None
    assert xero is not None
    assert zoho is not None
    assert quickbooks.authorize_url == "https://appcenter.intuit.com/connect/oauth2"
    assert quickbooks.token_url == "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
    assert xero.authorize_url == "https://login.xero.com/identity/connect/authorize"
    assert xero.token_url == "https://identity.xero.com/connect/token"
    assert zoho.token_url == "https://accounts.zoho.com/oauth/v2/token"


def test_one_base_variable_moves_a_whole_provider_family():
    settings = configured(intuit_oauth_base="http://127.0.0.1:8099/intuit-oauth/")
    app = settings.oauth_app("quickbooks")
    assert app is not None
    assert app.endpoints == {
        "authorize": "http://127.0.0.1:8099/intuit-oauth/connect/oauth2",
        "token": "http://127.0.0.1:8099/intuit-oauth/oauth2/v1/tokens/bearer",
        "revoke": "http://127.0.0.1:8099/intuit-oauth/v2/oauth2/tokens/revoke",
    }
    assert app.redirect_uri == "http://127.0.0.1:8001/api/oauth/quickbooks/callback"


def test_a_provider_without_client_credentials_has_no_app():
    assert ErpAppSettings(xero_client_id="x-id").oauth_app("xero") is None
    assert ErpAppSettings().oauth_app("quickbooks") is None


def test_the_app_repr_hides_its_secret():
    app = configured().oauth_app("xero")
    assert "x-secret" not in repr(app)


@pytest.mark.parametrize(
    "api_domain",
    ["https://www.zohoapis.com", "https://www.zohoapis.eu", "https://zohoapis.com.au"],
)
def test_zoho_api_domains_of_every_data_centre_are_trusted(api_domain):
    client = ZohoClient(http=None, base_url="https://www.zohoapis.com")  # type: ignore[arg-type]
    assert client.api_root(api_domain) == api_domain


@pytest.mark.parametrize(
    "api_domain",
    ["http://www.zohoapis.com", "https://evil.example", "https://zohoapis.com.evil.example",
     "http://169.254.169.254"],
)  # fmt: skip
def test_a_token_answer_cannot_point_bearer_tokens_elsewhere(api_domain):
    client = ZohoClient(http=None, base_url="https://www.zohoapis.com")  # type: ignore[arg-type]
    with pytest.raises(ProviderRejected, match="untrusted api_domain"):
        client.api_root(api_domain)


def test_the_configured_base_is_trusted_for_the_sandbox():
    client = ZohoClient(http=None, base_url="http://127.0.0.1:8099/zoho")  # type: ignore[arg-type]
    assert client.api_root("http://127.0.0.1:8099/zoho") == "http://127.0.0.1:8099/zoho"
