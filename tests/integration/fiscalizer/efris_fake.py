"""A small EFRIS for the client's HTTP tests: the server side of libs.efris, faults on demand.

    EfrisFake(devices={tin: public key}, clock=Clock)
      T101, T104 (a fresh key sealed for the device), T106/T108 (its ledger), T109 (FDN,
      2253 on a reused referenceNo with existInvoiceList), T110/T111, T130
      checks: signature (38), session key (401 none / 402 expired), AES content
    fake.script(interface, behaviour, times=1)   the next calls of `interface` misbehave:
      ("code", "2122") · ("http", 502) · ("not-json",) · ("drop",) · ("stall",) ·
      ("expire",) (the key expires just before this call) · ("forget",) (keys forgotten)
    fake.calls        every (interface, request envelope) received, in order

Purpose-built for tests/integration/fiscalizer/test_efris_client.py (STYLE: a small HTTP
app with only what the test needs); the full simulator is services/sandbox's /efris.
"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from libs.efris import (
    GlobalInfo,
    efris_time,
    envelope,
    open_content,
    parse_envelope,
    seal_aes_key,
    seal_content,
    verify,
)

PATH = "/efrisws/ws/taapp/getInformation"
PLAIN_INTERFACES = frozenset({"T101", "T104"})


@dataclass
class EfrisFake:
    devices: dict[str, RSAPublicKey]
    clock: Callable[[], datetime]
    keys: dict[str, bytes] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)
    ledger: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    scripted: dict[str, deque[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(deque))
    extra_records: list[dict[str, Any]] = field(default_factory=list)
    goods_failures: list[dict[str, Any]] = field(default_factory=list)
    seal_for: RSAPublicKey | None = None  # T104 seals for this key instead (a mismatch)
    url: str = ""  # where the test server listens, once it does

    def script(self, interface: str, *behaviour: Any, times: int = 1) -> None:
        self.scripted[interface].extend([behaviour] * times)

    def count(self, interface: str) -> int:
        return sum(1 for name, _ in self.calls if name == interface)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(PATH, self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        incoming = parse_envelope(body)
        interface = incoming.global_info.interface_code
        self.calls.append((interface, body))
        tin = incoming.global_info.tin
        behaviour = self.scripted[interface].popleft() if self.scripted[interface] else ("ok",)
        match behaviour:
            case ("http", status):
                return web.json_response({"error": "gateway"}, status=status)
            case ("not-json",):
                return web.Response(text="<html>maintenance</html>")
            case ("drop",):
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            case ("stall",):
                await asyncio.Event().wait()
            case ("expire",):
                self.expired.add(tin)
            case ("forget",):
                self.keys.clear()
        if behaviour[0] == "code":
            return self._answer(incoming.global_info, None, key=None, code=behaviour[1])
        if interface in PLAIN_INTERFACES:
            return self._plain(incoming.global_info)
        return self._encrypted(incoming.global_info, incoming.data)

    def _plain(self, info: GlobalInfo) -> web.Response:
        if info.interface_code == "T101":
            return self._answer(info, {"currentTime": efris_time(self.clock())}, key=None)
        key = os.urandom(16)
        self.keys[info.tin] = key
        self.expired.discard(info.tin)
        sealed = seal_aes_key(self.seal_for or self.devices[info.tin], key)
        return self._answer(info, {"passowrdDes": sealed, "sign": ""}, key=None)

    def _encrypted(self, info: GlobalInfo, data: dict[str, Any]) -> web.Response:
        if not verify(self.devices[info.tin], data["content"], data["signature"]):
            return self._answer(info, None, key=None, code="38")
        key = self.keys.get(info.tin)
        if key is None:
            return self._answer(info, None, key=None, code="401")
        if info.tin in self.expired:
            return self._answer(info, None, key=None, code="402")
        payload = open_content(data, aes_key=key)
        handler = getattr(self, f"_{info.interface_code.lower()}")
        code, reply = handler(payload)
        return self._answer(info, reply, key=key, code=code)

    def _t109(self, invoice: dict[str, Any]) -> tuple[str, Any]:
        reference = invoice["sellerDetails"]["referenceNo"]
        if reference in self.ledger:
            existing = self.ledger[reference]["basicInformation"]
            return "2253", {"existInvoiceList": [
                {"invoiceNo": existing["invoiceNo"], "antiFakeCode": existing["antifakeCode"],
                 "qrCode": "qr"}]}  # fmt: skip
        number = len(self.ledger) + 1
        document = {**invoice}
        document["basicInformation"] = invoice["basicInformation"] | {
            "invoiceNo": f"3250{number:08d}", "invoiceId": f"99{number:017d}",
            "antifakeCode": f"{number:020d}", "issuedDate": efris_time(self.clock()),
        }  # fmt: skip
        document["summary"] = invoice["summary"] | {"qrCode": f"QR-{number}"}
        self.ledger[reference] = document
        return "00", document

    def _t106(self, query: dict[str, Any]) -> tuple[str, Any]:
        records = [
            {"invoiceNo": doc["basicInformation"]["invoiceNo"], "referenceNo": reference,
             "grossAmount": doc["summary"]["grossAmount"]}
            for reference, doc in self.ledger.items()
            if query["referenceNo"] in reference  # loose, as EFRIS's filter may be
        ]  # fmt: skip
        return "00", {"page": {"pageNo": "1"}, "records": records + self.extra_records}

    def _t108(self, query: dict[str, Any]) -> tuple[str, Any]:
        for document in self.ledger.values():
            if document["basicInformation"]["invoiceNo"] == query["invoiceNo"]:
                return "00", document
        return "2076", None

    def _t110(self, application: dict[str, Any]) -> tuple[str, Any]:
        return "00", {"referenceNo": f"APP-{application['oriInvoiceNo']}"}

    def _t111(self, query: dict[str, Any]) -> tuple[str, Any]:
        records = [{"referenceNo": query["referenceNo"], "approveStatus": "102"},
                   {"referenceNo": query["referenceNo"] + "0", "approveStatus": "101"}]  # fmt: skip
        return "00", {"page": {"pageNo": "1"}, "records": records}

    def _t130(self, goods: list[dict[str, Any]]) -> tuple[str, Any]:
        if self.goods_failures:
            return "45", self.goods_failures
        return "00", None

    def _answer(
        self, info: GlobalInfo, payload: Any, *, key: bytes | None, code: str = "00"
    ) -> web.Response:
        content, signature, description = seal_content(payload, aes_key=key, private_key=None)
        message = "SUCCESS" if code == "00" else f"refused with {code}"
        return web.json_response(envelope(
            content=content, signature=signature, description=description, global_info=info,
            return_code=code, return_message=message,
        ))  # fmt: skip
