"""`make run`: the whole Switchyard stack as native processes against local RabbitMQ and PostgreSQL.

Checks that the broker and the database answer (and says which one does not,
at which URL, and how to start it), applies migrations, starts every service
that exists (`services/<name>/__main__.py`) with the sandbox as every
provider, waits for each `/readyz`, prints what runs where, and stops them all
cleanly on Ctrl-C. It grows with the services: nothing here names one
except for the start order and the sandbox URLs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
from cryptography.fernet import Fernet
from yarl import URL

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.demo import DemoFailed, run_demo  # noqa: E402
from libs.config import DEFAULT_HTTP_PORTS, redact_url  # noqa: E402
from libs.db import Database  # noqa: E402
from libs.db.migrate import migrate  # noqa: E402
from services.admin.storage.sessions import create_owner  # noqa: E402

START_ORDER = [
    "sandbox",
    "admin",
    "router",
    "erp_sync",
    "fiscalizer",
    "whatsapp_bot",
    "outbound",
    "ingress",
]
SANDBOX = f"http://127.0.0.1:{DEFAULT_HTTP_PORTS['sandbox']}"
PROVIDER_BASES = {
    "QUICKBOOKS_API_BASE": f"{SANDBOX}/quickbooks",
    "INTUIT_OAUTH_BASE": f"{SANDBOX}/intuit-oauth",
    "XERO_API_BASE": f"{SANDBOX}/xero",
    "XERO_IDENTITY_BASE": f"{SANDBOX}/xero-identity",
    "ZOHO_API_BASE": f"{SANDBOX}/zoho",
    "ZOHO_ACCOUNTS_BASE": f"{SANDBOX}/zoho-accounts",
    "WHATSAPP_GRAPH_BASE": f"{SANDBOX}/graph",
    "EFRIS_URL": f"{SANDBOX}/efris/efrisws/ws/taapp/getInformation",
    "EFRIS_TEST_URL": f"{SANDBOX}/efris/efrisws/ws/taapp/getInformation",
}
# git-ignored; generated once so encrypted rows stay readable across runs
DEV_SECRETS = ROOT / ".devstack.env"
DEV_SECRET_NAMES = (
    "ENCRYPTION_KEYS",
    "JWT_SECRET",
    "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN",
    "XERO_WEBHOOK_KEY",
    "QUICKBOOKS_CLIENT_SECRET",
    "XERO_CLIENT_SECRET",
    "ZOHO_CLIENT_SECRET",
    "DEV_OWNER_PASSWORD",
)
# The dev OAuth apps: erp_sync and admin use them, the sandbox's identity servers accept them.
DEV_OAUTH_CLIENTS = {
    "QUICKBOOKS_CLIENT_ID": "switchyard-dev-quickbooks",
    "XERO_CLIENT_ID": "switchyard-dev-xero",
    "ZOHO_CLIENT_ID": "switchyard-dev-zoho",
}
DEV_OWNER_EMAIL = "owner@switchyard.local"
DEMO_NEEDS = {"sandbox", "admin", "ingress", "router", "erp_sync", "fiscalizer", "outbound"}


def dev_environment() -> dict[str, str]:
    """The environment every service gets: dev mode, local infrastructure, sandbox providers."""
    env = {
        "SWITCHYARD_ENV": "dev",
        "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/switchyard",
        **PROVIDER_BASES,
        **DEV_OAUTH_CLIENTS,
        # deliveries (outbound) and endpoint registration (admin) may reach the sandbox here
        "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32",
        **_dev_secrets(),
    }
    env.update({k: v for k, v in os.environ.items() if k in env or k.startswith("SWITCHYARD_")})
    return {**os.environ, **env}


def _dev_secrets() -> dict[str, str]:
    """Dev-only secrets, generated once into .devstack.env; never used outside `make run`."""
    existing = DEV_SECRETS.read_text() if DEV_SECRETS.exists() else ""
    secrets = dict(line.split("=", 1) for line in existing.splitlines() if "=" in line)
    for name in DEV_SECRET_NAMES:
        secrets.setdefault(name, Fernet.generate_key().decode())
    # Stripe endpoint secrets look like whsec_…; the sandbox signs with the same one.
    secrets.setdefault("STRIPE_WEBHOOK_SECRETS", "whsec_" + Fernet.generate_key().decode()[:32])
    DEV_SECRETS.write_text("".join(f"{k}={v}\n" for k, v in secrets.items()))
    DEV_SECRETS.chmod(0o600)
    return secrets


def existing_services() -> list[str]:
    found = {path.parent.name for path in ROOT.glob("services/*/__main__.py")}
    return [name for name in START_ORDER if name in found] + sorted(found - set(START_ORDER))


async def check_infrastructure(env: dict[str, str]) -> list[str]:
    """One line per unreachable dependency, saying where and how to start it."""
    problems = []
    amqp = URL(env["AMQP_URL"])
    if not await _reachable(amqp.host or "127.0.0.1", amqp.port or 5672):
        problems.append(
            f"RabbitMQ is not reachable at {redact_url(env['AMQP_URL'])} "
            "- start it with `rabbitmq-server -detached` (or set AMQP_URL)"
        )
    pg = URL(env["DATABASE_URL"])
    if not await _reachable(pg.host or "127.0.0.1", pg.port or 5432):
        problems.append(
            f"PostgreSQL is not reachable at {redact_url(env['DATABASE_URL'])} "
            "- start it with `pg_ctlcluster 15 main start` (or set DATABASE_URL)"
        )
    return problems


async def _reachable(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 3)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


class Stack:
    """The running service processes, their output prefixed with their names."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self._output_tasks: set[asyncio.Task[None]] = set()

    async def start(self, name: str) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"services.{name}",
            cwd=ROOT, env=self._env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        self.processes[name] = process
        task = asyncio.create_task(self._relay_output(name, process))
        self._output_tasks.add(task)
        task.add_done_callback(self._output_tasks.discard)

    async def _relay_output(self, name: str, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while line := await process.stdout.readline():
            print(f"{name:>13} | {line.decode(errors='replace').rstrip()}", flush=True)

    async def wait_ready(self, name: str, within: float = 30.0) -> bool:
        url = f"http://127.0.0.1:{DEFAULT_HTTP_PORTS.get(name, 0)}/readyz"
        deadline = asyncio.get_running_loop().time() + within
        async with aiohttp.ClientSession() as session:
            while asyncio.get_running_loop().time() < deadline:
                if self.processes[name].returncode is not None:
                    return False
                try:
                    async with session.get(url) as response:
                        if response.status == 200:
                            return True
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.25)  # readiness poll interval
        return False

    async def first_exit(self) -> str:
        waits = {asyncio.create_task(p.wait()): n for n, p in self.processes.items()}
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        return waits[done.pop()]

    async def stop(self) -> None:
        for process in self.processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                await asyncio.wait_for(process.wait(), 35)
            except TimeoutError:
                print(f"devstack: {name} did not stop in 35 s; killing it", flush=True)
                process.kill()


async def create_dev_owner(env: dict[str, str]) -> None:
    """The operator account `make run` prints, so the admin API can be tried at once."""
    db = await Database.connect(env["DATABASE_URL"], min_size=1, max_size=1)
    try:
        await create_owner(db, email=DEV_OWNER_EMAIL, password=env["DEV_OWNER_PASSWORD"])
    finally:
        await db.close()


async def run() -> int:
    env = dev_environment()
    problems = await check_infrastructure(env)
    if problems:
        print("devstack: cannot start:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    await asyncio.to_thread(migrate, env["DATABASE_URL"])
    print(f"devstack: migrations applied to {env['DATABASE_URL']}", flush=True)
    services = existing_services()
    if not services:
        print("devstack: RabbitMQ and PostgreSQL are ready; no service exists yet under services/.")
        return 0
    stack = Stack(env)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        for name in services:
            await stack.start(name)
            if not await stack.wait_ready(name):
                print(f"devstack: {name} did not become ready; stopping", file=sys.stderr)
                return 1
        print("\ndevstack: running (Ctrl-C stops everything)")
        for name in services:
            print(
                f"  {name:<13} http://127.0.0.1:{DEFAULT_HTTP_PORTS.get(name, 0)}  (/metrics /healthz /readyz)"
            )
        if "admin" in services:
            await create_dev_owner(env)
            print(f"  admin API     http://127.0.0.1:{DEFAULT_HTTP_PORTS['admin']}/api/docs  "
                  f"owner login {DEV_OWNER_EMAIL} / {env['DEV_OWNER_PASSWORD']} (dev only)")  # fmt: skip
        print("  webhooks      http://127.0.0.1:8000/webhooks/<provider>\n")
        if set(services) >= DEMO_NEEDS:
            try:
                await run_demo(env, owner_email=DEV_OWNER_EMAIL,
                               owner_password=env["DEV_OWNER_PASSWORD"])  # fmt: skip
            except DemoFailed as exc:
                print(f"devstack: the demo failed: {exc}", file=sys.stderr)
                return 1
            print("\ndevstack: demo done; services keep running until Ctrl-C")
        exited = asyncio.create_task(stack.first_exit())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            print(f"devstack: {exited.result()} exited; stopping the rest", file=sys.stderr)
            return 1
        return 0
    finally:
        await stack.stop()
        print("devstack: stopped", flush=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
