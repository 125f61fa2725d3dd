"""Keyset paging for the admin API's listings (newest first, by (updated_at, id)).

    GET ...?limit=&before=&before_id=      the page after the previous one's last row
    {"items": [...], "next_before": ..., "next_before_id": ...}   null: that was the last

Rows changed in one batch share an `updated_at`, hence the id in the cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field


class Keyed(Protocol):
    @property
    def updated_at(self) -> datetime: ...
    @property
    def id(self) -> str: ...


class PageCursor(BaseModel):
    """Where the next page starts; a listing's page model adds its `items`."""

    next_before: datetime | None = Field(
        description="pass as `before` for the next page; null: last"
    )
    next_before_id: str | None = Field(
        description="pass as `before_id` with `before` (rows can share a time)"
    )


def next_cursor(rows: Sequence[Keyed], *, limit: int) -> dict[str, Any]:
    """The cursor fields after `rows` (a full page of `limit`), or nulls after the last page."""
    last = rows[-1] if len(rows) == limit else None
    return {
        "next_before": last.updated_at if last else None,
        "next_before_id": last.id if last else None,
    }
