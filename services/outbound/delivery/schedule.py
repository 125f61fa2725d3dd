"""When a failed delivery is tried again: its retry tier and the delay within it. Pure.

    failure n (1-based)   tier n, delay = tier x (1 + uniform(-jitter, +jitter))
    Retry-After r         honoured within the tiers: the first tier (from n on) whose cap
                          2 x tier reaches r, delay = r clamped to [tier, 2 x tier]
    past the last tier    None: the delivery is exhausted

Each tier is one queue; a message carries its own delay as its expiration and the queue's
TTL (2 x tier) caps it. Messages expire only at the head of a queue, so a delay can stretch
to what the message ahead of it had left: with jitter alone that stays inside the ±jitter
band, because everything ahead was queued earlier with a delay of at most the same cap.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

# The defaults (Svix's schedule, webhook-platforms.md §2.2): after 5 s, 5 min, 30 min,
# 2 h, 5 h, 10 h and 10 h: eight attempts over about 27.6 hours.
DEFAULT_TIERS_MS = "5000,300000,1800000,7200000,18000000,36000000,36000000"
TIER_CAP = 2.0  # a tier queue's TTL, in multiples of its delay


@dataclass(frozen=True)
class Retry:
    tier: int  # 1-based
    delay: float  # seconds


def next_retry(
    *,
    failures: int,
    tiers: Sequence[float],
    jitter: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> Retry | None:
    """The retry after the `failures`-th failed attempt, or None once the tiers are spent."""
    if failures < 1 or failures > len(tiers):
        return None
    tier = failures
    if retry_after is not None and retry_after > 0:
        while tier < len(tiers) and retry_after > TIER_CAP * tiers[tier - 1]:
            tier += 1
        base = tiers[tier - 1]
        return Retry(tier, min(max(retry_after, base), TIER_CAP * base))
    spread = (rng or random).uniform(-jitter, jitter)
    return Retry(tier, tiers[tier - 1] * (1 + spread))


def parse_tiers(text: str) -> tuple[float, ...]:
    """ "5000,300000" (milliseconds) as seconds; ValueError on anything else."""
    tiers = tuple(int(part) / 1000 for part in text.split(","))
    if not tiers or any(t <= 0 for t in tiers):
        raise ValueError("retry tiers must be positive milliseconds, comma-separated")
    return tiers
