"""Connections and WhatsApp numbers: listed per tenant, disconnected, never leaking tokens."""

from __future__ import annotations

import uuid

from services.ingress.storage import load_credentials, token_digest
from services.router.storage import link_account, routes_for
from services.whatsapp_bot.storage import access_token

ACCESS_TOKEN = "EAAG-graph-access-token-0123456789"


def whatsapp_form(phone: str) -> dict[str, str | float]:
    """A registration body; its verify token is unique (ingress keeps one digest set for all)."""
    return {
        "phone_number_id": phone, "access_token": ACCESS_TOKEN,
        "verify_token": f"verify-{uuid.uuid4().hex}",
        "model": "sandbox-chat", "system_prompt": "You answer invoice questions.",
        "temperature": 0.2,
    }  # fmt: skip


def _phone() -> str:
    return str(uuid.uuid4().int)[:15]


async def test_tenant_lists_and_disconnects_its_connections(new_tenant, db):
    tenant, other = await new_tenant(), await new_tenant()
    realm = uuid.uuid4().hex[:12]
    await link_account(db, tenant_id=tenant.tenant_id, provider="stripe", account_id=realm,
                       connection_id="stripe-1")  # fmt: skip
    await link_account(db, tenant_id=other.tenant_id, provider="xero", account_id="org-x",
                       connection_id=f"xero-{uuid.uuid4().hex[:6]}")  # fmt: skip

    status, listed = await tenant.call("GET", "/api/tenant/connections")
    assert status == 200
    assert [(c["provider"], c["account_id"], c["connection_id"], c["active"])
            for c in listed["items"]] == [("stripe", realm, "stripe-1", True)]  # fmt: skip
    route_id = listed["items"][0]["id"]
    assert (await other.call("DELETE", f"/api/tenant/connections/{route_id}"))[0] == 404
    assert (await tenant.call("DELETE", "/api/tenant/connections/not-a-uuid"))[0] == 404

    assert (await tenant.call("DELETE", f"/api/tenant/connections/{route_id}"))[0] == 204
    assert await routes_for(db, provider="stripe", account_id=realm) == []
    _, listed = await tenant.call("GET", "/api/tenant/connections")
    assert listed["items"][0]["active"] is False
    assert (await tenant.call("DELETE", f"/api/tenant/connections/{route_id}"))[0] == 404


async def test_an_erp_route_is_removed_with_its_connection_not_on_its_own(new_tenant, db):
    tenant = await new_tenant()
    realm = uuid.uuid4().hex[:12]
    await link_account(db, tenant_id=tenant.tenant_id, provider="quickbooks", account_id=realm,
                       connection_id="qbo-1")  # fmt: skip
    _, listed = await tenant.call("GET", "/api/tenant/connections")
    status, refused = await tenant.call(
        "DELETE", f"/api/tenant/connections/{listed['items'][0]['id']}"
    )
    assert status == 422
    assert "/api/tenant/erp/connections" in refused["error"]["message"]
    assert len(await routes_for(db, provider="quickbooks", account_id=realm)) == 1


async def test_whatsapp_number_registers_bot_route_and_verify_token_together(
    new_tenant, db, secret_box
):
    tenant, phone = await new_tenant(), _phone()
    form = whatsapp_form(phone)
    status, account = await tenant.call("POST", "/api/tenant/whatsapp/accounts", json=form)
    assert status == 201, account
    assert (account["phone_number_id"], account["active"], account["webhook_path"]) == (
        phone, True, "/webhooks/whatsapp",
    )  # fmt: skip
    assert ACCESS_TOKEN not in str(account)
    assert str(form["verify_token"]) not in str(account)

    [route] = await routes_for(db, provider="whatsapp", account_id=phone)
    assert (route.tenant_id, route.connection_id) == (tenant.tenant_id, account["id"])
    credentials = await load_credentials(db, secret_box)
    assert token_digest(str(form["verify_token"])) in credentials.verify_token_digests
    stored = await db.pool.fetchval(
        "SELECT access_token FROM whatsapp_accounts WHERE id = $1", account["id"]
    )
    assert ACCESS_TOKEN.encode() not in stored  # encrypted at rest
    assert await access_token(db, secret_box, account_id=account["id"]) == ACCESS_TOKEN

    status, listed = await tenant.call("GET", "/api/tenant/whatsapp/accounts")
    assert (status, [a["id"] for a in listed["items"]]) == (200, [account["id"]])
    assert ACCESS_TOKEN not in str(listed)
    assert str(form["verify_token"]) not in str(listed)


async def test_removing_a_whatsapp_number_stops_bot_route_and_verify_token(
    new_tenant, db, secret_box
):
    tenant, phone = await new_tenant(), _phone()
    form = whatsapp_form(phone)
    _, account = await tenant.call("POST", "/api/tenant/whatsapp/accounts", json=form)
    _, connections = await tenant.call("GET", "/api/tenant/connections")
    [route] = connections["items"]
    status, error = await tenant.call("DELETE", f"/api/tenant/connections/{route['id']}")
    assert (status, error["error"]["code"]) == (422, "unprocessable")

    path = f"/api/tenant/whatsapp/accounts/{account['id']}"
    assert (await tenant.call("DELETE", path))[0] == 204
    assert await routes_for(db, provider="whatsapp", account_id=phone) == []
    assert await access_token(db, secret_box, account_id=account["id"]) is None
    credentials = await load_credentials(db, secret_box)
    assert token_digest(str(form["verify_token"])) not in credentials.verify_token_digests
    assert (await tenant.call("DELETE", path))[0] == 404
    _, listed = await tenant.call("GET", "/api/tenant/whatsapp/accounts")
    assert listed["items"][0]["active"] is False


async def test_a_number_with_a_live_bot_cannot_be_claimed_by_another_tenant(new_tenant, db):
    tenant, other, phone = await new_tenant(), await new_tenant(), _phone()
    assert (await tenant.call("POST", "/api/tenant/whatsapp/accounts",
                              json=whatsapp_form(phone)))[0] == 201  # fmt: skip
    status, error = await other.call(
        "POST", "/api/tenant/whatsapp/accounts", json=whatsapp_form(phone)
    )
    assert (status, error["error"]["code"]) == (409, "conflict")
    [route] = await routes_for(db, provider="whatsapp", account_id=phone)
    assert route.tenant_id == tenant.tenant_id
    assert (await other.call("GET", "/api/tenant/whatsapp/accounts"))[1]["items"] == []


async def test_starter_plan_allows_one_whatsapp_number(new_tenant, db):
    tenant = await new_tenant()
    await db.pool.execute("UPDATE tenants SET plan = 'starter' WHERE id = $1", tenant.tenant_id)
    assert (await tenant.call("POST", "/api/tenant/whatsapp/accounts",
                              json=whatsapp_form(_phone())))[0] == 201  # fmt: skip
    status, error = await tenant.call(
        "POST", "/api/tenant/whatsapp/accounts", json=whatsapp_form(_phone())
    )
    assert status == 422
    assert "starter plan allows at most 1 WhatsApp numbers" in error["error"]["message"]
