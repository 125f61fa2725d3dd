"""HubSpot v3 `X-HubSpot-Signature-v3` (providers.md §7.1).

    X-HubSpot-Signature-v3: base64(HMAC-SHA256(key = app client secret,
                                               msg = method + URI + raw body + timestamp))
    X-HubSpot-Request-Timestamp: Unix milliseconds, within 5 minutes of our clock

`URI` is the full public URL HubSpot called (scheme, host, path, query; build it from
`PUBLIC_BASE_URL`, not from the address behind a proxy). HubSpot's docs say to decode
`%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B` in it before hashing, while both official
SDKs hash the URL as given; we try the decoded form first, then the literal one. Both are the
same URL, so this widens nothing an attacker controls.

The signed string needs the method and URL, which headers cannot supply, so
`HubSpotVerifier.verify` takes them as keyword arguments; `for_request` binds them and returns
a plain `SignatureVerifier` for code that handles every provider alike. The legacy
`X-HubSpot-Signature` (v1/v2) carries no timestamp and is ignored: a request signed only that
way is refused as missing its v3 signature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from libs.signatures._digests import encoded_hmac, require_encoding
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import utf8_key
from libs.signatures._timestamps import SignedParts, TimestampedVerifier, parse_timestamp
from libs.signatures._verifier import SignatureVerifier, Verified

# The escapes HubSpot's request-validation doc says to decode, and no others (not %20, %26, ...).
_DECODED_ESCAPES = re.compile(r"%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", re.IGNORECASE)


class HubSpotVerifier(TimestampedVerifier):
    """Verifies `X-HubSpot-Signature-v3` and its millisecond timestamp with client secret(s)."""

    provider = "hubspot"
    signature_header = "X-HubSpot-Signature-v3"
    timestamp_header = "X-HubSpot-Request-Timestamp"
    encoding = "base64"

    def verify(self, raw: bytes, headers: Mapping[str, str], *, method: str, url: str) -> Verified:
        """Like `SignatureVerifier.verify`, for a request made with `method` to public `url`.

        The signature is checked before the timestamp; `Verified.timestamp` is in seconds.
        """
        return self._verify(
            headers, lambda request: self._read(raw, request, method=method, url=url)
        )

    def for_request(self, *, method: str, url: str) -> SignatureVerifier:
        """A `SignatureVerifier` for one request made with `method` to public `url`."""
        return _HubSpotRequest(verifier=self, method=method, url=url)

    def _read(self, raw: bytes, headers: RequestHeaders, *, method: str, url: str) -> SignedParts:
        value = headers.require(self.signature_header)
        timestamp_text = headers.require(self.timestamp_header)
        timestamp_ms = parse_timestamp(
            timestamp_text, provider=self.provider, header=self.timestamp_header
        )
        # One digest is sent, so a value of the wrong shape is malformed, not merely unmatched.
        require_encoding(
            value, [self.encoding], provider=self.provider, header=self.signature_header
        )
        messages = [
            f"{method}{uri}".encode("utf-8", errors="surrogatepass")
            + raw
            + timestamp_text.encode("ascii")
            for uri in _signed_uris(url)
        ]
        return SignedParts(timestamp=timestamp_ms / 1000, messages=messages, signatures=[value])


@dataclass(frozen=True, slots=True)
class _HubSpotRequest:
    verifier: HubSpotVerifier
    method: str
    url: str

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        return self.verifier.verify(raw, headers, method=self.method, url=self.url)


def sign_hubspot(raw: bytes, *, secret: str, method: str, url: str, timestamp_ms: int) -> str:
    """The `X-HubSpot-Signature-v3` value for a request; send `timestamp_ms` as its timestamp."""
    message = f"{method}{_decoded_uri(url)}".encode() + raw + str(timestamp_ms).encode("ascii")
    return encoded_hmac(utf8_key(secret), message, "base64")


def _signed_uris(url: str) -> list[str]:
    decoded = _decoded_uri(url)
    return [decoded] if decoded == url else [decoded, url]


def _decoded_uri(url: str) -> str:
    return _DECODED_ESCAPES.sub(lambda escape: chr(int(escape.group(1), 16)), url)
