from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address, ip_network

from libs.egress._ranges import IPAddress, IPNetwork, canonical, embedded_ipv4, refused_range


@dataclass(frozen=True)
class EgressPolicy:
    """Which addresses outbound requests may reach: public unicast, plus the explicit `allowed`.

    `allowed` is the escape hatch for the sandbox and tests' local receivers (127.0.0.1/32,
    ::1/128); it beats every refused range. `require_https` refuses plain-http URLs.
    """

    allowed: tuple[IPNetwork, ...] = ()
    require_https: bool = False

    @classmethod
    def from_text(cls, text: str, *, require_https: bool = False) -> EgressPolicy:
        """Parse a comma-separated CIDR list ("127.0.0.1/32, ::1/128"; empty means none).

        Raises ValueError naming the first entry that is not a network (host bits set count).
        """
        entries = [entry.strip() for entry in text.split(",") if entry.strip()]
        networks: list[IPNetwork] = []
        for entry in entries:
            try:
                networks.append(ip_network(entry))
            except ValueError as exc:
                raise ValueError(f"egress allow-list: {entry!r} is not a CIDR network") from exc
        return cls(allowed=tuple(networks), require_https=require_https)

    def refusal(self, address: IPAddress | str) -> str | None:
        """Why `address` may not be reached, or None if it may.

        IPv4-mapped IPv6 is judged as its IPv4; 6to4 and NAT64 addresses as the IPv4 they
        embed. Raises ValueError if a string is not an IP address.
        """
        ip = canonical(ip_address(address) if isinstance(address, str) else address)
        if any(ip in network for network in self.allowed):
            return None
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            mechanism, ipv4 = embedded
            inner = self.refusal(ipv4)
            return None if inner is None else f"{mechanism} to {ipv4}, which is {inner}"
        return refused_range(ip)
