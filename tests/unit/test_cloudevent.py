from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.events import CloudEvent, EventError


def _event(**changes):
    fields = {
        "source": "/providers/quickbooks",
        "type": "quickbooks.invoice.created",
        "subject": "invoice/145",
        "accountid": "9130350001",
        "dedupekey": "qb:9130350001:invoice:145:Create",
        "data": {"id": "145"},
    }
    fields.update(changes)
    return CloudEvent(**fields)


def test_round_trips_through_structured_json():
    event = _event()
    assert CloudEvent.from_bytes(event.to_bytes()) == event
    assert b'"tenantid"' not in event.to_bytes()  # absent attributes are omitted, not null


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"not json", "event"),
        (b'{"specversion": "0.3", "source": "/providers/x", "type": "a.b"}', "specversion"),
        (b'{"source": "/providers/x", "type": "NoDots"}', "type"),
        (b'{"source": "http://evil", "type": "a.b"}', "source"),
        (b'{"source": "/providers/x", "type": "a.b", "tenant": "typo"}', "tenant"),
        (b'{"source": "/providers/x", "type": "a.b", "time": "2026-01-01T00:00:00"}', "time"),
    ],
)
def test_invalid_events_are_refused_naming_the_attribute(body, where):
    with pytest.raises(EventError) as raised:
        CloudEvent.from_bytes(body)
    assert raised.value.reason.startswith(where)


def test_derive_sets_a_new_id_and_validates_changes():
    event = _event()
    routed = event.derive(tenantid="tenant-1")
    assert routed.id != event.id
    assert routed.tenantid == "tenant-1"
    with pytest.raises(ValueError, match="type"):
        event.derive(type="Bad Type")


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_parser(body):
    with contextlib.suppress(EventError):
        CloudEvent.from_bytes(body)
