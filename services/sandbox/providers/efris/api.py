"""URA EFRIS's one endpoint under `/efris` (EFRIS_URL = {sandbox}/efris/efrisws/ws/taapp/getInformation).

    POST /efris/efrisws/ws/taapp/getInformation   envelope in, envelope out, always HTTP 200
                                                  (URA answers its failures in returnStateInfo)

    interface  request/response  handler
    T101       plain / plain     session.server_time       (no registered device needed)
    T103       plain / AES       session.sign_in
    T104       plain / plain     session.symmetric_key
    T106       AES / AES         queries.query_invoices
    T108       AES / AES         queries.invoice_details
    T109       AES / AES         invoicing.upload_invoice
    T110       AES / AES         credit_notes.apply_credit_note
    T111       AES / AES         credit_notes.query_applications
    T127       AES / AES         goods_upload.query_goods
    T130       AES / AES         goods_upload.upload_goods
    other      → 01 "Interface coding error" (the sandbox does not simulate it)

Every exchange runs `wire`'s checks in order (envelope, globalInfo, clock, device, signature,
session key, decryption), then the handler; an `EfrisRefusal` anywhere is the answer.
Faults (`PUT /_sandbox/faults/efris`) apply per TIN (`account_id`) and per interface code
(`paths: ["T109"]`); a `return_code` fault answers that code in the envelope.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from aiohttp import web

from libs.efris import EfrisProtocolError, GlobalInfo
from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.providers.efris import (
    credit_notes,
    goods_upload,
    invoicing,
    queries,
    session,
    wire,
)
from services.sandbox.providers.efris.exchange import Call, Interface
from services.sandbox.providers.efris.return_codes import EfrisRefusal, message_of
from services.sandbox.providers.efris.state import EfrisServer
from services.sandbox.simulation import Surface, base_url, provider_json, simulated

PATH = "/efris/efrisws/ws/taapp/getInformation"

INTERFACES: dict[str, Interface] = {
    "T101": Interface(session.server_time, False, False, needs_device=False),
    "T103": Interface(session.sign_in, False, True),
    "T104": Interface(session.symmetric_key, False, False),
    "T106": Interface(queries.query_invoices, True, True),
    "T108": Interface(queries.invoice_details, True, True),
    "T109": Interface(invoicing.upload_invoice, True, True),
    "T110": Interface(credit_notes.apply_credit_note, True, True),
    "T111": Interface(credit_notes.query_applications, True, True),
    "T127": Interface(goods_upload.query_goods, True, True),
    "T130": Interface(goods_upload.upload_goods, True, True),
}


async def _global_info_of(request: web.Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return {}
    info = body.get("globalInfo") if isinstance(body, dict) else None
    return info if isinstance(info, dict) else {}


async def _tin_of(request: web.Request, _: SandboxDeps) -> str | None:
    tin = (await _global_info_of(request)).get("tin")
    return tin if isinstance(tin, str) and tin else None


async def _interface_of(request: web.Request) -> str:
    return f"{request.path}#{(await _global_info_of(request)).get('interfaceCode', '')}"


async def _coded_fault(request: web.Request, code: str) -> web.StreamResponse:
    """An injected return code, in the envelope of the request it answers (HTTP 200)."""
    deps = request.app[DEPS]
    info = _echo(await _global_info_of(request), now=deps.clock.utcnow())
    answer = wire.seal_answer(global_info=info, payload=None, key=None,
                              server_key=deps.efris.server_key, wants_zip=False, code=code,
                              message=message_of(code))  # fmt: skip
    return provider_json(200, answer)


def _fault_body(_: int) -> object:
    return {"returnStateInfo": {"returnCode": "99", "returnMessage": message_of("99")}}


SURFACE = Surface(
    name="efris",
    account_of=_tin_of,
    fault_body=_fault_body,
    coded_fault=_coded_fault,
    scope_of=_interface_of,
    secret_fields=frozenset({"content", "signature"}),
)


def routes() -> list[web.RouteDef]:
    """The EFRIS endpoint, in the simulated-provider wrapper."""
    return [web.post(PATH, simulated(SURFACE, get_information))]


async def get_information(request: web.Request) -> web.Response:
    """One EFRIS exchange: the envelope URA would answer."""
    deps = request.app[DEPS]
    server, now = deps.efris, deps.clock.utcnow()
    info: GlobalInfo | None = None
    key: bytes | None = None
    try:
        incoming = wire.read_envelope(await request.read())
        info = incoming.global_info
        interface = _interface(info)
        call, key = _accept(server, incoming, interface, now=now, base=base_url(request))
        reply = interface.handler(call)
        answer = wire.seal_answer(
            global_info=info, payload=reply.payload, server_key=server.server_key,
            key=key if interface.response_encrypted else None, wants_zip=incoming.wants_zip,
        )  # fmt: skip
    except EfrisRefusal as refusal:
        answer = wire.seal_answer(
            global_info=info or wire.blank_global_info(now), payload=refusal.payload, key=key,
            server_key=server.server_key, wants_zip=False, code=refusal.code,
            message=refusal.message,
        )  # fmt: skip
    return provider_json(200, answer)


def _interface(info: GlobalInfo) -> Interface:
    if not info.interface_code:
        raise EfrisRefusal("11")
    interface = INTERFACES.get(info.interface_code)
    if interface is None:
        raise EfrisRefusal("01", f"{message_of('01')} ({info.interface_code} is not simulated)")
    return interface


def _accept(
    server: EfrisServer, incoming: wire.Incoming, interface: Interface, *, now: datetime,
    base: str,
) -> tuple[Call, bytes | None]:  # fmt: skip
    """The request as a `Call`, and the session key it used (None for plain interfaces)."""
    info = incoming.global_info
    wire.check_global_info(info)
    wire.check_clock(info, now=now, judge_skew=interface.needs_device)
    device, key = None, None
    if interface.needs_device:
        device = wire.authenticate(server, info)
        wire.check_signature(device, incoming)
        if interface.needs_key:
            key = wire.session_key(device, now=now.timestamp())
    payload = wire.open_request(
        incoming, key=key if interface.request_encrypted else None,
        interface_code=info.interface_code,
    )  # fmt: skip
    call = Call(server=server, device=device, global_info=info, payload=payload, now=now,
                base_url=base)  # fmt: skip
    return call, key


def _echo(raw: dict[str, Any], *, now: datetime) -> GlobalInfo:
    try:
        return GlobalInfo.from_json(raw) if raw else wire.blank_global_info(now)
    except EfrisProtocolError:
        return wire.blank_global_info(now)
