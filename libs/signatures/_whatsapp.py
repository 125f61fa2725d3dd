"""Meta's `X-Hub-Signature-256`, as the WhatsApp Cloud API sends it (providers.md §5.2).

    X-Hub-Signature-256: sha256=<hex(HMAC-SHA256(key = App Secret, msg = raw body))>

Meta signs the bytes it sends (an escaped-unicode rendering of the JSON), so the check runs on
the raw body and never on re-serialised JSON. Several app secrets may be configured (one per
Meta app, or old and new during rotation). No timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from libs.signatures._digests import encode_digest, hmac_sha256, match_digest
from libs.signatures._errors import MalformedSignature
from libs.signatures._headers import RequestHeaders
from libs.signatures._keys import KeyRing
from libs.signatures._verifier import Verified

_PREFIX = "sha256="


class WhatsAppVerifier:
    """Verifies `X-Hub-Signature-256` against one or more Meta app secrets."""

    provider: ClassVar[str] = "whatsapp"
    signature_header: ClassVar[str] = "X-Hub-Signature-256"

    def __init__(self, *, secrets: Sequence[str]) -> None:
        self._keys = KeyRing(secrets)

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> Verified:
        """See `SignatureVerifier.verify`."""
        keys = self._keys.require(provider=self.provider, header=self.signature_header)
        value = RequestHeaders(headers, provider=self.provider).require(self.signature_header)
        if not value.startswith(_PREFIX):
            raise MalformedSignature(
                f"does not start with {_PREFIX!r}",
                provider=self.provider,
                header=self.signature_header,
            )
        index, encoding = match_digest(
            value.removeprefix(_PREFIX),
            [raw],
            keys=keys,
            accepted=["hex"],
            provider=self.provider,
            header=self.signature_header,
        )
        return Verified(provider=self.provider, secret_index=index, encoding=encoding)

    def __repr__(self) -> str:
        return f"WhatsAppVerifier(secrets={self._keys!r})"


def sign_whatsapp(raw: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta would send for `raw` under App Secret `secret`."""
    return _PREFIX + encode_digest(hmac_sha256(secret.encode("utf-8"), raw), "hex")
