"""A real aiohttp ClientSession on the guarded connector against real local receivers.

Nothing here needs the internet: refused addresses are refused before any connect, and the
one name resolved for real is `localhost` (/etc/hosts).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver
from aiohttp.test_utils import TestServer

from libs.egress import (
    EgressPolicy,
    EgressRefused,
    check_url,
    guarded_connector,
    refusal_of,
    resolve_and_check,
)
from tests.support.dns import StubResolver

LOCAL = EgressPolicy.from_text("127.0.0.1/32, ::1/128")
NOTHING_LOCAL = EgressPolicy()
# A request that is wrongly let through to 10.0.0.1 fails the test instead of hanging it.
TIMEOUT = aiohttp.ClientTimeout(total=5)


@dataclass
class Receivers:
    """Two tenant endpoints, on 127.0.0.1 and ::1, sharing one log of "<local address> <path>"."""

    port_v4: int
    port_v6: int
    hits: list[str] = field(default_factory=list)


@pytest.fixture
async def receivers() -> AsyncIterator[Receivers]:
    hits: list[str] = []

    def record(request: web.Request) -> None:
        assert request.transport is not None
        hits.append(f"{request.transport.get_extra_info('sockname')[0]} {request.path}")

    async def receive(request: web.Request) -> web.Response:
        record(request)
        return web.json_response({"received": True})

    async def redirect(request: web.Request) -> web.Response:
        record(request)
        raise web.HTTPFound(request.query["to"])

    def app() -> web.Application:
        application = web.Application()
        application.router.add_get("/redirect", redirect)
        application.router.add_route("*", "/{tail:.*}", receive)
        return application

    async with TestServer(app(), host="127.0.0.1") as v4, TestServer(app(), host="::1") as v6:
        assert v4.port is not None
        assert v6.port is not None
        yield Receivers(port_v4=v4.port, port_v6=v6.port, hits=hits)


@asynccontextmanager
async def guarded_session(
    policy: EgressPolicy,
    *,
    inner_resolver: AbstractResolver | None = None,
    trace_configs: list[aiohttp.TraceConfig] | None = None,
) -> AsyncIterator[aiohttp.ClientSession]:
    connector = guarded_connector(policy, inner_resolver=inner_resolver, limit=10, limit_per_host=2)
    async with aiohttp.ClientSession(
        connector=connector, timeout=TIMEOUT, trust_env=False, trace_configs=trace_configs
    ) as session:
        yield session


async def deliver(session: aiohttp.ClientSession, url: str, policy: EgressPolicy) -> int:
    """What the outbound service does: check the URL, then POST without following redirects."""
    checked = check_url(url, policy)
    async with session.post(
        checked, json={"type": "invoice.fiscalized"}, allow_redirects=False
    ) as response:
        return response.status


def local_urls(receivers: Receivers) -> dict[str, str]:
    return {
        "ipv4 loopback": f"http://127.0.0.1:{receivers.port_v4}/hook",
        "ipv6 loopback": f"http://[::1]:{receivers.port_v6}/hook",
        "localhost by name": f"http://localhost:{receivers.port_v4}/hook",
    }


UNREACHABLE = {
    "private": "http://10.0.0.1/hook",
    "metadata": "http://169.254.169.254/latest/meta-data",
}


def refusal(exc: BaseException) -> EgressRefused:
    refused = refusal_of(exc)
    assert refused is not None, f"not an egress refusal: {exc!r}"
    return refused


@pytest.mark.parametrize("name", ["ipv4 loopback", "ipv6 loopback", "localhost by name"])
async def test_refuses_local_receivers_when_nothing_is_allow_listed(receivers, name):
    url = local_urls(receivers)[name]
    async with guarded_session(NOTHING_LOCAL) as session:
        with pytest.raises((EgressRefused, aiohttp.ClientConnectorError)) as raised:
            await deliver(session, url, NOTHING_LOCAL)
    assert refusal(raised.value).reason == "loopback"
    assert receivers.hits == []


@pytest.mark.parametrize("url", UNREACHABLE.values(), ids=UNREACHABLE.keys())
@pytest.mark.parametrize(
    "policy", [NOTHING_LOCAL, LOCAL], ids=["no allow-list", "local allow-listed"]
)
async def test_refuses_private_and_metadata_addresses_whatever_the_allow_list(
    receivers, url, policy
):
    async with guarded_session(policy) as session:
        with pytest.raises(EgressRefused):
            await deliver(session, url, policy)
    assert receivers.hits == []


def test_localhost_is_refused_by_the_resolver_not_by_check_url(receivers):
    url = local_urls(receivers)["localhost by name"]
    assert check_url(url, NOTHING_LOCAL).host == "localhost"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{v4}/hook",
        "http://[::1]:{v6}/hook",
        "http://localhost:{v4}/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
    ],
)
async def test_connector_alone_refuses_without_check_url(receivers, url):
    # Defence in depth: a caller that forgets check_url is still stopped at connect time.
    url = url.format(v4=receivers.port_v4, v6=receivers.port_v6)
    async with guarded_session(NOTHING_LOCAL) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as raised:
            await session.get(url)
    assert refusal(raised.value).reason in {
        "loopback",
        "private (RFC 1918)",
        "cloud metadata service",
    }
    assert receivers.hits == []


@pytest.mark.parametrize("name", ["ipv4 loopback", "ipv6 loopback", "localhost by name"])
async def test_delivers_to_local_receivers_once_they_are_allow_listed(receivers, name):
    url = local_urls(receivers)[name]
    async with guarded_session(LOCAL) as session:
        assert await deliver(session, url, LOCAL) == 200
    served_by = "::1" if name == "ipv6 loopback" else "127.0.0.1"
    assert receivers.hits == [f"{served_by} /hook"]


async def test_connections_to_an_allowed_receiver_are_pooled_and_reused(receivers):
    connections: list[str] = []

    async def created(*_: object) -> None:
        connections.append("created")

    async def reused(*_: object) -> None:
        connections.append("reused")

    tracing = aiohttp.TraceConfig()
    tracing.on_connection_create_end.append(created)
    tracing.on_connection_reuseconn.append(reused)
    url = local_urls(receivers)["localhost by name"]
    async with guarded_session(LOCAL, trace_configs=[tracing]) as session:
        for _ in range(3):
            assert await deliver(session, url, LOCAL) == 200
    assert connections == ["created", "reused", "reused"]
    assert len(receivers.hits) == 3


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data", "http://10.0.0.1/"])
async def test_a_followed_redirect_to_a_refused_address_is_refused(receivers, target):
    url = f"http://127.0.0.1:{receivers.port_v4}/redirect"
    async with guarded_session(LOCAL) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as raised:
            await session.get(url, params={"to": target})
    assert refusal(raised.value).address in {"169.254.169.254", "10.0.0.1"}
    assert receivers.hits == ["127.0.0.1 /redirect"]


async def test_a_name_resolving_to_a_private_address_is_refused(receivers):
    dns = StubResolver({"hooks.tenant.test": ["10.1.2.3"]})
    async with guarded_session(LOCAL, inner_resolver=dns) as session:
        with pytest.raises(aiohttp.ClientConnectorDNSError) as raised:
            await deliver(session, "http://hooks.tenant.test/hook", LOCAL)
    refused = refusal(raised.value)
    assert (refused.address, refused.reason) == ("10.1.2.3", "private (RFC 1918)")
    assert dns.lookups == ["hooks.tenant.test"]
    assert receivers.hits == []


async def test_a_name_resolving_to_refused_and_allowed_addresses_connects_only_to_the_allowed(
    receivers,
):
    # 127.0.0.1 answers first and is listening: had it been kept, aiohttp would connect there.
    only_v6 = EgressPolicy.from_text("::1/128")
    dns = StubResolver(
        {"rebind.tenant.test": [("127.0.0.1", receivers.port_v4), ("::1", receivers.port_v6)]}
    )
    async with guarded_session(only_v6, inner_resolver=dns) as session:
        assert await deliver(session, "http://rebind.tenant.test/hook", only_v6) == 200
    assert receivers.hits == ["::1 /hook"]


async def test_registration_refuses_localhost_unless_loopback_is_allow_listed(receivers):
    url = local_urls(receivers)["localhost by name"]
    with pytest.raises(EgressRefused, match="loopback") as refused:
        await resolve_and_check(url, NOTHING_LOCAL)
    assert refused.value.address == "127.0.0.1"
    await resolve_and_check(url, LOCAL)
    assert receivers.hits == []
