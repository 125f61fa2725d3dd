"""Standard Webhooks sources: webhook-platforms.md §1.1 (webhook-id is the idempotency key)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.ingress.notifications import MalformedPayload, source
from tests.unit.ingress.payloads import SOURCE_HEADERS
from tests.unit.ingress.publishing import published

SOURCE_ID = "src_2c7f9a"


def test_names_a_message_after_its_type_under_source():
    body = {
        "type": "invoice.paid",
        "timestamp": "2026-11-21T08:00:00Z",
        "data": {"invoice_id": "INV-7", "amount": 5000},
    }

    (notification,) = source(body, SOURCE_HEADERS, source_id=SOURCE_ID)

    assert notification.type == "source.invoice.paid"
    assert notification.subject is None
    assert notification.accountid == SOURCE_ID
    assert notification.time == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    assert notification.dedupekey.startswith("source:")
    assert notification.data == body
    assert published([notification], provider="source")


@pytest.mark.parametrize(
    ("raw_type", "expected"),
    [
        ("Order Shipped", "source.order_shipped"),
        ("billing/invoice.PAID!", "source.billing_invoice.paid_"),
        ("..", "source.event.received"),
        ("", "source.event.received"),
        (42, "source.event.received"),
        (None, "source.event.received"),
    ],
)
def test_sanitizes_the_type_or_falls_back_to_event_received(raw_type, expected):
    (notification,) = source({"type": raw_type}, SOURCE_HEADERS, source_id=SOURCE_ID)

    assert notification.type == expected


@pytest.mark.parametrize("body", [{"test": 2432232314}, [1, 2], "text", 7, None])
def test_accepts_any_json_keeping_a_non_object_under_payload(body):
    (notification,) = source(body, SOURCE_HEADERS, source_id=SOURCE_ID)

    assert notification.data == (body if isinstance(body, dict) else {"payload": body})
    assert notification.type == "source.event.received"
    assert published([notification], provider="source")


def test_the_attempt_timestamp_is_not_taken_for_the_event_time():
    (notification,) = source({"test": 2432232314}, SOURCE_HEADERS, source_id=SOURCE_ID)

    assert notification.time is None


def test_dedupe_key_follows_webhook_id_and_source():
    retry_headers = dict(SOURCE_HEADERS, **{"webhook-timestamp": "1614265390"})
    other_message = dict(SOURCE_HEADERS, **{"webhook-id": "msg_other"})

    first = source({"a": 1}, SOURCE_HEADERS, source_id=SOURCE_ID)[0].dedupekey

    assert source({"a": 1}, retry_headers, source_id=SOURCE_ID)[0].dedupekey == first
    assert source({"a": 1}, other_message, source_id=SOURCE_ID)[0].dedupekey != first
    assert source({"a": 1}, SOURCE_HEADERS, source_id="src_other")[0].dedupekey != first


def test_reads_webhook_id_in_any_case():
    headers = {"Webhook-Id": SOURCE_HEADERS["webhook-id"]}

    assert source({}, headers, source_id=SOURCE_ID)[0].dedupekey == (
        source({}, SOURCE_HEADERS, source_id=SOURCE_ID)[0].dedupekey
    )


def test_refuses_a_message_without_webhook_id():
    with pytest.raises(MalformedPayload, match=r"^source payload: header webhook-id is missing$"):
        source({"type": "a.b"}, {"webhook-timestamp": "1614265330"}, source_id=SOURCE_ID)


def test_a_blank_source_id_is_a_caller_error_not_a_bad_payload():
    with pytest.raises(ValueError, match="source_id") as raised:
        source({}, SOURCE_HEADERS, source_id="")

    assert not isinstance(raised.value, MalformedPayload)
