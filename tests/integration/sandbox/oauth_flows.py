"""OAuth round trips against the sandbox's identity servers, as an app would make them."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.support.sandbox import Provider, SandboxControl

CLIENT_ID, CLIENT_SECRET = "test-client", "test-secret"
REDIRECT_URI = "http://127.0.0.1/callback"
TOKEN_PATHS = {
    "quickbooks": "/intuit-oauth/oauth2/v1/tokens/bearer",
    "xero": "/xero-identity/connect/token",
    "zoho": "/zoho-accounts/oauth/v2/token",
}


async def token_request(
    sandbox: SandboxControl, provider: str, form: dict[str, str], **headers: str
) -> tuple[int, dict[str, Any]]:
    """POST the token endpoint with Basic client auth; (status, JSON answer)."""
    auth = {"Authorization": aiohttp.encode_basic_auth(CLIENT_ID, CLIENT_SECRET)}
    async with sandbox.session.post(
        sandbox.base_url + TOKEN_PATHS[provider], data=form, headers={**auth, **headers}
    ) as response:
        return response.status, await response.json(content_type=None)


async def connect(sandbox: SandboxControl, provider: Provider, account_id: str) -> dict[str, Any]:
    """Authorize `account_id` and trade the code; the token answer."""
    code = await sandbox.authorization_code(
        provider, account_id, client_id=CLIENT_ID, redirect_uri=REDIRECT_URI
    )
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    status, body = await token_request(sandbox, provider, form)
    assert status == 200, body
    return body


async def refresh(
    sandbox: SandboxControl, provider: str, refresh_token: str
) -> tuple[int, dict[str, Any]]:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await token_request(sandbox, provider, form)
