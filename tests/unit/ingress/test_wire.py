"""The hot-path serializer writes exactly the event the CloudEvent model would."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.events import CloudEvent
from services.ingress import notifications
from tests.unit.ingress import payloads as p

CASES: list[tuple[str, list[notifications.Notification]]] = [
    ("quickbooks", notifications.quickbooks(p.parsed(p.QUICKBOOKS_LEGACY))),
    ("quickbooks", notifications.quickbooks([p.quickbooks_cloudevent()])),
    ("xero", notifications.xero(p.parsed(p.XERO))),
    ("zoho", notifications.zoho(p.parsed(p.ZOHO), organization_id="10234695")),
    ("stripe", notifications.stripe(p.parsed(p.STRIPE))),
    ("whatsapp", notifications.whatsapp(p.parsed(p.WHATSAPP_MESSAGE))),
    ("whatsapp", notifications.whatsapp(p.parsed(p.WHATSAPP_STATUS))),
    ("shopify", notifications.shopify(p.parsed(p.SHOPIFY_ORDER), p.SHOPIFY_HEADERS)),
    ("hubspot", notifications.hubspot(p.parsed(p.HUBSPOT))),
    ("source", notifications.source({"type": "order.paid"}, p.SOURCE_HEADERS, source_id="src_1")),
]


def _comparable(event: CloudEvent, *, with_time: bool) -> dict[str, Any]:
    fields = event.model_dump(exclude={"id"})
    if not with_time:
        fields.pop("time")
    return fields


@pytest.mark.parametrize(("provider", "found"), CASES)
def test_wire_body_parses_back_to_the_same_event_as_to_event(provider, found):
    assert found
    for notification in found:
        event_id, body = notifications.to_wire(notification, provider=provider)
        parsed = CloudEvent.from_bytes(body)
        expected = notifications.to_event(notification, provider=provider)
        assert parsed.id == event_id
        with_time = notification.time is not None
        assert _comparable(parsed, with_time=with_time) == _comparable(
            expected, with_time=with_time
        )


@given(
    subject=st.none() | st.text(max_size=40),
    # orjson.loads turns integers outside 64 bits into floats, so data never holds larger ones.
    data=st.dictionaries(
        st.text(max_size=10),
        st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text(max_size=10),
        max_size=5,
    ),
)
def test_wire_body_is_a_valid_cloudevent_for_any_subject_and_data(subject, data):
    notification = notifications.Notification(
        type="quickbooks.invoice.created",
        subject=subject,
        time=None,
        accountid="123",
        dedupekey="quickbooks:abc",
        data=data,
    )
    event_id, body = notifications.to_wire(notification, provider="quickbooks")
    assert CloudEvent.from_bytes(body).id == event_id
