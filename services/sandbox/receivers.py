"""Webhook receivers: stand-ins for a tenant's own endpoint, to try Switchyard's outbound webhooks.

    POST /_sandbox/receivers/{name}      the endpoint: records the request, answers `status`
    PUT  /_sandbox/receivers/{name}      {"secret": "whsec_…", "status": 204}: how to verify
                                         and what to answer (default: no secret, 204)
    GET  /_sandbox/receivers/{name}      what arrived: webhook-id, timestamp, the JSON body,
                                         and whether its Standard Webhooks signature verifies
                                         with the configured secret (null without one)
    DELETE /_sandbox/receivers/{name}    forget it

Kept in memory, at most `MAX_KEPT` requests per receiver (oldest dropped). Verification is
libs.signatures' Standard Webhooks verifier, the one ingress uses for tenants' sources.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import orjson
from multidict import CIMultiDictProxy

from libs.signatures import SignatureError, StandardWebhooksVerifier

MAX_KEPT = 1000


@dataclass
class Receiver:
    secret: str | None = None
    status: int = 204
    received: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=MAX_KEPT))


class Receivers:
    def __init__(self) -> None:
        self._by_name: dict[str, Receiver] = {}

    def reset(self) -> None:
        self._by_name.clear()

    def get(self, name: str) -> Receiver:
        return self._by_name.setdefault(name, Receiver())

    def find(self, name: str) -> Receiver | None:
        return self._by_name.get(name)

    def forget(self, name: str) -> bool:
        return self._by_name.pop(name, None) is not None


def record(raw: bytes, headers: CIMultiDictProxy[str], secret: str | None) -> dict[str, Any]:
    """What a receiver keeps of one request (verified: None when it has no secret)."""
    verified: bool | None = None
    if secret is not None:
        try:
            StandardWebhooksVerifier(secrets=[secret]).verify(raw, headers)
            verified = True
        except SignatureError:
            verified = False
    try:
        body: object = orjson.loads(raw)
    except orjson.JSONDecodeError:
        body = raw[:1000].decode("utf-8", "replace")
    return {
        "webhook_id": headers.get("webhook-id"),
        "timestamp": headers.get("webhook-timestamp"),
        "signatures": len(headers.get("webhook-signature", "").split()),
        "verified": verified,
        "body": body,
    }
