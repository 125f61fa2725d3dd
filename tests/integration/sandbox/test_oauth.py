"""The three simulated identity servers: code flow, rotation and grace, revocation, client checks."""

from __future__ import annotations

import aiohttp
import pytest

from tests.integration.sandbox.oauth_flows import (
    CLIENT_ID,
    REDIRECT_URI,
    connect,
    refresh,
    token_request,
)
from tests.support.sandbox import SandboxControl, SandboxRefused, sandbox_running


async def new_account(sandbox: SandboxControl, provider: str) -> str:
    if provider == "quickbooks":
        return await sandbox.create_quickbooks_company()
    if provider == "xero":
        return await sandbox.create_xero_organisation()
    return await sandbox.create_zoho_organization()


PROVIDERS = ["quickbooks", "xero", "zoho"]
REFUSED_CODE = {"quickbooks": "invalid_grant", "xero": "invalid_grant", "zoho": "invalid_code"}


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_code_is_single_use_and_bound_to_its_redirect_uri(sandbox, provider):
    account = await new_account(sandbox, provider)
    code = await sandbox.authorization_code(provider, account, client_id=CLIENT_ID,
                                            redirect_uri=REDIRECT_URI)  # fmt: skip
    wrong = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://evil/cb"}
    status, body = await token_request(sandbox, provider, wrong)
    assert (status, body) == (400, {"error": REFUSED_CODE[provider]})
    right = {**wrong, "redirect_uri": REDIRECT_URI}
    status, body = await token_request(sandbox, provider, right)
    assert status == 200
    assert body["access_token"]
    assert body["refresh_token"]
    status, body = await token_request(sandbox, provider, right)
    assert (status, body) == (400, {"error": REFUSED_CODE[provider]})


async def test_intuit_redirect_carries_code_state_and_realm_and_page_lists_companies(sandbox):
    realm = await sandbox.create_quickbooks_company(name="Jinja Mills")
    url = f"{sandbox.intuit_oauth_base}/connect/oauth2"
    query = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
             "scope": "com.intuit.quickbooks.accounting", "state": "xyz"}  # fmt: skip
    async with sandbox.session.get(url, params=query, allow_redirects=False) as response:
        page = await response.text()
    assert response.status == 200
    assert "Jinja Mills" in page
    assert f"sandbox_account={realm}" in page
    chosen = {**query, "sandbox_account": realm}
    async with sandbox.session.get(url, params=chosen, allow_redirects=False) as response:
        location = response.headers["Location"]
    assert response.status == 302
    assert location.startswith(REDIRECT_URI + "?")
    assert "state=xyz" in location
    assert f"realmId={realm}" in location
    unknown = {**query, "sandbox_account": "0"}
    async with sandbox.session.get(url, params=unknown, allow_redirects=False) as response:
        assert response.status == 400
    async with sandbox.session.get(url, params={"response_type": "code"}) as response:
        assert response.status == 400


async def test_intuit_refresh_rotates_and_the_predecessor_works_for_24_hours_only(sandbox):
    realm = await sandbox.create_quickbooks_company()
    first = await connect(sandbox, "quickbooks", realm)
    assert first["token_type"] == "bearer"
    assert first["expires_in"] == 3600
    assert first["x_refresh_token_expires_in"] == 8726400
    status, second = await refresh(sandbox, "quickbooks", first["refresh_token"])
    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    await sandbox.advance_clock(23 * 3600)
    status, _ = await refresh(sandbox, "quickbooks", first["refresh_token"])
    assert status == 200  # within 24 h of being superseded
    await sandbox.advance_clock(2 * 3600)
    status, body = await refresh(sandbox, "quickbooks", first["refresh_token"])
    assert (status, body) == (400, {"error": "invalid_grant"})
    status, _ = await refresh(sandbox, "quickbooks", second["refresh_token"])
    assert status == 200


async def test_intuit_hard_expiry_only_when_asked_for(sandbox):
    realm = await sandbox.create_quickbooks_company()
    tokens = await connect(sandbox, "quickbooks", realm)
    assert "x_refresh_token_hard_expires_in" not in tokens
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    status, body = await token_request(
        sandbox, "quickbooks", form, **{"x-include-refresh-token-hard-expires-in": "true"}
    )
    assert status == 200
    assert 0 < body["x_refresh_token_hard_expires_in"] <= 5 * 365 * 86400


async def test_xero_refresh_rotates_with_a_30_minute_grace_and_30_minute_access_tokens(sandbox):
    tenant = await sandbox.create_xero_organisation()
    first = await connect(sandbox, "xero", tenant)
    assert first["expires_in"] == 1800
    assert first["token_type"] == "Bearer"
    status, second = await refresh(sandbox, "xero", first["refresh_token"])
    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    await sandbox.advance_clock(29 * 60)
    assert (await refresh(sandbox, "xero", first["refresh_token"]))[0] == 200
    await sandbox.advance_clock(2 * 60)
    assert await refresh(sandbox, "xero", first["refresh_token"]) == (
        400,
        {"error": "invalid_grant"},
    )


async def test_zoho_refresh_does_not_rotate_and_answers_api_domain(sandbox):
    org = await sandbox.create_zoho_organization()
    code = await sandbox.authorization_code("zoho", org, client_id=CLIENT_ID,
                                            redirect_uri=REDIRECT_URI, state="s1")  # fmt: skip
    # Zoho takes its parameters in the query string as well as the form.
    query = {"client_id": CLIENT_ID, "client_secret": "any", "grant_type": "authorization_code",
             "code": code, "redirect_uri": REDIRECT_URI}  # fmt: skip
    async with sandbox.session.post(f"{sandbox.zoho_accounts_base}/oauth/v2/token",
                                    params=query) as response:  # fmt: skip
        first = await response.json()
    assert response.status == 200
    assert first["api_domain"] == sandbox.zoho_api_base
    assert first["token_type"] == "Bearer"
    assert first["expires_in"] == 3600
    await sandbox.advance_clock(400 * 86400)
    status, again = await refresh(sandbox, "zoho", first["refresh_token"])
    assert status == 200
    assert "refresh_token" not in again
    assert (await refresh(sandbox, "zoho", first["refresh_token"]))[0] == 200


async def test_zoho_redirect_names_the_data_center_and_accounts_server(sandbox):
    org = await sandbox.create_zoho_organization()
    url = f"{sandbox.zoho_accounts_base}/oauth/v2/auth"
    query = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
             "scope": "ZohoBooks.invoices.READ", "access_type": "offline", "state": "s",
             "sandbox_account": org}  # fmt: skip
    async with sandbox.session.get(url, params=query, allow_redirects=False) as response:
        location = response.headers["Location"]
    assert "location=us" in location
    assert "accounts-server=" in location


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_revoked_grant_refuses_its_refresh_token(sandbox, provider):
    account = await new_account(sandbox, provider)
    tokens = await connect(sandbox, provider, account)
    assert await sandbox.revoke_tokens(provider, account) == 1
    status, body = await refresh(sandbox, provider, tokens["refresh_token"])
    assert (status, body) == (400, {"error": REFUSED_CODE[provider]})


async def test_intuit_revoke_endpoint_revokes_the_whole_grant(sandbox):
    realm = await sandbox.create_quickbooks_company()
    tokens = await connect(sandbox, "quickbooks", realm)

    auth = {"Authorization": aiohttp.encode_basic_auth(CLIENT_ID, "secret")}
    async with sandbox.session.post(f"{sandbox.intuit_oauth_base}/v2/oauth2/tokens/revoke",
                                    json={"token": tokens["access_token"]}, headers=auth) as r:  # fmt: skip
        assert r.status == 200
    assert (await refresh(sandbox, "quickbooks", tokens["refresh_token"]))[0] == 400


async def test_configured_client_credentials_are_required_exactly(test_env):
    async with sandbox_running(quickbooks_client_id="the-app", quickbooks_client_secret="s3") as sb:
        realm = await sb.create_quickbooks_company()
        with pytest.raises(SandboxRefused):
            await sb.authorization_code("quickbooks", realm, client_id="other-app")
        code = await sb.authorization_code("quickbooks", realm, client_id="the-app",
                                           redirect_uri=REDIRECT_URI)  # fmt: skip
        import aiohttp

        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
        for secret, expected in (("wrong", 401), ("s3", 200)):
            headers = {"Authorization": aiohttp.encode_basic_auth("the-app", secret)}
            async with sb.session.post(f"{sb.intuit_oauth_base}/oauth2/v1/tokens/bearer",
                                       data=form, headers=headers) as response:  # fmt: skip
                assert response.status == expected
                if expected == 401:
                    assert await response.json() == {"error": "invalid_client"}
        grants = (await sb.call("GET", "/_sandbox/quickbooks/grants"))["grants"]
        assert [grant["client_id"] for grant in grants] == ["the-app"]


async def test_discovery_document_points_every_endpoint_at_the_sandbox(sandbox):
    async with sandbox.session.get(
        f"{sandbox.intuit_oauth_base}/.well-known/openid_configuration"
    ) as response:
        document = await response.json()
    for key in ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "issuer",
                "jwks_uri", "userinfo_endpoint"):  # fmt: skip
        assert document[key].startswith(sandbox.intuit_oauth_base), key
