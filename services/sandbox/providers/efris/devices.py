"""Registered EFRIS devices: who may talk to the simulator, with which key (efris.md §2.1, §3.2).

    register(tin, device_no, public_key)   the onboarding URA does outside the API (§2.1
                                           step 3: the device's certificate or public key)
    device.issue_key(now)                  T104: a fresh 16-byte AES key, valid 24 h of
                                           sandbox clock ("The new AES key is always valid
                                           for 24 hours", URA-HOWTO p.8)
    device.key_state(now)                  "none" → 401, "expired" → 402, "valid"
    device.next_fdn()                      the next Fiscal Document Number of this device

FDNs are 14 digits, `32` + the device's 4-digit registration index + an 8-digit counter:
unique across the sandbox and increasing per device (URA's are 12 digits, e.g.
`322000150744`; the extra width keeps every device's range apart).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from libs.efris import AES_KEY_BYTES

KEY_TTL_S = 24 * 3600
KeyState = Literal["none", "valid", "expired"]


@dataclass
class SessionKey:
    """A T104 key as the server keeps it; never shown by the control API."""

    key: bytes = field(repr=False)
    issued_at: float
    expired: bool = False

    def valid_at(self, now: float) -> bool:
        """Not expired on purpose and younger than 24 h."""
        return not self.expired and now - self.issued_at < KEY_TTL_S


@dataclass
class Device:
    """One device (DSN) of one taxpayer, its public key and its current session key."""

    tin: str
    device_no: str
    public_key: RSAPublicKey
    legal_name: str
    business_name: str
    index: int
    registered_at: float
    key: SessionKey | None = None
    issued: int = 0

    def issue_key(self, now: float) -> bytes:
        """A fresh AES-128 key; the previous one stops working at once."""
        self.key = SessionKey(key=secrets.token_bytes(AES_KEY_BYTES), issued_at=now)
        return self.key.key

    def key_state(self, now: float) -> KeyState:
        """Whether an encrypted exchange may use the session key now."""
        if self.key is None:
            return "none"
        return "valid" if self.key.valid_at(now) else "expired"

    def expire_key(self) -> bool:
        """Expire the session key now; False when the device has none."""
        if self.key is None:
            return False
        self.key.expired = True
        return True

    def next_fdn(self) -> str:
        """The next FDN of this device (14 digits, increasing)."""
        self.issued += 1
        return f"32{self.index:04d}{self.issued:08d}"

    def fingerprint(self) -> str:
        """SHA-256 of the public key (DER SubjectPublicKeyInfo), hex: what was registered."""
        der = self.public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        digest = hashes.Hash(hashes.SHA256())
        digest.update(der)
        return digest.finalize().hex()

    def summary(self, now: float) -> dict[str, object]:
        """The device as the control API shows it: no key material, only the key's times."""
        key = None
        if self.key is not None:
            key = {
                "issued_at": self.key.issued_at,
                "expires_at": self.key.issued_at + KEY_TTL_S,
                "state": self.key_state(now),
            }
        return {
            "tin": self.tin,
            "device_no": self.device_no,
            "legal_name": self.legal_name,
            "business_name": self.business_name,
            "public_key_sha256": self.fingerprint(),
            "key": key,
            "invoices_issued": self.issued,
        }


class Devices:
    """Every registered device, by device number."""

    def __init__(self) -> None:
        self._devices: dict[str, Device] = {}
        self._registered = 0

    def register(
        self,
        *,
        tin: str,
        device_no: str,
        public_key: RSAPublicKey,
        legal_name: str,
        business_name: str,
        now: float,
    ) -> Device:
        """A new device; `ValueError` when `device_no` is taken."""
        if device_no in self._devices:
            raise ValueError("device_no is already registered")
        self._registered += 1
        device = Device(
            tin=tin, device_no=device_no, public_key=public_key, legal_name=legal_name,
            business_name=business_name, index=self._registered, registered_at=now,
        )  # fmt: skip
        self._devices[device_no] = device
        return device

    def get(self, device_no: str) -> Device | None:
        """The device, or None."""
        return self._devices.get(device_no)

    def knows_tin(self, tin: str) -> bool:
        """Whether any device is registered for `tin` (URA knows the taxpayer)."""
        return any(device.tin == tin for device in self._devices.values())

    def of_tin(self, tin: str) -> list[Device]:
        """The taxpayer's devices, in registration order."""
        return [device for device in self._devices.values() if device.tin == tin]

    def all(self) -> list[Device]:
        """Every device, in registration order."""
        return list(self._devices.values())

    def reset(self) -> None:
        """No devices (registration indexes start again)."""
        self._devices.clear()
        self._registered = 0
