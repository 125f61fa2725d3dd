"""Every refused range, one address inside it; public addresses pass; the allow-list wins."""

from __future__ import annotations

import dataclasses
from ipaddress import IPv4Network, IPv6Network, ip_address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.egress import EgressPolicy

NO_ALLOW_LIST = EgressPolicy()

REFUSED = [
    # (address, words the reason must contain)
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("10.0.0.1", "private"),
    ("10.255.255.255", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("169.254.169.254", "metadata"),
    ("169.254.0.1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("192.0.0.8", "IETF protocol"),
    ("192.0.0.170", "IETF protocol"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("192.88.99.1", "6to4 relay"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.254", "benchmarking"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.254", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fec0::1", "site-local"),
    ("fc00::1", "unique local"),
    ("fd12:3456::1", "unique local"),
    ("fd00:ec2::254", "metadata"),
    ("ff02::1", "multicast"),
    ("ff0e::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ("2001:2::1", "benchmarking"),
    ("2001:10::1", "IETF protocol"),
    ("100::1", "discard"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("5f00::1", "SRv6"),
    ("::a00:1", "IPv4-compatible"),
    ("::ffff:0:a00:1", "IPv4-translated"),
    ("4000::1", "outside the IPv6 global unicast range"),
]


@pytest.mark.parametrize(("address", "words"), REFUSED)
def test_refuses_every_non_public_range_with_its_reason(address, words):
    reason = NO_ALLOW_LIST.refusal(address)
    assert reason is not None
    assert words in reason


@given(st.ip_addresses())
def test_every_address_python_calls_non_global_is_refused(address):
    if not address.is_global:
        assert NO_ALLOW_LIST.refusal(address) is not None


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "metadata"),
        ("2002:a00:1::1", "6to4 to 10.0.0.1, which is private"),
        ("2002:7f00:1::", "6to4 to 127.0.0.1, which is loopback"),
        ("2002:a9fe:a9fe::", "6to4 to 169.254.169.254, which is cloud metadata"),
        ("64:ff9b::10.0.0.1", "NAT64 to 10.0.0.1, which is private"),
        ("64:ff9b::169.254.169.254", "NAT64 to 169.254.169.254, which is cloud metadata"),
    ],
)
def test_judges_mapped_6to4_and_nat64_addresses_by_the_ipv4_inside(address, words):
    reason = NO_ALLOW_LIST.refusal(address)
    assert reason is not None
    assert words in reason


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001::200e",
        "::ffff:8.8.8.8",
        "2002:808:808::1",
        "64:ff9b::8.8.8.8",
    ],
)
def test_allows_public_unicast_addresses(address):
    assert NO_ALLOW_LIST.refusal(address) is None


def test_accepts_address_objects_as_well_as_text():
    assert NO_ALLOW_LIST.refusal(ip_address("10.0.0.1")) == "private (RFC 1918)"
    assert NO_ALLOW_LIST.refusal(ip_address("8.8.8.8")) is None


def test_raises_value_error_for_text_that_is_no_address():
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        NO_ALLOW_LIST.refusal("localhost")


def test_allow_list_admits_exactly_its_networks():
    policy = EgressPolicy(allowed=(IPv4Network("127.0.0.1/32"), IPv6Network("::1/128")))
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("::1") is None
    assert policy.refusal("::ffff:127.0.0.1") is None  # mapped: judged as its IPv4
    assert policy.refusal("127.0.0.2") == "loopback"
    assert policy.refusal("10.0.0.1") == "private (RFC 1918)"
    assert policy.refusal("169.254.169.254") == "cloud metadata service"


def test_allow_list_of_a_private_range_admits_it_through_nat64_too():
    policy = EgressPolicy(allowed=(IPv4Network("10.1.0.0/16"),))
    assert policy.refusal("10.1.2.3") is None
    assert policy.refusal("64:ff9b::10.1.2.3") is None
    assert policy.refusal("10.2.0.1") == "private (RFC 1918)"


def test_from_text_parses_a_comma_separated_allow_list():
    policy = EgressPolicy.from_text(" 127.0.0.1/32, ::1/128 ,10.8.0.0/16,")
    assert policy.allowed == (
        IPv4Network("127.0.0.1/32"),
        IPv6Network("::1/128"),
        IPv4Network("10.8.0.0/16"),
    )
    assert policy.require_https is False


def test_from_text_takes_a_bare_address_as_a_single_host_network():
    assert EgressPolicy.from_text("192.168.5.5").allowed == (IPv4Network("192.168.5.5/32"),)


@pytest.mark.parametrize("text", ["", "   ", ",", " , "])
def test_from_text_of_nothing_is_no_allow_list(text):
    assert EgressPolicy.from_text(text) == EgressPolicy()


def test_from_text_passes_require_https_through():
    assert EgressPolicy.from_text("", require_https=True).require_https is True


@pytest.mark.parametrize(
    "text", ["10.0.0.0/33", "not-a-cidr", "127.0.0.1/32, 10.0.0.1/8", "::1/129"]
)
def test_from_text_refuses_a_bad_cidr_naming_it(text):
    with pytest.raises(ValueError, match="is not a CIDR network"):
        EgressPolicy.from_text(text)


def test_policy_is_frozen():
    policy = EgressPolicy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.require_https = True  # type: ignore[misc]
