from __future__ import annotations

from typing import Any

from aiohttp import ClientConnectorError, ClientRequest, ClientTimeout, TCPConnector
from aiohttp.abc import AbstractResolver
from aiohttp.connector import Connection
from aiohttp.tracing import Trace

from libs.egress._errors import RefusedAtConnect
from libs.egress._policy import EgressPolicy
from libs.egress._resolver import GuardedResolver
from libs.egress._urls import literal_ip, loggable


class GuardedConnector(TCPConnector):
    """A `TCPConnector` that reaches only what `policy` allows, whatever the URL says.

    Host names go through a `GuardedResolver`; literal-IP hosts, which aiohttp never resolves,
    are judged in `connect`, so a redirect to http://169.254.169.254/ is refused too. Both
    refusals raise `ClientConnectorError` wrapping a `RefusedAtConnect` (see `refusal_of`).
    Build it with `guarded_connector`.
    """

    def __init__(
        self, policy: EgressPolicy, *, resolver: GuardedResolver, **tcp_connector_kwargs: Any
    ) -> None:
        super().__init__(resolver=resolver, **tcp_connector_kwargs)
        self._policy = policy
        self._guard = resolver

    async def connect(
        self,
        req: ClientRequest,
        traces: list[Trace],
        timeout: ClientTimeout,  # noqa: ASYNC109 (aiohttp's signature, overridden)
    ) -> Connection:
        """Refuse a literal-IP host the policy refuses, then connect as `TCPConnector` does."""
        address = literal_ip(req.url.host)
        reason = None if address is None else self._policy.refusal(address)
        if reason is not None:
            refused = RefusedAtConnect(url=loggable(req.url), address=str(address), reason=reason)
            raise ClientConnectorError(req.connection_key, refused)
        return await super().connect(req, traces, timeout)

    async def close(self, *, abort_ssl: bool = False) -> None:
        """Close the pool, then the resolver (aiohttp closes only resolvers it built itself)."""
        await super().close(abort_ssl=abort_ssl)
        await self._guard.close()


def guarded_connector(
    policy: EgressPolicy,
    *,
    inner_resolver: AbstractResolver | None = None,
    **tcp_connector_kwargs: Any,
) -> GuardedConnector:
    """A pooled connector whose every connection is checked against `policy`.

    `tcp_connector_kwargs` go to `aiohttp.TCPConnector` (`limit`, `limit_per_host`,
    `ttl_dns_cache`, `keepalive_timeout`, `ssl`, ...); `resolver` is ours and may not be
    given. `inner_resolver` does the DNS lookups (aiohttp's default if not given). Call inside
    the running event loop. The session should not use a proxy (`trust_env=False`, no
    `proxy=`): through one, the proxy host is all that gets resolved and checked.
    """
    if "resolver" in tcp_connector_kwargs:
        raise TypeError("guarded_connector builds its own resolver; pass inner_resolver")
    resolver = GuardedResolver(policy, inner=inner_resolver)
    return GuardedConnector(policy, resolver=resolver, **tcp_connector_kwargs)
