"""The `make run` demo: a client added, its QuickBooks connected, invoices fiscalized, Stripe invoiced.

Everything goes through the running services over HTTP and AMQP, with the sandbox as
QuickBooks, Intuit OAuth and Stripe:

1. the operator (dev owner) adds a client in one request (admin API);
2. the client's admin starts "Connect QuickBooks", consents at the sandbox's Intuit
   page, and the callback stores the tokens and routes the realm (OAuth end to end);
3. two invoices are created in the client's QuickBooks; the sandbox sends Intuit's
   signed CloudEvents webhook; ingress → router → erp_sync fetch each invoice with
   the client's token and emit `invoice.ready` (canonical totals printed); the
   fiscalizer uploads each to the sandbox's EFRIS (T109) and stores its FDN;
4. Intuit retries the same webhook: nothing new comes out (router inbox);
5. a paid Stripe Checkout session for the client's Stripe account becomes one
   QuickBooks invoice, even when Stripe delivers the event twice;
6. the client's own webhook endpoint (a sandbox receiver, registered after step 2 with
   the filter `invoice.*`) received every invoice event, each signed per Standard Webhooks
   with the endpoint's secret and verified on arrival.

Each run makes a new client and a new sandbox company, so it can run again and again.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from typing import Any

import aio_pika
import aiohttp
import yarl
from cryptography.hazmat.primitives.serialization import Encoding

from deploy.certificates import make_pfx
from libs.broker import Exchange, Topology
from libs.config import DEFAULT_HTTP_PORTS
from libs.db import Database
from libs.efris import load_device_keys
from libs.events import CloudEvent
from services.router.storage import link_account

ADMIN = f"http://127.0.0.1:{DEFAULT_HTTP_PORTS['admin']}"
SANDBOX = f"http://127.0.0.1:{DEFAULT_HTTP_PORTS['sandbox']}"


class DemoFailed(RuntimeError):
    """A step of the demo did not get the answer it needed; the message says which."""


async def run_demo(env: dict[str, str], *, owner_email: str, owner_password: str) -> None:
    """The steps in the module docstring; raises `DemoFailed` naming the step that failed."""
    connection = await aio_pika.connect(env["AMQP_URL"])
    async with connection, aiohttp.ClientSession() as http:
        channel = await connection.channel()
        watch = await channel.declare_queue(exclusive=True)
        prefix = env.get("BROKER_PREFIX", "switchyard")
        await watch.bind(Topology(prefix).exchange(Exchange.EVENTS), "#")
        demo = Demo(http, watch)
        tenant_id, token = await demo.add_client(owner_email, owner_password)
        realm = await demo.connect_quickbooks(token)
        receiver = await demo.subscribe_endpoint(token)
        await demo.invoices_flow(realm, tenant_id)
        await demo.stripe_invoiced(env, realm, tenant_id)
        await demo.webhooks_received(receiver)


class Demo:
    def __init__(self, http: aiohttp.ClientSession, watch: aio_pika.abc.AbstractQueue) -> None:
        self.http = http
        self.watch = watch

    async def add_client(self, owner_email: str, owner_password: str) -> tuple[str, str]:
        owner = await self.login(owner_email, owner_password)
        tag = uuid.uuid4().hex[:6]
        email, password = f"finance-{tag}@acme.demo", f"demo-{uuid.uuid4().hex}"
        tin, pfx = f"10{uuid.uuid4().int % 10**8:08d}", make_pfx("demo-pfx")
        client = await self.call("POST", "/api/owner/tenants", token=owner, json={
            "company_name": f"Acme Demo Ltd {tag}", "email": email, "initial_password": password,
            "phone": "+256 700 000000", "tin": tin, "efris_device_no": f"{tin}_01",
            "certificate_pfx_base64": pfx, "certificate_password": "demo-pfx",
            "erp_type": "quickbooks", "test_mode": True,
        })  # fmt: skip
        # URA registers the device's certificate outside the API (efris.md §2.1): the sandbox too.
        keys = load_device_keys(base64.b64decode(pfx), "demo-pfx")
        await self.sandbox("POST", "/_sandbox/efris/devices", {
            "tin": tin, "device_no": f"{tin}_01", "legal_name": client["company_name"],
            "certificate_pem": keys.certificate.public_bytes(Encoding.PEM).decode(),
        })  # fmt: skip
        print(f"demo: 1. operator added client {client['company_name']} ({client['id']}), "
              f"TIN {tin}, EFRIS device {tin}_01")  # fmt: skip
        return str(client["id"]), await self.login(email, password)

    async def connect_quickbooks(self, token: str) -> str:
        realm = (await self.sandbox("POST", "/_sandbox/quickbooks/companies", {}))["realm_id"]
        link = await self.call("POST", "/api/tenant/erp/connect", token=token,
                               json={"provider": "quickbooks"})  # fmt: skip
        consent = yarl.URL(link["authorize_url"]).update_query(sandbox_account=realm)
        async with self.http.get(consent, allow_redirects=False) as page:
            if page.status != 302:
                raise DemoFailed(f"Intuit consent answered {page.status}")
            back = yarl.URL(page.headers["Location"])
        connected = await self.call("GET", back.path, params=dict(back.query))
        print(f"demo: 2. client connected QuickBooks company {realm} by OAuth "
              f"(connection {connected['connection_id'][:8]})")  # fmt: skip
        return str(realm)

    async def invoices_flow(self, realm: str, tenant_id: str) -> None:
        customer = await self.sandbox("POST", f"/_sandbox/quickbooks/companies/{realm}/customers", {
            "DisplayName": "Kampala Traders", "PrimaryTaxIdentifier": "1000023456"})  # fmt: skip
        deliveries = []
        for qty in (6, 2):
            seeded = await self.sandbox("POST", f"/_sandbox/quickbooks/companies/{realm}/invoices", {
                "CustomerRef": {"value": customer["Id"]}, "notify": "cloudevents",
                "Line": [{"DetailType": "SalesItemLineDetail", "Description": "Cement",
                          "Amount": 50000 * qty, "SalesItemLineDetail": {
                              "Qty": qty, "UnitPrice": 50000, "TaxCodeRef": {"value": "TAX"}}}],
            })  # fmt: skip
            deliveries.append(seeded["delivery"]["delivery_id"])
        print("demo: 3. two invoices created in QuickBooks; Intuit's signed webhooks sent")
        for event in await self.wait(tenant_id, "invoice.ready", 2):
            totals = event.data["totals"]
            print(f"demo:      invoice.ready {event.subject}: net {totals['net']} + VAT "
                  f"{totals['tax']} = {totals['gross']} {event.data['currency']}")  # fmt: skip
        for event in await self.wait(tenant_id, "invoice.fiscalized", 2, within=30):
            print(f"demo:      invoice.fiscalized {event.subject}: FDN {event.data['fdn']}, "
                  f"verification code {event.data['verification_code']}")  # fmt: skip
        await self.sandbox("POST", f"/_sandbox/deliveries/{deliveries[0]}/redeliver", {})
        late = await self.wait(tenant_id, "invoice.ready", 0, within=2)
        print(f"demo: 4. Intuit's retry of the first webhook: {len(late)} new invoice.ready")

    async def stripe_invoiced(self, env: dict[str, str], realm: str, tenant_id: str) -> None:
        account = f"acct_demo{uuid.uuid4().hex[:10]}"
        db = await Database.connect(env["DATABASE_URL"], min_size=1, max_size=1)
        try:  # the Stripe Connect account as routed to the client (no Stripe connect UI yet)
            await link_account(db, tenant_id=tenant_id, provider="stripe", account_id=account,
                               connection_id=f"stripe-{account}")  # fmt: skip
        finally:
            await db.close()
        paid = await self.sandbox("POST", "/_sandbox/stripe/checkout-sessions", {
            "account": account, "amount_total": 250000, "currency": "ugx", "payment_status": "paid",
            "customer_details": {"email": "buyer@jinja.demo", "name": "Jinja Buyer"}})  # fmt: skip
        await self.sandbox(
            "POST", f"/_sandbox/deliveries/{paid['delivery']['delivery_id']}/redeliver", {}
        )
        [created] = await self.wait(tenant_id, "invoice.created", 1)
        invoices = (await self.sandbox("GET", f"/_sandbox/quickbooks/companies/{realm}/invoices"))[
            "invoices"
        ]
        made = [i for i in invoices if paid["session"]["id"] in (i.get("PrivateNote") or "")]
        print(f"demo: 5. Stripe session {paid['session']['id']} paid (event delivered twice) -> "
              f"{len(made)} QuickBooks invoice ({created.subject}, {made[0]['TotalAmt']:,.0f} UGX)")  # fmt: skip

    async def subscribe_endpoint(self, token: str) -> str:
        """The client registers a webhook endpoint (a sandbox receiver) for its invoice events."""
        receiver = f"demo-{uuid.uuid4().hex[:8]}"
        endpoint = await self.call("POST", "/api/tenant/webhooks/endpoints", token=token, json={
            "url": f"{SANDBOX}/_sandbox/receivers/{receiver}", "event_types": ["invoice.*"],
            "description": "the client's books system"})  # fmt: skip
        await self.sandbox("PUT", f"/_sandbox/receivers/{receiver}", {"secret": endpoint["secret"]})
        return receiver

    async def webhooks_received(self, receiver: str) -> None:
        expected = 5  # two invoice.ready, two invoice.fiscalized, one invoice.created
        received: list[dict[str, Any]] = []
        deadline = asyncio.get_running_loop().time() + 20
        while len(received) < expected and asyncio.get_running_loop().time() < deadline:
            received = (await self.sandbox("GET", f"/_sandbox/receivers/{receiver}"))["received"]
            await asyncio.sleep(0.1)  # poll interval of a bounded wait
        types = sorted({r["body"]["type"] for r in received})
        verified = sum(1 for r in received if r["verified"])
        if len(received) < expected or verified != len(received):
            raise DemoFailed(f"the client's endpoint got {len(received)} of {expected} deliveries, "
                             f"{verified} verified")  # fmt: skip
        print(f"demo: 6. the client's webhook endpoint received {len(received)} deliveries "
              f"({', '.join(types)}); {verified} of {len(received)} signatures verified")  # fmt: skip

    async def login(self, email: str, password: str) -> str:
        answer = await self.call(
            "POST", "/api/auth/login", json={"email": email, "password": password}
        )
        return str(answer["access_token"])

    async def call(self, method: str, path: str, *, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.request(method, ADMIN + path, headers=headers, **kw) as response:
            body = await response.json(content_type=None)
            if response.status >= 300:
                raise DemoFailed(f"admin {method} {path} answered {response.status}: {body}")
            return body

    async def sandbox(self, method: str, path: str, body: object = None) -> Any:
        async with self.http.request(method, SANDBOX + path, json=body) as response:
            answer = await response.json(content_type=None)
            if response.status >= 300:
                raise DemoFailed(f"sandbox {method} {path} answered {response.status}: {answer}")
            return answer

    async def wait(
        self, tenant_id: str, event_type: str, count: int, *, within: float = 20
    ) -> list[CloudEvent]:
        """The client's `event_type` events arriving within `within` s (early once `count` came)."""
        found: list[CloudEvent] = []
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline and (not count or len(found) < count):
            message = await self.watch.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.05)  # poll interval of a bounded wait
                continue
            event = CloudEvent.from_bytes(message.body)
            if event.type == event_type and event.tenantid == tenant_id:
                found.append(event)
        if len(found) < count:
            raise DemoFailed(f"only {len(found)} of {count} {event_type} within {within:.0f} s")
        return found
