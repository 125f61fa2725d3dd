"""WhatsApp Cloud API: providers.md §5.3 (payloads), §5.4 (routing), §5.5 (dedupe)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from services.ingress.notifications import MalformedPayload, whatsapp
from tests.unit.ingress.payloads import WHATSAPP_MESSAGE, WHATSAPP_STATUS, parsed
from tests.unit.ingress.publishing import published

WAMID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
STATUS_WAMID = "wamid.HBgNNTUxNjk5MjMxODIyMhUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA="


def _value(body):
    return body["entry"][0]["changes"][0]["value"]


def test_names_routes_and_subjects_an_inbound_message():
    (notification,) = whatsapp(parsed(WHATSAPP_MESSAGE))

    assert notification.type == "whatsapp.message.received"
    assert notification.subject == f"message/{WAMID}"
    assert notification.accountid == "106540352242922"
    assert notification.time == datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC)
    assert notification.dedupekey == f"whatsapp:{WAMID}"
    assert notification.data == _value(parsed(WHATSAPP_MESSAGE))


def test_names_a_status_after_its_state():
    (notification,) = whatsapp(parsed(WHATSAPP_STATUS))

    assert notification.type == "whatsapp.status.delivered"
    assert notification.subject == f"message/{STATUS_WAMID}"
    assert notification.accountid == "590968830767958"
    assert notification.time == datetime(2025, 6, 25, 13, 16, 24, tzinfo=UTC)
    assert notification.dedupekey.startswith("whatsapp:")
    assert published([notification], provider="whatsapp")


def test_splits_messages_and_statuses_of_several_numbers_in_one_post():
    body = parsed(WHATSAPP_MESSAGE)
    value = _value(body)
    second = copy.deepcopy(value["messages"][0])
    second.update(id="wamid.SECOND", **{"from": "256700000001"})
    value["messages"].append(second)
    value["contacts"].append({"profile": {"name": "Okello"}, "wa_id": "256700000001"})
    value["statuses"] = _value(parsed(WHATSAPP_STATUS))["statuses"]
    body["entry"].append(parsed(WHATSAPP_STATUS)["entry"][0])

    first, other, own_status, status = whatsapp(body)

    assert [n.type for n in (first, other, own_status, status)] == [
        "whatsapp.message.received",
        "whatsapp.message.received",
        "whatsapp.status.delivered",
        "whatsapp.status.delivered",
    ]
    assert [n.accountid for n in (first, other, own_status, status)] == [
        "106540352242922",
        "106540352242922",
        "106540352242922",
        "590968830767958",
    ]
    # Each message keeps only its own sender's contact; a status carries no contacts.
    assert other.data["messages"] == [second]
    assert other.data["contacts"] == [{"profile": {"name": "Okello"}, "wa_id": "256700000001"}]
    assert first.data["contacts"][0]["wa_id"] == "16505551234"
    assert "contacts" not in own_status.data
    assert "messages" not in own_status.data
    assert published([first, other, own_status, status], provider="whatsapp")


def test_status_keys_tell_the_states_of_one_message_apart():
    delivered = parsed(WHATSAPP_STATUS)
    read = parsed(WHATSAPP_STATUS)
    _value(read)["statuses"][0]["status"] = "read"

    (first,) = whatsapp(delivered)
    (retry,) = whatsapp(parsed(WHATSAPP_STATUS))
    (second,) = whatsapp(read)

    assert first.dedupekey == retry.dedupekey
    assert second.type == "whatsapp.status.read"
    assert second.dedupekey != first.dedupekey
    assert second.subject == first.subject


def test_falls_back_to_the_business_account_id_without_a_phone_number_id():
    body = parsed(WHATSAPP_MESSAGE)
    del _value(body)["metadata"]

    (notification,) = whatsapp(body)

    assert notification.accountid == "102290129340398"


def test_a_change_without_messages_or_statuses_is_kept_as_one_notification():
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "time": 1750857384,
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": "APPROVED",
                            "message_template_id": 594425479261596,
                            "message_template_name": "order_ready",
                        },
                    }
                ],
            }
        ],
    }

    (notification,) = whatsapp(body)
    (retry,) = whatsapp(copy.deepcopy(body))

    assert notification.type == "whatsapp.message_template_status_update.changed"
    assert notification.accountid == "102290129340398"
    assert notification.time == datetime(2025, 6, 25, 13, 16, 24, tzinfo=UTC)
    assert notification.dedupekey == retry.dedupekey
    assert notification.data["value"]["event"] == "APPROVED"
    assert published([notification], provider="whatsapp")


def test_empty_entries_and_item_lists_give_no_notifications():
    body = parsed(WHATSAPP_MESSAGE)
    _value(body)["messages"] = []

    assert whatsapp(body) == []
    assert whatsapp({"object": "whatsapp_business_account", "entry": []}) == []


def test_a_bad_timestamp_leaves_time_empty():
    body = parsed(WHATSAPP_MESSAGE)
    _value(body)["messages"][0]["timestamp"] = "17494163830000000000000"

    (notification,) = whatsapp(body)

    assert notification.time is None


def _without(path):
    body = parsed(WHATSAPP_MESSAGE)
    *parents, last = path
    target = body
    for key in parents:
        target = target[key]
    del target[last]
    return body


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([], "the body must be a JSON object, not array"),
        ({"object": "whatsapp_business_account"}, "entry is missing"),
        (_without(["entry", 0, "changes"]), "entry[0].changes is missing"),
        (_without(["entry", 0, "changes", 0, "value"]), "entry[0].changes[0].value is missing"),
        (
            _without(["entry", 0, "changes", 0, "value", "messages", 0, "id"]),
            "entry[0].changes[0].value.messages[0].id is missing",
        ),
        (
            {"entry": [{"changes": [{"field": "messages", "value": {"messages": []}}]}]},
            "entry[0].changes[0].value.metadata.phone_number_id is missing",
        ),
        (
            {"entry": [{"id": "1", "changes": [{"value": {"metadata": [], "messages": []}}]}]},
            "entry[0].changes[0].value.metadata must be a JSON object",
        ),
        (
            {"entry": [{"id": "1", "changes": [{"value": {"statuses": [{"id": "wamid.1"}]}}]}]},
            "entry[0].changes[0].value.statuses[0].status is missing",
        ),
        (
            {"entry": [{"id": "1", "changes": [{"value": {"messages": {"id": "wamid.1"}}}]}]},
            "entry[0].changes[0].value.messages must be a JSON array",
        ),
    ],
)
def test_refuses_bodies_that_are_not_whatsapp_shaped_naming_what_is_wrong(body, where):
    with pytest.raises(MalformedPayload) as raised:
        whatsapp(body)

    assert str(raised.value).startswith(f"whatsapp payload: {where}")
