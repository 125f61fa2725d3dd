"""The configured secrets of one verifier, held as HMAC keys in rotation order.

Fail closed: blank entries (an unset variable split on commas) do not count, and a ring with no
key refuses every request with `SecretNotConfigured` instead of accepting it unsigned. Building
the ring never fails for want of secrets, so a service can start with a provider unconfigured;
only that provider's requests are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from libs.signatures._digests import Keys
from libs.signatures._errors import SecretNotConfigured


def utf8_key(secret: str) -> bytes:
    """The key most providers use: the secret's UTF-8 bytes, with no decoding."""
    return secret.encode("utf-8")


class KeyRing:
    """HMAC keys, each remembering its index in the `secrets` it was built from."""

    __slots__ = ("_keys",)

    def __init__(
        self, secrets: Sequence[str], *, key_of: Callable[[str], bytes] = utf8_key
    ) -> None:
        if isinstance(secrets, str):
            # A bare string is a Sequence[str] of one-character secrets: never what was meant.
            raise TypeError("secrets must be a sequence of strings, not a single string")
        self._keys: Keys = tuple(
            (index, key_of(secret)) for index, secret in enumerate(secrets) if secret.strip()
        )

    def require(self, *, provider: str, header: str) -> Keys:
        """The keys; raises `SecretNotConfigured` when there are none."""
        if not self._keys:
            raise SecretNotConfigured(provider=provider, header=header)
        return self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<{len(self._keys)} secret(s)>"
