"""ERP sync benchmark: QuickBooks invoices fetched and normalized per second, beside the
sandbox's raw request rate from a bare client, in the same run against the same sandbox.

    python -m tests.bench.erp_sync     table on stdout, JSON in bench-results/erp_sync.json

    sandbox  one `python -m services.sandbox` process (zero injected latency, rate limit off),
             a company with one customer and BENCH_ERP_INVOICES invoices (two lines: 18 % VAT
             and exempt), and a grant obtained through its OAuth code flow
    ours     `python -m services.erp_sync`, started after BENCH_ERP_INVOICES routed
             `quickbooks.invoice.created` events were queued on its work queue; timed from its
             consumer attaching to the last `invoice.ready` on a queue bound to {prefix}.events.
             Per invoice it reads the invoice and its customer (the tax code once per 5
             minutes per process: 2 requests), maps them to the canonical Invoice and commits
             inbox + outbox; the outbox relay publishes with confirms
    bare     tests/bench/_erp_bare.py: a plain aiohttp client (uvloop, orjson) GETting the same
             paths (invoice and customer per invoice, the tax code once), 100 in flight
             (erp_sync's prefetch), nothing else: the ceiling the sandbox allows. Its
             invoices/s is requests/s / 2

Rounds alternate bare/ours, ours/bare (ABBA over two rounds); the table shows the best and
the median, and each side's CPU per invoice (from /proc), which compares work whatever
else the shared machine was doing. Everything the run makes (queues, exchanges, database)
carries its prefix `bench<hex>` and is deleted at the end, on failure too.

Environment: BENCH_ERP_INVOICES (default 2000), TEST_AMQP_URL and TEST_PG_URL.
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
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import yarl
from aio_pika.abc import AbstractChannel
from cryptography.fernet import Fernet

from libs.broker import Exchange, Topology, inspect_queue
from libs.crypto import SecretBox
from libs.db import Database
from libs.events import CloudEvent
from services.erp_sync import storage
from services.erp_sync.clients.oauth import TokenSet
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
RESULTS = ROOT / "bench-results" / "erp_sync.json"
ROUNDS = 2
SIDES = ("bare", "ours")
REQUESTS_PER_INVOICE = 2
CONCURRENCY = 100
# erp_sync's default RETRY_TIERS_MS, in seconds: its queues must be declared with these.
RETRY_TIERS = (1.0, 10.0, 60.0, 600.0, 3600.0)
CLIENT_ID, CLIENT_SECRET = "bench-erp-app", "bench-erp-secret"
TOTAL_LIMIT_S = 300.0


Run = SideRun


@dataclass
class Results:
    runs: list[Run] = field(default_factory=list)

    def of(self, side: str) -> list[Run]:
        return [run for run in self.runs if run.side == side]

    def rate(self, side: str) -> dict[str, float]:
        return best_and_median([r.per_s for r in self.of(side)], higher_is_better=True)

    def cpu(self, side: str) -> dict[str, float]:
        return best_and_median([r.cpu_us for r in self.of(side)], higher_is_better=False)


@dataclass(frozen=True)
class Config:
    amqp_url: str
    database_url: str
    prefix: str
    invoices: int
    encryption_key: str

    @property
    def topology(self) -> Topology:
        return Topology(self.prefix)


@dataclass
class World:
    """The seeded sandbox and the tenant's stored connection."""

    sandbox: Server
    realm: str
    token: str
    invoice_ids: list[str]
    customer_id: str
    connection_id: str
    tenant_id: str


async def seed_sandbox(config: Config, workdir: Path) -> World:
    port = free_port()
    sandbox = Server("sandbox", [sys.executable, "-m", "services.sandbox"], {
        "SWITCHYARD_ENV": "test", "HTTP_PORT": str(port), "LOG_LEVEL": "warning",
        "QUICKBOOKS_CLIENT_ID": CLIENT_ID, "QUICKBOOKS_CLIENT_SECRET": CLIENT_SECRET,
        "SANDBOX_QUICKBOOKS_RATE_LIMIT_PER_MIN": str(10**9),
    }, port)  # fmt: skip
    await sandbox.start()
    async with aiohttp.ClientSession(base_url=sandbox.url) as http:
        realm = (await _json(http, "POST", "/_sandbox/quickbooks/companies", {}))["realm_id"]
        customer = await _json(http, "POST", f"/_sandbox/quickbooks/companies/{realm}/customers",
                               {"DisplayName": "Bench Buyer", "PrimaryTaxIdentifier": "1000012345"})  # fmt: skip
        lines = [
            {"DetailType": "SalesItemLineDetail", "Description": "Cement", "Amount": 300000,
             "SalesItemLineDetail": {"Qty": 6, "UnitPrice": 50000, "TaxCodeRef": {"value": "TAX"}}},
            {"DetailType": "SalesItemLineDetail", "Description": "Delivery", "Amount": 20000,
             "SalesItemLineDetail": {"Qty": 1, "UnitPrice": 20000, "TaxCodeRef": {"value": "NON"}}},
        ]  # fmt: skip
        body = {"CustomerRef": {"value": customer["Id"]}, "Line": lines}
        invoice_ids = []
        for _ in range(config.invoices):
            seeded = await _json(
                http, "POST", f"/_sandbox/quickbooks/companies/{realm}/invoices", body
            )
            invoice_ids.append(seeded["invoice"]["Id"])
        token = await _grant(http, sandbox.url, realm)
    tenant_id = f"tn_bench_{uuid.uuid4().hex[:8]}"
    connection_id = await _store_connection(config, tenant_id, realm, token)
    return World(sandbox, realm, token, invoice_ids, customer["Id"], connection_id, tenant_id)


async def _json(http: aiohttp.ClientSession, method: str, path: str, body: object) -> Any:
    async with http.request(method, path, json=body) as response:
        if response.status >= 300:
            raise BenchFailed(f"sandbox {method} {path}: {response.status} {await response.text()}")
        return await response.json()


async def _grant(http: aiohttp.ClientSession, base: str, realm: str) -> str:
    """An access token through the sandbox's Intuit code flow, as erp_sync's connect gets one."""
    redirect = "http://bench.invalid/callback"
    query = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": redirect,
             "scope": "com.intuit.quickbooks.accounting", "state": "s", "sandbox_account": realm}  # fmt: skip
    async with http.get("/intuit-oauth/connect/oauth2", params=query, allow_redirects=False) as r:
        code = yarl.URL(r.headers["Location"]).query["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}"}
    async with http.post("/intuit-oauth/oauth2/v1/tokens/bearer", data=form, headers=headers) as r:
        return str((await r.json())["access_token"])


async def _store_connection(config: Config, tenant_id: str, realm: str, token: str) -> str:
    db = await Database.connect(config.database_url)
    try:
        async with db.transaction() as tx:
            return await storage.save_connection(
                tx, SecretBox([config.encryption_key]), tenant_id=tenant_id, provider="quickbooks",
                account_id=realm, account_name=None, tokens=TokenSet(
                    access_token=token, access_expires_at=datetime.now(UTC) + timedelta(minutes=55),
                    refresh_token=None,
                ),
            )  # fmt: skip
    finally:
        await db.close()


async def run_bare(world: World, round_no: int) -> Run:
    paths = ["taxcode/TAX"] + [
        path
        for invoice_id in world.invoice_ids
        for path in (f"invoice/{invoice_id}", f"customer/{world.customer_id}")
    ]
    spec = {"base": f"{world.sandbox.url}/quickbooks", "realm": world.realm, "token": world.token,
            "paths": paths, "concurrency": CONCURRENCY}  # fmt: skip
    command = [sys.executable, "-c", _BARE_WITH_CPU]
    machine = machine_ticks()
    out = json.loads(await child_output(command, name="bare client", limit=120,
                                        stdin=json.dumps(spec).encode() + b"\n"))  # fmt: skip
    if out["errors"]:
        raise BenchFailed(f"bare round {round_no}: {out['errors']} non-200 answers")
    run = Run(
        "bare", round_no, len(world.invoice_ids), out["seconds"], out["cpu_s"], busy_since(machine)
    )
    progress(f"bare round {round_no}: {out['requests'] / run.seconds:,.0f} requests/s "
             f"= {run.per_s:,.0f} invoices/s")  # fmt: skip
    return run


# The bare client in its own interpreter, reporting the CPU time of its measured part.
_BARE_WITH_CPU = """
import json, sys, time, uvloop
from tests.bench._erp_bare import read_all
spec = json.loads(sys.stdin.readline())
cpu = time.process_time()
result = uvloop.run(read_all(spec))
result["cpu_s"] = time.process_time() - cpu
print(json.dumps(result))
"""


async def run_ours(config: Config, world: World, channel: AbstractChannel, round_no: int) -> Run:
    queues = config.topology.service("erp_sync", retry_tiers=RETRY_TIERS)
    events_exchange = config.topology.exchange(Exchange.EVENTS)
    await queues.declare(channel, [(events_exchange, "quickbooks.invoice.*")])
    collector = await channel.declare_queue(f"{config.prefix}.collect-{round_no}", durable=True,
                                            arguments={"x-queue-type": "quorum"})  # fmt: skip
    await collector.bind(events_exchange, "invoice.ready")
    exchange = await channel.get_exchange(events_exchange)
    await asyncio.gather(*(
        exchange.publish(_event_message(world, invoice_id, round_no), routing_key="quickbooks.invoice.created")
        for invoice_id in world.invoice_ids
    ))  # fmt: skip
    port = free_port()
    env = {
        "SWITCHYARD_ENV": "test", "HTTP_PORT": str(port), "LOG_LEVEL": "warning",
        "AMQP_URL": config.amqp_url, "DATABASE_URL": config.database_url,
        "BROKER_PREFIX": config.prefix, "ENCRYPTION_KEYS": config.encryption_key,
        "QUICKBOOKS_CLIENT_ID": CLIENT_ID, "QUICKBOOKS_CLIENT_SECRET": CLIENT_SECRET,
        "QUICKBOOKS_API_BASE": f"{world.sandbox.url}/quickbooks",
        "INTUIT_OAUTH_BASE": f"{world.sandbox.url}/intuit-oauth",
    }  # fmt: skip
    erp = Server("erp_sync", [sys.executable, "-m", "services.erp_sync"], env, port)
    await erp.spawn()
    try:
        await wait_until(lambda: consumers(channel, queues.work_queue), 1, erp, 40)
        started, cpu, machine = time.perf_counter(), erp.cpu_seconds(), machine_ticks()
        count = config.invoices
        limit = 30 + count / 50
        await wait_until(lambda: depth(channel, collector.name), count, erp, limit)
        seconds, cpu_s = time.perf_counter() - started, erp.cpu_seconds() - cpu
        busy = busy_since(machine)
        left = (await inspect_queue(channel, queues.dlq)).messages
    finally:
        await erp.stop()
    if left:
        raise BenchFailed(f"ours round {round_no}: {left} events parked in the DLQ")
    await collector.delete(if_unused=False, if_empty=False)
    run = Run("ours", round_no, count, seconds, cpu_s, busy)
    progress(f"ours round {round_no}: {run.per_s:,.0f} invoices/s "
             f"({run.cpu_us:,.0f} us CPU/invoice, machine {busy:.0%} busy)")  # fmt: skip
    return run


def _event_message(world: World, invoice_id: str, round_no: int) -> aio_pika.Message:
    event = CloudEvent(
        source="/providers/quickbooks", type="quickbooks.invoice.created",
        subject=f"invoice/{invoice_id}", accountid=world.realm, tenantid=world.tenant_id,
        connectionid=world.connection_id, dedupekey=f"bench-{round_no}-{invoice_id}",
        data={"name": "Invoice", "id": invoice_id, "operation": "Create", "realmId": world.realm},
    )  # fmt: skip
    return aio_pika.Message(
        event.to_bytes(), message_id=event.id, content_type="application/cloudevents+json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )  # fmt: skip


async def bench(config: Config, workdir: Path) -> Results:
    results = Results()
    world: World | None = None
    declared: set[str] = set()
    connection = await aio_pika.connect(config.amqp_url)
    try:
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            await config.topology.declare_exchanges(channel)
            world = await seed_sandbox(config, workdir)
            declared.update(config.topology.service("erp_sync", retry_tiers=RETRY_TIERS).all_queues)
            declared.update(f"{config.prefix}.collect-{n}" for n in range(1, ROUNDS + 1))
            for round_no in range(1, ROUNDS + 1):
                for side in SIDES if round_no % 2 else SIDES[::-1]:
                    if side == "bare":
                        results.runs.append(await run_bare(world, round_no))
                    else:
                        results.runs.append(await run_ours(config, world, channel, round_no))
    finally:
        if world is not None:
            await world.sandbox.stop()
        topology = config.topology
        await delete_broker_names(config.amqp_url, config.prefix, declared,
                                  {topology.exchange(e) for e in Exchange})  # fmt: skip
    return results


def render(results: Results, config: Config) -> str:
    ours, bare = results.rate("ours"), results.rate("bare")
    cpu_ours, cpu_bare = results.cpu("ours"), results.cpu("bare")
    rows = [
        ("benchmark", "ours (erp_sync)", "bare client", "ours/bare %"),
        ("invoices/s, best", f"{ours['best']:,.0f}", f"{bare['best']:,.0f}", f"{ours['best'] / bare['best']:.0%}"),
        ("invoices/s, median", f"{ours['median']:,.0f}", f"{bare['median']:,.0f}",
         f"{ours['median'] / bare['median']:.0%}"),
        ("sandbox requests/s, median", f"{ours['median'] * REQUESTS_PER_INVOICE:,.0f}",
         f"{bare['median'] * REQUESTS_PER_INVOICE:,.0f}", ""),
        ("client CPU us/invoice, best", f"{cpu_ours['best']:,.0f}", f"{cpu_bare['best']:,.0f}", ""),
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def run_all() -> int:
    """Create and migrate the database, measure, report; drop the database whatever happens."""
    from libs.db.migrate import migrate
    from tests.support.environment import AMQP_URL, PG_SERVER_URL

    prefix = f"bench{uuid.uuid4().hex[:10]}"
    config = Config(
        amqp_url=AMQP_URL,
        database_url=str(yarl.URL(PG_SERVER_URL).with_path(f"/switchyard_{prefix}")),
        prefix=prefix,
        invoices=positive_int("BENCH_ERP_INVOICES", 2000),
        encryption_key=Fernet.generate_key().decode(),
    )
    load_before = os.getloadavg()[0]
    try:
        migrate(config.database_url)
        try:
            results = asyncio.run(asyncio.wait_for(bench(config, ROOT), TOTAL_LIMIT_S))
        finally:
            asyncio.run(drop_database(config.database_url))
    except (BenchFailed, TimeoutError) as exc:
        print(f"erp_sync benchmark failed: {exc or 'timed out'}", file=sys.stderr)
        return 1
    print(f"erp_sync: {config.invoices:,} QuickBooks invoices per run, {REQUESTS_PER_INVOICE} "
          f"sandbox requests each, {os.cpu_count()} CPUs shared by erp_sync, sandbox, RabbitMQ "
          f"and PostgreSQL; 1-min load {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")  # fmt: skip
    print(render(results, config))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "erp_sync", "at": datetime.now(UTC).isoformat(), "invoices": config.invoices,
        "requests_per_invoice": REQUESTS_PER_INVOICE, "concurrency": CONCURRENCY,
        "runs": [asdict(run) | {"per_s": run.per_s} for run in results.runs],
        "ours": {"invoices_per_s": results.rate("ours"), "cpu_us_per_invoice": results.cpu("ours")},
        "bare": {"invoices_per_s": results.rate("bare"), "cpu_us_per_invoice": results.cpu("bare")},
    }, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(run_all())
