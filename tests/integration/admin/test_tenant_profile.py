"""A tenant sees and changes only its own profile and EFRIS settings; read-only users only read."""

from __future__ import annotations

import pytest

from tests.integration.admin.sessions import new_owner_token


async def test_tenant_admin_reads_and_changes_its_profile(new_tenant):
    tenant = await new_tenant()
    status, profile = await tenant.call("GET", "/api/tenant/profile")
    assert (status, profile["id"], profile["plan"]) == (200, tenant.tenant_id, "standard")

    status, changed = await tenant.call(
        "PATCH", "/api/tenant/profile", json={"company_name": "Renamed Ltd", "phone": None}
    )
    assert status == 200
    assert (changed["company_name"], changed["phone"]) == ("Renamed Ltd", None)
    status, again = await tenant.call("PATCH", "/api/tenant/profile", json={"phone": "+256 701"})
    assert (again["company_name"], again["phone"]) == ("Renamed Ltd", "+256 701")


@pytest.mark.parametrize(
    "body", [{}, {"company_name": None}, {"company_name": ""}, {"tin": "1000099999"}]
)
async def test_profile_change_is_validated(new_tenant, body):
    tenant = await new_tenant()
    status, error = await tenant.call("PATCH", "/api/tenant/profile", json=body)
    assert (status, error["error"]["code"]) == (400, "invalid_request")


async def test_efris_view_has_no_secrets_and_auto_fiscalize_toggles(new_tenant):
    tenant = await new_tenant()
    status, efris = await tenant.call("GET", "/api/tenant/efris")
    assert status == 200
    assert set(efris) == {
        "tin", "device_no", "certificate_not_after", "certificate_days_left", "test_mode",
        "auto_fiscalize", "auto_credit_notes",
    }  # fmt: skip
    assert (efris["tin"], efris["device_no"], efris["auto_fiscalize"]) == (
        "1000012345", "1000012345_02", True,
    )  # fmt: skip
    assert 360 <= efris["certificate_days_left"] <= 365
    status, toggled = await tenant.call(
        "PUT", "/api/tenant/efris/auto-fiscalize", json={"enabled": False}
    )
    assert (status, toggled["auto_fiscalize"]) == (200, False)
    assert (await tenant.call("GET", "/api/tenant/efris"))[1]["auto_fiscalize"] is False
    assert efris["auto_credit_notes"] is False
    status, toggled = await tenant.call(
        "PUT", "/api/tenant/efris/credit-notes", json={"enabled": True}
    )
    assert (status, toggled["auto_credit_notes"], toggled["auto_fiscalize"]) == (200, True, False)


WRITES = [
    ("PATCH", "/api/tenant/profile", {"phone": "+256 702"}),
    ("PUT", "/api/tenant/efris/auto-fiscalize", {"enabled": False}),
    ("POST", "/api/tenant/sources", None),
    ("POST", "/api/tenant/api-keys", {"name": "ci", "scopes": ["read"]}),
    ("DELETE", "/api/tenant/connections/00000000-0000-0000-0000-000000000000", None),
]
READS = [
    "/api/tenant/profile", "/api/tenant/efris", "/api/tenant/connections",
    "/api/tenant/whatsapp/accounts", "/api/tenant/sources", "/api/tenant/api-keys",
    "/api/tenant/activity", "/api/tenant/stats",
]  # fmt: skip


async def test_tenant_user_reads_everything_but_writes_nothing(api, new_tenant, tenant_user):
    tenant = await new_tenant()
    user = await tenant_user(tenant)
    for path in READS:
        status, body = await api.call("GET", path, token=user)
        assert status == 200, (path, body)
    for method, path, body in WRITES:
        status, error = await api.call(method, path, token=user, json=body)
        assert (status, error["error"]["code"]) == (403, "forbidden"), (method, path)


async def test_owner_and_anonymous_callers_get_no_tenant_endpoints(api, db):
    owner = await new_owner_token(db)
    assert (await api.call("GET", "/api/tenant/profile", token=owner))[0] == 403
    assert (await api.call("GET", "/api/tenant/profile"))[0] == 401
