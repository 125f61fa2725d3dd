"""A minimal EFRIS device for the sandbox's EFRIS tests, on `libs.efris` (what the fiscalizer uses).

    device = await EfrisDevice.registered(sandbox)      # key pair, TIN, DSN, onboarding
    await device.sign_on()                               # T104: the session key
    answer = await device.send("T109", invoice)          # sealed, signed, posted, opened
    answer.code, answer.message, answer.payload

`send` takes knobs for the failure cases: `skew_s` moves requestTime off the sandbox clock,
`signing_key` signs with another key, `signature` replaces the signature, `plain` skips AES,
`zip_answer` asks for a gzipped answer.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import Encoding

from deploy.certificates import make_pfx
from libs.efris import (
    DeviceKeys,
    GlobalInfo,
    envelope,
    kampala_time,
    load_device_keys,
    new_exchange_id,
    open_aes_key,
    open_content,
    parse_envelope,
    seal_content,
)
from tests.support.sandbox import SandboxControl

PFX_PASSWORD = "device-pass"


@cache
def device_keys(which: int = 0) -> DeviceKeys:
    """A device key pair and certificate (made once per test session and `which`)."""
    pfx = base64.b64decode(make_pfx(PFX_PASSWORD))
    return load_device_keys(pfx, PFX_PASSWORD)


def certificate_pem(keys: DeviceKeys) -> str:
    """The device certificate as registered with URA."""
    return keys.certificate.public_bytes(Encoding.PEM).decode()


def new_tin() -> str:
    """A random 10-digit TIN, so tests sharing a sandbox do not meet."""
    return f"10{secrets.randbelow(10**8):08d}"


@dataclass(frozen=True)
class Answer:
    """What the simulator answered: the raw envelope, its code, message and opened content."""

    status: int
    body: dict[str, Any]
    code: str
    message: str
    payload: Any


@dataclass
class EfrisDevice:
    """One registered device of one taxpayer."""

    sandbox: SandboxControl
    tin: str
    device_no: str
    keys: DeviceKeys
    aes_key: bytes | None = field(default=None, repr=False)

    @classmethod
    async def registered(
        cls, sandbox: SandboxControl, *, tin: str | None = None, device_no: str | None = None,
        legal_name: str = "ACME TRADING (U) LIMITED",
    ) -> EfrisDevice:  # fmt: skip
        """A device onboarded at the sandbox with the session's key pair."""
        tin = tin or new_tin()
        device_no = device_no or f"{tin}_01"
        keys = device_keys()
        await sandbox.register_efris_device(
            tin=tin, device_no=device_no, certificate_pem=certificate_pem(keys),
            legal_name=legal_name,
        )  # fmt: skip
        return cls(sandbox=sandbox, tin=tin, device_no=device_no, keys=keys)

    async def now(self) -> datetime:
        """The sandbox's clock (what requestTime must be within ten minutes of)."""
        clock = await self.sandbox.call("GET", "/_sandbox/clock")
        return datetime.fromisoformat(clock["now"])

    async def global_info(self, interface: str, *, skew_s: float = 0) -> GlobalInfo:
        """globalInfo for `interface`, stamped with the sandbox clock (+ `skew_s`)."""
        moment = await self.now() + timedelta(seconds=skew_s)
        return GlobalInfo(tin=self.tin, device_no=self.device_no, interface_code=interface,
                          request_time=kampala_time(moment),
                          data_exchange_id=new_exchange_id())  # fmt: skip

    async def envelope(
        self, interface: str, payload: object | None = None, *, skew_s: float = 0,
        signing_key: RSAPrivateKey | None = None, signature: str | None = None,
        plain: bool = False, zip_answer: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """The request envelope `send` posts."""
        content, signed, description = seal_content(
            payload, aes_key=None if plain else self.aes_key,
            private_key=signing_key or self.keys.private_key,
        )  # fmt: skip
        body = envelope(content=content, signature=signed if signature is None else signature,
                        description=description,
                        global_info=await self.global_info(interface, skew_s=skew_s),
                        return_code="", return_message="")  # fmt: skip
        if zip_answer:
            body["data"]["dataDescription"]["zipCode"] = "1"
        return body

    async def post(self, body: object) -> Answer:
        """Post any JSON body to EFRIS_URL and open the answer with the session key."""
        async with self.sandbox.session.post(self.sandbox.efris_url, json=body) as response:
            status, answer = response.status, await response.json(content_type=None)
        parsed = parse_envelope(answer)
        payload = open_content(parsed.data, aes_key=self.aes_key)
        return Answer(status=status, body=answer, code=parsed.return_code,
                      message=parsed.return_message, payload=payload)  # fmt: skip

    async def send(self, interface: str, payload: object | None = None, **knobs: Any) -> Answer:
        """One exchange: sealed, signed and posted; the answer opened."""
        return await self.post(await self.envelope(interface, payload, **knobs))

    async def sign_on(self) -> bytes:
        """T104: fetch and keep a session key (what every encrypted interface needs)."""
        answer = await self.send("T104")
        assert answer.code == "00", answer
        self.aes_key = open_aes_key(self.keys.private_key, answer.payload["passowrdDes"])
        return self.aes_key
