"""The erp_sync benchmark's baseline: a bare aiohttp client reading QuickBooks from the sandbox.

python -m tests.bench._erp_bare   reads one JSON line on stdin:
    {"base": ..., "realm": ..., "token": ..., "paths": [...], "concurrency": 100}
GETs every path once (Bearer token, Accept: application/json, minorversion=75), at most
`concurrency` in flight, parses each JSON answer, and prints
    {"requests": n, "seconds": s, "errors": e}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp
import orjson
import uvloop


async def read_all(spec: dict[str, object]) -> dict[str, float]:
    base, realm, token = str(spec["base"]), str(spec["realm"]), str(spec["token"])
    paths = [str(path) for path in spec["paths"]]  # type: ignore[attr-defined]
    pending = iter(paths)
    errors = 0
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    async with aiohttp.ClientSession(headers=headers) as session:

        async def worker() -> None:
            nonlocal errors
            for path in pending:
                url = f"{base}/v3/company/{realm}/{path}"
                async with session.get(url, params={"minorversion": "75"}) as response:
                    orjson.loads(await response.read())
                    errors += response.status != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(int(str(spec["concurrency"])))))
        seconds = time.perf_counter() - started
    return {"requests": len(paths), "seconds": seconds, "errors": errors}


def main() -> None:
    spec = json.loads(sys.stdin.readline())
    print(json.dumps(uvloop.run(read_all(spec))))


if __name__ == "__main__":
    main()
