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
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from libs.signatures._digests import encode_digest, hmac_sha256, match_digest
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing
from libs.signatures._timestamps import (
    DEFAULT_TOLERANCE,
    check_freshness,
    parse_timestamp,
    validated_tolerance,
)
from libs.signatures._verifier import SignatureVerifier, Verified

# The escapes HubSpot's request-validation doc says to decode, and no others (not %20, %26, ...).
_DECODED_ESCAPES = re.compile(r"%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", re.IGNORECASE)


class HubSpotVerifier:
    """Verifies `X-HubSpot-Signature-v3` and its millisecond timestamp with client secret(s)."""

    provider: ClassVar[str] = "hubspot"
    signature_header: ClassVar[str] = "X-HubSpot-Signature-v3"
    timestamp_header: ClassVar[str] = "X-HubSpot-Request-Timestamp"

    def __init__(
        self,
        *,
        secrets: Sequence[str],
        clock: Callable[[], float] = time.time,
        tolerance: float = DEFAULT_TOLERANCE,
    ) -> None:
        self._keys = KeyRing(secrets)
        self._clock = clock
        self._tolerance = validated_tolerance(tolerance)

    def verify(self, raw: bytes, headers: Mapping[str, str], *, method: str, url: str) -> Verified:
        """Like `SignatureVerifier.verify`, for a request made with `method` to public `url`.

        The signature is checked before the timestamp; `Verified.timestamp` is in seconds.
        """
        keys = self._keys.require(provider=self.provider, header=self.signature_header)
        request_headers = RequestHeaders(headers, provider=self.provider)
        value = request_headers.require(self.signature_header)
        timestamp_text = request_headers.require(self.timestamp_header)
        timestamp_ms = parse_timestamp(
            timestamp_text, provider=self.provider, header=self.timestamp_header
        )
        messages = [
            f"{method}{uri}".encode("utf-8", errors="surrogatepass")
            + raw
            + timestamp_text.encode("ascii")
            for uri in _signed_uris(url)
        ]
        index, encoding = match_digest(
            value,
            messages,
            keys=keys,
            accepted=["base64"],
            provider=self.provider,
            header=self.signature_header,
        )
        timestamp = timestamp_ms / 1000
        check_freshness(
            timestamp,
            now=self._clock(),
            tolerance=self._tolerance,
            provider=self.provider,
            header=self.timestamp_header,
        )
        return Verified(
            provider=self.provider, secret_index=index, encoding=encoding, timestamp=timestamp
        )

    def for_request(self, *, method: str, url: str) -> SignatureVerifier:
        """A `SignatureVerifier` for one request made with `method` to public `url`."""
        return _HubSpotRequest(verifier=self, method=method, url=url)

    def __repr__(self) -> str:
        return f"HubSpotVerifier(secrets={self._keys!r}, tolerance={self._tolerance:g})"


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
    return encode_digest(hmac_sha256(secret.encode("utf-8"), message), "base64")


def _signed_uris(url: str) -> list[str]:
    decoded = _decoded_uri(url)
    return [decoded] if decoded == url else [decoded, url]


def _decoded_uri(url: str) -> str:
    return _DECODED_ESCAPES.sub(lambda escape: chr(int(escape.group(1), 16)), url)
