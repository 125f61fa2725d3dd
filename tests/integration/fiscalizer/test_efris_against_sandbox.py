"""EfrisClient and the T109 / T110 mappings end to end against the sandbox's EFRIS simulator.

The simulator (services/sandbox/providers/efris) checks the envelope, signature, session
key, clock and the T109 arithmetic as efris.md describes them, so an invoice it accepts
is one our mapping got right by its rules, not by the client's own.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from deploy.certificates import make_pfx
from libs.efris import DeviceKeys, load_device_keys
from libs.http import ProviderHttp
from libs.invoices import Invoice
from services.fiscalizer.clients.efris import Device, EfrisClient, Fiscalized
from services.fiscalizer.clients.efris_errors import DuplicateReference
from services.fiscalizer.t109 import Goods, Seller, goods_code_for, t109_payload
from services.fiscalizer.t110 import t110_payload
from tests.support.sandbox import SandboxControl
from tests.unit.fiscalizer.invoices import D, Sale, invoice_of

# Commodity categories the simulator's catalogue knows, by VAT status of their goods.
CATEGORY = {None: "50221101", D(0): "50131702", D(18): "30111601"}


@dataclass(frozen=True)
class Setup:
    client: EfrisClient
    device: Device
    seller: Seller
    sandbox: SandboxControl


@pytest.fixture
async def efris(sandbox: SandboxControl) -> AsyncIterator[Setup]:
    tin = f"10{secrets.randbelow(10**8):08d}"
    device = Device(tin=tin, device_no=f"{tin}_01", keys=_keys())
    pem = device.keys.certificate.public_bytes(Encoding.PEM).decode()
    await sandbox.register_efris_device(
        tin=tin, device_no=device.device_no, certificate_pem=pem,
        legal_name="ACME TRADING (U) LIMITED",
    )  # fmt: skip
    seller = Seller(tin=tin, device_no=device.device_no, legal_name="ACME TRADING (U) LIMITED",
                    email="accounts@acme.co.ug", operator="Jane Akello")  # fmt: skip
    async with ProviderHttp.open(timeout_s=5) as http:
        client = EfrisClient(http, url=sandbox.efris_url, clock=lambda: datetime.now(UTC))
        yield Setup(client, device, seller, sandbox)


def _keys() -> DeviceKeys:
    return load_device_keys(base64.b64decode(make_pfx("pfx-pass")), "pfx-pass")


async def registered(setup: Setup, invoice: Invoice) -> dict[str, Goods]:
    """The invoice's goods, registered with T130 first (as the fiscalizer must)."""
    goods = {}
    for line in invoice.lines:
        code = goods_code_for(line)
        goods[code] = Goods(code=code, name=line.description, unit_of_measure="101",
                            commodity_category_id=CATEGORY[line.tax_rate])  # fmt: skip
    items = [entry.t130_item(unit_price=D("1000")) for entry in goods.values()]
    failed = await setup.client.register_goods(setup.device, items)
    assert {item["returnCode"] for item in failed} <= {"602"}  # 602: registered before
    return goods


async def upload(setup: Setup, invoice: Invoice, reference: str) -> Fiscalized:
    payload = t109_payload(invoice, seller=setup.seller, goods=await registered(setup, invoice),
                           reference_no=reference, issued_at=datetime.now(UTC))  # fmt: skip
    return await setup.client.upload_invoice(setup.device, payload)


MIXED = invoice_of(
    Sale(D(10), D(30000), D(18), discount=D(15000)),
    Sale(D(2), D(95000), None, description="Maize grain 50kg", item_code="MZG-050"),
    Sale(D("2.5"), D("1999.99"), D(0), description="Fresh milk 1l", item_code="MLK-001"),
    buyer_tin="1000098765",
)


async def test_server_time_is_the_simulators_clock(efris):
    theirs = await efris.client.server_time(efris.device)

    assert abs(theirs - datetime.now(UTC)) < timedelta(minutes=1)


async def test_a_client_whose_clock_is_an_hour_slow_learns_efris_time_and_fiscalizes(efris):
    """EFRIS refuses a requestTime more than 10 minutes off (28); the client asks T101 for
    EFRIS's time, shifts its requestTime by the difference and resends."""
    async with ProviderHttp.open(timeout_s=5) as http:
        slow = EfrisClient(http, url=efris.sandbox.efris_url,
                           clock=lambda: datetime.now(UTC) - timedelta(hours=1))  # fmt: skip
        late = Setup(slow, efris.device, efris.seller, efris.sandbox)

        fiscalized = await upload(late, MIXED, f"SINV-{secrets.token_hex(4)}")
        again = await upload(late, MIXED, f"SINV-{secrets.token_hex(4)}")

    assert fiscalized.fdn
    assert again.fdn != fiscalized.fdn
    requests = await efris.sandbox.requests(provider="efris", account_id=efris.device.tin)
    interfaces = [r["body"]["globalInfo"]["interfaceCode"] for r in requests]
    assert interfaces[:3] == ["T104", "T101", "T104"]  # refused once, clock learned, resent
    assert interfaces.count("T101") == 1  # then every request carried EFRIS's time


async def test_a_mapped_invoice_is_fiscalized_and_found_again_by_its_reference(efris):
    reference = f"SINV-{secrets.token_hex(4)}"

    fiscalized = await upload(efris, MIXED, reference)

    assert fiscalized.fdn
    assert fiscalized.invoice_id
    assert fiscalized.antifake_code
    records = await efris.client.query_invoices(efris.device, reference_no=reference)
    assert [record["invoiceNo"] for record in records] == [fiscalized.fdn]
    details = await efris.client.invoice_details(efris.device, fiscalized.fdn)
    assert Fiscalized.from_content(details).fdn == fiscalized.fdn
    assert details["summary"]["grossAmount"] == f"{MIXED.totals.gross:.2f}"


async def test_a_b2c_foreign_currency_invoice_is_accepted(efris):
    invoice = invoice_of(Sale(D("1.5"), D("99.99"), D(18)), currency="USD")

    fiscalized = await upload(efris, invoice, f"SINV-{secrets.token_hex(4)}")

    assert fiscalized.fdn


async def test_a_second_upload_of_a_reference_is_a_duplicate_naming_the_first(efris):
    reference = f"SINV-{secrets.token_hex(4)}"
    first = await upload(efris, MIXED, reference)

    with pytest.raises(DuplicateReference) as raised:
        await upload(efris, MIXED, reference)

    found = raised.value.existing or await efris.client.query_invoices(
        efris.device, reference_no=reference
    )
    assert found[0]["invoiceNo"] == first.fdn
    assert (
        len(await efris.sandbox.efris_invoices(tin=efris.device.tin, reference_no=reference)) == 1
    )


async def test_an_expired_key_is_replaced_and_the_call_resent(efris):
    await upload(efris, MIXED, f"SINV-{secrets.token_hex(4)}")
    assert await efris.sandbox.expire_efris_key(efris.device.device_no)

    fiscalized = await upload(efris, MIXED, f"SINV-{secrets.token_hex(4)}")

    assert fiscalized.fdn


async def test_a_full_credit_note_of_a_fiscalized_invoice_is_applied(efris):
    fiscalized = await upload(efris, MIXED, f"SINV-{secrets.token_hex(4)}")
    original = await efris.client.invoice_details(efris.device, fiscalized.fdn)

    application = t110_payload(original, reason_code="102", application_time=datetime.now(UTC),
                               seller_reference_no=f"CN-{secrets.token_hex(4)}")  # fmt: skip
    reference = await efris.client.issue_credit_note(efris.device, application)
    records = await efris.client.credit_note_status(efris.device, reference_no=reference)

    assert reference
    assert [record["referenceNo"] for record in records] == [reference]
    assert records[0]["approveStatus"] in {"101", "102"}
