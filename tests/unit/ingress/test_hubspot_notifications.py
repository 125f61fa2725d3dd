"""HubSpot: providers.md §7.1 (SDK test body), §7.2 (payload, portals, dedupe), §7.3 (retries)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.ingress.notifications import MalformedPayload, hubspot
from tests.unit.ingress.payloads import HUBSPOT, hubspot_event, parsed
from tests.unit.ingress.publishing import published


def test_names_routes_and_subjects_a_contact_creation():
    (notification,) = hubspot(parsed(HUBSPOT))

    assert notification.type == "hubspot.contact.creation"
    assert notification.subject == "contact/123"
    assert notification.accountid == "62515"
    assert notification.time == datetime(2019, 7, 26, 4, 0, tzinfo=UTC)
    assert notification.dedupekey.startswith("hubspot:")
    assert notification.data == parsed(HUBSPOT)[0]
    assert published([notification], provider="hubspot")


def test_splits_a_batch_mixing_portals():
    body = [
        hubspot_event(),
        hubspot_event(
            eventId=2,
            portalId=99887766,
            subscriptionType="deal.propertyChange",
            objectId=456,
            propertyName="dealstage",
            propertyValue="closedwon",
        ),
    ]

    contact, deal = hubspot(body)

    assert contact.accountid == "62515"
    assert deal.accountid == "99887766"
    assert deal.type == "hubspot.deal.propertychange"
    assert deal.subject == "deal/456"


def test_a_retry_with_a_higher_attempt_number_has_the_same_key():
    # §7.2: attemptNumber is for logging only; it grows on every retry of the same event.
    first = hubspot([hubspot_event(attemptNumber=0)])[0].dedupekey
    retry = hubspot([hubspot_event(attemptNumber=3)])[0].dedupekey

    assert first == retry


def test_events_differing_in_id_subscription_or_portal_have_different_keys():
    keys = {
        hubspot([event])[0].dedupekey
        for event in (
            hubspot_event(),
            hubspot_event(eventId=2),
            hubspot_event(subscriptionId=54321),
            hubspot_event(portalId=62516),
        )
    }

    assert len(keys) == 4


def test_merges_and_events_without_an_object_still_publish():
    merge = hubspot_event(
        subscriptionType="contact.merge", primaryObjectId=123, mergedObjectIds=[124], objectId=None
    )
    del merge["occurredAt"]

    (notification,) = hubspot([merge])

    assert notification.type == "hubspot.contact.merge"
    assert notification.subject is None
    assert notification.time is None
    assert published([notification], provider="hubspot")


def test_an_empty_batch_gives_no_notifications():
    assert hubspot([]) == []


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (parsed(HUBSPOT)[0], "the body must be a JSON array, not object"),
        ([hubspot_event(portalId=None)], "[0].portalId is missing"),
        ([hubspot_event(eventId=None)], "[0].eventId is missing"),
        ([hubspot_event(subscriptionType=None)], "[0].subscriptionType is missing"),
        (
            [hubspot_event(portalId=62515.5)],
            "[0].portalId must be a string or an integer, not number",
        ),
        ([hubspot_event(), 7], "[1] must be a JSON object, not number"),
    ],
)
def test_refuses_bodies_that_are_not_hubspot_shaped_naming_what_is_wrong(body, where):
    with pytest.raises(MalformedPayload) as raised:
        hubspot(body)

    assert str(raised.value) == f"hubspot payload: {where}"
