"""Xero's API (providers.md §2.7, §2.8), as erp_sync uses it.

    GET {base}/connections                          → [{tenantId, tenantName, ...}]
    GET {base}/api.xro/2.0/Invoices/{id}            with `xero-tenant-id` → {"Invoices": [...]}

401 `{"Title": "Unauthorized", "Detail": "TokenExpired: …"}` → AuthExpired; 404 → NotFound;
429 (with `Retry-After`) and 5xx → ProviderUnavailable.
"""

from __future__ import annotations

from typing import Any

from libs.http import Answer, MalformedResponse, ProviderHttp

PROVIDER = "xero"


class XeroClient:
    def __init__(self, http: ProviderHttp, *, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    async def connections(self, *, token: str) -> list[dict[str, Any]]:
        """The organisations the token may reach."""
        answer = await self._send("GET", f"{self._base}/connections", token=token)
        found = answer.json()
        if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
            raise MalformedResponse(
                "connections answer is not a list of objects", provider=PROVIDER
            )
        return found

    async def get_invoice(self, tenant_id: str, invoice_id: str, *, token: str) -> dict[str, Any]:
        """The whole `{"Invoices": [...]}` envelope for one invoice of one organisation."""
        answer = await self._send(
            "GET", f"{self._base}/api.xro/2.0/Invoices/{invoice_id}", token=token,
            tenant_id=tenant_id,
        )  # fmt: skip
        return answer.json_object()

    async def _send(
        self, method: str, url: str, *, token: str, tenant_id: str | None = None
    ) -> Answer:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if tenant_id is not None:
            headers["xero-tenant-id"] = tenant_id
        answer = await self._http.request(
            method, url, provider=PROVIDER, headers=headers, attempts=3
        )
        if answer.status >= 300:
            answer.raise_for_status(_detail(answer))
        return answer


def _detail(answer: Answer) -> str | None:
    try:
        body = answer.json()
    except MalformedResponse:
        return None
    if not isinstance(body, dict):
        return None
    text = body.get("Detail") or body.get("Title") or body.get("Message")
    return str(text)[:200] if text else None
