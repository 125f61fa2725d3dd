"""Shopify `X-Shopify-Hmac-Sha256` (providers.md §6.1, §6.2).

    X-Shopify-Hmac-Sha256: base64(HMAC-SHA256(key = app client secret, msg = raw body))

Like Shopify's own validator, a delivery missing any of `X-Shopify-API-Version`,
`X-Shopify-Shop-Domain`, `X-Shopify-Topic` or `X-Shopify-Webhook-Id` is refused. Mind that the
HMAC covers only the body: those headers, the shop domain used for routing included, are
required but not authenticated. After a client-secret rotation Shopify may keep signing with
the old secret for up to an hour, so configure both. No timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from libs.signatures._digests import encode_digest, hmac_sha256, match_digest
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing
from libs.signatures._verifier import Verified


class ShopifyVerifier:
    """Verifies `X-Shopify-Hmac-Sha256` and the presence of the required `X-Shopify-*` headers."""

    provider: ClassVar[str] = "shopify"
    signature_header: ClassVar[str] = "X-Shopify-Hmac-Sha256"
    required_headers: ClassVar[tuple[str, ...]] = (
        "X-Shopify-API-Version",
        "X-Shopify-Shop-Domain",
        "X-Shopify-Topic",
        "X-Shopify-Webhook-Id",
    )

    def __init__(self, *, secrets: Sequence[str]) -> None:
        self._keys = KeyRing(secrets)

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        """See `SignatureVerifier.verify`; a missing required header raises `MissingSignature`."""
        keys = self._keys.require(provider=self.provider, header=self.signature_header)
        request_headers = RequestHeaders(headers, provider=self.provider)
        value = request_headers.require(self.signature_header)
        for name in self.required_headers:
            request_headers.require(name)
        index, encoding = match_digest(
            value,
            [raw],
            keys=keys,
            accepted=["base64"],
            provider=self.provider,
            header=self.signature_header,
        )
        return Verified(provider=self.provider, secret_index=index, encoding=encoding)

    def __repr__(self) -> str:
        return f"ShopifyVerifier(secrets={self._keys!r})"


def sign_shopify(raw: bytes, secret: str) -> str:
    """The `X-Shopify-Hmac-Sha256` value Shopify would send for `raw` under `secret`."""
    return encode_digest(hmac_sha256(secret.encode("utf-8"), raw), "base64")
