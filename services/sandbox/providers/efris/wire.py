"""How the simulated server reads a request envelope and seals its answer (efris.md §1.3, §3).

    read_envelope      JSON object with data and globalInfo            43 / 08 / 07
    check_global_info  the globalInfo fields URA checks first          05, 11-37
    check_clock        requestTime within ±10 min of the sandbox      28 / 31
                       clock, in Kampala time (§1.2)
    authenticate       a registered device of that TIN                 100 / 400
    check_signature    base64 RSA-SHA1 over `content` with the         39 / 38
                       device's registered public key (§3.3)
    session_key        the T104 key, valid 24 h                        401 / 402
    open_request       base64 → AES-128-ECB for encrypted interfaces   15 / 2066
    seal_answer        the response envelope: globalInfo echoed, content sealed with the
                       device's key for encrypted interfaces and signed with the server's key

Encrypted interfaces are decrypted whatever `dataDescription` says: clients disagree on
codeType/encryptCode (§3.3 [C]: URA's own C# sample sends 0/0/0 while encrypting) and URA is
lenient about it; a plain payload sent to an encrypted interface fails as 15, as at URA.
Responses are gzipped (zipCode "1", gzip over the ciphertext, §3.5) when the request's
dataDescription asks with zipCode "1" ("If set to 1, the content in the response is
compressed", §1.3) or when the JSON is above `ZIP_ABOVE` bytes, as URA compresses its large
answers (T115, T127: §3.5).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from libs.efris import (
    EfrisCryptoError,
    EfrisProtocolError,
    GlobalInfo,
    aes_decrypt,
    b64decode,
    envelope,
    kampala_time,
    parse_kampala_time,
    seal_content,
    verify,
)
from services.sandbox.providers.efris.devices import Device
from services.sandbox.providers.efris.return_codes import SUCCESS, EfrisRefusal
from services.sandbox.providers.efris.state import EfrisServer

MAX_SKEW_S = 600
ZIP_ABOVE = 32 * 1024
APP_IDS = frozenset({"AP04", "AP05", "AP01"})
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Incoming:
    """A request that is an envelope: its `data` object and its `globalInfo`."""

    data: Mapping[str, Any]
    global_info: GlobalInfo

    @property
    def content(self) -> str:
        """`data.content` ("" when absent)."""
        content = self.data.get("content")
        return content if isinstance(content, str) else ""

    @property
    def zipped(self) -> bool:
        """The request's own content is gzipped (zipCode "1")."""
        description = self.data.get("dataDescription")
        return isinstance(description, Mapping) and description.get("zipCode") == "1"

    @property
    def wants_zip(self) -> bool:
        """The request asks for a compressed answer: its zipCode is "1" (efris.md §1.3)."""
        return self.zipped


def read_envelope(raw: bytes) -> Incoming:
    """The body as an envelope; 43 when it is not a JSON object, 08 / 07 without its parts."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise EfrisRefusal("43") from None
    if not isinstance(body, dict):
        raise EfrisRefusal("43")
    data, global_info = body.get("data"), body.get("globalInfo")
    if not isinstance(global_info, dict) or not global_info:
        raise EfrisRefusal("07")
    if not isinstance(data, dict):
        raise EfrisRefusal("08")
    try:
        return Incoming(data=data, global_info=GlobalInfo.from_json(global_info))
    except EfrisProtocolError:
        raise EfrisRefusal("43") from None


def check_global_info(info: GlobalInfo) -> None:
    """The globalInfo checks of URA-DOC's ReturnCode table, in its order."""
    required = (
        (info.app_id, "16"), (info.version, "17"), (info.data_exchange_id, "18"),
        (info.request_code, "19"), (info.request_time, "20"), (info.response_code, "21"),
        (info.user_name, "12"), (info.taxpayer_id, "13"), (info.device_mac, "14"),
        (info.longitude, "34"), (info.latitude, "36"),
    )  # fmt: skip
    for value, code in required:
        if not value.strip():
            raise EfrisRefusal(code)
    too_long = ((info.version, 15, "24"), (info.data_exchange_id, 32, "25"),
                (info.device_mac, 25, "29"))  # fmt: skip
    for value, limit, code in too_long:
        if len(value) > limit:
            raise EfrisRefusal(code)
    if info.app_id not in APP_IDS:
        raise EfrisRefusal("05")
    if info.request_code != "TP":
        raise EfrisRefusal("26")
    if info.response_code != "TA":
        raise EfrisRefusal("27")


def check_clock(info: GlobalInfo, *, now: datetime, judge_skew: bool = True) -> None:
    """requestTime is Kampala time (31) within ten minutes of the server's (28).

    T101 is spared the skew: it is how a client finds out its clock is off (§2.2).
    """
    try:
        sent = parse_kampala_time(info.request_time)
    except EfrisProtocolError:
        raise EfrisRefusal("31") from None
    if judge_skew and abs((now - sent).total_seconds()) > MAX_SKEW_S:
        raise EfrisRefusal("28")


def authenticate(server: EfrisServer, info: GlobalInfo) -> Device:
    """The registered device sending; 100 for an unknown TIN, 400 for an unknown device."""
    if not server.devices.knows_tin(info.tin):
        raise EfrisRefusal("100")
    device = server.devices.get(info.device_no)
    if device is None or device.tin != info.tin:
        raise EfrisRefusal("400")
    return device


def check_signature(device: Device, incoming: Incoming) -> None:
    """A payload must be signed by the device's key (39 empty, 38 wrong); none, nothing to sign."""
    if not incoming.content:
        return
    signature = incoming.data.get("signature")
    if not isinstance(signature, str) or not signature:
        raise EfrisRefusal("39")
    if not verify(device.public_key, incoming.content, signature):
        raise EfrisRefusal("38")


def session_key(device: Device, *, now: float) -> bytes:
    """The device's valid T104 key; 401 without one, 402 once it expired."""
    state = device.key_state(now)
    if state == "none" or device.key is None:
        raise EfrisRefusal("401")
    if state == "expired":
        raise EfrisRefusal("402")
    return device.key.key


def open_request(incoming: Incoming, *, key: bytes | None, interface_code: str) -> object | None:
    """The request payload: decrypted with `key` when given; None for an empty content."""
    if not incoming.content:
        return None
    try:
        body = b64decode(incoming.content, what="data.content")
        if incoming.zipped and body[:2] == GZIP_MAGIC:  # zipCode 1 may only ask for a zipped answer
            body = gzip.decompress(body)
        if key is not None:
            body = aes_decrypt(key, body)
    except (EfrisCryptoError, OSError, EOFError, zlib.error):
        raise EfrisRefusal("15") from None
    try:
        payload: object = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise EfrisRefusal(
            "2066", f"{interface_code}:data-->content:Illegal json format!"
        ) from None
    return payload


def seal_answer(
    *,
    global_info: GlobalInfo,
    payload: object | None,
    key: bytes | None,
    server_key: RSAPrivateKey,
    wants_zip: bool,
    code: str = SUCCESS[0],
    message: str = SUCCESS[1],
) -> dict[str, Any]:
    """The response envelope; `key` encrypts the content (encrypted interfaces only)."""
    compress = payload is not None and (wants_zip or len(orjson.dumps(payload)) > ZIP_ABOVE)
    content, signature, description = seal_content(
        payload, aes_key=key, private_key=server_key, compress=compress
    )
    return envelope(content=content, signature=signature, description=description,
                    global_info=global_info, return_code=code,
                    return_message=message)  # fmt: skip


def blank_global_info(now: datetime) -> GlobalInfo:
    """The globalInfo of an answer to a request that had none worth echoing."""
    return GlobalInfo(tin="", device_no="", interface_code="", request_time=kampala_time(now),
                      data_exchange_id="")  # fmt: skip
