"""Zoho Books API v3 (providers.md §3.4-§3.6), as erp_sync uses it.

    GET {api_domain}/books/v3/organizations                        → {"code": 0, "organizations": [...]}
    GET {api_domain}/books/v3/invoices/{id}?organization_id=…      → {"code": 0, "invoice": {...}}

Calls go to the `api_domain` the token endpoint named (the tenant's data centre), but
only if it is one of Zoho's API hosts or the configured ZOHO_API_BASE: a token answer
must not be able to point our bearer tokens at any other host. Errors are
`{"code": <non-zero>, "message": …}`: 401 → AuthExpired, 404 → NotFound, 429 and 5xx →
ProviderUnavailable.
"""

from __future__ import annotations

import re
from typing import Any

from yarl import URL

from libs.http import Answer, MalformedResponse, ProviderHttp, ProviderRejected

PROVIDER = "zoho"
_ZOHO_API_HOST = re.compile(r"^(www\.)?zohoapis\.(com|eu|in|com\.au|jp|com\.cn|ca|sa)$")


class ZohoClient:
    def __init__(self, http: ProviderHttp, *, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    def api_root(self, api_domain: str | None) -> str:
        """Where this tenant's calls go: its `api_domain` if trusted, else the configured base."""
        if api_domain is None:
            return self._base
        url = URL(api_domain)
        trusted = url.scheme == "https" and bool(_ZOHO_API_HOST.match(url.host or ""))
        if trusted or api_domain.rstrip("/") == self._base:
            return api_domain.rstrip("/")
        raise ProviderRejected(
            "token answer named an untrusted api_domain", provider=PROVIDER, status=502
        )

    async def organizations(self, *, api_domain: str | None, token: str) -> list[dict[str, Any]]:
        body = await self._get(f"{self.api_root(api_domain)}/books/v3/organizations", token=token)
        found = body.get("organizations")
        if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
            raise MalformedResponse("organizations answer lacks the list", provider=PROVIDER)
        return found

    async def get_invoice(
        self, organization_id: str, invoice_id: str, *, api_domain: str | None, token: str
    ) -> dict[str, Any]:
        """The whole `{"code": 0, "invoice": {...}}` answer."""
        return await self._get(
            f"{self.api_root(api_domain)}/books/v3/invoices/{invoice_id}", token=token,
            params={"organization_id": organization_id},
        )  # fmt: skip

    async def _get(
        self, url: str, *, token: str, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        answer = await self._http.request(
            "GET", url, provider=PROVIDER, params=params, attempts=3,
            headers={"Authorization": f"Zoho-oauthtoken {token}", "Accept": "application/json"},
        )  # fmt: skip
        if answer.status >= 300:
            message, code = _error(answer)
            answer.raise_for_status(message, code=code)
        return answer.json_object()


def _error(answer: Answer) -> tuple[str | None, str | None]:
    try:
        body = answer.json()
    except MalformedResponse:
        return None, None
    if not isinstance(body, dict):
        return None, None
    message, code = body.get("message"), body.get("code")
    return (str(message)[:200] if message else None), (str(code) if code is not None else None)
