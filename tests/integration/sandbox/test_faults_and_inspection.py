"""Fault injection (before/after, count, body kinds, scope) and the masked request log."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.integration.sandbox.oauth_flows import CLIENT_SECRET, connect, refresh
from tests.integration.sandbox.test_quickbooks_api import qbo, two_lines
from tests.support.polling import eventually
from tests.support.sandbox import SandboxRefused


async def quickbooks_ready(sandbox):
    realm = await sandbox.create_quickbooks_company()
    tokens = await connect(sandbox, "quickbooks", realm)
    customer = await sandbox.seed_quickbooks_customer(realm, {"DisplayName": "Acme"})
    return realm, tokens, customer["Id"]


async def test_fault_before_answers_provider_shaped_error_and_writes_nothing(sandbox):
    realm, tokens, customer = await quickbooks_ready(sandbox)
    await sandbox.set_fault("quickbooks", statuses=[503], when="before", count=1)
    status, body, _ = await qbo(sandbox, "POST", realm, "invoice", tokens["access_token"],
                                json=two_lines(customer))  # fmt: skip
    assert status == 503
    assert body["Fault"]["type"] == "SystemFault"
    assert await sandbox.quickbooks_invoices(realm) == []
    status, _, _ = await qbo(sandbox, "POST", realm, "invoice", tokens["access_token"],
                             json=two_lines(customer))  # fmt: skip
    assert status == 200  # count=1: the rule cleared itself


async def test_fault_after_applies_the_write_then_loses_the_answer(sandbox):
    realm, tokens, customer = await quickbooks_ready(sandbox)
    await sandbox.set_fault("quickbooks", statuses=[500], when="after", count=1,
                            paths=["/invoice"])  # fmt: skip
    status, _, _ = await qbo(sandbox, "POST", realm, "invoice", tokens["access_token"],
                             json=two_lines(customer), requestid="req-1")  # fmt: skip
    assert status == 500
    assert len(await sandbox.quickbooks_invoices(realm)) == 1  # created all the same
    status, body, _ = await qbo(sandbox, "POST", realm, "invoice", tokens["access_token"],
                                json=two_lines(customer), requestid="req-1")  # fmt: skip
    assert status == 200  # the retry with the same requestid replays, creating nothing
    assert len(await sandbox.quickbooks_invoices(realm)) == 1
    assert body["Invoice"]["Id"] == (await sandbox.quickbooks_invoices(realm))[0]["Id"]


async def test_fault_scoped_to_one_account_leaves_others_alone(sandbox):
    realm, tokens, _ = await quickbooks_ready(sandbox)
    other, other_tokens, _ = await quickbooks_ready(sandbox)
    await sandbox.set_fault("quickbooks", account_id=other, statuses=[429])
    ok = await qbo(sandbox, "GET", realm, "taxcode/TAX", tokens["access_token"])
    throttled = await qbo(sandbox, "GET", other, "taxcode/TAX", other_tokens["access_token"])
    assert ok[0] == 200
    assert throttled[0] == 429
    assert "Retry-After" in throttled[2]
    await sandbox.clear_faults("quickbooks")
    assert (await qbo(sandbox, "GET", other, "taxcode/TAX", other_tokens["access_token"]))[0] == 200


async def test_malformed_and_empty_fault_bodies(sandbox):
    realm, tokens, _ = await quickbooks_ready(sandbox)
    url = f"{sandbox.quickbooks_api_base}/v3/company/{realm}/taxcode/TAX"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    await sandbox.set_fault("quickbooks", body="malformed", count=1)
    async with sandbox.session.get(url, headers=headers) as response:
        assert response.status == 200
        raw = await response.read()
    assert raw.startswith(b"{")
    assert not raw.endswith(b"}")
    await sandbox.set_fault("quickbooks", body="empty", statuses=[502], count=1)
    async with sandbox.session.get(url, headers=headers) as response:
        assert response.status == 502
        assert await response.read() == b""


async def test_identity_fault_after_issues_tokens_the_client_never_sees(sandbox):
    _, tokens, _ = await quickbooks_ready(sandbox)
    await sandbox.set_fault("intuit-oauth", statuses=[502], when="after", count=1)
    status, _ = await refresh(sandbox, "quickbooks", tokens["refresh_token"])
    assert status == 502
    status, body = await refresh(sandbox, "quickbooks", tokens["refresh_token"])
    assert status == 200  # the predecessor is still inside its 24 h grace
    assert body["refresh_token"] != tokens["refresh_token"]


@pytest.mark.parametrize(
    "rule", [{"error_rate": 2}, {"statuses": [200]}, {"when": "sometimes"}, {"bogus": 1}]
)
async def test_bad_fault_rules_are_refused_with_400(sandbox, rule):
    with pytest.raises(SandboxRefused) as refused:
        await sandbox.set_fault("quickbooks", **rule)
    assert refused.value.status == 400
    assert refused.value.body["error"]["code"] == "invalid_request"
    async with sandbox.session.put(f"{sandbox.base_url}/_sandbox/faults/stripe", json={}) as r:
        assert r.status == 404


async def test_request_log_masks_credentials_but_keeps_grant_type_visible(sandbox):
    realm, tokens, _ = await quickbooks_ready(sandbox)
    since = max((r["seq"] for r in await sandbox.requests()), default=0)
    await refresh(sandbox, "quickbooks", tokens["refresh_token"])
    await qbo(sandbox, "GET", realm, "taxcode/TAX", tokens["access_token"])
    logged = await sandbox.requests(since=since)
    assert [r["provider"] for r in logged] == ["intuit-oauth", "quickbooks"]
    grant, api = logged
    assert grant["form"] == {"grant_type": "refresh_token", "refresh_token": "***"}
    assert grant["account_id"] == realm
    assert grant["headers"]["Authorization"] == "Basic …"
    assert api["headers"]["Authorization"] == "Bearer …"
    assert api["status"] == 200
    everything = str(await sandbox.requests())
    for secret in (tokens["access_token"], tokens["refresh_token"], CLIENT_SECRET):
        assert secret not in everything
    refreshes = await sandbox.requests(provider="intuit-oauth", account_id=realm)
    assert sum((r["form"] or {}).get("grant_type") == "refresh_token" for r in refreshes) == 1
    await sandbox.call("DELETE", "/_sandbox/requests")
    assert await sandbox.requests() == []


async def test_control_api_answers_4xx_json_for_bad_input(sandbox):
    cases = [
        ("POST", "/_sandbox/quickbooks/companies", b"not json", 400),
        ("POST", "/_sandbox/quickbooks/companies", b"[1]", 400),
        ("POST", "/_sandbox/quickbooks/companies", b'{"currency": "uganda"}', 400),
        ("POST", "/_sandbox/quickbooks/companies/123/invoices", b"{}", 404),
        ("POST", "/_sandbox/stripe/checkout-sessions", b'{"amount_total": "x"}', 400),
        ("GET", "/_sandbox/requests?since=yesterday", b"", 400),
        ("POST", "/_sandbox/deliveries/dlv_unknown/redeliver", b"", 404),
        ("POST", "/_sandbox/clock/advance", b'{"seconds": -5}', 400),
    ]
    for method, path, body, expected in cases:
        async with sandbox.session.request(method, sandbox.base_url + path, data=body) as response:
            assert response.status == expected, (path, body, await response.text())
            assert "code" in (await response.json())["error"]
    realm = await sandbox.create_quickbooks_company()
    refused = f"/_sandbox/quickbooks/companies/{realm}/invoices"
    async with sandbox.session.post(sandbox.base_url + refused,
                                    json={"CustomerRef": {"value": "9"}, "Line": []}) as response:  # fmt: skip
        assert response.status == 400
        assert (await response.json())["error"]["provider_error"]["Fault"][
            "type"
        ] == "ValidationFault"


async def test_latency_delays_the_answer_by_at_least_the_configured_time(sandbox):
    realm, tokens, _ = await quickbooks_ready(sandbox)
    await sandbox.set_fault("quickbooks", error_rate=0, latency_ms=300)
    started = time.monotonic()
    status, _, _ = await qbo(sandbox, "GET", realm, "taxcode/TAX", tokens["access_token"])
    assert status == 200
    assert time.monotonic() - started >= 0.3


async def test_reset_forgets_accounts_tokens_faults_and_requests(sandbox):
    realm, tokens, _ = await quickbooks_ready(sandbox)
    await sandbox.set_fault("zoho", statuses=[500])
    await sandbox.call("POST", "/_sandbox/reset")
    with pytest.raises(SandboxRefused) as refused:
        await sandbox.quickbooks_invoices(realm)
    assert refused.value.status == 404
    assert (await sandbox.call("GET", "/_sandbox/faults"))["faults"] == []
    assert [r["path"] for r in await sandbox.requests()] == []
    status, body = await refresh(sandbox, "quickbooks", tokens["refresh_token"])
    assert (status, body) == (400, {"error": "invalid_grant"})


async def test_a_json_fault_answers_the_rules_record_instead_of_the_real_one(sandbox):
    realm, tokens, _ = await quickbooks_ready(sandbox)
    garbled = {"Invoice": {"Id": "1", "Line": "not a list"}, "time": "2026-11-21T10:00:00Z"}
    await sandbox.set_fault("quickbooks", body="json", json=garbled, count=1)
    status, body, _ = await qbo(sandbox, "GET", realm, "taxcode/TAX", tokens["access_token"])
    assert (status, body) == (200, garbled)
    status, body, _ = await qbo(sandbox, "GET", realm, "taxcode/TAX", tokens["access_token"])
    assert body["TaxCode"]["Id"] == "TAX"


@pytest.mark.parametrize("rule", [{"body": "json"}, {"json": {"a": 1}}])
async def test_a_json_body_and_its_json_go_together(sandbox, rule):
    with pytest.raises(SandboxRefused) as refused:
        await sandbox.set_fault("quickbooks", **rule)
    assert refused.value.status == 400


async def test_latency_after_acts_first_and_answers_late(sandbox):
    realm, tokens, customer = await quickbooks_ready(sandbox)
    await sandbox.set_fault("quickbooks", error_rate=0, latency_ms=1500, latency_when="after",
                            paths=["/invoice"])  # fmt: skip
    create = asyncio.create_task(
        qbo(sandbox, "POST", realm, "invoice", tokens["access_token"], json=two_lines(customer))
    )
    # The invoice exists while its creator is still waiting for the answer.
    await eventually(
        lambda: sandbox.quickbooks_invoices(realm), what="the invoice, before its answer"
    )
    assert not create.done()
    status, _, _ = await create
    assert status == 200
