from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from libs.http._errors import (
    AuthExpired,
    MalformedResponse,
    NotFound,
    ProviderRejected,
    ProviderUnavailable,
    retry_after_of,
)

# Longer waits than this belong to the broker's retry tiers, never to a waiting handler.
_MAX_IN_PROCESS_WAIT_S = 2.0


@dataclass(frozen=True)
class Answer:
    """A provider's HTTP answer, body read in full."""

    provider: str
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; `MalformedResponse` when it is not JSON at all."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise MalformedResponse(
                f"HTTP {self.status} answer is not JSON", provider=self.provider
            ) from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; `MalformedResponse` for anything else."""
        value = self.json()
        if not isinstance(value, dict):
            raise MalformedResponse(
                f"HTTP {self.status} answer is not a JSON object", provider=self.provider
            )
        return value

    def raise_for_status(self, message: str | None = None, *, code: str | None = None) -> None:
        """Map a non-2xx status to the error tree; `message` is the provider's short reason."""
        if self.status < 300:
            return
        text = message or f"HTTP {self.status}"
        if self.status == 429 or self.status >= 500:
            raise ProviderUnavailable(
                text, provider=self.provider, status=self.status,
                retry_after=retry_after_of(self.headers),
            )  # fmt: skip
        error: type[ProviderRejected] = ProviderRejected
        if self.status == 401:
            error = AuthExpired
        elif self.status == 404:
            error = NotFound
        raise error(text, provider=self.provider, status=self.status, code=code)


class ProviderHttp:
    """Sends requests to providers over one shared `aiohttp.ClientSession`.

    Transport failures become `ProviderUnavailable`; statuses are left to the calling
    client, which knows its provider's error bodies (see `Answer.raise_for_status`).
    `attempts` > 1 retries `ProviderUnavailable` in process with jittered exponential
    backoff, only for requests the caller marks idempotent and only for short waits.
    """

    def __init__(self, session: aiohttp.ClientSession, *, timeout_s: float = 15.0) -> None:
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    @classmethod
    @asynccontextmanager
    async def open(cls, *, timeout_s: float = 15.0) -> AsyncIterator[ProviderHttp]:
        """A client on its own pooled session, closed on exit (one per process)."""
        async with aiohttp.ClientSession() as session:
            yield cls(session, timeout_s=timeout_s)

    async def request(
        self,
        method: str,
        url: str,
        *,
        provider: str,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        json: object | None = None,
        attempts: int = 1,
    ) -> Answer:
        """One request, retried `attempts` times on short-lived unavailability; see the class."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=wait_random_exponential(multiplier=0.2, max=_MAX_IN_PROCESS_WAIT_S),
            retry=retry_if_exception(_worth_retrying_now),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                answer = await self._send(
                    method, url, provider=provider, headers=headers, params=params,
                    form=form, json=json,
                )  # fmt: skip
                if answer.status == 429 or answer.status >= 500:
                    answer.raise_for_status()
                return answer
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    async def _send(
        self,
        method: str,
        url: str,
        *,
        provider: str,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        form: Mapping[str, str] | None,
        json: object | None,
    ) -> Answer:
        body: bytes | None = None
        sent_headers = dict(headers or {})
        if json is not None:
            body = orjson.dumps(json)
            sent_headers.setdefault("Content-Type", "application/json")
        try:
            async with self._session.request(
                method, url, headers=sent_headers, params=params, data=form if body is None else body,
                timeout=self._timeout, allow_redirects=False,
            ) as response:  # fmt: skip
                return Answer(provider, response.status, response.headers, await response.read())
        except TimeoutError:
            raise ProviderUnavailable("timed out", provider=provider) from None
        except aiohttp.ClientError as exc:
            # Only a failure to connect proves the provider never saw the request.
            raise ProviderUnavailable(
                f"connection failed ({type(exc).__name__})", provider=provider,
                sent=not isinstance(exc, aiohttp.ClientConnectorError),
            ) from None  # fmt: skip


def _worth_retrying_now(error: BaseException) -> bool:
    if not isinstance(error, ProviderUnavailable):
        return False
    return error.retry_after is None or error.retry_after <= _MAX_IN_PROCESS_WAIT_S
