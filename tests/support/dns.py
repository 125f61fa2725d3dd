"""A DNS with a fixed table, standing in for a tenant's (or an attacker's) zone: no network."""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence

from aiohttp.abc import AbstractResolver, ResolveResult


class StubResolver(AbstractResolver):
    """Answers from `names`; an unknown name fails as getaddrinfo does.

    An entry is an address, or (address, port) to answer with a port other than the URL's,
    so one name can lead to the receivers on 127.0.0.1 and ::1 at once. `lookups` records
    the names asked for; `closed` whether the resolver was closed.
    """

    def __init__(self, names: Mapping[str, Sequence[str | tuple[str, int]]]) -> None:
        self.names = names
        self.lookups: list[str] = []
        self.closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = [(entry, port) if isinstance(entry, str) else entry for entry in self.names[host]]
        return [
            ResolveResult(
                hostname=host, host=address, port=answer_port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=socket.IPPROTO_TCP, flags=socket.AI_NUMERICHOST,
            )
            for address, answer_port in answers
        ]  # fmt: skip

    async def close(self) -> None:
        self.closed = True
