"""Real broker-side faults through rabbitmqctl, aimed only at this test's own connections."""

from __future__ import annotations

import asyncio


async def _rabbitmqctl(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {err.decode().strip()}")
    return out.decode()


async def close_connections(name_contains: str) -> int:
    """Have the broker force-close (CONNECTION_FORCED) every connection whose name contains the text."""
    # The table form prints full pids (<rabbit@host.N.N.N>) that close_connection accepts;
    # the JSON form abbreviates them.
    listing = await _rabbitmqctl(
        "list_connections", "--no-table-headers", "pid", "client_properties"
    )
    closed = 0
    for line in listing.splitlines():
        pid, _, properties = line.partition("\t")
        name = properties.partition('{"connection_name","')[2].partition('"')[0]
        if name_contains in name:
            await _rabbitmqctl("close_connection", pid, "switchyard test: broker drops connection")
            closed += 1
    return closed
