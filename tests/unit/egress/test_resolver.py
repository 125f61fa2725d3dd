"""GuardedResolver and resolve_and_check over a stub DNS: no sockets, no network."""

from __future__ import annotations

import socket
from ipaddress import IPv4Network

import pytest
from aiohttp import ClientConnectorError
from aiohttp.client_reqrep import ConnectionKey

from libs.egress import (
    EgressPolicy,
    EgressRefused,
    GuardedResolver,
    RefusedAtConnect,
    refusal_of,
    resolve_and_check,
)
from tests.support.dns import StubResolver

OPEN = EgressPolicy()


DNS = StubResolver(
    {
        "internal.tenant.test": ["10.1.2.3"],
        "metadata.tenant.test": ["169.254.169.254"],
        "public.tenant.test": ["93.184.216.34", "2606:2800:220:1::248"],
        "split.tenant.test": ["10.1.2.3", "93.184.216.34", "fd00::1"],
        "mapped.tenant.test": ["::ffff:10.1.2.3"],
        "empty.tenant.test": [],
        "garbage.tenant.test": ["not-an-address"],
    }
)


async def test_guarded_resolver_refuses_a_name_resolving_only_to_a_private_address():
    with pytest.raises(RefusedAtConnect) as refused:
        await GuardedResolver(OPEN, inner=DNS).resolve(
            "internal.tenant.test", 443, socket.AF_UNSPEC
        )
    assert isinstance(refused.value, OSError)
    assert refused.value.address == "10.1.2.3"
    assert refused.value.reason == "private (RFC 1918)"
    assert refused.value.url == "internal.tenant.test:443"


async def test_guarded_resolver_refuses_the_metadata_address_and_mapped_private_ones():
    resolver = GuardedResolver(OPEN, inner=DNS)
    with pytest.raises(RefusedAtConnect, match="metadata"):
        await resolver.resolve("metadata.tenant.test", 80)
    with pytest.raises(RefusedAtConnect, match="private"):
        await resolver.resolve("mapped.tenant.test", 80)


async def test_guarded_resolver_drops_refused_addresses_and_keeps_the_rest():
    results = await GuardedResolver(OPEN, inner=DNS).resolve("split.tenant.test", 443)
    assert [result["host"] for result in results] == ["93.184.216.34"]
    assert results[0]["port"] == 443


async def test_guarded_resolver_returns_every_public_address():
    results = await GuardedResolver(OPEN, inner=DNS).resolve("public.tenant.test", 443)
    assert [result["host"] for result in results] == ["93.184.216.34", "2606:2800:220:1::248"]


async def test_guarded_resolver_lets_the_allow_list_through():
    policy = EgressPolicy(allowed=(IPv4Network("10.1.0.0/16"),))
    results = await GuardedResolver(policy, inner=DNS).resolve("internal.tenant.test", 80)
    assert [result["host"] for result in results] == ["10.1.2.3"]


async def test_guarded_resolver_fails_closed_on_an_empty_or_non_numeric_answer():
    resolver = GuardedResolver(OPEN, inner=DNS)
    with pytest.raises(RefusedAtConnect, match="resolved to no address"):
        await resolver.resolve("empty.tenant.test", 80)
    with pytest.raises(RefusedAtConnect, match="not an IP address"):
        await resolver.resolve("garbage.tenant.test", 80)


async def test_guarded_resolver_passes_lookup_failures_through_and_closes_its_inner_resolver():
    inner = StubResolver({})
    resolver = GuardedResolver(OPEN, inner=inner)
    with pytest.raises(socket.gaierror):
        await resolver.resolve("nowhere.tenant.test", 80)
    await resolver.close()
    assert inner.closed


def test_refusal_of_unwraps_aiohttps_connector_error():
    refused = RefusedAtConnect(url="internal.tenant.test:443", address="10.1.2.3", reason="private")
    key = ConnectionKey("internal.tenant.test", 443, True, True, None, None, None)
    wrapped = ClientConnectorError(key, refused)
    assert refusal_of(wrapped) is refused
    assert refusal_of(refused) is refused
    assert "egress refused: private" in str(wrapped)
    assert refusal_of(ClientConnectorError(key, ConnectionRefusedError(111, "refused"))) is None
    assert refusal_of(ValueError("x")) is None


async def test_registration_passes_a_name_whose_every_address_is_public():
    await resolve_and_check("https://public.tenant.test/hook", OPEN, resolver=DNS)


async def test_registration_refuses_a_name_if_any_address_is_refused():
    with pytest.raises(EgressRefused) as refused:
        await resolve_and_check("https://split.tenant.test/hook?k=v", OPEN, resolver=DNS)
    assert refused.value.address == "10.1.2.3"
    assert refused.value.url == "https://split.tenant.test"


async def test_registration_refuses_a_name_that_does_not_resolve():
    for url in ("https://nowhere.tenant.test/", "https://empty.tenant.test/"):
        with pytest.raises(EgressRefused, match="does not resolve") as refused:
            await resolve_and_check(url, OPEN, resolver=DNS)
        assert refused.value.address is None


async def test_registration_runs_the_static_checks_first():
    with pytest.raises(EgressRefused, match="credentials"):
        await resolve_and_check("https://u:p@public.tenant.test/", OPEN, resolver=DNS)
    with pytest.raises(EgressRefused, match="scheme must be https"):
        await resolve_and_check(
            "http://public.tenant.test/", EgressPolicy(require_https=True), resolver=DNS
        )


async def test_registration_judges_a_literal_ip_without_resolving():
    empty = StubResolver({})
    await resolve_and_check("https://93.184.216.34/hook", OPEN, resolver=empty)
    with pytest.raises(EgressRefused, match="metadata"):
        await resolve_and_check("http://169.254.169.254/latest", OPEN, resolver=empty)
