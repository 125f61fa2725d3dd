from __future__ import annotations

import socket
from ipaddress import ip_address

from yarl import URL

from libs.egress._errors import EgressRefused
from libs.egress._policy import EgressPolicy
from libs.egress._ranges import IPAddress


def check_url(url: str | URL, policy: EgressPolicy) -> URL:
    """The parsed `url` if its static form is allowed; raises `EgressRefused` otherwise.

    Checks the scheme (http or https; https only under `require_https`), that there is a
    host, that there are no credentials, and, for a literal-IP host, the address itself.
    A host name passes here: the `GuardedResolver` judges what it resolves to.

    Call it before every request, redirects included: aiohttp never asks the resolver about a
    literal-IP host. (`guarded_connector` repeats the literal-IP check at connect time.)
    """
    try:
        parsed = URL(url) if isinstance(url, str) else url
    except ValueError as exc:
        raise EgressRefused(url="(invalid URL)", address=None, reason="not a valid URL") from exc
    safe = loggable(parsed)
    schemes = ("https",) if policy.require_https else ("http", "https")
    if parsed.scheme not in schemes:
        allowed = " or ".join(schemes)
        raise EgressRefused(url=safe, address=None, reason=f"the scheme must be {allowed}")
    if not parsed.raw_host:
        raise EgressRefused(url=safe, address=None, reason="the URL has no host")
    if parsed.raw_user is not None or parsed.raw_password is not None:
        raise EgressRefused(url=safe, address=None, reason="credentials in the URL are refused")
    if is_legacy_numeric(parsed.raw_host):
        # 127.1, 2130706433, 0x7f.0.0.1, 010.0.0.1: getaddrinfo reads them as IPv4 addresses,
        # ipaddress does not, so they must not pass as host names.
        raise EgressRefused(url=safe, address=None, reason="the host is a non-canonical IPv4")
    try:
        host = parsed.host  # IDNA-decoded: "xn--" alone and the like do not decode
    except UnicodeError:
        raise EgressRefused(
            url="(invalid URL)", address=None, reason="the host is not a valid name"
        ) from None
    if any(not label for label in (host or "").rstrip(".").split(".")):
        raise EgressRefused(url=safe, address=None, reason="the host is not a valid name")
    address = literal_ip(host)
    if address is not None:
        reason = policy.refusal(address)
        if reason is not None:
            raise EgressRefused(url=safe, address=str(address), reason=reason)
    return parsed


def loggable(url: URL) -> str:
    """Scheme, host and port of `url`: what may go to a log or an error message."""
    if not url.absolute or not url.raw_host:
        return "(URL without a host)"
    return str(url.origin())


def literal_ip(host: str | None) -> IPAddress | None:
    """`host` as an IP address if it is one (IPv6 without brackets, as yarl gives it), else None."""
    if not host:
        return None
    try:
        return ip_address(host)
    except ValueError:
        return None


def is_legacy_numeric(host: str) -> bool:
    """True for a host the C resolver takes as an IPv4 address that is not in dotted-quad form."""
    if literal_ip(host) is not None:
        return False
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True
