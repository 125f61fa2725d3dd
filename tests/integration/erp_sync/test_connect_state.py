"""The OAuth callback refuses a tampered, expired, reused or cross-provider state; disconnect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import yarl

from services.router.storage import routes_for


async def test_a_tampered_state_is_refused_and_connects_nothing(stack, db):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    redirect = await stack.authorize(tenant, "quickbooks", realm)
    state = redirect.query["state"]
    header, claims, signature = state.split(".")
    forged_claims = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(claims).replace(tenant.id.encode(), b"tn_someone_else_000000")
    ).decode()
    for forged in (f"{header}.{forged_claims}.{signature}", state[:-4] + "AAAA", "not-a-jwt"):
        status, body = await stack.callback(redirect.update_query(state=forged))
        assert status == 400, body
        assert body["error"]["code"] == "invalid_request"
    assert await routes_for(db, provider="quickbooks", account_id=realm) == []
    # The genuine state still works: a forgery does not spend it.
    status, body = await stack.callback(redirect)
    assert status == 200, body


async def test_a_reused_state_is_refused(stack):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    redirect = await stack.authorize(tenant, "quickbooks", realm)
    assert (await stack.callback(redirect))[0] == 200
    status, body = await stack.callback(redirect)
    assert status == 400
    assert "already used" in body["error"]["message"]


async def test_an_expired_state_is_refused(stack, db):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    redirect = await stack.authorize(tenant, "quickbooks", realm)
    nonce = jwt.decode(redirect.query["state"], options={"verify_signature": False})["jti"]
    # Ten minutes pass before the browser comes back: the stored state has expired.
    await db.pool.execute(
        "UPDATE oauth_states SET expires_at = $2 WHERE nonce = $1",
        nonce, datetime.now(UTC) - timedelta(seconds=1),
    )  # fmt: skip
    status, body = await stack.callback(redirect)
    assert status == 400
    assert "expired" in body["error"]["message"]
    assert await routes_for(db, provider="quickbooks", account_id=realm) == []


async def test_a_state_for_another_provider_is_refused(stack):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    redirect = await stack.authorize(tenant, "quickbooks", realm)
    status, body = await stack.callback(redirect.with_path("/api/oauth/xero/callback"))
    assert status == 400
    assert body["error"]["code"] == "invalid_request"


async def test_a_declined_consent_is_a_clear_400(stack):
    status, body = await stack.callback(
        yarl.URL("/api/oauth/quickbooks/callback").with_query(error="access_denied", state="x")
    )
    assert status == 400
    assert "access_denied" in body["error"]["message"]


async def test_disconnect_revokes_the_grant_and_stops_routing(stack, db):
    tenant = await stack.new_tenant()
    organisation = await stack.sandbox.create_xero_organisation()
    connected = await stack.connect(tenant, "xero", organisation)

    status, body = await stack.admin.call(
        "DELETE", f"/api/tenant/erp/connections/{connected['connection_id']}", token=tenant.token
    )
    assert (status, body) == (200, {"revoked": True})
    assert await routes_for(db, provider="xero", account_id=organisation) == []
    [gone] = await stack.wait_for("connection.disconnected", count=1, tenant=tenant)
    assert gone.connectionid == connected["connection_id"]
    row = await db.pool.fetchrow(
        "SELECT status, access_token, refresh_token FROM erp_connections WHERE id = $1::uuid",
        connected["connection_id"],
    )
    assert (row["status"], row["access_token"], row["refresh_token"]) == (
        "disconnected",
        None,
        None,
    )
    revocations = await stack.sandbox.requests(provider="xero-identity", path_contains="revocation")
    assert [r["status"] for r in revocations] == [200]
    _, listed = await stack.admin.call("GET", "/api/tenant/erp/connections", token=tenant.token)
    assert [c["status"] for c in listed["items"]] == ["disconnected"]
    again = await stack.admin.call(
        "DELETE", f"/api/tenant/erp/connections/{connected['connection_id']}", token=tenant.token
    )
    assert again[0] == 404
