"""A service's subscription table: which event types it consumes, and the handler of each.

Queue bindings are derived from this table, so what a service binds cannot
drift from what it handles.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, TypeVar

from libs.broker.topology import Exchange
from libs.events import CloudEvent

EventT = TypeVar("EventT", bound=CloudEvent)
DepsT = TypeVar("DepsT")

Handler = Callable[[EventT, DepsT], Awaitable[None]]


@dataclass(frozen=True)
class Subscription(Generic[EventT, DepsT]):
    """Consume `event_type` (an AMQP topic pattern) from `exchange` with `handler`.

    The runner validates each message as `model` before calling the handler;
    `timeout` bounds one handler run (exceeding it counts as a retryable failure).
    """

    exchange: Exchange
    event_type: str
    handler: Handler[EventT, DepsT]
    model: type[EventT] = field(default=CloudEvent)  # type: ignore[assignment]
    timeout: float = 60.0


class SubscriptionTable(Generic[DepsT]):
    """Lookup from an event type to its one subscription; exact types win over patterns."""

    def __init__(self, subscriptions: Sequence[Subscription[Any, DepsT]]) -> None:
        seen: set[str] = set()
        for sub in subscriptions:
            if sub.event_type in seen:
                raise ValueError(f"two handlers for event type {sub.event_type!r}")
            seen.add(sub.event_type)
        self._subscriptions = list(subscriptions)
        self._exact = {s.event_type: s for s in subscriptions if not _is_pattern(s.event_type)}
        self._patterns = [s for s in subscriptions if _is_pattern(s.event_type)]

    def __iter__(self) -> Any:
        return iter(self._subscriptions)

    def __len__(self) -> int:
        return len(self._subscriptions)

    def find(self, event_type: str) -> Subscription[Any, DepsT] | None:
        """The subscription handling `event_type`, or None."""
        exact = self._exact.get(event_type)
        if exact is not None:
            return exact
        for sub in self._patterns:
            if topic_matches(sub.event_type, event_type):
                return sub
        return None


def _is_pattern(routing_key: str) -> bool:
    return "*" in routing_key or "#" in routing_key


@lru_cache(maxsize=1024)
def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is exactly one word, `#` is zero or more words."""
    return _match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


def _match(pattern: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])
