from __future__ import annotations

import socket

from aiohttp import ThreadedResolver
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from libs.egress._errors import EgressRefused, RefusedAtConnect
from libs.egress._policy import EgressPolicy
from libs.egress._urls import check_url, literal_ip, loggable


class GuardedResolver(AbstractResolver):
    """A resolver that returns only the addresses `policy` allows: the connect-time check.

    aiohttp connects to exactly the addresses its resolver returns, so a name that resolves
    (or re-resolves, DNS rebinding) to a refused address can never be reached. Refused
    addresses are dropped; if none remain, `resolve` raises `RefusedAtConnect`, an `OSError`
    that aiohttp surfaces as a `ClientConnectorDNSError`. It judges names only: aiohttp skips
    the resolver for literal-IP hosts, see `check_url` and `guarded_connector`.

    `inner` does the resolving: aiohttp's `DefaultResolver` if not given, built here, so
    construct this inside the running event loop. `close` closes `inner`.
    """

    def __init__(self, policy: EgressPolicy, *, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner if inner is not None else DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The allowed subset of what `inner` resolves `host` to; never empty."""
        results = await self._inner.resolve(host, port, family)
        refused: list[tuple[str, str]] = []
        allowed: list[ResolveResult] = []
        for result in results:
            reason = _refusal(self._policy, result["host"])
            if reason is None:
                allowed.append(result)
            else:
                refused.append((result["host"], reason))
        if allowed:
            return allowed
        address, reason = refused[0] if refused else (None, "the host resolved to no address")
        raise RefusedAtConnect(url=f"{host}:{port}", address=address, reason=reason)

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()


async def resolve_and_check(
    url: str | URL, policy: EgressPolicy, *, resolver: AbstractResolver | None = None
) -> None:
    """Registration-time check: `check_url`, then every address the host resolves to.

    All must pass: a name with any refused address is refused, though `GuardedResolver`
    would deliver to its allowed ones, because a tenant registering a name that also points
    inside our network is either misconfigured or probing. A name that does not resolve is
    refused too. Raises `EgressRefused`; returns None when the URL may be registered.

    `resolver` defaults to a `ThreadedResolver` (the loop's getaddrinfo), closed afterwards.
    This check alone does not stop DNS rebinding; deliveries still need `guarded_connector`.
    """
    parsed = check_url(url, policy)
    host = parsed.raw_host
    if host is None or literal_ip(parsed.host) is not None:
        return
    owned = resolver is None
    active = ThreadedResolver() if resolver is None else resolver
    try:
        results = await active.resolve(host, parsed.port or 0, socket.AF_UNSPEC)
    except OSError as exc:
        raise EgressRefused(
            url=loggable(parsed), address=None, reason="the host name does not resolve"
        ) from exc
    finally:
        if owned:
            await active.close()
    if not results:
        raise EgressRefused(
            url=loggable(parsed), address=None, reason="the host name does not resolve"
        )
    for result in results:
        reason = _refusal(policy, result["host"])
        if reason is not None:
            raise EgressRefused(url=loggable(parsed), address=result["host"], reason=reason)


def _refusal(policy: EgressPolicy, host: str) -> str | None:
    """`policy.refusal` for a resolver's answer; one that is not an IP is refused (fail closed)."""
    try:
        return policy.refusal(host)
    except ValueError:
        return "the resolver answered with something that is not an IP address"
