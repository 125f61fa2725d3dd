"""One provider notification, provider-neutral, and the error for a body of the wrong shape.

Notification(type="quickbooks.invoice.created", subject="invoice/145",
             time=datetime(2025, 9, 10, 21, 31, 25, 179851, tzinfo=UTC),
             accountid="310687", dedupekey="quickbooks:88cd52aa-...", data={...})

ValueError
└── MalformedPayload    the body is JSON, but not this provider's shape → ingress answers 400
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from libs.events import CloudEvent, new_event_id


@dataclass(frozen=True)
class Notification:
    """One entity change, message or status a provider reported, ready to become a CloudEvent.

    `type` is `<provider>.<entity>.<action>`; `subject` names the provider object
    (`invoice/145`) when the notification says which; `time` is when the provider says it
    happened (aware, UTC), None when it does not say or says it unreadably; `accountid` routes
    it to a tenant; `dedupekey` is the same on every retry of the same notification; `data` is
    the single notification's own JSON, never the whole batch and never a fetched record.
    """

    type: str
    subject: str | None
    time: datetime | None
    accountid: str
    dedupekey: str
    data: dict[str, Any]


class MalformedPayload(ValueError):
    """The body parsed as JSON but is not the provider's shape (ingress answers 400).

    `where` is the path of the offending value (`eventNotifications[0].realmId`, `the body`,
    `header X-Shopify-Topic`) and `reason` what is wrong with it; neither echoes payload values.
    """

    def __init__(self, *, provider: str, where: str, reason: str) -> None:
        self.provider = provider
        self.where = where
        self.reason = reason
        super().__init__(f"{provider} payload: {where} {reason}")


def to_event(notification: Notification, *, provider: str) -> CloudEvent:
    """The CloudEvent ingress publishes for `notification`, under a fresh event id.

    `source` is `/providers/<provider>`; the other attributes are copied. When the provider
    gave no time, `time` is left to the CloudEvent default (now, the receipt time). Every
    notification this package builds validates; a `provider` the source pattern refuses is a
    programming error and raises pydantic's `ValidationError`.
    """
    attributes: dict[str, Any] = {
        "source": f"/providers/{provider}",
        "type": notification.type,
        "subject": notification.subject,
        "accountid": notification.accountid,
        "dedupekey": notification.dedupekey,
        "data": notification.data,
    }
    if notification.time is not None:
        attributes["time"] = notification.time
    return CloudEvent.model_validate(attributes)


def to_wire(notification: Notification, *, provider: str) -> tuple[str, bytes]:
    """`(event id, body)`: exactly what `to_event(...).to_bytes()` gives, without the model.

    The hot path of every webhook: building and re-serializing the pydantic model cost
    ~30 us a request (make bench, issue 3 note). Every notification this package builds
    satisfies the CloudEvent model (the fuzz tests check it through `to_event`, and a unit
    test checks both functions agree), so the body is written directly with orjson. Raises
    `orjson.JSONEncodeError` for data orjson cannot write (nesting past 254 levels).
    """
    event_id = new_event_id()
    attributes: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id,
        "source": f"/providers/{provider}",
        "type": notification.type,
    }
    if notification.subject is not None:
        attributes["subject"] = notification.subject
    when = notification.time or datetime.now(UTC)
    attributes["time"] = when.isoformat().replace("+00:00", "Z")
    attributes["datacontenttype"] = "application/json"
    attributes["accountid"] = notification.accountid
    attributes["dedupekey"] = notification.dedupekey
    attributes["data"] = notification.data
    return event_id, orjson.dumps(attributes)
