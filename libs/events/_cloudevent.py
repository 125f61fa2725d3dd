from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

CONTENT_TYPE = "application/cloudevents+json"

# CloudEvents 1.0 §3.1.1: extension names are lower-case alphanumerics; values are strings here.
_TYPE_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"
_SOURCE_PATTERN = r"^/(providers|services)/[a-z0-9_.\-]+(/.*)?$"


class EventError(ValueError):
    """The payload is not a valid CloudEvent; `reason` says which attribute and why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def new_event_id() -> str:
    """A fresh, unique event id (UUIDv4 text)."""
    return str(uuid.uuid4())


class CloudEvent(BaseModel):
    """One event in CloudEvents 1.0 structured JSON, strictly validated.

    Unknown attributes are refused: a typo in an extension name must fail at
    the producer, not silently vanish at a consumer. `data` is the single
    provider notification or domain payload, as a JSON object.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=new_event_id, min_length=1, max_length=200)
    source: str = Field(pattern=_SOURCE_PATTERN, max_length=500)
    type: str = Field(pattern=_TYPE_PATTERN, max_length=200)
    subject: str | None = Field(default=None, max_length=500)
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: Literal["application/json"] = "application/json"
    accountid: str | None = Field(default=None, min_length=1, max_length=200)
    tenantid: str | None = Field(default=None, min_length=1, max_length=100)
    dedupekey: str | None = Field(default=None, min_length=1, max_length=300)
    # Extension added by the router: the tenant connection (ERP link, chatbot) an event was
    # routed through, so one account linked to several connections fans out to each.
    connectionid: str | None = Field(default=None, min_length=1, max_length=200)
    data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_bytes(cls, body: bytes) -> Self:
        """Parse and validate one structured-mode event; raise `EventError` if it is not one."""
        try:
            return cls.model_validate_json(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "event"
            raise EventError(f"{where}: {first['msg']}") from None

    def to_bytes(self) -> bytes:
        """Serialize as structured-mode JSON, omitting absent optional attributes."""
        return self.model_dump_json(exclude_none=True).encode()

    def derive(self, **changes: Any) -> Self:
        """A copy with `changes` applied and validated, under a new id unless one is given."""
        fields = self.model_dump(exclude_none=True)
        fields["id"] = changes.pop("id", new_event_id())
        fields.update(changes)
        return type(self).model_validate(fields)
