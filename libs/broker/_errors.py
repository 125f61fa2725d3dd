"""Errors at the broker boundary.

HandlerError            raised by a handler to tell the runner what to do with the message
├── RetryableError      transient (timeout, 5xx, 429, DB hiccup): next retry tier, honouring retry_after
│   └── HandlerTimeout  the runner stopped a handler that ran past its timeout
└── PermanentError      a retry cannot fix it (validation, 4xx): straight to the DLQ

PublishError            a publish was not confirmed as delivered to a queue
├── PublishReturned     unroutable: no queue bound for the routing key (mandatory flag)
├── PublishNacked       the broker refused it (basic.nack)
├── PublishTimeout      no confirm within the publish timeout
└── BrokerUnavailable   no open connection or channel to publish on
"""

from __future__ import annotations


class HandlerError(Exception):
    """Base of what a handler raises on purpose; the runner classifies by subclass."""


class RetryableError(HandlerError):
    """Try again later; `retry_after` (seconds) asks for at least that delay."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HandlerTimeout(RetryableError):
    """Raised by the runner, not handlers: the handler ran past its subscription's timeout."""


class PermanentError(HandlerError):
    """Retrying cannot help; the message is parked in the DLQ with this error."""


class PublishError(Exception):
    """A publish did not end in a confirmed, routed message."""

    def __init__(self, message: str, *, exchange: str, routing_key: str) -> None:
        super().__init__(message)
        self.exchange = exchange
        self.routing_key = routing_key


class PublishReturned(PublishError):
    """The broker returned the message: nothing is bound for this routing key."""


class PublishNacked(PublishError):
    """The broker nacked the message (for example a queue at its length limit)."""


class PublishTimeout(PublishError):
    """No confirm arrived in time; the message may or may not have been enqueued."""


class BrokerUnavailable(PublishError):
    """The connection or channel is closed or reconnecting; nothing was sent."""
