"""One EFRIS exchange as an interface handler sees it, and the table entry that describes one.

Call      the request once `wire` accepted it: who (device), when (sandbox clock), what
          (decrypted payload) and the envelope's globalInfo
Reply     what the handler answers: a payload (sealed by `wire`), "00" unless a
          handler raised `EfrisRefusal`
Interface a handler and whether its request and response are encrypted (efris.md §3.6)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from libs.efris import GlobalInfo
from services.sandbox.providers.efris.devices import Device
from services.sandbox.providers.efris.state import EfrisServer


@dataclass(frozen=True)
class Call:
    """An accepted request."""

    server: EfrisServer
    device: Device | None  # None only for T101, which needs no registered device
    global_info: GlobalInfo
    payload: object | None
    now: datetime  # the sandbox clock, aware UTC
    base_url: str  # the sandbox as the caller reached it (qrCode and T103 URLs)

    @property
    def registered(self) -> Device:
        """The calling device (every interface but T101 runs with one)."""
        if self.device is None:
            raise RuntimeError("this interface runs only for a registered device")
        return self.device

    @property
    def tin(self) -> str:
        """The taxpayer of the exchange (globalInfo.tin, checked against the device)."""
        return self.global_info.tin


@dataclass(frozen=True)
class Reply:
    """A successful answer's payload (None: empty content)."""

    payload: object | None = None


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Interface:
    """One simulated interface code."""

    handler: Handler
    request_encrypted: bool
    response_encrypted: bool
    needs_device: bool = True

    @property
    def needs_key(self) -> bool:
        """Encrypted either way: a T104 key must be valid (401 / 402 otherwise)."""
        return self.request_encrypted or self.response_encrypted
