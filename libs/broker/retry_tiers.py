"""Choosing the retry tier for a failed message: pure, tested without a broker.

Attempt n (1-based count of failures so far) goes to tier n. A `retry_after`
longer than that tier's delay skips forward to the first tier at least that
long (or the last tier): per-message TTLs would block a shared TTL queue, so
tiers are the only delays on offer. Past the last tier there is no next
tier: the message is exhausted and goes to the DLQ.
"""

from __future__ import annotations

from collections.abc import Sequence


def next_tier(
    *, failures: int, tiers: Sequence[float], retry_after: float | None = None
) -> int | None:
    """1-based tier for a message that has now failed `failures` times, or None when exhausted."""
    if failures < 1 or failures > len(tiers):
        return None
    tier = failures
    if retry_after is not None and retry_after > tiers[tier - 1]:
        longer = [n for n in range(tier, len(tiers) + 1) if tiers[n - 1] >= retry_after]
        tier = longer[0] if longer else len(tiers)
    return tier
