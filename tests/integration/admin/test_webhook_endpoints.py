"""Tenants' webhook endpoints through the admin API: registered, SSRF-checked, tested, replayed.

The admin here may register endpoints on this machine (OUTBOUND_ALLOWED_NETWORKS as
outbound's tests use it), except where a test runs an admin with the empty allow-list.
Deliveries go through outbound itself, running in-process, to a local receiver; every
request is verified with `standardwebhooks`, the reference library.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from services.admin.routes.tenant_webhooks import EndpointBody
from services.outbound.registry import EndpointSpec
from tests.integration.admin.sessions import (
    TenantSession,
    new_tenant_on,
)
from tests.support.admin import admin_api
from tests.support.outbound import LOCAL, outbound_queues, outbound_running, receiving
from tests.support.polling import eventually

ENDPOINTS = "/api/tenant/webhooks/endpoints"
DELIVERIES = "/api/tenant/webhooks/deliveries"
PRIVATE_URLS = [
    "http://127.0.0.1/hook", "http://127.0.0.1:8080/hook", "http://10.1.2.3/hook",
    "https://169.254.169.254/latest/meta-data/", "http://[::1]:8080/hook",
    "http://localhost/hook", "http://localhost:9000/hook", "http://192.168.1.10/hook",
]  # fmt: skip
RETRIES_MS = "300,600,900"


@pytest.fixture(autouse=True)
def _outbound_queues_deleted(topology, delete_queues_after):
    delete_queues_after(outbound_queues(topology))


@pytest.fixture
async def api():
    """The admin, allowed to register endpoints on this machine (the receivers' addresses)."""
    async with admin_api(outbound_allowed_networks=LOCAL) as running_api:
        yield running_api


async def create(tenant: TenantSession, url: str, **fields) -> dict[str, Any]:
    status, endpoint = await tenant.call("POST", ENDPOINTS, json={"url": url, **fields})
    assert status == 201, endpoint
    return dict(endpoint)


async def test_an_endpoint_is_created_with_its_secret_then_listed_read_replaced_and_deleted(
    new_tenant,
):
    tenant = await new_tenant()
    created = await create(
        tenant, "http://127.0.0.1:9/hooks/switchyard", description="ERP bridge",
        event_types=["invoice.*", "quickbooks.#"], headers={"X-Token": "t0k3n"},
        rate_limit_per_s=20,
    )  # fmt: skip
    endpoint_id = created["id"]
    assert created["secret"].startswith("whsec_")
    assert endpoint_id.startswith("ep_")
    view = {k: v for k, v in created.items() if k != "secret"}
    assert view | {"created_at": None, "updated_at": None} == {
        "id": endpoint_id, "url": "http://127.0.0.1:9/hooks/switchyard",
        "description": "ERP bridge", "event_types": ["invoice.*", "quickbooks.#"],
        "enabled": True, "disabled_reason": None, "headers": {"X-Token": "t0k3n"},
        "rate_limit_per_s": 20, "failing_since": None, "created_at": None, "updated_at": None,
    }  # fmt: skip

    status, listed = await tenant.call("GET", ENDPOINTS)
    assert (status, listed) == (200, {"items": [view]})
    assert "secret" not in str(listed)
    status, one = await tenant.call("GET", f"{ENDPOINTS}/{endpoint_id}")
    assert (status, one) == (200, view)

    replacement = {"url": "http://127.0.0.1:9/v2", "event_types": ["invoice.fiscalized"],
                   "enabled": False}  # fmt: skip
    status, replaced = await tenant.call("PUT", f"{ENDPOINTS}/{endpoint_id}", json=replacement)
    assert status == 200, replaced
    assert (replaced["url"], replaced["event_types"], replaced["enabled"]) == (
        "http://127.0.0.1:9/v2", ["invoice.fiscalized"], False,
    )  # fmt: skip
    assert (replaced["description"], replaced["headers"], replaced["rate_limit_per_s"]) == (
        "",
        {},
        None,
    )  # fmt: skip (PUT replaces: what is left out takes its default)
    status, reenabled = await tenant.call(
        "PUT", f"{ENDPOINTS}/{endpoint_id}", json={**replacement, "enabled": True}
    )
    assert (status, reenabled["enabled"], reenabled["disabled_reason"]) == (200, True, None)

    status, _ = await tenant.call("DELETE", f"{ENDPOINTS}/{endpoint_id}")
    assert status == 204
    assert (await tenant.call("GET", f"{ENDPOINTS}/{endpoint_id}"))[0] == 404
    assert await tenant.call("GET", ENDPOINTS) == (200, {"items": []})
    status, again = await tenant.call("DELETE", f"{ENDPOINTS}/{endpoint_id}")
    assert (status, again["error"]["code"]) == (404, "not_found")


async def test_another_tenant_gets_404_for_every_route_of_an_endpoint(new_tenant):
    owner, other = await new_tenant(), await new_tenant()
    endpoint = await create(owner, "http://127.0.0.1:9/mine")
    one = f"{ENDPOINTS}/{endpoint['id']}"
    calls = [
        ("GET", one, None), ("PUT", one, {"url": "http://127.0.0.1:9/theirs"}),
        ("DELETE", one, None), ("GET", f"{one}/secret", None),
        ("POST", f"{one}/secret/rotate", None), ("POST", f"{one}/test", None),
        ("GET", f"{one}/deliveries", None),
        ("POST", f"{one}/replay", {"failed_since": "2020-01-01T00:00:00Z"}),
    ]  # fmt: skip
    for method, path, body in calls:
        status, answer = await other.call(method, path, json=body)
        assert (method, path, status, answer["error"]["code"]) == (method, path, 404, "not_found")
    assert await other.call("GET", ENDPOINTS) == (200, {"items": []})
    status, still = await owner.call("GET", one)
    assert (status, still["url"]) == (200, "http://127.0.0.1:9/mine")


async def test_a_read_only_user_reads_endpoints_but_cannot_change_them_or_read_the_secret(
    new_tenant, tenant_user,
):  # fmt: skip
    tenant = await new_tenant()
    endpoint = await create(tenant, "http://127.0.0.1:9/ro")
    one = f"{ENDPOINTS}/{endpoint['id']}"
    reader = await tenant_user(tenant)

    for path in (ENDPOINTS, one, f"{one}/deliveries"):
        status, _ = await tenant.api.call("GET", path, token=reader)
        assert (path, status) == (path, 200)
    writes = [
        ("POST", ENDPOINTS, {"url": "http://127.0.0.1:9/new"}),
        ("PUT", one, {"url": "http://127.0.0.1:9/changed"}), ("DELETE", one, None),
        ("GET", f"{one}/secret", None), ("POST", f"{one}/secret/rotate", None),
        ("POST", f"{one}/test", None),
        ("POST", f"{one}/replay", {"failed_since": "2020-01-01T00:00:00Z"}),
        ("POST", f"{DELIVERIES}/msg_anything/replay", None),
    ]  # fmt: skip
    for method, path, body in writes:
        status, answer = await tenant.api.call(method, path, token=reader, json=body)
        assert (method, path, status, answer["error"]["code"]) == (method, path, 403, "forbidden")
    status, listed = await tenant.call("GET", ENDPOINTS)
    assert [item["url"] for item in listed["items"]] == ["http://127.0.0.1:9/ro"]


async def test_urls_reaching_private_addresses_are_refused_with_422(db):
    async with admin_api(outbound_allowed_networks="") as strict:
        tenant = await new_tenant_on(strict, db)
        for url in PRIVATE_URLS:
            status, refused = await tenant.call("POST", ENDPOINTS, json={"url": url})
            assert (url, status, refused["error"]["code"]) == (url, 422, "invalid_endpoint")
            assert refused["error"]["message"].startswith("url: "), refused
        for url in ("ftp://example.com/x", "http://user:pw@example.com/", "http://xn--/"):
            status, refused = await tenant.call("POST", ENDPOINTS, json={"url": url})
            assert (url, status, refused["error"]["code"]) == (url, 422, "invalid_endpoint")
        assert await tenant.call("GET", ENDPOINTS) == (200, {"items": []})

    # An endpoint registered while allowed cannot be moved to a private address either.
    async with admin_api(outbound_allowed_networks="127.0.0.0/8") as allowing:
        tenant.api = allowing
        endpoint = await create(tenant, "http://127.0.0.1:9/ok")
    async with admin_api(outbound_allowed_networks="") as strict:
        tenant.api = strict
        status, refused = await tenant.call(
            "PUT", f"{ENDPOINTS}/{endpoint['id']}", json={"url": "http://10.0.0.1/"}
        )
        assert (status, refused["error"]["code"]) == (422, "invalid_endpoint")
        status, kept = await tenant.call("GET", f"{ENDPOINTS}/{endpoint['id']}")
        assert (status, kept["url"]) == (200, "http://127.0.0.1:9/ok")


async def test_the_starter_plan_allows_two_endpoints(new_tenant, db):
    tenant = await new_tenant()
    await db.pool.execute("UPDATE tenants SET plan = 'starter' WHERE id = $1", tenant.tenant_id)
    for n in range(2):
        await create(tenant, f"http://127.0.0.1:8080/hook{n}")
    status, error = await tenant.call("POST", ENDPOINTS, json={"url": "http://127.0.0.1:8080/3"})
    assert status == 422
    assert "starter plan allows at most 2 webhook endpoints" in error["error"]["message"]


async def test_an_allow_listed_loopback_url_is_accepted(new_tenant):
    tenant = await new_tenant()
    for url in ("http://127.0.0.1:8080/hook", "http://[::1]:8080/hook"):
        assert (await create(tenant, url))["url"] == url


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"event_types": ["invoice..fiscalized"]}, "event_types"),
        ({"event_types": ["invoice fiscalized"]}, "event_types"),
        ({"headers": {"webhook-id": "msg_mine"}}, "headers"),
        ({"headers": {"Webhook-Signature": "v1,x"}}, "headers"),
        ({"headers": {"Content-Type": "text/plain"}}, "headers"),
        ({"headers": {"X-Bad Name": "x"}}, "headers"),
        ({"headers": {"X-Split": "a\r\nInjected: 1"}}, "headers"),
    ],
)
async def test_filters_and_headers_outbound_would_not_take_are_refused_with_422(
    new_tenant, fields, field
):
    tenant = await new_tenant()
    body = {"url": "http://127.0.0.1:9/x", **fields}
    status, refused = await tenant.call("POST", ENDPOINTS, json=body)
    assert (status, refused["error"]["code"]) == (422, "invalid_endpoint")
    assert refused["error"]["message"].startswith(f"{field}: ")
    endpoint = await create(tenant, "http://127.0.0.1:9/x")
    status, refused = await tenant.call("PUT", f"{ENDPOINTS}/{endpoint['id']}", json=body)
    assert (status, refused["error"]["code"]) == (422, "invalid_endpoint")


@pytest.mark.parametrize(
    "body",
    [{}, {"url": ""}, {"url": "http://127.0.0.1:9/x", "secret": "whsec_mine"},
     {"url": "http://127.0.0.1:9/x", "rate_limit_per_s": 0},
     {"url": "http://127.0.0.1:9/x", "enabled": "true"}],
)  # fmt: skip
async def test_a_body_of_the_wrong_shape_is_a_400(new_tenant, body):
    tenant = await new_tenant()
    status, refused = await tenant.call("POST", ENDPOINTS, json=body)
    assert (status, refused["error"]["code"]) == (400, "invalid_request")


async def test_rotating_gives_a_new_secret_which_reading_the_secret_then_returns(new_tenant):
    tenant = await new_tenant()
    endpoint = await create(tenant, "http://127.0.0.1:9/rot")
    one = f"{ENDPOINTS}/{endpoint['id']}"
    assert await tenant.call("GET", f"{one}/secret") == (200, {"secret": endpoint["secret"]})

    status, rotated = await tenant.call("POST", f"{one}/secret/rotate")
    assert status == 200
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != endpoint["secret"]
    assert await tenant.call("GET", f"{one}/secret") == (200, rotated)


async def test_the_audit_log_records_endpoint_changes_without_secrets_paths_or_header_values(
    new_tenant,
):
    tenant = await new_tenant()
    endpoint = await create(
        tenant, "http://127.0.0.1:9/private/path-token", headers={"Authorization": "Bearer hv"}
    )
    one = f"{ENDPOINTS}/{endpoint['id']}"
    _, rotated = await tenant.call("POST", f"{one}/secret/rotate")
    await tenant.call("GET", f"{one}/secret")
    await tenant.call("PUT", one, json={"url": "http://127.0.0.1:9/private/other-token"})
    await tenant.call("DELETE", one)

    status, page = await tenant.call("GET", "/api/tenant/audit")
    assert status == 200
    entries = [e for e in page["items"] if e["target"] == endpoint["id"]]
    assert [e["action"] for e in entries] == [
        "webhook_endpoint.deleted", "webhook_endpoint.updated",
        "webhook_endpoint.secret_revealed", "webhook_endpoint.secret_rotated",
        "webhook_endpoint.created",
    ]  # fmt: skip
    created = entries[-1]["details"]
    assert created == {"origin": "http://127.0.0.1:9", "event_types": [], "enabled": True,
                       "header_names": ["Authorization"]}  # fmt: skip
    logged = orjson.dumps(entries).decode()
    for secret in (endpoint["secret"], rotated["secret"], "token", "Bearer hv"):
        assert secret not in logged


async def test_sending_a_test_event_answers_503_when_the_delivery_queue_does_not_take_it(
    new_tenant,
):
    tenant = await new_tenant()
    endpoint = await create(tenant, "http://127.0.0.1:9/none")
    status, refused = await tenant.call("POST", f"{ENDPOINTS}/{endpoint['id']}/test")
    assert (status, refused["error"]["code"]) == (503, "unavailable")


async def test_a_test_event_is_delivered_signed_logged_and_replayed_with_its_webhook_id(
    new_tenant,
):
    tenant, other = await new_tenant(), await new_tenant()
    async with receiving() as receiver, outbound_running(outbound_retry_schedule_ms=RETRIES_MS):
        endpoint = await create(tenant, receiver.url("/test"))
        one = f"{ENDPOINTS}/{endpoint['id']}"
        status, queued = await tenant.call("POST", f"{one}/test")
        assert status == 202, queued
        webhook_id = queued["webhook_id"]
        (request,) = await receiver.wait_for("/test", count=1)
        payload = receiver.verify(request, endpoint["secret"])
        assert request.webhook_id == webhook_id
        assert payload["type"] == "webhook.test"
        assert payload["data"]["endpoint_id"] == endpoint["id"]

        page = await eventually(lambda: deliveries_of(tenant, one, "delivered"), until=one_item)
        assert [(d["id"], d["event_type"], d["status"], d["attempts"]) for d in page["items"]] == [
            (webhook_id, "webhook.test", "delivered", 1)
        ]
        status, log = await tenant.call("GET", f"{DELIVERIES}/{webhook_id}/attempts")
        assert status == 200
        assert log["delivery"] == page["items"][0]
        (attempt,) = log["items"]
        assert (attempt["attempt"], attempt["status_code"], attempt["error"]) == (1, 204, None)
        assert attempt["duration_ms"] >= 0
        assert attempt["next_attempt_at"] is None

        for method, path in (("GET", "attempts"), ("POST", "replay")):
            status, hidden = await other.call(method, f"{DELIVERIES}/{webhook_id}/{path}")
            assert (status, hidden["error"]["code"]) == (404, "not_found")

        status, replayed = await tenant.call("POST", f"{DELIVERIES}/{webhook_id}/replay")
        assert (status, replayed) == (202, {"queued": 1})
        again = (await receiver.wait_for("/test", count=2))[1]
        assert again.webhook_id == webhook_id
        assert receiver.verify(again, endpoint["secret"]) == payload
        log = await eventually(
            lambda: attempts_of(tenant, webhook_id), until=lambda log: len(log["items"]) == 2
        )
        assert [(a["attempt"], a["trigger"], a["status_code"]) for a in log["items"]][1] == (
            1, "manual", 204,
        )  # fmt: skip


async def test_deliveries_that_failed_since_a_time_are_replayed_and_listed_by_status(new_tenant):
    tenant = await new_tenant()
    since = datetime.now(UTC) - timedelta(seconds=1)
    async with receiving() as receiver, outbound_running(outbound_retry_schedule_ms=RETRIES_MS):
        receiver.script("/down", 500)
        endpoint = await create(tenant, receiver.url("/down"))
        one = f"{ENDPOINTS}/{endpoint['id']}"
        _, queued = await tenant.call("POST", f"{one}/test")
        webhook_id = queued["webhook_id"]
        await receiver.wait_for("/down", count=4)  # the first try and three retries
        failed = await eventually(lambda: deliveries_of(tenant, one, "failed"), until=one_item)
        assert [(d["id"], d["attempts"], d["last_status_code"]) for d in failed["items"]] == [
            (webhook_id, 4, 500)
        ]
        assert await tenant.call("GET", f"{one}/deliveries", params={"status": "delivered"}) == (
            200, {"items": [], "next_before": None, "next_before_id": None},
        )  # fmt: skip

        receiver.script("/down", 204)
        later = {"failed_since": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
        assert await tenant.call("POST", f"{one}/replay", json=later) == (202, {"queued": 0})
        body = {"failed_since": since.isoformat()}
        assert await tenant.call("POST", f"{one}/replay", json=body) == (202, {"queued": 1})
        replayed = (await receiver.wait_for("/down", count=5))[4]
        assert replayed.webhook_id == webhook_id
        receiver.verify(replayed, endpoint["secret"])
        await eventually(lambda: deliveries_of(tenant, one, "delivered"), until=one_item)


async def test_delivery_listing_pages_and_refuses_a_bad_query(new_tenant):
    tenant = await new_tenant()
    endpoint = await create(tenant, "http://127.0.0.1:9/q")
    one = f"{ENDPOINTS}/{endpoint['id']}"
    assert await tenant.call("GET", f"{one}/deliveries", params={"limit": "5"}) == (
        200, {"items": [], "next_before": None, "next_before_id": None},
    )  # fmt: skip
    for params in ({"status": "lost"}, {"limit": "0"}, {"before": "yesterday"}, {"before": "0.5"},
                   {"before": "2024-01-01T00:00:00"}):  # fmt: skip
        status, refused = await tenant.call("GET", f"{one}/deliveries", params=params)
        assert (params, status, refused["error"]["code"]) == (params, 400, "invalid_request")
    # a bound before datetime's first instant is still a bound: nothing is older
    first = {"before": "0001-01-01T00:00:00+01:00"}
    assert (await tenant.call("GET", f"{one}/deliveries", params=first))[0] == 200
    status, refused = await tenant.call("POST", f"{one}/replay", json={"failed_since": "now"})
    assert (status, refused["error"]["code"]) == (400, "invalid_request")


async def test_the_openapi_document_describes_every_webhook_route(api):
    status, document = await api.call("GET", "/api/openapi.json")
    assert status == 200
    operations = {
        (method, path): op for path, ops in document["paths"].items()
        for method, op in ops.items() if path.startswith("/api/tenant/webhooks/")
    }  # fmt: skip
    one, delivery = ENDPOINTS + "/{endpoint_id}", DELIVERIES + "/{webhook_id}"
    expected = {
        ("post", ENDPOINTS): ("201", "NewWebhookEndpoint"),
        ("get", ENDPOINTS): ("200", "WebhookEndpointList"),
        ("get", one): ("200", "WebhookEndpointView"),
        ("put", one): ("200", "WebhookEndpointView"),
        ("delete", one): ("204", None),
        ("get", one + "/secret"): ("200", "EndpointSecret"),
        ("post", one + "/secret/rotate"): ("200", "EndpointSecret"),
        ("post", one + "/test"): ("202", "QueuedTest"),
        ("get", one + "/deliveries"): ("200", "WebhookDeliveryPage"),
        ("post", one + "/replay"): ("202", "ReplayQueued"),
        ("get", delivery + "/attempts"): ("200", "WebhookAttempts"),
        ("post", delivery + "/replay"): ("202", "ReplayQueued"),
    }
    assert set(operations) == set(expected)
    for key, (status_code, model) in expected.items():
        answer = operations[key]["responses"][status_code]
        ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        assert ref == (f"#/components/schemas/{model}" if model else None), key
    for key in (("post", ENDPOINTS), ("put", one)):
        body = operations[key]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/EndpointBody"}
    assert "422" in operations[("post", ENDPOINTS)]["responses"]
    assert "503" in operations[("post", one + "/test")]["responses"]


async def deliveries_of(
    tenant: TenantSession, one: str, status: str | None = None
) -> dict[str, Any]:
    params = {"status": status} if status else None
    code, page = await tenant.call("GET", f"{one}/deliveries", params=params)
    assert code == 200, page
    return dict(page)


async def attempts_of(tenant: TenantSession, webhook_id: str) -> dict[str, Any]:
    code, log = await tenant.call("GET", f"{DELIVERIES}/{webhook_id}/attempts")
    assert code == 200, log
    return dict(log)


def one_item(page: dict[str, Any]) -> bool:
    return len(page["items"]) == 1


def test_the_admin_body_takes_what_outbounds_spec_takes():
    def shape(model):
        properties = model.model_json_schema()["properties"]
        return {name: {k: v for k, v in prop.items() if k != "description"}
                for name, prop in properties.items()}  # fmt: skip

    assert shape(EndpointBody) == shape(EndpointSpec)


async def test_a_whole_number_written_as_a_float_is_an_integer_as_json_schema_says(new_tenant):
    tenant = await new_tenant()
    created = await create(tenant, "http://127.0.0.1:9/r", rate_limit_per_s=5.0)
    assert created["rate_limit_per_s"] == 5
    for rate in (5.5, "5", True):
        status, refused = await tenant.call(
            "POST", ENDPOINTS, json={"url": "http://127.0.0.1:9/r", "rate_limit_per_s": rate}
        )
        assert (rate, status, refused["error"]["code"]) == (rate, 400, "invalid_request")
