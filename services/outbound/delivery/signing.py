"""Standard Webhooks signatures for one endpoint (webhook-platforms.md §1.1).

    webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<timestamp>.<body>")> ...

One `v1` entry per live secret, newest first, space-separated: during a rotation the old
secret keeps signing until it expires, so receivers verifying with either one accept.
Keys are decoded once, when the endpoint is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from libs.signatures import standard_webhooks_key, standard_webhooks_signature


@dataclass(frozen=True)
class SigningKey:
    key: bytes
    expires_at: float | None  # unix seconds; None while it is the current secret

    def __repr__(self) -> str:
        return f"SigningKey(expires_at={self.expires_at})"


def signing_key(secret: str, *, expires_at: float | None) -> SigningKey:
    return SigningKey(standard_webhooks_key(secret), expires_at)


def signature(keys: Sequence[SigningKey], *, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: one `v1,` entry per key not expired at `timestamp`."""
    live = [key.key for key in keys if key.expires_at is None or key.expires_at > timestamp]
    return standard_webhooks_signature(body, msg_id=msg_id, timestamp=timestamp, keys=live)
