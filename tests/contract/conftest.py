"""The admin these tests call, serving from a thread of its own for their blocking clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.contract.live_admin import LiveAdmin, live_admin

if TYPE_CHECKING:  # a module-level name Test* would be collected as a test class
    from tests.support.environment import TestEnvironment


@pytest.fixture(scope="package")
def admin(test_env: TestEnvironment) -> Iterator[LiveAdmin]:
    # Login is brute-forced along with everything else: its per-client rate limit stays out of the way.
    with live_admin(test_env, login_attempts_per_minute=100_000) as running:
        yield running
