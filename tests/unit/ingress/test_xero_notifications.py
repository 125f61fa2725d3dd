"""Xero: providers.md §2.1 (payload, mixed tenants), §2.3 (Intent to Receive), §2.5 (dedupe)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.ingress.notifications import MalformedPayload, xero
from tests.unit.ingress.payloads import (
    XERO,
    XERO_INTENT_TO_RECEIVE,
    parsed,
    xero_batch,
    xero_event,
)
from tests.unit.ingress.publishing import published

OTHER_TENANT = "4a0d6c3e-1b2f-4c5d-8e9f-0a1b2c3d4e5f"


def test_names_routes_and_times_an_invoice_update():
    (notification,) = xero(parsed(XERO))

    assert notification.type == "xero.invoice.updated"
    assert notification.subject == "invoice/a03ffcd2-5d91-4c7e-b483-318584e9e439"
    assert notification.accountid == "c2cc9b6e-9458-4c7d-93cc-f02b81b0594f"
    # eventDateUtc has no offset but is UTC by name (§2.1).
    assert notification.time == datetime(2025, 10, 21, 1, 15, 39, 902000, tzinfo=UTC)
    assert notification.dedupekey.startswith("xero:")
    assert notification.data == parsed(XERO)["events"][0]


def test_splits_a_post_mixing_tenants_into_one_notification_per_event():
    body = xero_batch(
        xero_event(),
        xero_event(
            tenantId=OTHER_TENANT,
            eventCategory="CONTACT",
            eventType="CREATE",
            resourceId="7c5e1c3a-0000-4000-8000-000000000002",
        ),
    )

    invoice, contact = xero(body)

    assert invoice.accountid == "c2cc9b6e-9458-4c7d-93cc-f02b81b0594f"
    assert contact.accountid == OTHER_TENANT
    assert contact.type == "xero.contact.created"
    assert contact.subject == "contact/7c5e1c3a-0000-4000-8000-000000000002"
    assert published([invoice, contact], provider="xero")


def test_intent_to_receive_gives_no_notifications():
    assert xero(parsed(XERO_INTENT_TO_RECEIVE)) == []


def test_event_type_case_does_not_matter():
    # §2.1: some Xero examples spell it "Update".
    (upper,) = xero(xero_batch(xero_event(eventType="UPDATE")))
    (title,) = xero(xero_batch(xero_event(eventType="Update")))

    assert upper.type == title.type == "xero.invoice.updated"
    assert upper.dedupekey == title.dedupekey


def test_accepts_categories_and_event_types_it_does_not_know():
    (notification,) = xero(xero_batch(xero_event(eventCategory="CREDITNOTE", eventType="ARCHIVE")))

    assert notification.type == "xero.creditnote.archive"
    assert published([notification], provider="xero")


def test_dedupe_keys_survive_a_retry_and_tell_changes_apart():
    first = xero(parsed(XERO))[0].dedupekey
    retry = xero(parsed(XERO))[0].dedupekey
    later = xero(xero_batch(xero_event(eventDateUtc="2025-10-21T01:20:00.000")))[0].dedupekey
    other_tenant = xero(xero_batch(xero_event(tenantId=OTHER_TENANT)))[0].dedupekey

    assert first == retry
    assert len({first, later, other_tenant}) == 3


def test_sequence_numbers_do_not_change_the_dedupe_key():
    resent = parsed(XERO)
    resent.update(firstEventSequence=7, lastEventSequence=7, entropy="other")

    assert xero(resent)[0].dedupekey == xero(parsed(XERO))[0].dedupekey


def test_a_missing_or_bad_event_date_leaves_time_empty():
    (missing,) = xero(xero_batch(xero_event(eventDateUtc=None)))
    (bad,) = xero(xero_batch(xero_event(eventDateUtc="21/10/2025")))

    assert missing.time is None
    assert bad.time is None


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([], "the body must be a JSON object, not array"),
        ({"entropy": "x"}, "events is missing"),
        ({"events": "none"}, "events must be a JSON array, not string"),
        (xero_batch(xero_event(tenantId=None)), "events[0].tenantId is missing"),
        (xero_batch(xero_event(resourceId=None)), "events[0].resourceId is missing"),
        (xero_batch(xero_event(eventCategory=None)), "events[0].eventCategory is missing"),
        (
            xero_batch(xero_event(eventType=True)),
            "events[0].eventType must be a string, not boolean",
        ),
        (xero_batch(xero_event(), "event"), "events[1] must be a JSON object, not string"),
    ],
)
def test_refuses_bodies_that_are_not_xero_shaped_naming_what_is_wrong(body, where):
    with pytest.raises(MalformedPayload) as raised:
        xero(body)

    assert str(raised.value) == f"xero payload: {where}"
