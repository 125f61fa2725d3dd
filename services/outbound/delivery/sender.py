"""One HTTP attempt: sign, POST, read a bounded answer, and say what happened. Never raises.

POST <endpoint url>   body as queued; content-type application/json; the endpoint's own
                      headers; webhook-id, webhook-timestamp (this attempt), webhook-signature
timeouts              connect `connect_timeout` s, whole attempt `timeout` s
redirects             not followed: a 3xx is a failed attempt (Standard Webhooks)
egress                the URL's host and every address it resolves to are checked against
                      libs.egress's policy at connect time; a refused one is a failed
                      attempt whose error says why, and nothing is sent
answer                2xx delivered; 410 gone (the endpoint is disabled); anything else,
                      or no answer, failed; the first `response_limit` bytes are kept
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiohttp
from yarl import URL

from libs.egress import EgressPolicy, EgressRefused, check_url, refusal_of
from libs.http import retry_after_of
from services.outbound.delivery.messages import Delivery
from services.outbound.delivery.signing import signature
from services.outbound.endpoints import Endpoint

USER_AGENT = "Switchyard-Webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    started_at: float  # unix seconds
    duration_ms: int
    status: int | None = None
    response: str | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status == 410


def not_tried(reason: str) -> Outcome:
    """An attempt that failed before anything was sent (breaker open, no secret, ...)."""
    return Outcome(started_at=time.time(), duration_ms=0, error=reason)


class Sender:
    """Posts deliveries over one pooled, egress-guarded client session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        policy: EgressPolicy,
        *,
        timeout: float,
        response_limit: int = 4096,
    ) -> None:
        self._session = session
        self._policy = policy
        self._timeout = timeout
        self._limit = response_limit
        self._urls: dict[str, URL | EgressRefused] = {}

    def _checked(self, url: str) -> URL:
        """`check_url`'s verdict, kept per URL: the static checks cannot change (names are
        judged at every connection by the guarded connector, not here)."""
        verdict = self._urls.get(url)
        if verdict is None:
            if len(self._urls) > 10_000:
                self._urls.clear()
            verdict = self._urls[url] = _static_check(url, self._policy)
        if isinstance(verdict, EgressRefused):
            raise verdict
        return verdict

    async def send(self, endpoint: Endpoint, delivery: Delivery, body: bytes) -> Outcome:
        started = time.time()
        clock = time.perf_counter()
        try:
            url = self._checked(endpoint.url)
            if not endpoint.keys:
                return not_tried("the endpoint has no signing secret")
            stamp = int(started)
            headers = {
                **endpoint.headers, "content-type": "application/json", "user-agent": USER_AGENT,
                "webhook-id": delivery.id, "webhook-timestamp": str(stamp),
                "webhook-signature": signature(endpoint.keys, msg_id=delivery.id, timestamp=stamp, body=body),
            }  # fmt: skip
            async with self._session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                answer = await response.content.read(self._limit)
                return Outcome(
                    started_at=started,
                    duration_ms=_elapsed_ms(clock),
                    status=response.status,
                    response=_text(answer),
                    retry_after=retry_after_of(response.headers),
                )
        except EgressRefused as exc:
            error = f"refused: {exc.reason}"
            return Outcome(started_at=started, duration_ms=_elapsed_ms(clock), error=error)
        except TimeoutError:
            return Outcome(
                started_at=started,
                duration_ms=_elapsed_ms(clock),
                error=f"timed out after {self._timeout:g} s",
            )
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            refused = refusal_of(exc)
            error = f"refused: {refused.reason}" if refused else _describe(exc)
            return Outcome(started_at=started, duration_ms=_elapsed_ms(clock), error=error)


def _static_check(url: str, policy: EgressPolicy) -> URL | EgressRefused:
    try:
        return check_url(url, policy)
    except EgressRefused as exc:
        return exc


def _text(answer: bytes) -> str:
    # PostgreSQL text holds no NUL: one in an answer must not fail the attempt log's batch
    return answer.decode("utf-8", "replace").replace("\x00", "\ufffd")


def _elapsed_ms(clock: float) -> int:
    return round((time.perf_counter() - clock) * 1000)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500].replace("\x00", "\ufffd")
