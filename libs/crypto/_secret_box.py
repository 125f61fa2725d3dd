from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class CryptoError(Exception):
    """Encryption keys are malformed, or a ciphertext opens with none of them."""


class SecretBox:
    """Encrypts secrets at rest with the newest key; decrypts with any configured key.

    Keys come from ENCRYPTION_KEYS (comma-separated Fernet keys, newest first).
    Rotation: put a new key first, run `rotate()` over stored ciphertexts, then
    drop the old key. `repr()` never shows key material.
    """

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise CryptoError("ENCRYPTION_KEYS holds no key")
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except (ValueError, TypeError) as exc:
            raise CryptoError("ENCRYPTION_KEYS holds a malformed Fernet key") from exc
        self._count = len(keys)

    @classmethod
    def from_setting(cls, value: str) -> SecretBox:
        """Build from the comma-separated ENCRYPTION_KEYS value."""
        return cls([key for key in value.split(",") if key.strip()])

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def __repr__(self) -> str:
        return f"SecretBox(keys={self._count})"

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        """The plaintext; raises `CryptoError` if no configured key opens it or it was altered."""
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken as exc:
            raise CryptoError("ciphertext does not open with any configured key") from exc

    def rotate(self, ciphertext: bytes) -> bytes:
        """Re-encrypt under the newest key (idempotent)."""
        try:
            return self._fernet.rotate(ciphertext)
        except InvalidToken as exc:
            raise CryptoError("ciphertext does not open with any configured key") from exc
