"""Date-times the admin API takes, in UTC.

Instant     in a JSON body (validated strictly: RFC 3339 text only); out of datetime's
            range is a 400
PageBound   a paging cursor in the query string, where pydantic would also take "0.5"
            as a Unix time: RFC 3339 text only; out of range clamps to the first or
            last instant
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]")


def _date_time_text(value: object) -> object:
    if isinstance(value, str) and not _DATE_TIME.match(value):
        raise ValueError("an RFC 3339 date-time")
    return value


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00: before datetime's first instant
        raise ValueError("the time is out of range") from None


def _utc_or_bound(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # past datetime's first or last instant: a page bound all the same
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


Instant = Annotated[AwareDatetime, AfterValidator(_utc)]
PageBound = Annotated[
    AwareDatetime, BeforeValidator(_date_time_text), AfterValidator(_utc_or_bound)
]
