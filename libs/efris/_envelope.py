"""The one JSON envelope every EFRIS request and response travels in (efris.md §1.3).

{"data": {"content", "signature", "dataDescription": {codeType, encryptCode, zipCode}},
 "globalInfo": {appId, version, dataExchangeId, interfaceCode, requestCode, requestTime,
                responseCode, userName, deviceMAC, deviceNo, tin, brn, taxpayerID,
                longitude, latitude, agentType, extendField{...}},
 "returnStateInfo": {"returnCode", "returnMessage"}}
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from libs.efris._content import DataDescription
from libs.efris._errors import EfrisProtocolError

RESPONSE_FORMATS: Mapping[str, str] = {
    "responseDateFormat": "dd/MM/yyyy",
    "responseTimeFormat": "dd/MM/yyyy HH:mm:ss",
}

# dataclass field → globalInfo key; extend_field is handled on its own.
_KEYS = {
    "app_id": "appId",
    "version": "version",
    "data_exchange_id": "dataExchangeId",
    "interface_code": "interfaceCode",
    "request_code": "requestCode",
    "request_time": "requestTime",
    "response_code": "responseCode",
    "user_name": "userName",
    "device_mac": "deviceMAC",
    "device_no": "deviceNo",
    "tin": "tin",
    "brn": "brn",
    "taxpayer_id": "taxpayerID",
    "longitude": "longitude",
    "latitude": "latitude",
    "agent_type": "agentType",
}


def new_exchange_id() -> str:
    """A fresh `dataExchangeId`: 32 hex characters, the field's maximum (efris.md §1.3)."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class GlobalInfo:
    """`globalInfo`: who sends which interface when. Defaults are the S2S values of §1.3."""

    tin: str
    device_no: str
    interface_code: str
    request_time: str
    data_exchange_id: str
    app_id: str = "AP04"
    version: str = "1.1.20191201"
    request_code: str = "TP"
    response_code: str = "TA"
    user_name: str = "admin"
    device_mac: str = "FFFFFFFFFFFF"
    taxpayer_id: str = "1"
    brn: str = ""
    longitude: str = "32.5825"
    latitude: str = "0.3476"
    agent_type: str = "0"
    extend_field: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """EFRIS's camelCase object; `extendField` carries the response formats unless overridden."""
        body: dict[str, Any] = {key: getattr(self, name) for name, key in _KEYS.items()}
        body["extendField"] = {**RESPONSE_FORMATS, **self.extend_field}
        return body

    @classmethod
    def from_json(cls, obj: object) -> GlobalInfo:
        """Read a `globalInfo` object; missing keys take the defaults ("" for the required five).

        Raises `EfrisProtocolError` when it is not an object, a value is not a string, or
        `extendField` is not an object.
        """
        if not isinstance(obj, Mapping):
            raise EfrisProtocolError("globalInfo is not an object")
        defaults = {f.name: f.default for f in fields(cls) if isinstance(f.default, str)}
        values: dict[str, str] = {}
        for name, key in _KEYS.items():
            value = obj.get(key, defaults.get(name, ""))
            if not isinstance(value, str):
                raise EfrisProtocolError(f"globalInfo.{key} is not a string")
            values[name] = value
        extend = obj.get("extendField")
        if extend is not None and not isinstance(extend, Mapping):
            raise EfrisProtocolError("globalInfo.extendField is not an object")
        return cls(**values, extend_field=dict(extend or {}))


@dataclass(frozen=True)
class ParsedEnvelope:
    """An envelope read back: the raw `data` object (see `open_content`) and the rest, typed."""

    data: dict[str, Any]
    global_info: GlobalInfo
    return_code: str
    return_message: str

    @property
    def description(self) -> DataDescription:
        """`data.dataDescription`, plain when absent."""
        return DataDescription.from_json(self.data.get("dataDescription"))


def envelope(
    *,
    content: str,
    signature: str,
    description: DataDescription,
    global_info: GlobalInfo,
    return_code: str = "00",
    return_message: str = "SUCCESS",
) -> dict[str, Any]:
    """The envelope for a request (pass return code and message "") or a response."""
    return {
        "data": {
            "content": content,
            "signature": signature,
            "dataDescription": description.to_json(),
        },
        "globalInfo": global_info.to_json(),
        "returnStateInfo": {"returnCode": return_code, "returnMessage": return_message},
    }


def parse_envelope(obj: object) -> ParsedEnvelope:
    """Read a decoded JSON body as an envelope.

    It must be an object with `data` or `returnStateInfo` (an error answer may lack the
    other parts); a missing `globalInfo` reads as blanks and a missing `returnStateInfo`
    as "" / "". Raises `EfrisProtocolError` for anything that is not an envelope.
    """
    if not isinstance(obj, Mapping) or not ("data" in obj or "returnStateInfo" in obj):
        raise EfrisProtocolError("body is not an EFRIS envelope")
    data = _object_or_empty(obj.get("data"))
    state = _object_or_empty(obj.get("returnStateInfo"))
    code, message = state.get("returnCode", ""), state.get("returnMessage", "")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)  # a number is the same code written loosely
    if not isinstance(code, str) or not isinstance(message, str | None):
        raise EfrisProtocolError("envelope returnCode / returnMessage is not a string")
    global_info = GlobalInfo.from_json(_object_or_empty(obj.get("globalInfo")))
    return ParsedEnvelope(dict(data), global_info, code, message or "")


def _object_or_empty(value: object) -> Mapping[str, Any]:
    """A part of the envelope: absent or null reads as empty, anything but an object is refused."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise EfrisProtocolError("an envelope part is not an object")
    return value
