"""RabbitMQ for services: topology, confirmed publishing, the consumer runtime.

Errors (see `_errors`):

    HandlerError -> RetryableError (-> HandlerTimeout),     raised by handlers (and the runner)
                    PermanentError
    PublishError -> PublishReturned, PublishNacked,         raised by Publisher
                    PublishTimeout, BrokerUnavailable
"""

from libs.broker._errors import (
    BrokerUnavailable,
    HandlerError,
    HandlerTimeout,
    PermanentError,
    PublishError,
    PublishNacked,
    PublishReturned,
    PublishTimeout,
    RetryableError,
)
from libs.broker._headers import (
    ATTEMPT,
    ERROR,
    ERROR_KIND,
    FAILED_AT,
    REPLAYS,
    SERVICE,
    attempt_of,
    describe,
)
from libs.broker.connection import BrokerConnection
from libs.broker.consumer import Consumer, QueueConsumer, forward, settle
from libs.broker.dead_letters import DeadLetter, DeadLetters
from libs.broker.publisher import DEFAULT_EXCHANGE, OutgoingMessage, Publisher
from libs.broker.retry_tiers import next_tier
from libs.broker.subscriptions import Subscription, SubscriptionTable, topic_matches
from libs.broker.topology import Exchange, QueueState, ServiceTopology, Topology, inspect_queue
from libs.broker.watchdog import ConsumerWatchdog

__all__ = [
    "ATTEMPT",
    "DEFAULT_EXCHANGE",
    "ERROR",
    "ERROR_KIND",
    "FAILED_AT",
    "REPLAYS",
    "SERVICE",
    "BrokerConnection",
    "BrokerUnavailable",
    "Consumer",
    "ConsumerWatchdog",
    "DeadLetter",
    "DeadLetters",
    "Exchange",
    "HandlerError",
    "HandlerTimeout",
    "OutgoingMessage",
    "PermanentError",
    "PublishError",
    "PublishNacked",
    "PublishReturned",
    "PublishTimeout",
    "Publisher",
    "QueueConsumer",
    "QueueState",
    "RetryableError",
    "ServiceTopology",
    "Subscription",
    "SubscriptionTable",
    "Topology",
    "attempt_of",
    "describe",
    "forward",
    "inspect_queue",
    "next_tier",
    "settle",
    "topic_matches",
]
