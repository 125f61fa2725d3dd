"""What ingress does with notifications next: make CloudEvents and put them on the wire."""

from __future__ import annotations

from libs.events import CloudEvent
from services.ingress.notifications import Notification, to_event


def published(notifications: list[Notification], *, provider: str) -> list[CloudEvent]:
    """Each notification as the CloudEvent ingress would publish, round-tripped through bytes."""
    events = [to_event(notification, provider=provider) for notification in notifications]
    return [CloudEvent.from_bytes(event.to_bytes()) for event in events]
