from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.outbound.delivery.schedule import DEFAULT_TIERS_MS, Retry, next_retry, parse_tiers

TIERS = parse_tiers(DEFAULT_TIERS_MS)


def test_the_default_schedule_is_5s_5m_30m_2h_5h_10h_10h() -> None:
    assert TIERS == (5, 300, 1800, 7200, 18000, 36000, 36000)


@given(failures=st.integers(1, 7), seed=st.integers())
def test_each_failure_waits_its_tier_within_twenty_percent(failures: int, seed: int) -> None:
    retry = next_retry(failures=failures, tiers=TIERS, jitter=0.2, rng=random.Random(seed))
    assert retry is not None
    assert retry.tier == failures
    assert TIERS[failures - 1] * 0.8 <= retry.delay <= TIERS[failures - 1] * 1.2


def test_after_the_last_tier_the_delivery_is_exhausted() -> None:
    assert next_retry(failures=8, tiers=TIERS, jitter=0.2) is None
    assert next_retry(failures=0, tiers=TIERS, jitter=0.2) is None


@pytest.mark.parametrize(
    ("failures", "retry_after", "expected"),
    [
        (1, 8, Retry(1, 8)),  # within the tier's cap (2 x 5 s): exactly as asked
        (1, 2, Retry(1, 5)),  # sooner than the tier: the tier
        (1, 60, Retry(2, 300)),  # past the cap: the next tier that reaches it
        (2, 500, Retry(2, 500)),
        (7, 500_000, Retry(7, 72_000)),  # the last tier, clamped to its cap
    ],
)
def test_retry_after_is_honoured_within_the_tier_caps(
    failures: int, retry_after: float, expected: Retry
) -> None:
    assert (
        next_retry(failures=failures, tiers=TIERS, jitter=0.2, retry_after=retry_after) == expected
    )


@pytest.mark.parametrize("text", ["", "0", "5,-1", "a"])
def test_bad_schedules_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_tiers(text)
