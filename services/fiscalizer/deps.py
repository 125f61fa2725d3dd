from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from libs.crypto import SecretBox
from libs.db import Database
from services.fiscalizer.devices import Devices
from services.fiscalizer.submission import Submitter


@dataclass(frozen=True)
class FiscalizerDeps:
    """What the fiscalizer's handlers need; built once by `bootstrap.build`."""

    name: str
    db: Database
    box: SecretBox
    devices: Devices
    test_submitter: Submitter
    live_submitter: Submitter
    events_exchange: str
    clock: Callable[[], datetime]

    def submitter(self, *, test_mode: bool) -> Submitter:
        """The EFRIS the tenant's device is registered with: URA's test system or production."""
        return self.test_submitter if test_mode else self.live_submitter
