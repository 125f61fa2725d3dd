"""Stripe: providers.md §4.2 (event shape), §4.3 (Connect routing), §4.4 (dedupe on event id)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from services.ingress.notifications import MalformedPayload, stripe
from tests.unit.ingress.payloads import STRIPE, parsed
from tests.unit.ingress.publishing import published


def test_names_routes_and_subjects_a_connect_checkout_completion():
    (notification,) = stripe(parsed(STRIPE))

    assert notification.type == "stripe.checkout.session.completed"
    assert notification.subject == "checkout.session/cs_test_a1b2c3"
    assert notification.accountid == "acct_1ConnectedTenant"
    assert notification.time == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert notification.dedupekey == "stripe:evt_1PqTEST"
    assert notification.data == parsed(STRIPE)
    assert published([notification], provider="stripe")[0].type == notification.type


@pytest.mark.parametrize("account", ["absent", None])
def test_routes_the_platforms_own_events_to_platform(account):
    body = parsed(STRIPE)
    if account == "absent":
        del body["account"]
    else:
        body["account"] = account

    (notification,) = stripe(body)

    assert notification.accountid == "platform"


def test_dedupe_key_is_the_event_id_whatever_else_changes():
    retry = parsed(STRIPE)
    retry["pending_webhooks"] = 2
    other = parsed(STRIPE)
    other["id"] = "evt_1PqOTHER"

    assert stripe(retry)[0].dedupekey == stripe(parsed(STRIPE))[0].dedupekey
    assert stripe(other)[0].dedupekey != stripe(parsed(STRIPE))[0].dedupekey


def test_accepts_event_types_it_does_not_handle():
    body = parsed(STRIPE)
    body["type"] = "v1.billing.meter.error_report_triggered"

    (notification,) = stripe(body)

    assert notification.type == "stripe.v1.billing.meter.error_report_triggered"


def test_reads_thin_v2_events():
    body = {
        "id": "evt_test_65R9Ijk8jMrNRyBv1lN16R5KR2SQ",
        "object": "v2.core.event",
        "type": "v1.billing.meter.no_meter_found",
        "created": "2024-09-17T06:20:52.246Z",
        "context": "acct_1ConnectedTenant",
        "related_object": {
            "id": "mtr_test_61R9",
            "type": "billing.meter",
            "url": "/v1/billing/meters/mtr_test_61R9",
        },
    }

    (notification,) = stripe(body)

    assert notification.accountid == "acct_1ConnectedTenant"
    assert notification.subject == "billing.meter/mtr_test_61R9"
    assert notification.time == datetime(2024, 9, 17, 6, 20, 52, 246000, tzinfo=UTC)


def test_an_event_without_a_readable_object_or_time_still_publishes():
    body = {"id": "evt_1", "type": "balance.available", "created": "soon", "data": []}

    (notification,) = stripe(body)

    assert notification.subject is None
    assert notification.time is None
    assert published([notification], provider="stripe")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([parsed(STRIPE)], "the body must be a JSON object, not array"),
        ({"type": "charge.succeeded"}, "id is missing"),
        ({"id": "evt_1"}, "type is missing"),
        ({"id": "evt_1", "type": 3}, "type must be a string, not number"),
        (
            {"id": "evt_1", "type": "charge.succeeded", "account": ["acct_1"]},
            "account must be a string or an integer",
        ),
        ({"id": "evt_1", "type": "charge.succeeded", "account": ""}, "account must not be blank"),
    ],
)
def test_refuses_bodies_that_are_not_stripe_events_naming_what_is_wrong(body, where):
    with pytest.raises(MalformedPayload, match=f"^{re.escape(f'stripe payload: {where}')}"):
        stripe(body)
