"""Webhook sources: the secret is shown once, rotation keeps the old one verifying, deletion stops it."""

from __future__ import annotations

import time

import pytest

from libs.signatures import InvalidSignature, StandardWebhooksVerifier, sign_standard_webhooks
from services.ingress.storage import load_credentials

BODY = b'{"type": "order.paid", "id": "ord_1"}'


def signed_headers(secret: str) -> dict[str, str]:
    now = int(time.time())
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": sign_standard_webhooks(BODY, msg_id="msg_1", timestamp=now,
                                                    secret=secret),
    }  # fmt: skip


async def verifier_for(db, box, source_id: str) -> StandardWebhooksVerifier:
    """What ingress would verify the source's webhooks with, from its own table."""
    credentials = await load_credentials(db, box)
    return StandardWebhooksVerifier(secrets=credentials.sources[source_id].secrets)


async def test_source_secret_is_shown_once_and_verifies(new_tenant, db, secret_box):
    tenant = await new_tenant()
    status, created = await tenant.call("POST", "/api/tenant/sources")
    assert status == 201
    source_id, secret = created["source_id"], created["secret"]
    assert secret.startswith("whsec_")
    assert created["url_path"] == f"/webhooks/sources/{source_id}"
    (await verifier_for(db, secret_box, source_id)).verify(BODY, signed_headers(secret))

    status, listed = await tenant.call("GET", "/api/tenant/sources")
    assert status == 200
    assert [(s["source_id"], s["url_path"], s["active"]) for s in listed["items"]] == [
        (source_id, f"/webhooks/sources/{source_id}", True)
    ]
    assert secret not in str(listed)
    assert "whsec_" not in str(listed)


async def test_rotation_returns_a_new_secret_once_and_the_old_one_keeps_verifying(
    new_tenant, db, secret_box
):
    tenant = await new_tenant()
    _, created = await tenant.call("POST", "/api/tenant/sources")
    source_id, old = created["source_id"], created["secret"]
    status, rotated = await tenant.call("POST", f"/api/tenant/sources/{source_id}/rotate-secret")
    assert status == 200
    new = rotated["secret"]
    assert new.startswith("whsec_")
    assert new != old
    verifier = await verifier_for(db, secret_box, source_id)
    assert verifier.verify(BODY, signed_headers(new)).secret_index == 0
    assert verifier.verify(BODY, signed_headers(old)).secret_index == 1
    with pytest.raises(InvalidSignature):
        verifier.verify(BODY, signed_headers("whsec_" + "QUJD" * 8))
    assert new not in str(await tenant.call("GET", "/api/tenant/sources"))


async def test_deleted_source_stops_verifying_and_other_tenants_cannot_touch_it(
    new_tenant, db, secret_box
):
    tenant, other = await new_tenant(), await new_tenant()
    _, created = await tenant.call("POST", "/api/tenant/sources")
    source_id = created["source_id"]
    assert (await other.call("DELETE", f"/api/tenant/sources/{source_id}"))[0] == 404
    assert (await other.call("POST", f"/api/tenant/sources/{source_id}/rotate-secret"))[0] == 404
    assert (await other.call("GET", "/api/tenant/sources"))[1]["items"] == []

    assert (await tenant.call("DELETE", f"/api/tenant/sources/{source_id}"))[0] == 204
    assert source_id not in (await load_credentials(db, secret_box)).sources
    assert (await tenant.call("POST", f"/api/tenant/sources/{source_id}/rotate-secret"))[0] == 404
    assert (await tenant.call("DELETE", f"/api/tenant/sources/{source_id}"))[0] == 404
    _, listed = await tenant.call("GET", "/api/tenant/sources")
    assert listed["items"][0]["active"] is False
