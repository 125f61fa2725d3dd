"""From notification to CloudEvent (CONTRACT §4), and the naming and timing rules every provider shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from libs.events import CloudEvent
from services.ingress.notifications import Notification, hubspot, quickbooks, stripe, to_event
from tests.unit.ingress.payloads import STRIPE, hubspot_event, parsed, quickbooks_cloudevent

NOTIFICATION = Notification(
    type="quickbooks.invoice.created",
    subject="invoice/145",
    time=datetime(2025, 9, 10, 21, 31, 25, tzinfo=UTC),
    accountid="310687",
    dedupekey="quickbooks:88cd52aa-33b6-4351-9aa4-47572edbd068",
    data={"id": "88cd52aa-33b6-4351-9aa4-47572edbd068", "intuitentityid": "145"},
)


def test_to_event_copies_the_attributes_under_the_providers_source():
    event = to_event(NOTIFICATION, provider="quickbooks")

    assert event.source == "/providers/quickbooks"
    assert event.type == NOTIFICATION.type
    assert event.subject == NOTIFICATION.subject
    assert event.time == NOTIFICATION.time
    assert event.accountid == NOTIFICATION.accountid
    assert event.dedupekey == NOTIFICATION.dedupekey
    assert event.data == NOTIFICATION.data
    assert event.tenantid is None  # set by the router, never by ingress
    assert CloudEvent.from_bytes(event.to_bytes()) == event


def test_to_event_gives_every_event_a_new_id_but_keeps_the_dedupe_key():
    first = to_event(NOTIFICATION, provider="quickbooks")
    second = to_event(NOTIFICATION, provider="quickbooks")

    assert first.id != second.id
    assert first.dedupekey == second.dedupekey


def test_to_event_stamps_the_receipt_time_when_the_provider_gives_none():
    before = datetime.now(UTC)
    event = to_event(
        Notification(
            type="hubspot.contact.merge",
            subject=None,
            time=None,
            accountid="62515",
            dedupekey="hubspot:abc",
            data={},
        ),
        provider="hubspot",
    )

    assert before <= event.time <= datetime.now(UTC) + timedelta(seconds=1)
    assert b'"subject"' not in event.to_bytes()


def test_to_event_refuses_a_provider_name_the_source_pattern_does_not_allow():
    with pytest.raises(ValidationError, match="source"):
        to_event(NOTIFICATION, provider="Quick Books")


@pytest.mark.parametrize(
    ("raw_type", "expected"),
    [
        ("Invoice.Created", "stripe.invoice.created"),
        ("façade.créé", "stripe.fa_ade.cr__"),
        ("İnvoice.paid", "stripe.i_nvoice.paid"),
        ("a b-c/d.e", "stripe.a_b_c_d.e"),
        ("..checkout...session..", "stripe.checkout.session"),
        ("...", "stripe.unknown"),
    ],
)
def test_types_are_lower_case_segments_of_letters_digits_and_underscores(raw_type, expected):
    body = parsed(STRIPE)
    body["type"] = raw_type

    (notification,) = stripe(body)

    assert notification.type == expected
    assert to_event(notification, provider="stripe").type == expected


def test_an_absurdly_long_type_is_cut_to_what_cloudevents_allow():
    body = parsed(STRIPE)
    body["type"] = ".".join(["segment"] * 100)
    legacy = {
        "eventNotifications": [
            {
                "realmId": "1",
                "dataChangeEvent": {
                    "entities": [{"name": "X" * 5000, "id": "1", "operation": "Y" * 5000}]
                },
            }
        ]
    }

    (long_stripe,) = stripe(body)
    (long_quickbooks,) = quickbooks(legacy)

    assert len(long_stripe.type) <= 200
    assert not long_stripe.type.endswith(".")
    assert len(long_quickbooks.type) <= 200
    assert to_event(long_stripe, provider="stripe")
    assert to_event(long_quickbooks, provider="quickbooks")


@pytest.mark.parametrize(
    "created", [10**20, -(10**20), 1e300, "99999999999999999999999", True, "1.5"]
)
def test_out_of_range_or_odd_epoch_times_become_none(created):
    body = parsed(STRIPE)
    body["created"] = created

    (notification,) = stripe(body)

    assert notification.time is None


@pytest.mark.parametrize("occurred_at", [2**70, "1564113600000", 1564113600000.0])
def test_hubspot_millisecond_times_accept_digit_strings_and_refuse_overflow(occurred_at):
    (notification,) = hubspot([hubspot_event(occurredAt=occurred_at)])

    expected = None if occurred_at == 2**70 else datetime(2019, 7, 26, 4, 0, tzinfo=UTC)
    assert notification.time == expected


@pytest.mark.parametrize(
    "time",
    [
        "2025-09-10T21:31:25",  # no offset, and CloudEvents times are not named UTC
        "0001-01-01T00:00:00+01:00",  # before the first representable UTC instant
        "2025-13-40T00:00:00Z",
        "2025-09-10T21:31:25Z" + "0" * 100,
    ],
)
def test_iso_times_without_an_offset_or_out_of_range_become_none(time):
    (notification,) = quickbooks([quickbooks_cloudevent(time=time)])

    assert notification.time is None
