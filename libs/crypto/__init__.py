"""Secrets at rest and credential hashing.

    CryptoError           a ciphertext cannot be opened with any configured key, or keys are malformed

- `SecretBox`: Fernet encryption with rotation (MultiFernet: newest key encrypts, every key decrypts).
- `hash_password` / `verify_password`: argon2id (argon2-cffi).
- `new_api_key` / `hash_api_key` / `verify_api_key`: random keys stored as SHA-256 digests.
"""

from libs.crypto._credentials import (
    ApiKey,
    hash_api_key,
    hash_password,
    new_api_key,
    password_needs_rehash,
    verify_api_key,
    verify_password,
)
from libs.crypto._secret_box import CryptoError, SecretBox

__all__ = [
    "ApiKey",
    "CryptoError",
    "SecretBox",
    "hash_api_key",
    "hash_password",
    "new_api_key",
    "password_needs_rehash",
    "verify_api_key",
    "verify_password",
]
