"""Fiscalizer benchmark: invoices fiscalized per second, beside a bare client that only
encrypts, signs and posts the same T109 payloads, in the same run against the same EFRIS.

    python -m tests.bench.fiscalizer   table on stdout, JSON in bench-results/fiscalizer.json

    sandbox  one `python -m services.sandbox` (EFRIS simulator, zero injected latency): one
             registered device, its goods registered once up front (T130 is not measured)
    ours     `python -m services.fiscalizer`, started after BENCH_FISCAL_INVOICES
             `invoice.ready` events (2 lines: 18 % and exempt) were queued on its work queue;
             timed from its consumer attaching to the last `invoice.fiscalized` on a queue
             bound to {prefix}.events. Per invoice: settings and ledger in PostgreSQL, the
             claim, T109 (AES + RSA-SHA1 + envelope), the FDN and the event committed with
             the inbox row, the outbox relayed with confirms
    bare     tests/bench/_efris_bare.py: one T104, then the same T109 payloads (mapped once
             with the same t109_payload), 100 in flight (the fiscalizer's prefetch), nothing
             else

Rounds alternate bare/ours, ours/bare (ABBA over two rounds); best and median are shown,
with each side's CPU per invoice from /proc. The latency from webhook to stored FDN at a
steady 100 invoices/s (the issue's second figure) is not measured yet.

Environment: BENCH_FISCAL_INVOICES (default 1000), TEST_AMQP_URL and TEST_PG_URL.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import yarl
from aio_pika.abc import AbstractChannel
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.serialization import Encoding

from deploy.certificates import make_pfx
from libs.broker import Exchange, Topology, inspect_queue
from libs.crypto import SecretBox
from libs.db import Database
from libs.efris import load_device_keys
from libs.events import CloudEvent
from libs.http import ProviderHttp
from libs.invoices import Buyer, Invoice, InvoiceLine, InvoiceSource, InvoiceStatus, InvoiceTotals
from services.fiscalizer.clients.efris import Device, EfrisClient
from services.fiscalizer.storage import invoices as ledger
from services.fiscalizer.storage import save_settings
from services.fiscalizer.t109 import Goods, Seller, goods_code_for, t109_payload
from tests.bench._harness import (
    BenchFailed,
    Server,
    SideRun,
    best_and_median,
    busy_since,
    child_output,
    consumers,
    delete_broker_names,
    depth,
    drop_database,
    free_port,
    machine_ticks,
    positive_int,
    progress,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "fiscalizer.json"
ROUNDS = 2
SIDES = ("bare", "ours")
CONCURRENCY = 100
RETRY_TIERS = (1.0, 10.0, 60.0, 600.0, 3600.0)  # the fiscalizer's default RETRY_TIERS_MS
TOTAL_LIMIT_S = 300.0
PASSWORD = "bench-pfx"
CATEGORY = {"CEM": "30111601", "MZE-EX": "50221101"}


Run = SideRun


@dataclass
class World:
    sandbox: Server
    efris_url: str
    tenant_id: str
    tin: str
    device_no: str
    pfx_base64: str
    seller: Seller
    goods: dict[str, Goods]
    runs: list[Run] = field(default_factory=list)


def invoice(n: int, round_no: int) -> Invoice:
    lines = (
        InvoiceLine(description="Cement", item_code="CEM", quantity=Decimal(n % 7 + 1),
                    unit_price=Decimal(50000), net=Decimal(50000 * (n % 7 + 1)),
                    tax_rate=Decimal(18), tax=Decimal(9000 * (n % 7 + 1))),
        InvoiceLine(description="Maize grain", item_code="MZE", quantity=Decimal(2),
                    unit_price=Decimal(3000), net=Decimal(6000), tax_rate=None, tax=Decimal(0)),
    )  # fmt: skip
    net = sum((line.net for line in lines), Decimal(0))
    tax = sum((line.tax for line in lines), Decimal(0))
    return Invoice(
        source=InvoiceSource(provider="quickbooks", account_id="bench", invoice_id=f"{round_no}-{n}"),
        number=f"B{round_no}-{n}", issued_on=datetime.now(UTC).date(), currency="UGX",
        status=InvoiceStatus.ISSUED, buyer=Buyer(name="Bench Buyer", tin="1000023456"),
        lines=lines, totals=InvoiceTotals(net=net, tax=tax, gross=net + tax),
    )  # fmt: skip


async def set_up(config: dict[str, Any]) -> World:
    port = free_port()
    sandbox = Server("sandbox", [sys.executable, "-m", "services.sandbox"],
                     {"SWITCHYARD_ENV": "test", "HTTP_PORT": str(port), "LOG_LEVEL": "warning"}, port)  # fmt: skip
    await sandbox.start()
    tin = f"10{uuid.uuid4().int % 10**8:08d}"
    device_no, pfx = f"{tin}_01", make_pfx(PASSWORD)
    keys = load_device_keys(base64.b64decode(pfx), PASSWORD)
    async with aiohttp.ClientSession() as http:
        registered = {"tin": tin, "device_no": device_no, "legal_name": "BENCH TRADERS LTD",
                      "certificate_pem": keys.certificate.public_bytes(Encoding.PEM).decode()}  # fmt: skip
        async with http.post(f"{sandbox.url}/_sandbox/efris/devices", json=registered) as answer:
            if answer.status >= 300:
                raise BenchFailed(f"device registration: {answer.status} {await answer.text()}")
    efris_url = f"{sandbox.url}/efris/efrisws/ws/taapp/getInformation"
    seller = Seller(tin=tin, device_no=device_no, legal_name="BENCH TRADERS LTD",
                    email="accounts@bench.test", business_name="BENCH TRADERS LTD")  # fmt: skip
    sample = invoice(0, 0)
    goods = {goods_code_for(line): Goods(code=goods_code_for(line), name=line.description,
                                         commodity_category_id=CATEGORY[goods_code_for(line)],
                                         unit_of_measure="101") for line in sample.lines}  # fmt: skip
    async with ProviderHttp.open() as http_client:
        client = EfrisClient(http_client, url=efris_url, clock=lambda: datetime.now(UTC))
        device = Device(tin=tin, device_no=device_no, keys=keys)
        await client.register_goods(
            device, [g.t130_item(unit_price=Decimal(1)) for g in goods.values()]
        )
    tenant_id = f"tn_bench_{uuid.uuid4().hex[:8]}"
    db = await Database.connect(config["database_url"])
    try:
        box = SecretBox([config["encryption_key"]])
        await save_settings(db, box, tenant_id=tenant_id, tin=tin, device_no=device_no, pfx_base64=pfx,
                            password=PASSWORD, not_after=datetime.now(UTC) + timedelta(days=300),
                            test_mode=True, legal_name="BENCH TRADERS LTD", email="accounts@bench.test")  # fmt: skip
        await ledger.add_goods(db, tin=tin, goods=list(goods.values()))
    finally:
        await db.close()
    return World(sandbox, efris_url, tenant_id, tin, device_no, pfx, seller, goods)


async def run_bare(world: World, count: int, round_no: int) -> Run:
    now = datetime.now(UTC)
    payloads = [t109_payload(invoice(n, round_no), seller=world.seller, goods=world.goods,
                             reference_no=f"BARE{round_no}-{uuid.uuid4().hex[:20]}", issued_at=now)
                for n in range(count)]  # fmt: skip
    spec = {"url": world.efris_url, "tin": world.tin, "device_no": world.device_no,
            "pfx_base64": world.pfx_base64, "password": PASSWORD, "payloads": payloads,
            "concurrency": CONCURRENCY}  # fmt: skip
    machine = machine_ticks()
    out = json.loads(await child_output([sys.executable, "-m", "tests.bench._efris_bare"], name="bare",
                                        limit=180, stdin=json.dumps(spec).encode() + b"\n"))  # fmt: skip
    if out["errors"]:
        raise BenchFailed(f"bare round {round_no}: {out['errors']} uploads refused")
    run = Run("bare", round_no, count, out["seconds"], out["cpu_s"], busy_since(machine))
    progress(f"bare round {round_no}: {run.per_s:,.0f} uploads/s ({run.cpu_us:,.0f} us CPU each)")
    return run


async def run_ours(
    config: dict[str, Any], world: World, channel: AbstractChannel, count: int, round_no: int
) -> Run:
    topology = Topology(config["prefix"])
    queues = topology.service("fiscalizer", retry_tiers=RETRY_TIERS)
    events = topology.exchange(Exchange.EVENTS)
    await queues.declare(channel, [(events, "invoice.ready"), (events, "invoice.voided")])
    collector = await channel.declare_queue(f"{config['prefix']}.collect-{round_no}", durable=True,
                                            arguments={"x-queue-type": "quorum"})  # fmt: skip
    await collector.bind(events, "invoice.fiscalized")
    exchange = await channel.get_exchange(events)
    for n in range(count):
        event = CloudEvent(source="/services/erp_sync", type="invoice.ready", tenantid=world.tenant_id,
                           subject=f"invoice/{round_no}-{n}",
                           data=invoice(n, round_no + 100).model_dump(mode="json"))  # fmt: skip
        await exchange.publish(aio_pika.Message(event.to_bytes(), message_id=event.id,
                                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                               routing_key="invoice.ready")  # fmt: skip
    port = free_port()
    env = {"SWITCHYARD_ENV": "test", "HTTP_PORT": str(port), "LOG_LEVEL": "warning",
           "AMQP_URL": config["amqp_url"], "DATABASE_URL": config["database_url"],
           "BROKER_PREFIX": config["prefix"], "ENCRYPTION_KEYS": config["encryption_key"],
           "EFRIS_URL": world.efris_url, "EFRIS_TEST_URL": world.efris_url}  # fmt: skip
    server = Server("fiscalizer", [sys.executable, "-m", "services.fiscalizer"], env, port)
    await server.spawn()
    try:
        await wait_until(lambda: consumers(channel, queues.work_queue), 1, server, 40)
        started, cpu, machine = time.perf_counter(), server.cpu_seconds(), machine_ticks()
        await wait_until(lambda: depth(channel, collector.name), count, server, 30 + count / 20)
        seconds, cpu_s, busy = (
            time.perf_counter() - started,
            server.cpu_seconds() - cpu,
            busy_since(machine),
        )
        parked = (await inspect_queue(channel, queues.dlq)).messages
    finally:
        await server.stop()
    if parked:
        raise BenchFailed(f"ours round {round_no}: {parked} events parked in the DLQ")
    await collector.delete(if_unused=False, if_empty=False)
    run = Run("ours", round_no, count, seconds, cpu_s, busy)
    progress(f"ours round {round_no}: {run.per_s:,.0f} invoices/s ({run.cpu_us:,.0f} us CPU each, "
             f"machine {busy:.0%} busy)")  # fmt: skip
    return run


async def bench(config: dict[str, Any]) -> World:
    connection = await aio_pika.connect(config["amqp_url"])
    world: World | None = None
    topology = Topology(config["prefix"])
    declared = {*topology.service("fiscalizer", retry_tiers=RETRY_TIERS).all_queues,
                *(f"{config['prefix']}.collect-{n}" for n in range(1, ROUNDS + 1))}  # fmt: skip
    try:
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            await topology.declare_exchanges(channel)
            world = await set_up(config)
            for round_no in range(1, ROUNDS + 1):
                for side in SIDES if round_no % 2 else SIDES[::-1]:
                    if side == "bare":
                        world.runs.append(await run_bare(world, config["invoices"], round_no))
                    else:
                        world.runs.append(
                            await run_ours(config, world, channel, config["invoices"], round_no)
                        )
    finally:
        if world is not None:
            await world.sandbox.stop()
        await delete_broker_names(config["amqp_url"], config["prefix"], declared,
                                  {topology.exchange(e) for e in Exchange})  # fmt: skip
    assert world is not None
    return world


def run_all() -> int:
    from libs.db.migrate import migrate
    from tests.support.environment import AMQP_URL, PG_SERVER_URL

    prefix = f"bench{uuid.uuid4().hex[:10]}"
    config: dict[str, Any] = {"amqp_url": AMQP_URL, "prefix": prefix, "encryption_key": Fernet.generate_key().decode(),
              "database_url": str(yarl.URL(PG_SERVER_URL).with_path(f"/switchyard_{prefix}")),
              "invoices": positive_int("BENCH_FISCAL_INVOICES", 1000)}  # fmt: skip
    load = os.getloadavg()[0]
    try:
        migrate(config["database_url"])
        try:
            world = asyncio.run(asyncio.wait_for(bench(config), TOTAL_LIMIT_S))
        finally:
            asyncio.run(drop_database(config["database_url"]))
    except (BenchFailed, TimeoutError) as exc:
        print(f"fiscalizer benchmark failed: {exc or 'timed out'}", file=sys.stderr)
        return 1
    ours = best_and_median([r.per_s for r in world.runs if r.side == "ours"], higher_is_better=True)
    bare = best_and_median([r.per_s for r in world.runs if r.side == "bare"], higher_is_better=True)
    cpu = {side: best_and_median([r.cpu_us for r in world.runs if r.side == side], higher_is_better=False)
           for side in SIDES}  # fmt: skip
    print(f"fiscalizer: {config['invoices']:,} invoices per run (2 lines, 18 % + exempt), {CONCURRENCY} in "
          f"flight; {os.cpu_count()} CPUs shared with the sandbox, RabbitMQ and PostgreSQL; load "
          f"{load:.2f} before, {os.getloadavg()[0]:.2f} after")  # fmt: skip
    print("benchmark                     | ours (fiscalizer) | bare client | ours/bare")
    print("------------------------------+-------------------+-------------+----------")
    for stat in ("best", "median"):
        print(
            f"invoices/s, {stat:<18}| {ours[stat]:>17,.0f} | {bare[stat]:>11,.0f} | {ours[stat] / bare[stat]:>8.0%}"
        )
    print(
        f"CPU us per invoice, best      | {cpu['ours']['best']:>17,.0f} | {cpu['bare']['best']:>11,.0f} |"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "fiscalizer", "at": datetime.now(UTC).isoformat(), "invoices": config["invoices"],
        "concurrency": CONCURRENCY, "runs": [asdict(r) | {"per_s": r.per_s} for r in world.runs],
        "ours": {"invoices_per_s": ours, "cpu_us": cpu["ours"]},
        "bare": {"invoices_per_s": bare, "cpu_us": cpu["bare"]},
        "not_measured": "latency webhook accepted → FDN stored at a steady 100 invoices/s",
    }, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(run_all())
