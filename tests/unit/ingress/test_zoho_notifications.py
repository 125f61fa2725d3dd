"""Zoho Books: providers.md §3.3 (payload, no dedupe id), §3.4 (organization from the connection)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from services.ingress.notifications import MalformedPayload, zoho
from tests.unit.ingress.payloads import ZOHO, parsed
from tests.unit.ingress.publishing import published

ORGANIZATION = "10234695"


def _invoice(**fields):
    body = parsed(ZOHO)
    body["invoice"].update(fields)
    return body


def test_names_routes_and_subjects_an_invoice_from_the_default_payload():
    (notification,) = zoho(parsed(ZOHO), organization_id=ORGANIZATION)

    assert notification.type == "zoho.invoice.created"
    assert notification.subject == "invoice/982000000567114"
    assert notification.accountid == ORGANIZATION
    assert notification.time is None
    assert notification.dedupekey.startswith("zoho:")
    assert notification.data == {**parsed(ZOHO), "organization_id": ORGANIZATION}
    assert published([notification], provider="zoho")


def test_a_record_modified_after_creation_is_an_update():
    created = _invoice(
        created_time="2026-04-23T14:15:00-0500", last_modified_time="2026-04-23T14:15:00-0500"
    )
    updated = _invoice(
        created_time="2026-04-23T14:15:00-0500", last_modified_time="2026-04-24T09:00:00-0500"
    )

    (first,) = zoho(created, organization_id=ORGANIZATION)
    (second,) = zoho(updated, organization_id=ORGANIZATION)

    assert first.type == "zoho.invoice.created"
    assert second.type == "zoho.invoice.updated"
    assert second.time == datetime(2026, 4, 24, 14, 0, tzinfo=UTC)


def test_other_modules_are_named_after_their_key():
    body = {"salesorder": {"salesorder_id": "4600000001", "status": "open"}}

    (notification,) = zoho(body, organization_id=ORGANIZATION)

    assert notification.type == "zoho.salesorder.created"
    assert notification.subject == "salesorder/4600000001"


def test_reads_the_organization_from_the_payload_when_it_agrees():
    body = {**_invoice(organization_id=ORGANIZATION), "organization_id": int(ORGANIZATION)}

    (notification,) = zoho(body, organization_id=ORGANIZATION)

    assert notification.accountid == ORGANIZATION


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"organization_id": "999"}, "organization_id does not match"),
        (
            {"invoice": {"invoice_id": "1", "organization_id": "999"}},
            "invoice.organization_id does not match",
        ),
    ],
)
def test_refuses_a_payload_naming_another_organization(body, where):
    # The path token chose the tenant; routing another organization's record there would leak it.
    body = {**parsed(ZOHO), **body}

    with pytest.raises(MalformedPayload, match=f"^{re.escape(f'zoho payload: {where}')}"):
        zoho(body, organization_id=ORGANIZATION)


def test_dedupe_keys_survive_a_retry_and_tell_changes_apart():
    first = zoho(
        _invoice(last_modified_time="2026-04-23T14:15:00-0500"), organization_id=ORGANIZATION
    )
    retry = zoho(
        _invoice(last_modified_time="2026-04-23T14:15:00-0500"), organization_id=ORGANIZATION
    )
    later = zoho(
        _invoice(last_modified_time="2026-04-23T15:00:00-0500"), organization_id=ORGANIZATION
    )
    elsewhere = zoho(
        _invoice(last_modified_time="2026-04-23T14:15:00-0500"), organization_id="10234696"
    )

    assert first[0].dedupekey == retry[0].dedupekey
    assert len({first[0].dedupekey, later[0].dedupekey, elsewhere[0].dedupekey}) == 3


def test_without_a_modification_time_the_record_itself_tells_changes_apart():
    sent = zoho(parsed(ZOHO), organization_id=ORGANIZATION)
    again = zoho(parsed(ZOHO), organization_id=ORGANIZATION)
    paid = zoho(_invoice(status="paid"), organization_id=ORGANIZATION)

    assert sent[0].dedupekey == again[0].dedupekey
    assert sent[0].dedupekey != paid[0].dedupekey


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([parsed(ZOHO)], "the body must be a JSON object, not array"),
        ({"invoice_id": "1"}, "the body has no entity object"),
        ({"invoice": {"status": "sent"}}, "the body has no entity object"),
        (
            {"invoice": {"invoice_id": "1"}, "contact": {"contact_id": "2"}},
            "the body has 2 entity objects",
        ),
        ({"invoice": {"invoice_id": None}}, "invoice.invoice_id is missing"),
        (
            {"invoice": {"invoice_id": {"id": 1}}},
            "invoice.invoice_id must be a string or an integer",
        ),
    ],
)
def test_refuses_bodies_that_are_not_zoho_shaped_naming_what_is_wrong(body, where):
    with pytest.raises(MalformedPayload, match=f"^{re.escape(f'zoho payload: {where}')}"):
        zoho(body, organization_id=ORGANIZATION)


def test_a_blank_organization_id_is_a_caller_error_not_a_bad_payload():
    with pytest.raises(ValueError, match="organization_id") as raised:
        zoho(parsed(ZOHO), organization_id=" ")

    assert not isinstance(raised.value, MalformedPayload)


def test_only_lower_case_module_keys_name_an_entity():
    body = {"Invoice Copy": {"Invoice Copy_id": "1"}, **parsed(ZOHO)}

    (notification,) = zoho(body, organization_id=ORGANIZATION)

    assert notification.type == "zoho.invoice.created"
