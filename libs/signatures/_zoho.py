"""Zoho Books `X-Zoho-Webhook-Signature` (providers.md §3.2).

    X-Zoho-Webhook-Signature: HMAC-SHA256(key = webhook secret, msg = params + raw body)
    params = query parameters sorted by key, each written key then value, no separators

Zoho documents this for Billing; Books exposes the same per-webhook `secret` but no page names
the digest's encoding, so both lowercase/uppercase hex and base64 are accepted and `Verified`
says which one matched (log it; once real deliveries settle the question, narrow `encodings`).
The shapes cannot collide: 64 hex digits versus 44 base64 characters.

Form-encoded bodies (whose pairs Zoho also folds into the signed string) are not supported:
Switchyard configures Zoho webhooks with the default JSON payload. Zoho Payments' different
`t=...,v=...` format is refused as malformed. No timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from libs.signatures._digests import DigestEncoding, encoded_hmac, match_digest
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing, utf8_key
from libs.signatures._verifier import Verified


class ZohoVerifier:
    """Verifies `X-Zoho-Webhook-Signature` with a connection's webhook secret(s).

    `encodings` lists the digest encodings accepted, in the order they are tried.
    """

    provider: ClassVar[str] = "zoho"
    signature_header: ClassVar[str] = "X-Zoho-Webhook-Signature"

    def __init__(
        self, *, secrets: Sequence[str], encodings: Sequence[DigestEncoding] = ("hex", "base64")
    ) -> None:
        if not encodings:
            raise ValueError("at least one digest encoding must be accepted")
        self._keys = KeyRing(secrets)
        self._encodings = tuple(encodings)

    def verify(
        self, raw: bytes, headers: Mapping[str, str], *, query: Mapping[str, str] | None = None
    ) -> Verified:
        """See `SignatureVerifier.verify`.

        `query` is the request's decoded query parameters (aiohttp's `request.query`), which
        Zoho signs ahead of the body; leave it out when the webhook URL has none.
        """
        keys = self._keys.require(provider=self.provider, header=self.signature_header)
        value = RequestHeaders(headers, provider=self.provider).require(self.signature_header)
        index, encoding = match_digest(
            value,
            [_signed_content(raw, query)],
            keys=keys,
            accepted=self._encodings,
            provider=self.provider,
            header=self.signature_header,
        )
        return Verified(provider=self.provider, secret_index=index, encoding=encoding)

    def __repr__(self) -> str:
        return f"ZohoVerifier(secrets={self._keys!r}, encodings={self._encodings!r})"


def sign_zoho(
    raw: bytes,
    secret: str,
    *,
    encoding: DigestEncoding = "hex",
    query: Mapping[str, str] | None = None,
) -> str:
    """An `X-Zoho-Webhook-Signature` value for `raw` (and `query`) under `secret`."""
    return encoded_hmac(utf8_key(secret), _signed_content(raw, query), encoding)


def _signed_content(raw: bytes, query: Mapping[str, str] | None) -> bytes:
    if not query:
        return raw
    # items() yields every pair of a multidict; sorted() is stable, so repeated keys keep order.
    pairs = sorted(query.items(), key=lambda pair: pair[0])
    params = "".join(key + value for key, value in pairs)
    # surrogatepass: a hostile query string must fail to match, not raise UnicodeEncodeError.
    return params.encode("utf-8", errors="surrogatepass") + raw
