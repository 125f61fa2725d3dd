"""Fiscalization latency: from a QuickBooks webhook accepted to its FDN stored, at a steady rate.

    python -m tests.bench.fiscalization_latency   table on stdout, JSON in
                                                  bench-results/fiscalization_latency.json

The whole chain as separate processes, as in production: `services.sandbox` (QuickBooks,
Intuit OAuth, EFRIS, zero injected latency), `services.ingress`, `services.router`,
`services.erp_sync`, `services.fiscalizer`. One tenant with QuickBooks connected (a real
grant from the sandbox's code flow) and an EFRIS device; BENCH_LATENCY_RATE x
BENCH_LATENCY_SECONDS invoices seeded in QuickBooks first. An open-model generator then
POSTs one signed CloudEvents webhook per invoice at the steady rate (each on its schedule,
whatever the answers), and a consumer on {prefix}.events takes each `invoice.fiscalized`.
Latency per invoice = the moment its event arrived - the moment ingress answered 200 (the
FDN is committed before the event is published). There is no baseline for a whole chain;
the figure stands on its own, with the machine's busyness beside it.

Environment: BENCH_LATENCY_RATE (default 100), BENCH_LATENCY_SECONDS (default 20).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import orjson
import yarl
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.serialization import Encoding

from deploy.certificates import make_pfx
from libs.broker import Exchange, Topology
from libs.crypto import SecretBox
from libs.db import Database
from libs.efris import load_device_keys
from libs.events import CloudEvent
from libs.signatures import sign_quickbooks
from services.erp_sync import storage as erp_storage
from services.erp_sync.clients.oauth import TokenSet
from services.fiscalizer.storage import save_settings
from services.router.storage import link_account
from tests.bench._harness import (
    BenchFailed,
    Server,
    busy_since,
    delete_broker_names,
    drop_database,
    free_port,
    machine_ticks,
    positive_int,
    progress,
)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "fiscalization_latency.json"
TOKEN = "bench-latency-verifier-token"
CLIENT_ID, CLIENT_SECRET = "bench-latency-app", "bench-latency-secret"
PFX_PASSWORD = "bench-pfx"
SERVICES = ("ingress", "router", "erp_sync", "fiscalizer")


async def control(http: aiohttp.ClientSession, method: str, path: str, body: object = None) -> Any:
    async with http.request(method, path, json=body) as answer:
        if answer.status >= 300:
            raise BenchFailed(f"sandbox {method} {path}: {answer.status} {await answer.text()}")
        return await answer.json()


async def seed(config: dict[str, Any], sandbox: Server, count: int) -> dict[str, Any]:
    """The tenant's QuickBooks company with `count` invoices, its grant, its EFRIS device."""
    tenant_id, tin = f"tn_lat_{uuid.uuid4().hex[:8]}", f"10{uuid.uuid4().int % 10**8:08d}"
    pfx = make_pfx(PFX_PASSWORD)
    keys = load_device_keys(base64.b64decode(pfx), PFX_PASSWORD)
    async with aiohttp.ClientSession(base_url=sandbox.url) as http:
        realm = (await control(http, "POST", "/_sandbox/quickbooks/companies", {}))["realm_id"]
        customer = await control(http, "POST", f"/_sandbox/quickbooks/companies/{realm}/customers",
                                 {"DisplayName": "Latency Buyer", "PrimaryTaxIdentifier": "1000023456"})  # fmt: skip
        line = {"DetailType": "SalesItemLineDetail", "Description": "Cement", "Amount": 100000,
                "SalesItemLineDetail": {"Qty": 2, "UnitPrice": 50000, "TaxCodeRef": {"value": "TAX"}}}  # fmt: skip
        ids = [
            (await control(http, "POST", f"/_sandbox/quickbooks/companies/{realm}/invoices",
                           {"CustomerRef": {"value": customer["Id"]}, "Line": [line]}))["invoice"]["Id"]
            for _ in range(count)
        ]  # fmt: skip
        await control(http, "POST", "/_sandbox/efris/devices", {
            "tin": tin, "device_no": f"{tin}_01", "legal_name": "LATENCY TRADERS LTD",
            "certificate_pem": keys.certificate.public_bytes(Encoding.PEM).decode()})  # fmt: skip
        redirect = "http://bench.invalid/callback"
        query = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": redirect,
                 "scope": "com.intuit.quickbooks.accounting", "state": "s", "sandbox_account": realm}  # fmt: skip
        async with http.get(
            "/intuit-oauth/connect/oauth2", params=query, allow_redirects=False
        ) as r:
            code = yarl.URL(r.headers["Location"]).query["code"]
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        async with http.post("/intuit-oauth/oauth2/v1/tokens/bearer", headers={"Authorization": f"Basic {basic}"},
                             data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}) as r:  # fmt: skip
            grant = await r.json()
    db = await Database.connect(config["database_url"])
    box = SecretBox([config["encryption_key"]])
    try:
        async with db.transaction() as tx:
            connection = await erp_storage.save_connection(
                tx, box, tenant_id=tenant_id, provider="quickbooks", account_id=realm, account_name=None,
                tokens=TokenSet(access_token=grant["access_token"], refresh_token=grant["refresh_token"],
                                access_expires_at=datetime.now(UTC) + timedelta(minutes=55)),
            )  # fmt: skip
            await link_account(tx, tenant_id=tenant_id, provider="quickbooks", account_id=realm,
                               connection_id=connection)  # fmt: skip
        await save_settings(db, box, tenant_id=tenant_id, tin=tin, device_no=f"{tin}_01", pfx_base64=pfx,
                            password=PFX_PASSWORD, not_after=datetime.now(UTC) + timedelta(days=300),
                            test_mode=True, legal_name="LATENCY TRADERS LTD", email="ap@latency.test")  # fmt: skip
    finally:
        await db.close()
    return {"tenant_id": tenant_id, "realm": realm, "invoice_ids": ids}


def webhook(realm: str, invoice_id: str) -> bytes:
    return orjson.dumps([{
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "intuit.bench",
        "type": "qbo.invoice.created.v1", "datacontenttype": "application/json",
        "time": datetime.now(UTC).isoformat(), "intuitentityid": invoice_id,
        "intuitaccountid": realm, "data": {},
    }])  # fmt: skip


async def drive(
    ingress_url: str, realm: str, ids: list[str], rate: float
) -> tuple[dict[str, float], int]:
    """POST one webhook per invoice on an open-model schedule; accepted time per invoice."""
    accepted: dict[str, float] = {}
    errors = 0
    async with aiohttp.ClientSession() as http:

        async def post(invoice_id: str, at: float) -> None:
            nonlocal errors
            await asyncio.sleep(
                max(0.0, at - time.perf_counter())
            )  # the schedule, not a wait for an effect
            body = webhook(realm, invoice_id)
            async with http.post(f"{ingress_url}/webhooks/quickbooks", data=body,
                                 headers={"intuit-signature": sign_quickbooks(body, TOKEN)}) as answer:  # fmt: skip
                if answer.status == 200:
                    accepted[invoice_id] = time.perf_counter()
                else:
                    errors += 1

        start = time.perf_counter() + 0.5
        await asyncio.gather(*(post(i, start + n / rate) for n, i in enumerate(ids)))
    return accepted, errors


async def measure(config: dict[str, Any], rate: int, seconds: int) -> dict[str, Any]:
    topology = Topology(config["prefix"])
    base_env = {"SWITCHYARD_ENV": "test", "LOG_LEVEL": "warning", "AMQP_URL": config["amqp_url"],
                "DATABASE_URL": config["database_url"], "BROKER_PREFIX": config["prefix"],
                "ENCRYPTION_KEYS": config["encryption_key"]}  # fmt: skip
    sandbox_port = free_port()
    sandbox = Server("sandbox", [sys.executable, "-m", "services.sandbox"],
                     {**base_env, "HTTP_PORT": str(sandbox_port), "SANDBOX_QUICKBOOKS_RATE_LIMIT_PER_MIN": str(10**9),
                      "QUICKBOOKS_CLIENT_ID": CLIENT_ID, "QUICKBOOKS_CLIENT_SECRET": CLIENT_SECRET}, sandbox_port)  # fmt: skip
    servers = [sandbox]
    connection = await aio_pika.connect(config["amqp_url"])
    try:
        await sandbox.start()
        world = await seed(config, sandbox, rate * seconds)
        env = {**base_env, "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN": TOKEN,
               "QUICKBOOKS_CLIENT_ID": CLIENT_ID, "QUICKBOOKS_CLIENT_SECRET": CLIENT_SECRET,
               "QUICKBOOKS_API_BASE": f"{sandbox.url}/quickbooks", "INTUIT_OAUTH_BASE": f"{sandbox.url}/intuit-oauth",
               "EFRIS_URL": f"{sandbox.url}/efris/efrisws/ws/taapp/getInformation",
               "EFRIS_TEST_URL": f"{sandbox.url}/efris/efrisws/ws/taapp/getInformation"}  # fmt: skip
        ports = {name: free_port() for name in SERVICES}
        for name in SERVICES:
            server = Server(name, [sys.executable, "-m", f"services.{name}"], {**env, "HTTP_PORT": str(ports[name])},
                            ports[name])  # fmt: skip
            servers.append(server)
            await server.start()
        channel = await connection.channel()
        watch = await channel.declare_queue(exclusive=True)
        await watch.bind(topology.exchange(Exchange.EVENTS), "invoice.fiscalized")
        fiscalized: dict[str, float] = {}
        expected = [rate * seconds]
        all_in = asyncio.Event()

        async def on_event(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            event = CloudEvent.from_bytes(message.body)
            fiscalized[str(event.data["source"]["invoice_id"])] = time.perf_counter()
            await message.ack()
            if len(fiscalized) >= expected[0]:
                all_in.set()

        await watch.consume(on_event)
        progress(f"latency: {rate}/s for {seconds} s ({rate * seconds} invoices)")
        machine = machine_ticks()
        accepted, errors = await drive(f"http://127.0.0.1:{ports['ingress']}", world["realm"],
                                       world["invoice_ids"], rate)  # fmt: skip
        expected[0] = len(accepted)
        if len(fiscalized) >= expected[0]:
            all_in.set()
        with contextlib.suppress(TimeoutError):  # what did not arrive in 60 s is reported
            await asyncio.wait_for(all_in.wait(), 60)
        busy = busy_since(machine)
        latencies = sorted(
            (fiscalized[i] - accepted[i]) * 1000 for i in accepted if i in fiscalized
        )
    finally:
        for server in reversed(servers):
            await server.stop()
        await connection.close()
        names = {q for s in ("router", "erp_sync", "fiscalizer")
                 for q in topology.service(s, retry_tiers=(1.0, 10.0, 60.0, 600.0, 3600.0)).all_queues}  # fmt: skip
        await delete_broker_names(config["amqp_url"], config["prefix"], names | {f"{config['prefix']}.router.unrouted"},
                                  {topology.exchange(e) for e in Exchange})  # fmt: skip
    if not latencies:
        raise BenchFailed("no invoice was fiscalized")

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {"rate": rate, "seconds": seconds, "sent": len(world["invoice_ids"]), "accepted": len(accepted),
            "errors": errors, "fiscalized": len(latencies), "p50_ms": pct(50), "p95_ms": pct(95),
            "p99_ms": pct(99), "max_ms": latencies[-1], "mean_ms": statistics.fmean(latencies),
            "machine_busy": busy}  # fmt: skip


def run_all() -> int:
    from libs.db.migrate import migrate
    from tests.support.environment import AMQP_URL, PG_SERVER_URL

    prefix = f"bench{uuid.uuid4().hex[:10]}"
    config: dict[str, Any] = {"amqp_url": AMQP_URL, "prefix": prefix,
                              "encryption_key": Fernet.generate_key().decode(),
                              "database_url": str(yarl.URL(PG_SERVER_URL).with_path(f"/switchyard_{prefix}"))}  # fmt: skip
    rate, seconds = (
        positive_int("BENCH_LATENCY_RATE", 100),
        positive_int("BENCH_LATENCY_SECONDS", 20),
    )
    try:
        migrate(config["database_url"])
        try:
            result = asyncio.run(asyncio.wait_for(measure(config, rate, seconds), 300))
        finally:
            asyncio.run(drop_database(config["database_url"]))
    except (BenchFailed, TimeoutError) as exc:
        print(f"fiscalization latency benchmark failed: {exc or 'timed out'}", file=sys.stderr)
        return 1
    print(f"fiscalization latency: QuickBooks webhook accepted → invoice.fiscalized (FDN committed), "
          f"{rate}/s for {seconds} s, {os.cpu_count()} CPUs shared by 5 services, RabbitMQ and PostgreSQL "
          f"(machine {result['machine_busy']:.0%} busy)")  # fmt: skip
    print(f"sent {result['sent']}, accepted {result['accepted']}, errors {result['errors']}, "
          f"fiscalized {result['fiscalized']}")  # fmt: skip
    print(f"p50 {result['p50_ms']:.0f} ms | p95 {result['p95_ms']:.0f} ms | p99 {result['p99_ms']:.0f} ms | "
          f"max {result['max_ms']:.0f} ms")  # fmt: skip
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"benchmark": "fiscalization_latency", "at": datetime.now(UTC).isoformat(),
                                   **result}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(run_all())
