"""The owner adds a client in one request; the client logs in; suspension bites at once."""

from __future__ import annotations

import pytest

from tests.support.admin import admin_api, client_form, make_pfx


@pytest.fixture
async def api():
    async with admin_api() as running_api:
        yield running_api


async def test_owner_creates_a_client_who_then_logs_in_as_its_admin(api, db):
    owner = await api.owner_token(db)
    client, email, password = await api.new_client(owner)
    assert client["status"] == "active"
    assert client["erp_connected"] is False
    assert client["erp_status"] == "not_connected"
    tokens = await api.login(email, password)
    assert tokens["role"] == "tenant_admin"
    assert tokens["tenant_id"] == client["id"]
    status, me = await api.call("GET", "/api/auth/me", token=tokens["access_token"])
    assert (status, me["tenant_id"]) == (200, client["id"])
    status, page = await api.call(
        "GET", "/api/owner/tenants", token=owner, params={"q": client["tin"]}
    )
    assert status == 200
    assert client["id"] in {item["id"] for item in page["items"]}


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"tin": "12345"}, 400, "tin"),
        ({"efris_device_no": "ABC"}, 400, "efris_device_no"),
        ({"initial_password": "short"}, 400, "initial_password"),
        ({"erp_type": "sage"}, 400, "erp_type"),
        ({"certificate_password": "wrong"}, 422, None),
        ({"certificate_pfx_base64": make_pfx("pfx-pass", days=-1)}, 422, None),
        ({"certificate_pfx_base64": "not base64!"}, 422, None),
    ],
)
async def test_client_form_is_validated_and_nothing_is_written_on_refusal(
    api, db, changes, status, field
):
    owner = await api.owner_token(db)
    before = await db.pool.fetchval("SELECT count(*) FROM tenants")
    body, _, _ = client_form(**changes)
    answer, error = await api.call("POST", "/api/owner/tenants", token=owner, json=body)
    assert answer == status
    if field is not None:
        assert ["body", field] in [detail["loc"] for detail in error["error"]["details"]]
    assert "pfx-pass" not in str(error)  # never echo secrets back
    assert await db.pool.fetchval("SELECT count(*) FROM tenants") == before


async def test_suspension_stops_the_clients_tokens_and_logins_at_once(api, db):
    owner = await api.owner_token(db)
    client, email, password = await api.new_client(owner)
    tokens = await api.login(email, password)
    status, _ = await api.call("POST", f"/api/owner/tenants/{client['id']}/suspend", token=owner)
    assert status == 200
    assert (await api.call("GET", "/api/auth/me", token=tokens["access_token"]))[0] == 401
    status, _ = await api.call(
        "POST", "/api/auth/login", json={"email": email, "password": password}
    )
    assert status == 401
    await api.call("POST", f"/api/owner/tenants/{client['id']}/reactivate", token=owner)
    assert (await api.login(email, password))["tenant_id"] == client["id"]
