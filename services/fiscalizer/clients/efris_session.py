"""Each device's EFRIS session key (T104), fetched once and shared for ~23 hours (efris.md §2.2, §3.2).

    T104 answer {"passowrdDes": base64(RSA(device public key, base64(aes key))), "sign": …}
    → open_aes_key(device private key) → 16-byte AES-128 key, valid 24 h at EFRIS

Kept 23 h (as PAYBILL does) so a key is never used in its last hour. A key EFRIS
refuses (401 / 402) is replaced on request, once however many calls saw it refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from libs.efris import EfrisCryptoError, open_aes_key
from services.fiscalizer.clients.efris_errors import DeviceKeyMismatch, EfrisUnknownOutcome
from services.fiscalizer.clients.efris_wire import Device, EfrisWire, read_answer

KEY_LIFETIME = timedelta(hours=23)
_T104_ATTEMPTS = 3  # T104 changes nothing at EFRIS, so a resend is safe


class SessionKeys:
    """The cache; one T104 at a time per device, however many calls wait for it."""

    def __init__(self, wire: EfrisWire, *, clock: Callable[[], datetime]) -> None:
        self._wire = wire
        self._clock = clock
        self._keys: dict[tuple[str, str], tuple[bytes, datetime]] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def get(self, device: Device, *, stale: bytes | None = None) -> bytes:
        """The device's key: cached while younger than `KEY_LIFETIME`, else a new one.

        `stale` is a key EFRIS refused: it is replaced unless another call already did.
        Raises what T104 raises (efris_errors), and `DeviceKeyMismatch` when the key
        EFRIS sent does not open with this device's private key.
        """
        device_id = (device.tin, device.device_no)
        async with self._locks.setdefault(device_id, asyncio.Lock()):
            cached = self._keys.get(device_id)
            if cached is not None:
                key, fetched_at = cached
                if key != stale and self._clock() - fetched_at < KEY_LIFETIME:
                    return key
            key = await self._fetch(device)
            self._keys[device_id] = (key, self._clock())
            return key

    def forget(self, device: Device) -> None:
        """Drop the device's key; the next call fetches a new one."""
        self._keys.pop((device.tin, device.device_no), None)

    async def _fetch(self, device: Device) -> bytes:
        answer = await self._wire.exchange(
            device, "T104", None, aes_key=None, attempts=_T104_ATTEMPTS
        )
        opened = read_answer(answer, "T104", aes_key=None)
        sealed = opened.get("passowrdDes") if isinstance(opened, dict) else None
        if not isinstance(sealed, str) or not sealed:
            raise EfrisUnknownOutcome("T104 answer lacks passowrdDes", interface="T104")
        try:
            return open_aes_key(device.keys.private_key, sealed)
        except EfrisCryptoError:
            raise DeviceKeyMismatch(
                "the session key does not open with this device's private key: "
                "the certificate URA holds is not this .pfx",
                interface="T104",
            ) from None
