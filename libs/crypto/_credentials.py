from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" profile; stateless


def hash_password(password: str) -> str:
    """An argon2id hash (salted, self-describing) of `password`."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches; False for a mismatch or a malformed stored hash."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)


@dataclass(frozen=True)
class ApiKey:
    """A new API key: `plaintext` is shown once; only `prefix` and `digest` are stored."""

    plaintext: str
    prefix: str
    digest: str

    def __repr__(self) -> str:
        return f"ApiKey(prefix={self.prefix!r})"


def new_api_key(kind: str = "sy") -> ApiKey:
    """A random key `<kind>_<8-char id>_<secret>`; the id lets storage find the row by prefix."""
    prefix = f"{kind}_{secrets.token_hex(4)}"
    plaintext = f"{prefix}_{secrets.token_urlsafe(32)}"
    return ApiKey(plaintext=plaintext, prefix=prefix, digest=hash_api_key(plaintext))


def hash_api_key(plaintext: str) -> str:
    """SHA-256 hex digest. Keys carry 256 random bits, so a fast hash is enough (no salt needed)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def verify_api_key(plaintext: str, digest: str) -> bool:
    """Constant-time comparison of `plaintext`'s digest with the stored one."""
    return hmac.compare_digest(hash_api_key(plaintext), digest)
