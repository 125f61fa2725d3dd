"""The process entry point tunes the cyclic collector once the service has started."""

from __future__ import annotations

import gc
from typing import Any

from libs.service import _runner


async def test_startup_objects_are_frozen_and_young_collections_are_rarer() -> None:
    threshold = gc.get_threshold()
    survivor = [object()]  # a container alive at "startup"
    try:
        await _runner._tune_collector(*_unused())
        assert gc.get_threshold() == (_runner._YOUNG_THRESHOLD, *threshold[1:])
        assert gc.is_tracked(survivor)
        assert not any(o is survivor for o in gc.get_objects())  # frozen: no collection scans it
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def _unused() -> tuple[Any, Any]:
    return None, None
