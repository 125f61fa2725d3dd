"""AMQP headers the runtime writes on retried and parked messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ATTEMPT = "x-switchyard-attempt"  # failures so far; absent on a first delivery
ERROR = "x-switchyard-error"  # "<ErrorClass>: <message>" of the last failure, truncated
ERROR_KIND = "x-switchyard-error-kind"  # permanent | exhausted | invalid
FAILED_AT = "x-switchyard-failed-at"  # RFC 3339 time the message was parked
SERVICE = "x-switchyard-service"  # the consumer that parked it
REPLAYS = "x-switchyard-replays"  # how often an operator replayed it from the DLQ

MAX_ERROR_LENGTH = 1000


def attempt_of(headers: Mapping[str, Any] | None) -> int:
    """The failure count carried by a message (0 when absent or malformed)."""
    value = (headers or {}).get(ATTEMPT, 0)
    return value if isinstance(value, int) and value >= 0 else 0


def describe(exc: BaseException) -> str:
    """`ErrorClass: message`, bounded; what the DLQ records about a failure."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def without_death_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """`headers` without RabbitMQ's x-death bookkeeping of an earlier dead-lettering.

    Carrying x-death onto a fresh publish would make RabbitMQ's cycle
    detection see a rejection-free loop (docs/dlx.md) and drop the message.
    """
    return {
        k: v
        for k, v in (headers or {}).items()
        if not k.startswith(("x-death", "x-first-death", "x-last-death"))
    }
