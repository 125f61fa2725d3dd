"""QuickBooks: providers.md §1.1 (legacy), §1.2 (CloudEvents), §1.4 (never 4xx), §1.6 (dedupe)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.ingress.notifications import MalformedPayload, quickbooks
from tests.unit.ingress.payloads import (
    QUICKBOOKS_LEGACY,
    parsed,
    quickbooks_cloudevent,
)
from tests.unit.ingress.publishing import published


def test_splits_a_legacy_notification_into_one_notification_per_entity():
    customer, vendor = quickbooks(parsed(QUICKBOOKS_LEGACY))

    assert customer.type == "quickbooks.customer.created"
    assert vendor.type == "quickbooks.vendor.created"
    assert customer.subject == "customer/1"
    assert vendor.subject == "vendor/1"
    assert customer.accountid == vendor.accountid == "1185883450"
    assert customer.time == datetime(2015, 10, 5, 21, 42, 19, tzinfo=UTC)
    assert customer.dedupekey.startswith("quickbooks:")
    assert customer.dedupekey != vendor.dedupekey


def test_legacy_data_is_the_one_entity_plus_its_realm():
    customer, _ = quickbooks(parsed(QUICKBOOKS_LEGACY))

    assert customer.data == {
        "name": "Customer",
        "id": "1",
        "operation": "Create",
        "lastUpdated": "2015-10-05T14:42:19-0700",
        "realmId": "1185883450",
    }


def test_splits_a_legacy_post_carrying_two_realms():
    body = parsed(QUICKBOOKS_LEGACY)
    second_realm = {
        "realmId": "9130350001",
        "dataChangeEvent": {
            "entities": [
                {
                    "name": "Invoice",
                    "id": "145",
                    "operation": "Update",
                    "lastUpdated": "2026-11-21T08:00:00.000Z",
                }
            ]
        },
    }
    body["eventNotifications"].append(second_realm)

    notifications = quickbooks(body)

    assert [n.accountid for n in notifications] == ["1185883450", "1185883450", "9130350001"]
    assert notifications[2].type == "quickbooks.invoice.updated"
    assert notifications[2].subject == "invoice/145"


def test_splits_a_cloudevents_post_carrying_two_realms():
    body = [
        quickbooks_cloudevent(),
        quickbooks_cloudevent(
            id="0c7e3a9e-8e4b-4f5e-9d7e-3f2b1a0c9d8e",
            type="qbo.customer.updated.v1",
            intuitentityid="58",
            intuitaccountid="9130350001",
        ),
    ]

    invoice, customer = quickbooks(body)

    assert invoice.type == "quickbooks.invoice.created"
    assert invoice.subject == "invoice/145"
    assert invoice.accountid == "310687"
    assert invoice.time == datetime(2025, 9, 10, 21, 31, 25, 179851, tzinfo=UTC)
    assert invoice.dedupekey == "quickbooks:88cd52aa-33b6-4351-9aa4-47572edbd068"
    assert invoice.data == body[0]
    assert customer.type == "quickbooks.customer.updated"
    assert customer.accountid == "9130350001"
    assert customer.subject == "customer/58"


@pytest.mark.parametrize(
    ("operation", "cloudevent_action", "action"),
    [
        ("Create", "created", "created"),
        ("Update", "updated", "updated"),
        ("Delete", "deleted", "deleted"),
        ("Void", "void", "voided"),
        ("Merge", "merged", "merged"),
        ("Emailed", "emailed", "emailed"),
    ],
)
def test_both_formats_name_an_operation_the_same_way(operation, cloudevent_action, action):
    legacy = parsed(QUICKBOOKS_LEGACY)
    legacy["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["operation"] = operation
    cloudevent = [quickbooks_cloudevent(type=f"qbo.invoice.{cloudevent_action}.v1")]

    assert quickbooks(legacy)[0].type == f"quickbooks.customer.{action}"
    assert quickbooks(cloudevent)[0].type == f"quickbooks.invoice.{action}"


def test_accepts_entities_and_operations_it_does_not_handle():
    # §1.4: a 4xx to Intuit holds back every later event, for every realm.
    legacy = parsed(QUICKBOOKS_LEGACY)
    entity = legacy["eventNotifications"][0]["dataChangeEvent"]["entities"][0]
    entity.update(name="TimeActivity", operation="Merge")
    future = [quickbooks_cloudevent(type="qbo.Recurring-Transaction.Archived.v2")]

    assert quickbooks(legacy)[0].type == "quickbooks.timeactivity.merged"
    assert quickbooks(future)[0].type == "quickbooks.recurring_transaction.archived"
    assert published(quickbooks(legacy) + quickbooks(future), provider="quickbooks")


@pytest.mark.parametrize(
    ("raw_type", "expected"),
    [
        ("qbo.invoice.created", "quickbooks.invoice.created"),
        ("invoice.created.v1", "quickbooks.invoice.created"),
        ("qbo.invoice.v1", "quickbooks.invoice"),
        ("qbo", "quickbooks.unknown"),
        ("", "quickbooks.unknown"),
        ("Qbo.Journal Entry.Update.V3", "quickbooks.journal_entry.updated"),
    ],
)
def test_parses_cloudevent_types_tolerantly(raw_type, expected):
    (notification,) = quickbooks([quickbooks_cloudevent(type=raw_type)])

    assert notification.type == expected
    assert published([notification], provider="quickbooks")


def test_legacy_dedupe_keys_survive_a_retry_and_tell_changes_apart():
    first = quickbooks(parsed(QUICKBOOKS_LEGACY))
    retry = quickbooks(parsed(QUICKBOOKS_LEGACY))
    later = parsed(QUICKBOOKS_LEGACY)
    later["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["lastUpdated"] = (
        "2015-10-05T14:50:00-0700"
    )
    updated = parsed(QUICKBOOKS_LEGACY)
    updated["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["operation"] = "Update"

    assert [n.dedupekey for n in first] == [n.dedupekey for n in retry]
    assert quickbooks(later)[0].dedupekey != first[0].dedupekey
    assert quickbooks(updated)[0].dedupekey != first[0].dedupekey
    assert quickbooks(later)[1].dedupekey == first[1].dedupekey


def test_cloudevent_dedupe_key_is_the_event_id():
    first = quickbooks([quickbooks_cloudevent()])
    retry = quickbooks([quickbooks_cloudevent()])
    other = quickbooks([quickbooks_cloudevent(id="5d0f5a8e-0000-4000-8000-000000000001")])

    assert first[0].dedupekey == retry[0].dedupekey
    assert first[0].dedupekey != other[0].dedupekey


def test_an_unreadable_time_is_none_rather_than_a_refusal():
    legacy = parsed(QUICKBOOKS_LEGACY)
    legacy["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["lastUpdated"] = "yesterday"
    del legacy["eventNotifications"][0]["dataChangeEvent"]["entities"][1]["lastUpdated"]

    customer, vendor = quickbooks(legacy)

    assert customer.time is None
    assert vendor.time is None
    assert published([customer, vendor], provider="quickbooks")[0].time is not None


def test_empty_batches_give_no_notifications():
    assert quickbooks([]) == []
    assert quickbooks({"eventNotifications": []}) == []
    assert (
        quickbooks({"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": []}}]})
        == []
    )


def test_accepts_integer_ids_and_unknown_extra_fields():
    body = {
        "eventNotifications": [
            {
                "realmId": 1185883450,
                "extra": {"nested": True},
                "dataChangeEvent": {
                    "entities": [{"name": "Invoice", "id": 145, "operation": "Create", "new": 1}]
                },
            }
        ]
    }

    (notification,) = quickbooks(body)

    assert notification.accountid == "1185883450"
    assert notification.subject == "invoice/145"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("eventNotifications", "the body must be a JSON array"),
        ({"events": []}, "eventNotifications is missing"),
        ({"eventNotifications": {}}, "eventNotifications must be a JSON array, not object"),
        ({"eventNotifications": [[]]}, "eventNotifications[0] must be a JSON object, not array"),
        (
            {"eventNotifications": [{"dataChangeEvent": {"entities": []}}]},
            "eventNotifications[0].realmId is missing",
        ),
        (
            {"eventNotifications": [{"realmId": " ", "dataChangeEvent": {"entities": []}}]},
            "eventNotifications[0].realmId must not be blank",
        ),
        (
            {"eventNotifications": [{"realmId": "1"}]},
            "eventNotifications[0].dataChangeEvent is missing",
        ),
        (
            {
                "eventNotifications": [
                    {
                        "realmId": "1",
                        "dataChangeEvent": {
                            "entities": [{"name": "Invoice", "operation": "Create"}]
                        },
                    }
                ]
            },
            "eventNotifications[0].dataChangeEvent.entities[0].id is missing",
        ),
        (
            {
                "eventNotifications": [
                    {
                        "realmId": "1",
                        "dataChangeEvent": {
                            "entities": [{"name": 7, "id": "1", "operation": "Create"}]
                        },
                    }
                ]
            },
            "eventNotifications[0].dataChangeEvent.entities[0].name must be a string, not number",
        ),
        ([quickbooks_cloudevent(intuitaccountid=None)], "[0].intuitaccountid is missing"),
        ([{"type": "qbo.invoice.created.v1", "intuitaccountid": "1"}], "[0].id is missing"),
        ([quickbooks_cloudevent(type=["qbo"])], "[0].type must be a string, not array"),
        ([quickbooks_cloudevent(intuitaccountid="9" * 201)], "[0].intuitaccountid is too long"),
    ],
)
def test_refuses_bodies_that_are_not_quickbooks_shaped_naming_what_is_wrong(body, where):
    with pytest.raises(MalformedPayload) as raised:
        quickbooks(body)

    assert str(raised.value).startswith(f"quickbooks payload: {where}")
    assert raised.value.provider == "quickbooks"
