"""The fiscalizer benchmark's baseline: a bare client that encrypts, signs and posts T109s.

python -m tests.bench._efris_bare   reads one JSON line on stdin:
    {"url", "tin", "device_no", "pfx_base64", "password", "payloads": [...], "concurrency"}
gets one session key (T104), then uploads every payload once (T109: AES-128-ECB,
RSA-SHA1 signature, the envelope), at most `concurrency` in flight, reads each answer's
returnCode, and prints {"uploads", "seconds", "cpu_s", "errors"}. No state, no retries,
no database, no broker: only what EFRIS itself requires of a client.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
import uvloop

from libs.efris import (
    GlobalInfo,
    envelope,
    kampala_time,
    load_device_keys,
    new_exchange_id,
    open_aes_key,
    open_content,
    parse_envelope,
    seal_content,
)


async def upload_all(spec: dict[str, Any]) -> dict[str, float]:
    keys = load_device_keys(base64.b64decode(spec["pfx_base64"]), spec["password"])
    url, tin, device_no = spec["url"], spec["tin"], spec["device_no"]

    def body(interface: str, payload: object, aes_key: bytes | None) -> dict[str, Any]:
        content, signature, description = seal_content(
            payload, aes_key=aes_key, private_key=keys.private_key
        )
        info = GlobalInfo(tin=tin, device_no=device_no, interface_code=interface,
                          request_time=kampala_time(datetime.now(UTC)), data_exchange_id=new_exchange_id())  # fmt: skip
        return envelope(content=content, signature=signature, description=description, global_info=info,
                        return_code="", return_message="")  # fmt: skip

    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body("T104", None, None)) as response:
            answer = parse_envelope(await response.json(content_type=None))
        sealed = open_content(answer.data, aes_key=None)
        aes_key = open_aes_key(keys.private_key, sealed["passowrdDes"])  # type: ignore[index]
        pending = iter(spec["payloads"])
        errors = 0

        async def worker() -> None:
            nonlocal errors
            for payload in pending:
                async with session.post(url, json=body("T109", payload, aes_key)) as response:
                    parsed = parse_envelope(await response.json(content_type=None))
                    errors += parsed.return_code != "00"

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(int(spec["concurrency"]))))
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    return {"uploads": len(spec["payloads"]), "seconds": seconds, "cpu_s": cpu_s, "errors": errors}


def main() -> None:
    print(json.dumps(uvloop.run(upload_all(json.loads(sys.stdin.readline())))))


if __name__ == "__main__":
    main()
