"""Every change is in the audit log: who, what, when; tenants see only their own entries."""

from __future__ import annotations


async def test_owner_sees_client_creation_and_suspension_and_the_tenant_only_its_own(api, db):
    owner = await api.owner_token(db)
    first, email, password = await api.new_client(owner)
    second, _, _ = await api.new_client(owner)
    await api.call("POST", f"/api/owner/tenants/{first['id']}/suspend", token=owner)
    await api.call("POST", f"/api/owner/tenants/{first['id']}/reactivate", token=owner)

    status, page = await api.call(
        "GET", "/api/owner/audit", token=owner, params={"tenant_id": first["id"]}
    )
    assert status == 200
    actions = [item["action"] for item in page["items"]]
    assert actions == ["tenant.active", "tenant.suspended", "tenant.created"]  # newest first
    assert all(item["actor_role"] == "owner" for item in page["items"])

    tenant = (await api.login(email, password))["access_token"]
    status, own = await api.call("GET", "/api/tenant/audit", token=tenant)
    assert status == 200
    assert {item["tenant_id"] for item in own["items"]} == {first["id"]}
    assert second["id"] not in str(own)
