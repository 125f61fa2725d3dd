"""API keys: shown once, listed without the key, scoped read/write, revocable, capped by plan."""

from __future__ import annotations

from typing import Any

import pytest


async def create_key(tenant, *scopes: str, name: str = "ci") -> dict[str, Any]:
    status, key = await tenant.call(
        "POST", "/api/tenant/api-keys", json={"name": name, "scopes": list(scopes)}
    )
    assert status == 201, key
    return dict(key)


async def test_key_is_shown_once_and_listed_without_it(new_tenant):
    tenant = await new_tenant()
    key = await create_key(tenant, "read", "write")
    assert key["key"].startswith(key["prefix"])
    assert key["scopes"] == ["read", "write"]
    status, listed = await tenant.call("GET", "/api/tenant/api-keys")
    assert status == 200
    [item] = listed["items"]
    assert (item["id"], item["prefix"], item["revoked_at"], item["last_used_at"]) == (
        key["id"], key["prefix"], None, None,
    )  # fmt: skip
    assert "key" not in item
    assert key["key"] not in str(listed)


async def test_read_key_reads_but_cannot_write(api, new_tenant):
    tenant = await new_tenant()
    key = (await create_key(tenant, "read"))["key"]
    status, profile = await api.call("GET", "/api/tenant/profile", api_key=key)
    assert (status, profile["id"]) == (200, tenant.tenant_id)
    status, error = await api.call(
        "PATCH", "/api/tenant/profile", api_key=key, json={"phone": "+256 703"}
    )
    assert (status, error["error"]["code"]) == (403, "forbidden")
    _, listed = await tenant.call("GET", "/api/tenant/api-keys")
    assert listed["items"][0]["last_used_at"] is not None


async def test_write_key_writes_but_cannot_manage_keys(api, new_tenant):
    tenant = await new_tenant()
    key = await create_key(tenant, "read", "write")
    status, _ = await api.call(
        "PATCH", "/api/tenant/profile", api_key=key["key"], json={"phone": "+256 704"}
    )
    assert status == 200
    status, _ = await api.call(
        "POST", "/api/tenant/api-keys", api_key=key["key"], json={"name": "x", "scopes": ["read"]}
    )
    assert status == 403
    assert (await api.call("DELETE", f"/api/tenant/api-keys/{key['id']}", api_key=key["key"]))[
        0
    ] == 403


async def test_revoked_key_stops_working_at_once(api, new_tenant):
    tenant, other = await new_tenant(), await new_tenant()
    key = await create_key(tenant, "read")
    assert (await other.call("DELETE", f"/api/tenant/api-keys/{key['id']}"))[0] == 404
    assert (await tenant.call("DELETE", f"/api/tenant/api-keys/{key['id']}"))[0] == 204
    assert (await api.call("GET", "/api/tenant/profile", api_key=key["key"]))[0] == 401
    _, listed = await tenant.call("GET", "/api/tenant/api-keys")
    assert listed["items"][0]["revoked_at"] is not None


@pytest.mark.parametrize("scopes", [["write"], [], ["read", "admin"], ["read", "read", "read"]])
async def test_scopes_must_be_read_or_read_write(new_tenant, scopes):
    tenant = await new_tenant()
    status, _ = await tenant.call(
        "POST", "/api/tenant/api-keys", json={"name": "ci", "scopes": scopes}
    )
    assert status == 400


async def test_starter_plan_allows_two_live_keys(new_tenant, db):
    tenant = await new_tenant()
    await db.pool.execute("UPDATE tenants SET plan = 'starter' WHERE id = $1", tenant.tenant_id)
    first = await create_key(tenant, "read", name="one")
    await create_key(tenant, "read", name="two")
    status, error = await tenant.call(
        "POST", "/api/tenant/api-keys", json={"name": "three", "scopes": ["read"]}
    )
    assert (status, error["error"]["code"]) == (422, "unprocessable")
    assert "starter plan allows at most 2 API keys" in error["error"]["message"]
    await tenant.call("DELETE", f"/api/tenant/api-keys/{first['id']}")
    await create_key(tenant, "read", name="three")
