from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from libs.efris import (
    KAMPALA,
    EfrisProtocolError,
    efris_time,
    kampala_time,
    parse_efris_time,
    parse_kampala_time,
)


def test_request_time_is_kampala_wall_clock_utc_plus_3():
    assert kampala_time(datetime(2025, 3, 14, 7, 25, 33, 999999, tzinfo=UTC)) == (
        "2025-03-14 10:25:33"
    )


def test_request_time_crosses_midnight_in_kampala():
    assert kampala_time(datetime(2024, 12, 31, 22, 0, tzinfo=UTC)) == "2025-01-01 01:00:00"


def test_request_time_converts_from_any_zone():
    new_york = timezone(timedelta(hours=-5))

    assert kampala_time(datetime(2025, 3, 14, 2, 25, 33, tzinfo=new_york)) == "2025-03-14 10:25:33"


def test_response_time_is_day_first():
    assert efris_time(datetime(2019, 7, 30, 12, 30, 1, tzinfo=UTC)) == "30/07/2019 15:30:01"


def test_parses_t101_current_time_as_kampala():
    parsed = parse_efris_time("30/07/2019 15:30:01")

    assert parsed == datetime(2019, 7, 30, 12, 30, 1, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=3)


def test_both_formats_round_trip():
    now = datetime(2025, 3, 14, 10, 25, 33, tzinfo=KAMPALA)

    assert parse_efris_time(efris_time(now)) == now
    assert parse_kampala_time(kampala_time(now)) == now


@pytest.mark.parametrize("text", ["", "2019-07-30 15:30:01", "30/07/2019", "31/02/2025 10:00:00"])
def test_refuses_text_that_is_not_a_response_time(text):
    with pytest.raises(EfrisProtocolError):
        parse_efris_time(text)


@pytest.mark.parametrize("text", ["", "30/07/2019 15:30:01", "2019-07-30T15:30:01"])
def test_refuses_text_that_is_not_a_request_time(text):
    with pytest.raises(EfrisProtocolError):
        parse_kampala_time(text)


def test_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        kampala_time(datetime(2025, 3, 14, 10, 25, 33))
