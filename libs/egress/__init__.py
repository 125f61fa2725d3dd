"""Outbound-URL safety: tenant webhook URLs may reach the public internet and nothing else.

Used by the outbound service (deliveries) and the admin API (registering endpoint URLs). An
`EgressPolicy` refuses every address that is not public unicast, unless its `allowed`
networks (the sandbox's and tests' local receivers) contain it:

    refused                                        IPv4                        IPv6
    unspecified, "this network"                    0.0.0.0/8                   ::/128
    loopback                                       127.0.0.0/8                 ::1/128
    private / unique local                         10/8, 172.16/12, 192.168/16 fc00::/7
    link-local (incl. cloud metadata)              169.254/16 (.169.254)       fe80::/10, fd00:ec2::254
    site-local (deprecated)                                                    fec0::/10
    carrier-grade NAT                              100.64.0.0/10
    IETF protocol assignments                      192.0.0.0/24                2001::/23 (incl. Teredo)
    6to4 relay anycast                             192.88.99.0/24
    benchmarking                                   198.18.0.0/15               2001:2::/48
    documentation                                  192.0.2/24, 198.51.100/24,  2001:db8::/32, 3fff::/20
                                                   203.0.113/24
    multicast                                      224.0.0.0/4                 ff00::/8
    reserved, broadcast                            240.0.0.0/4, 255.255.255.255
    IPv4-compatible / -translated, discard, SRv6,                              ::/96, ::ffff:0:0:0/96,
    local NAT64, anything outside 2000::/3                                     100::/64, 5f00::/16, ...

IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as its IPv4; 6to4 (2002::/16) and NAT64
(64:ff9b::/96) addresses as the IPv4 they embed.

Three checks, all needed:

    check_url(url, policy)            before every request: scheme, host, no credentials,
                                      literal-IP hosts (aiohttp never resolves those)
    guarded_connector(policy, ...)    every connection: its GuardedResolver drops refused
                                      addresses after DNS, so aiohttp connects only to allowed
                                      ones (defeats DNS rebinding); literal IPs, redirects too
    resolve_and_check(url, policy)    registration: every address the name has must pass

Deliveries must not follow redirects (`allow_redirects=False`, spec §7); the connector refuses
a redirect to a refused address anyway. Errors:

    Exception
    └── EgressRefused            url (origin only), address (or None), reason
        └── RefusedAtConnect     also an OSError: aiohttp raises it wrapped in a
                                 ClientConnectorError; `refusal_of(exc)` unwraps it
"""

from libs.egress._connector import GuardedConnector, guarded_connector
from libs.egress._errors import EgressRefused, RefusedAtConnect, refusal_of
from libs.egress._policy import EgressPolicy
from libs.egress._ranges import IPAddress, IPNetwork
from libs.egress._resolver import GuardedResolver, resolve_and_check
from libs.egress._settings import EgressSettings
from libs.egress._urls import check_url

__all__ = [
    "EgressPolicy",
    "EgressRefused",
    "EgressSettings",
    "GuardedConnector",
    "GuardedResolver",
    "IPAddress",
    "IPNetwork",
    "RefusedAtConnect",
    "check_url",
    "guarded_connector",
    "refusal_of",
    "resolve_and_check",
]
