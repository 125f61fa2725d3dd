"""The port every verifier implements, and what a successful verification returns.

    verifier.verify(raw, headers) -> Verified        or raises a SignatureError subclass

`raw` is the request body exactly as received, before any parsing; `headers` is any
`Mapping[str, str]` (aiohttp's `CIMultiDictProxy` or a plain dict), read case-insensitively.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from libs.signatures._digests import DigestEncoding


@dataclass(frozen=True, slots=True)
class Verified:
    """What a successful verification established.

    `secret_index` is the position, in the verifier's `secrets`, of the secret that matched
    (rotation: tells you when the old secret stops being used). `encoding` is the digest
    encoding that matched: fixed by each scheme except Zoho, which may send either.
    `timestamp` is the signed time in Unix seconds for timestamped schemes (Stripe, HubSpot,
    Standard Webhooks), else None.
    """

    provider: str
    secret_index: int
    encoding: DigestEncoding
    timestamp: float | None = None


class SignatureVerifier(Protocol):
    """Checks that one webhook request was signed by its provider."""

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        """Return what was verified; raise a `SignatureError` subclass otherwise.

        Pure and synchronous: no I/O, safe to call from the event loop.
        """
        ...
