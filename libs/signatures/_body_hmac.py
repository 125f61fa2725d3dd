"""Schemes that sign the raw body alone: one HMAC-SHA256 digest in one header, no timestamp.

    <signature_header>: <prefix><hex or base64(HMAC-SHA256(key = secret UTF-8, msg = raw body))>

QuickBooks, Xero, Shopify and WhatsApp sign this way and differ only in the header, the digest's
encoding, a prefix (WhatsApp's `sha256=`) and headers that must be present although the HMAC
does not cover them (Shopify's). Each is a `BodyHmacVerifier` subclass that names those as
class attributes. A verifier checks, in order: a secret is configured, the signature header,
the required headers, the prefix, the digest's shape, and last the digest itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from libs.signatures._digests import DigestEncoding, encoded_hmac, match_digest
from libs.signatures._errors import MalformedSignature
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing, utf8_key
from libs.signatures._verifier import Verified


class BodyHmacVerifier:
    """Verifies a body-only HMAC header against one or more secrets; subclass to configure."""

    provider: ClassVar[str]
    signature_header: ClassVar[str]
    encoding: ClassVar[DigestEncoding]
    prefix: ClassVar[str] = ""
    """Text the header value starts with, ahead of the digest."""
    required_headers: ClassVar[tuple[str, ...]] = ()
    """Headers that must each appear once, non-blank, though they are not signed."""

    def __init__(self, *, secrets: Sequence[str]) -> None:
        self._keys = KeyRing(secrets)

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        """See `SignatureVerifier.verify`; a missing required header raises `MissingSignature`."""
        keys = self._keys.require(provider=self.provider, header=self.signature_header)
        request_headers = RequestHeaders(headers, provider=self.provider)
        value = request_headers.require(self.signature_header)
        for name in self.required_headers:
            request_headers.require(name)
        if not value.startswith(self.prefix):
            raise MalformedSignature(
                f"does not start with {self.prefix!r}",
                provider=self.provider,
                header=self.signature_header,
            )
        index, encoding = match_digest(
            value.removeprefix(self.prefix),
            [raw],
            keys=keys,
            accepted=[self.encoding],
            provider=self.provider,
            header=self.signature_header,
        )
        return Verified(provider=self.provider, secret_index=index, encoding=encoding)

    @classmethod
    def sign(cls, raw: bytes, secret: str) -> str:
        """The `signature_header` value the provider would send for `raw` under `secret`."""
        return cls.prefix + encoded_hmac(utf8_key(secret), raw, cls.encoding)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(secrets={self._keys!r})"
