from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.broker import Exchange, Subscription, SubscriptionTable, next_tier, topic_matches


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("quickbooks.invoice.created", "quickbooks.invoice.created", True),
        ("quickbooks.*.created", "quickbooks.invoice.created", True),
        ("quickbooks.*", "quickbooks.invoice.created", False),
        ("quickbooks.#", "quickbooks.invoice.created", True),
        ("quickbooks.#", "quickbooks", True),
        ("#.created", "xero.invoice.created", True),
        ("#", "anything.at.all", True),
        ("*.invoice.#", "zoho.invoice", True),
        ("*.invoice.#", "zoho.bill.created", False),
    ],
)
def test_topic_patterns_match_like_rabbitmq(pattern, key, expected):
    assert topic_matches(pattern, key) is expected


async def _noop(event: Any, deps: Any) -> None:
    return None


def test_exact_subscription_wins_over_a_pattern():
    exact = Subscription(Exchange.EVENTS, "invoice.ready", _noop)
    pattern = Subscription(Exchange.EVENTS, "invoice.*", _noop)
    table = SubscriptionTable([pattern, exact])
    assert table.find("invoice.ready") is exact
    assert table.find("invoice.voided") is pattern
    assert table.find("payment.received") is None


def test_two_handlers_for_one_type_are_refused():
    with pytest.raises(ValueError, match="two handlers"):
        SubscriptionTable(
            [
                Subscription(Exchange.EVENTS, "a.b", _noop),
                Subscription(Exchange.EVENTS, "a.b", _noop),
            ]
        )


def test_failures_walk_the_tiers_in_order_then_exhaust():
    tiers = (5, 300, 1800)
    assert [next_tier(failures=n, tiers=tiers) for n in (1, 2, 3, 4)] == [1, 2, 3, None]


def test_retry_after_skips_to_the_first_tier_long_enough_or_the_last():
    tiers = (5, 300, 1800)
    assert next_tier(failures=1, tiers=tiers, retry_after=60) == 2
    assert next_tier(failures=1, tiers=tiers, retry_after=3) == 1
    assert next_tier(failures=1, tiers=tiers, retry_after=99999) == 3


@given(failures=st.integers(min_value=-3, max_value=20), retry_after=st.none() | st.floats(0, 1e6))
def test_chosen_tier_is_never_earlier_than_the_failure_count(failures, retry_after):
    tiers = (1.0, 10.0, 60.0, 600.0)
    tier = next_tier(failures=failures, tiers=tiers, retry_after=retry_after)
    if 1 <= failures <= len(tiers):
        assert tier is not None
        assert failures <= tier <= len(tiers)
    else:
        assert tier is None
