"""The address ranges an outbound request may never reach, each with the reason it is refused.

Svix's list (`core/webhook_http_client.rs is_allowed`), written out rather than left to
`ipaddress.is_global`, whose answer differs between Python releases and which calls multicast,
192.0.0.0/24, 192.88.99.0/24, site-local and 6to4/NAT64 "global" on 3.11.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

# First match wins, so a specific entry (the metadata address) precedes the range holding it.
_REFUSED_V4: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(network), reason)
    for network, reason in (
        ("0.0.0.0/8", "unspecified ('this network')"),
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("100.64.0.0/10", "carrier-grade NAT shared space"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.169.254/32", "cloud metadata service"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation (TEST-NET-1)"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation (TEST-NET-3)"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

_REFUSED_V6: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(network), reason)
    for network, reason in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("::ffff:0:0:0/96", "IPv4-translated (SIIT)"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"),
        ("2001::/32", "Teredo"),
        ("2001:2::/48", "benchmarking"),
        ("2001::/23", "IETF protocol assignments"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "SRv6 segment identifiers"),
        ("fd00:ec2::254/128", "cloud metadata service (AWS IPv6)"),
        ("fc00::/7", "unique local (ULA)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
    )
)

_GLOBAL_UNICAST_V6 = IPv6Network("2000::/3")
_NAT64 = IPv6Network("64:ff9b::/96")


def canonical(address: IPAddress) -> IPAddress:
    """`address`, with an IPv4-mapped IPv6 address (::ffff:a.b.c.d) turned into its IPv4."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def embedded_ipv4(address: IPAddress) -> tuple[str, IPv4Address] | None:
    """The IPv4 address a 6to4 or NAT64 address leads to, with the mechanism's name."""
    if not isinstance(address, IPv6Address):
        return None
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in _NAT64:
        return "NAT64", IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def refused_range(address: IPAddress) -> str | None:
    """Why `address` (canonical, not 6to4 or NAT64) is not a public unicast address, or None."""
    table: tuple[tuple[IPNetwork, str], ...] = (
        _REFUSED_V4 if isinstance(address, IPv4Address) else _REFUSED_V6
    )
    for network, reason in table:
        if address in network:
            return reason
    if isinstance(address, IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return "outside the IPv6 global unicast range 2000::/3"
    if not address.is_global:
        # A backstop for ranges Python knows of and the tables above do not.
        return "not globally routable"
    return None
