"""Firing signed provider webhooks at ingress, and firing them again (provider retries).

    fire(provider, path, body, sign) ──POST {ingress}{path}──> Delivery (stored)
    redeliver(delivery_id)           ──same body, `sign` run again──> same Delivery, new attempt

`sign(body)` returns the provider's signature headers; it runs on every attempt, so Stripe's
`t=` is fresh on a redelivery while the event id in the body stays the same. An ingress that
cannot be reached is an answer too (`status: null` and the error), not a sandbox failure.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from services.sandbox.errors import NotFound

Signer = Callable[[bytes], Mapping[str, str]]
TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass(frozen=True)
class Attempt:
    """One POST of a delivery: ingress's status (None when unreachable) and answer text."""

    status: int | None
    body: str
    error: str | None = None


@dataclass
class Delivery:
    """A webhook the sandbox fired: what, where, and every attempt's outcome."""

    id: str
    provider: str
    path: str
    body: bytes = field(repr=False)
    sign: Signer = field(repr=False)
    attempts: list[Attempt] = field(default_factory=list)

    def answer(self) -> dict[str, Any]:
        """`{"delivery_id", "status", "body"}` of the latest attempt (plus `error` if any)."""
        last = self.attempts[-1]
        answer: dict[str, Any] = {"delivery_id": self.id, "status": last.status, "body": last.body}
        if last.error is not None:
            answer["error"] = last.error
        return answer


class WebhookSender:
    """POSTs signed bodies to ingress and keeps every delivery for redelivery."""

    def __init__(self, *, session: aiohttp.ClientSession, ingress_url: str) -> None:
        self._session = session
        self._ingress_url = ingress_url.rstrip("/")
        self._deliveries: dict[str, Delivery] = {}

    async def fire(self, *, provider: str, path: str, body: bytes, sign: Signer) -> Delivery:
        """Send `body` to `{ingress}{path}` signed by `sign`; the stored delivery."""
        delivery = Delivery(
            id=f"dlv_{secrets.token_hex(8)}", provider=provider, path=path, body=body, sign=sign
        )
        self._deliveries[delivery.id] = delivery
        await self._attempt(delivery)
        return delivery

    async def redeliver(self, delivery_id: str) -> Delivery:
        """Send a stored delivery's body again, re-signed; `NotFound` for an unknown id."""
        delivery = self._deliveries.get(delivery_id)
        if delivery is None:
            raise NotFound("no delivery with this id")
        await self._attempt(delivery)
        return delivery

    def deliveries(self) -> list[Delivery]:
        """Every delivery so far, oldest first."""
        return list(self._deliveries.values())

    def reset(self) -> None:
        """Forget every delivery."""
        self._deliveries.clear()

    async def _attempt(self, delivery: Delivery) -> None:
        headers = {"Content-Type": "application/json", **delivery.sign(delivery.body)}
        url = self._ingress_url + delivery.path
        try:
            async with self._session.post(
                url, data=delivery.body, headers=headers, timeout=TIMEOUT
            ) as response:
                attempt = Attempt(status=response.status, body=await response.text())
        except (aiohttp.ClientError, TimeoutError) as exc:
            attempt = Attempt(
                status=None, body="", error=f"ingress unreachable: {type(exc).__name__}"
            )
        delivery.attempts.append(attempt)
