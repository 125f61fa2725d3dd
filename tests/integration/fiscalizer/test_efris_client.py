"""EfrisClient over real HTTP against a small EFRIS built on libs.efris (efris_fake.py).

Every failure is a real fault of a real server: refused connections, dropped connections,
stalls past the client's timeout, HTTP 5xx, non-JSON bodies and EFRIS return codes.
"""

from __future__ import annotations

import asyncio
import base64
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from deploy.certificates import make_pfx
from libs.efris import ENCRYPTED, PLAIN, DataDescription, load_device_keys, verify
from libs.http import ProviderHttp
from services.fiscalizer.clients.efris import KEY_LIFETIME, Device, EfrisClient, Fiscalized
from services.fiscalizer.clients.efris_errors import (
    DeviceKeyMismatch,
    DuplicateReference,
    EfrisRejected,
    EfrisUnavailable,
    EfrisUnknownOutcome,
)
from tests.integration.fiscalizer.efris_fake import PATH, EfrisFake

TIN = "1000012345"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 14, 7, 25, 33, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def device() -> Device:
    keys = load_device_keys(base64.b64decode(make_pfx("pfx-pass")), "pfx-pass")
    return Device(tin=TIN, device_no=f"{TIN}_02", keys=keys)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fake(device, clock) -> AsyncIterator[EfrisFake]:
    efris = EfrisFake(devices={TIN: device.keys.public_key}, clock=clock)
    async with TestServer(efris.app()) as server:
        efris.url = str(server.make_url(PATH))
        yield efris


@pytest.fixture
async def client(fake, clock) -> AsyncIterator[EfrisClient]:
    async with ProviderHttp.open(timeout_s=1.0) as http:
        yield EfrisClient(http, url=fake.url, clock=clock)


def invoice(reference: str = "SINV-1") -> dict[str, Any]:
    """Enough of a T109 content for the fake (the mapping is tested in tests/unit)."""
    return {
        "sellerDetails": {"tin": TIN, "referenceNo": reference, "isCheckReferenceNo": "1"},
        "basicInformation": {"deviceNo": f"{TIN}_02", "issuedDate": "2025-03-14 10:25:31"},
        "summary": {"grossAmount": "354000.00", "qrCode": ""},
    }


async def test_server_time_reads_t101_in_kampala_time(client, fake, device, clock):
    assert await client.server_time(device) == clock.now

    request = fake.calls[0][1]
    assert request["data"]["content"] == request["data"]["signature"] == ""
    assert fake.count("T104") == 0  # T101 needs no session key


async def test_upload_fetches_a_key_once_and_returns_the_fdn(client, fake, device):
    first = await client.upload_invoice(device, invoice("SINV-1"))
    second = await client.upload_invoice(device, invoice("SINV-2"))

    assert isinstance(first, Fiscalized)
    assert (first.fdn, second.fdn) == ("325000000001", "325000000002")
    assert first.invoice_id == "9900000000000000001"
    assert first.antifake_code == "00000000000000000001"
    assert first.qr_code == "QR-1"
    assert first.issued_at == datetime(2025, 3, 14, 7, 25, 33, tzinfo=UTC)
    assert first.raw["sellerDetails"]["referenceNo"] == "SINV-1"
    assert fake.count("T104") == 1


async def test_requests_are_signed_encrypted_envelopes_with_kampala_time(client, fake, device):
    await client.upload_invoice(device, invoice())

    t104, t109 = fake.calls[0][1], fake.calls[1][1]
    assert DataDescription.from_json(t104["data"]["dataDescription"]) == PLAIN
    assert t104["data"]["content"] == ""
    data, info = t109["data"], t109["globalInfo"]
    assert DataDescription.from_json(data["dataDescription"]) == ENCRYPTED
    assert verify(device.keys.public_key, data["content"], data["signature"])
    assert (info["interfaceCode"], info["tin"], info["deviceNo"], info["appId"]) == (
        "T109",
        TIN,
        f"{TIN}_02",
        "AP04",
    )
    assert info["requestTime"] == "2025-03-14 10:25:33"
    assert len(info["dataExchangeId"]) == 32
    assert info["dataExchangeId"] != t104["globalInfo"]["dataExchangeId"]


async def test_the_key_is_kept_23_hours_then_fetched_again(client, fake, device, clock):
    await client.upload_invoice(device, invoice("A"))
    clock.now += KEY_LIFETIME - timedelta(seconds=1)
    await client.upload_invoice(device, invoice("B"))
    assert fake.count("T104") == 1

    clock.now += timedelta(seconds=1)
    await client.upload_invoice(device, invoice("C"))
    assert fake.count("T104") == 2


@pytest.mark.parametrize("fault", ["expire", "forget"])  # 402 / 401
async def test_a_refused_key_costs_one_new_key_and_one_resend(client, fake, device, fault):
    await client.upload_invoice(device, invoice("A"))
    fake.script("T109", fault)

    fiscalized = await client.upload_invoice(device, invoice("B"))

    assert fiscalized.fdn == "325000000002"
    assert fake.count("T104") == 2
    assert fake.count("T109") == 3  # A, B refused, B resent


async def test_a_key_refused_again_after_the_refresh_is_raised_as_retryable(client, fake, device):
    fake.script("T109", "code", "402", times=2)

    with pytest.raises(EfrisRejected) as raised:
        await client.upload_invoice(device, invoice())

    assert (raised.value.code, raised.value.retryable) == ("402", True)
    assert fake.count("T104") == 2
    assert fake.count("T109") == 2


async def test_concurrent_calls_on_a_cold_cache_share_one_key(client, fake, device):
    results = await asyncio.gather(
        *(client.upload_invoice(device, invoice(f"R-{n}")) for n in range(8))
    )

    assert len({result.fdn for result in results}) == 8
    assert fake.count("T104") == 1


async def test_a_reused_reference_is_a_duplicate_carrying_the_existing_fdn(client, fake, device):
    original = await client.upload_invoice(device, invoice("SINV-9"))

    with pytest.raises(DuplicateReference) as raised:
        await client.upload_invoice(device, invoice("SINV-9"))

    assert raised.value.code == "2253"
    assert isinstance(raised.value, EfrisRejected)
    assert not raised.value.retryable
    assert raised.value.existing[0]["invoiceNo"] == original.fdn


async def test_reconciliation_finds_the_invoice_by_exact_reference(client, fake, device):
    await client.upload_invoice(device, invoice("SINV-1"))
    await client.upload_invoice(device, invoice("SINV-10"))

    records = await client.query_invoices(device, reference_no="SINV-1")
    details = await client.invoice_details(device, records[0]["invoiceNo"])

    assert [record["referenceNo"] for record in records] == ["SINV-1"]
    assert Fiscalized.from_content(details).fdn == "325000000001"
    t106 = [body for name, body in fake.calls if name == "T106"]
    assert len(t106) == 1


@pytest.mark.parametrize(
    ("code", "retryable"), [("2122", False), ("1316", False), ("3052", True), ("9901", True)]
)
async def test_other_codes_are_rejections_retryable_per_the_spec(
    client, fake, device, code, retryable
):
    fake.script("T109", "code", code)

    with pytest.raises(EfrisRejected) as raised:
        await client.upload_invoice(device, invoice())

    assert (raised.value.code, raised.value.retryable) == (code, retryable)
    assert raised.value.message == f"refused with {code}"
    assert fake.count("T109") == 1


@pytest.mark.parametrize("code", ["99", "46"])
async def test_unknown_errors_are_unknown_outcomes(client, fake, device, code):
    fake.script("T109", "code", code)

    with pytest.raises(EfrisUnknownOutcome) as raised:
        await client.upload_invoice(device, invoice())

    assert raised.value.code == code


@pytest.mark.parametrize(
    "behaviour", [("drop",), ("stall",), ("http", 502), ("http", 404), ("not-json",)]
)
async def test_an_upload_without_a_usable_answer_is_unknown_and_never_resent(
    client, fake, device, behaviour
):
    fake.script("T109", *behaviour)

    with pytest.raises(EfrisUnknownOutcome):
        await client.upload_invoice(device, invoice())

    assert fake.count("T109") == 1


async def test_a_query_is_resent_after_a_passing_5xx(client, fake, device):
    fake.script("T106", "http", 503)

    assert await client.query_invoices(device, reference_no="nothing") == []
    assert fake.count("T106") == 2


async def test_429_is_unavailable_with_its_retry_after(client, fake, device):
    fake.script("T109", "http", 429)

    with pytest.raises(EfrisUnavailable):
        await client.upload_invoice(device, invoice())


async def test_a_refused_connection_is_unavailable(device, clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with ProviderHttp.open(timeout_s=1.0) as http:
        client = EfrisClient(http, url=f"http://127.0.0.1:{port}{PATH}", clock=clock)
        with pytest.raises(EfrisUnavailable) as raised:
            await client.upload_invoice(device, invoice())

    assert raised.value.interface == "T104"


async def test_a_key_sealed_for_another_device_is_a_key_mismatch(client, fake, device):
    fake.seal_for = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()

    with pytest.raises(DeviceKeyMismatch) as raised:
        await client.upload_invoice(device, invoice())

    assert not raised.value.retryable
    assert fake.count("T109") == 0


async def test_credit_note_application_and_status(client, fake, device):
    reference = await client.issue_credit_note(device, {"oriInvoiceNo": "325000000001"})
    records = await client.credit_note_status(device, reference_no=reference)

    assert reference == "APP-325000000001"
    assert records == [{"referenceNo": reference, "approveStatus": "102"}]


async def test_goods_registration_returns_the_failed_items(client, fake, device):
    assert await client.register_goods(device, [{"goodsCode": "CEM-050"}]) == []

    fake.goods_failures = [{"goodsCode": "X", "returnCode": "602", "returnMessage": "exists"}]
    failed = await client.register_goods(device, [{"goodsCode": "X"}])

    assert failed == fake.goods_failures
    assert fake.count("T130") == 2
