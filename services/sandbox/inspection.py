"""What each simulated provider received, for tests to read back (`GET /_sandbox/requests`).

    {"seq": 7, "at": "2026-...Z", "provider": "intuit-oauth", "account_id": "9130...",
     "method": "POST", "path": "/intuit-oauth/oauth2/v1/tokens/bearer", "query": {},
     "headers": {"Authorization": "Basic …", ...},
     "form": {"grant_type": "refresh_token", "refresh_token": "***"}, "body": null,
     "status": 200}

Credentials never get in: `Authorization` keeps only its scheme, and the values of
`client_secret`, `refresh_token`, `code`, `access_token`, `token`, `id_token` and `password`
are masked wherever they appear (query, form, JSON body), while the rest (`grant_type`)
stays readable so a test can count refresh grants. A provider adds its own secret fields
(EFRIS: `content` and `signature`, so neither ciphertext nor signatures are kept, while
`globalInfo` stays readable: interface code, TIN, device, requestTime).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

MASK = "***"
SECRET_FIELDS = frozenset(
    {"client_secret", "refresh_token", "code", "access_token", "token", "id_token", "password"}
)
SECRET_HEADERS = frozenset({"authorization", "cookie", "x-api-key"})
MAX_RECORDED = 10_000
MAX_TEXT = 4096


@dataclass(frozen=True)
class RecordedRequest:
    """One request as stored: already masked."""

    seq: int
    at: str
    provider: str
    account_id: str | None
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str] | None
    body: Any
    status: int

    def as_json(self) -> dict[str, Any]:
        """The JSON object `GET /_sandbox/requests` lists."""
        return {
            "seq": self.seq,
            "at": self.at,
            "provider": self.provider,
            "account_id": self.account_id,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "form": self.form,
            "body": self.body,
            "status": self.status,
        }


class RequestLog:
    """The last `MAX_RECORDED` requests to simulated providers, oldest first."""

    def __init__(self) -> None:
        self._entries: deque[RecordedRequest] = deque(maxlen=MAX_RECORDED)
        self._seq = 0

    async def record(
        self,
        request: web.Request,
        *,
        provider: str,
        account_id: str | None,
        status: int,
        at: str,
        secret_fields: frozenset[str] = frozenset(),
    ) -> None:
        """Store `request` (masked, `secret_fields` too) with the status it was answered."""
        self._seq += 1
        form, body = await _content(request, SECRET_FIELDS | secret_fields)
        self._entries.append(
            RecordedRequest(
                seq=self._seq,
                at=at,
                provider=provider,
                account_id=account_id,
                method=request.method,
                path=request.path,
                query=masked_pairs(request.query.items()),
                headers={
                    str(name): _header(name, value) for name, value in request.headers.items()
                },
                form=form,
                body=body,
                status=status,
            )
        )

    def find(
        self,
        *,
        provider: str | None = None,
        account_id: str | None = None,
        path_contains: str | None = None,
        since: int = 0,
    ) -> list[RecordedRequest]:
        """The recorded requests matching every given filter; `since` is an exclusive seq."""
        return [
            entry
            for entry in self._entries
            if entry.seq > since
            and (provider is None or entry.provider == provider)
            and (account_id is None or entry.account_id == account_id)
            and (path_contains is None or path_contains in entry.path)
        ]

    def clear(self) -> None:
        """Forget every request (the sequence keeps counting, so `since` stays meaningful)."""
        self._entries.clear()


def masked_pairs(pairs: Any) -> dict[str, str]:
    """Key/value pairs with secret fields' values masked."""
    return {str(key): MASK if key in SECRET_FIELDS else str(value) for key, value in pairs}


def _header(name: str, value: str) -> str:
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, rest = value.partition(" ")
    return f"{scheme} …" if rest else "…"


async def _content(
    request: web.Request, secrets: frozenset[str]
) -> tuple[dict[str, str] | None, Any]:
    if not request.body_exists:
        return None, None
    raw = await request.read()  # aiohttp caches the bytes: the handler read the same ones
    if request.content_type == "application/x-www-form-urlencoded":
        return masked_pairs((await request.post()).items()), None
    try:
        return None, _masked_json(orjson.loads(raw), secrets)
    except orjson.JSONDecodeError:
        return None, raw[:MAX_TEXT].decode("utf-8", errors="replace")


def _masked_json(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: MASK if key in secrets else _masked_json(inner, secrets)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [_masked_json(item, secrets) for item in value]
    return value
