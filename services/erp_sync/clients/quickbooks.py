"""QuickBooks Online Accounting API v3 (providers.md §1.8-§1.10), as erp_sync uses it.

    GET  {base}/v3/company/{realm}/invoice/{id}?minorversion=75     → {"Invoice": {...}}
    GET  {base}/v3/company/{realm}/customer/{id} · taxcode/{id}      → {"Customer"|"TaxCode": ...}
    GET  {base}/v3/company/{realm}/query?query=select …              → {"QueryResponse": {...}}
    POST {base}/v3/company/{realm}/customer|invoice?requestid=…      → the created object

Errors are `Fault` bodies, with keys in either case (§1.9): 401 → AuthExpired (code 3200),
code 610 "Object Not Found" → NotFound, 429 ThrottleExceeded and 5xx → ProviderUnavailable.
Creates carry a `requestid`, so a retried create is answered with the original object.
"""

from __future__ import annotations

from typing import Any

from libs.http import Answer, MalformedResponse, NotFound, ProviderHttp

PROVIDER = "quickbooks"
MINOR_VERSION = "75"
_NOT_FOUND_CODES = frozenset({"610"})


class QuickBooksClient:
    def __init__(self, http: ProviderHttp, *, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    async def get_invoice(self, realm: str, invoice_id: str, *, token: str) -> dict[str, Any]:
        return await self._get_entity(realm, "Invoice", invoice_id, token=token)

    async def get_customer(self, realm: str, customer_id: str, *, token: str) -> dict[str, Any]:
        return await self._get_entity(realm, "Customer", customer_id, token=token)

    async def get_tax_code(self, realm: str, code_id: str, *, token: str) -> dict[str, Any]:
        return await self._get_entity(realm, "TaxCode", code_id, token=token)

    async def query(self, realm: str, statement: str, *, token: str) -> dict[str, Any]:
        """Run a query; returns the `QueryResponse` object (entity lists keyed by name)."""
        answer = await self._send("GET", realm, "query", token=token, params={"query": statement})
        response = answer.json_object().get("QueryResponse")
        if not isinstance(response, dict):
            raise MalformedResponse("query answer lacks QueryResponse", provider=PROVIDER)
        return response

    async def create(
        self, realm: str, entity: str, body: dict[str, Any], *, request_id: str, token: str
    ) -> dict[str, Any]:
        """Create an `entity`; the same `request_id` always yields the same object (§1.8)."""
        answer = await self._send(
            "POST", realm, entity.lower(), token=token, params={"requestid": request_id}, json=body
        )
        return _entity(answer, entity)

    async def _get_entity(
        self, realm: str, entity: str, entity_id: str, *, token: str
    ) -> dict[str, Any]:
        answer = await self._send("GET", realm, f"{entity.lower()}/{entity_id}", token=token)
        return _entity(answer, entity)

    async def _send(
        self,
        method: str,
        realm: str,
        path: str,
        *,
        token: str,
        params: dict[str, str] | None = None,
        json: object | None = None,
    ) -> Answer:
        answer = await self._http.request(
            method, f"{self._base}/v3/company/{realm}/{path}", provider=PROVIDER,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            params={**(params or {}), "minorversion": MINOR_VERSION}, json=json, attempts=3,
        )  # fmt: skip
        if answer.status >= 300:
            message, code = _fault(answer)
            if code in _NOT_FOUND_CODES:
                raise NotFound(message, provider=PROVIDER, status=answer.status, code=code)
            answer.raise_for_status(message, code=code)
        return answer


def _entity(answer: Answer, entity: str) -> dict[str, Any]:
    body = answer.json_object()
    if "Fault" in body or "fault" in body:  # an HTTP 200 may still carry a Fault (§1.9)
        message, code = _fault(answer)
        raise MalformedResponse(
            f"fault in a {answer.status} answer: {message} ({code})", provider=PROVIDER
        )
    found = body.get(entity)
    if not isinstance(found, dict):
        raise MalformedResponse(f"answer lacks the {entity} object", provider=PROVIDER)
    return found


def _fault(answer: Answer) -> tuple[str, str | None]:
    """The first error's message and code from a Fault body, whatever its keys' case."""
    try:
        body = answer.json()
    except MalformedResponse:
        return f"HTTP {answer.status}", None
    lowered = {str(k).lower(): v for k, v in body.items()} if isinstance(body, dict) else {}
    fault = lowered.get("fault")
    errors = (
        {str(k).lower(): v for k, v in fault.items()}.get("error")
        if isinstance(fault, dict)
        else None
    )
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return f"HTTP {answer.status}", None
    first = {str(k).lower(): v for k, v in errors[0].items()}
    code = first.get("code")
    message = first.get("message")
    return (str(message)[:200] if message else f"HTTP {answer.status}"), (
        str(code) if code else None
    )
