"""Running a service as a real subprocess and waiting for it to be ready."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import aiohttp

from tests.support.environment import TestEnvironment
from tests.support.polling import eventually


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    """`python -m <module>` with this run's environment plus `extra`; stdout/stderr captured."""

    def __init__(self, env: TestEnvironment, module: str, **extra: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", module],
            env=env.service_env(HTTP_PORT=str(self.port), **extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self, within: float = 20.0) -> None:
        async def probe() -> int:
            if self.process.poll() is not None:
                _out, err = self.process.communicate()
                raise AssertionError(
                    f"service exited {self.process.returncode}: {err.decode()[-2000:]}"
                )
            try:
                async with (
                    aiohttp.ClientSession() as session,
                    session.get(f"{self.url}/readyz") as r,
                ):
                    return r.status
            except aiohttp.ClientError:
                return 0

        await eventually(
            probe, until=lambda status: status == 200, within=within, what="readyz 200"
        )

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    async def terminate(self, within: float = 30.0) -> int:
        self.process.terminate()
        return await asyncio.to_thread(self.process.wait, within)

    def output(self) -> tuple[str, str]:
        out, err = self.process.communicate(timeout=10)
        return out.decode(), err.decode()

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
