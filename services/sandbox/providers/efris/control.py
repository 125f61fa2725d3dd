"""Control routes for the simulated EFRIS: onboarding devices and reading back what was issued.

    POST /_sandbox/efris/devices                        {tin, device_no, certificate_pem,
                                                         legal_name?, business_name?} → 201
    GET  /_sandbox/efris/devices                        {"devices": [...]} (no key material)
    GET  /_sandbox/efris/devices/{device_no}
    POST /_sandbox/efris/devices/{device_no}/expire-key {"expired": bool}: the next encrypted
                                                        call answers 402 until a new T104
    GET  /_sandbox/efris/invoices?tin=&reference_no=    {"invoices": [...]}: every FDN issued
                                                        (credit notes too), oldest first
    GET  /_sandbox/efris/goods?tin=                     {"goods": [...]} registered by T130
    GET  /_sandbox/efris/credit-notes?tin=              {"applications": [...]} (T110)
    PUT  /_sandbox/efris/credit-note-approval           {after_polls, outcome}: how T111
                                                        decides applications

`certificate_pem` is the device's certificate (or bare public key) in PEM, what URA holds
after onboarding (efris.md §2.1 step 3): an RSA key of at least 2048 bits (T136's 2179).
"""

from __future__ import annotations

from aiohttp import web
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, ConfigDict, Field

from services.sandbox.control.io import answer, read_model
from services.sandbox.deps import DEPS
from services.sandbox.errors import Conflict, InvalidInput, NotFound
from services.sandbox.providers.efris.applications import Application, ApprovalPolicy, Outcome
from services.sandbox.providers.efris.devices import Device
from services.sandbox.providers.efris.state import EfrisServer

PREFIX = "/_sandbox/efris"
DEVICE = r"{device_no:[A-Za-z0-9_-]{1,20}}"
MIN_KEY_BITS = 2048


class DeviceIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tin: str = Field(pattern=r"^[0-9]{10}$")
    device_no: str = Field(pattern=r"^[A-Za-z0-9_-]{1,20}$")
    certificate_pem: str = Field(min_length=1, max_length=20_000)
    legal_name: str | None = Field(default=None, min_length=1, max_length=256)
    business_name: str | None = Field(default=None, min_length=1, max_length=256)


class ApprovalIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    after_polls: int = Field(default=1, ge=0, le=100)
    outcome: Outcome = "approved"


def routes() -> list[web.RouteDef]:
    """The EFRIS control routes."""
    device = f"{PREFIX}/devices/{DEVICE}"
    return [
        web.post(f"{PREFIX}/devices", register_device),
        web.get(f"{PREFIX}/devices", list_devices),
        web.get(device, show_device),
        web.post(f"{device}/expire-key", expire_key),
        web.get(f"{PREFIX}/invoices", list_invoices),
        web.get(f"{PREFIX}/goods", list_goods),
        web.get(f"{PREFIX}/credit-notes", list_applications),
        web.put(f"{PREFIX}/credit-note-approval", set_approval),
    ]


async def register_device(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    body = await read_model(request, DeviceIn)
    if deps.efris.devices.get(body.device_no) is not None:
        raise Conflict("a device with this device_no is registered")
    now = deps.clock.now()
    device = deps.efris.devices.register(
        tin=body.tin, device_no=body.device_no, public_key=_public_key(body.certificate_pem),
        legal_name=body.legal_name or f"SANDBOX TAXPAYER {body.tin}",
        business_name=body.business_name or body.legal_name or f"Sandbox {body.tin}", now=now,
    )  # fmt: skip
    return answer(device.summary(now), status=201)


async def list_devices(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    now = deps.clock.now()
    return answer({"devices": [d.summary(now) for d in deps.efris.devices.all()]})


async def show_device(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    return answer(_device(deps.efris, request).summary(deps.clock.now()))


async def expire_key(request: web.Request) -> web.Response:
    device = _device(request.app[DEPS].efris, request)
    return answer({"expired": device.expire_key()})


async def list_invoices(request: web.Request) -> web.Response:
    query = request.query
    found = request.app[DEPS].efris.ledger.find(
        tin=query.get("tin") or None, reference_no=query.get("reference_no") or None
    )
    return answer({"invoices": [document.control_view() for document in found]})


async def list_goods(request: web.Request) -> web.Response:
    catalog, tin = request.app[DEPS].efris.catalog, request.query.get("tin")
    goods = catalog.of_tin(tin) if tin else catalog.all()
    return answer({"goods": [{"tin": g.tin, **g.as_json()} for g in goods]})


async def list_applications(request: web.Request) -> web.Response:
    applications, tin = request.app[DEPS].efris.applications, request.query.get("tin")
    found = applications.of_tin(tin) if tin else applications.all()
    return answer({"applications": [_application(a) for a in found]})


async def set_approval(request: web.Request) -> web.Response:
    body = await read_model(request, ApprovalIn)
    policy = ApprovalPolicy(after_polls=body.after_polls, outcome=body.outcome)
    request.app[DEPS].efris.applications.policy = policy
    return answer({"after_polls": policy.after_polls, "outcome": policy.outcome})


def _device(server: EfrisServer, request: web.Request) -> Device:
    device = server.devices.get(request.match_info["device_no"])
    if device is None:
        raise NotFound("no EFRIS device with this device_no")
    return device


def _public_key(pem: str) -> RSAPublicKey:
    raw = pem.encode()
    key: object
    try:
        key = x509.load_pem_x509_certificate(raw).public_key()
    except ValueError:
        try:
            key = load_pem_public_key(raw)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise InvalidInput(
                "certificate_pem is neither a PEM certificate nor a public key"
            ) from None
    if not isinstance(key, RSAPublicKey):
        raise InvalidInput("certificate_pem: EFRIS devices sign with RSA")
    if key.key_size < MIN_KEY_BITS:
        raise InvalidInput("certificate_pem: the key length must be 2048 bits (URA 2179)")
    return key


def _application(application: Application) -> dict[str, object]:
    credit_note = application.credit_note
    return {
        "id": application.id,
        "reference_no": application.reference_no,
        "tin": application.tin,
        "device_no": application.device_no,
        "ori_invoice_no": application.original.invoice_no,
        "status": application.status,
        "polls": application.polls,
        "applied_at": application.applied_at.isoformat(),
        "credit_note_no": credit_note.invoice_no if credit_note is not None else None,
        "request": application.request,
    }
