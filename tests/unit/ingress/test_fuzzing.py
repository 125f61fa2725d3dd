"""Property: whatever JSON a verified POST carries, a split gives publishable notifications or MalformedPayload.

Anything else (KeyError, TypeError, AttributeError, a pydantic error at publish time) would
escape ingress's error mapping as a 500, which every provider retries, and which for
QuickBooks holds back all later events. Bodies are arbitrary JSON, and each provider's real
samples with values replaced, keys dropped or added at any depth, so examples also get past
the first check and reach the deep ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingress.notifications import (
    MalformedPayload,
    Notification,
    hubspot,
    quickbooks,
    shopify,
    source,
    stripe,
    whatsapp,
    xero,
    zoho,
)
from tests.unit.ingress import payloads
from tests.unit.ingress.publishing import published

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_NAMES = st.sampled_from(
    ["id", "type", "name", "realmId", "eventId", "portalId", "status", "timestamp", "metadata"]
)
_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "qbo.invoice.created.v1", "2025-10-21T01:15:39.902", "1700000000"]),
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(_NAMES, st.text(max_size=8)), children, max_size=4)
    ),
    max_leaves=24,
)


def _chance(one_in: int) -> st.SearchStrategy[bool]:
    # A middle value, not 0: Hypothesis favours the bounds of a range.
    return st.integers(0, one_in - 1).map(lambda drawn: drawn == one_in // 2)


@st.composite
def _mutated(draw: st.DrawFn, value: Any, *, one_in: int | None = None) -> Any:
    """`value` with, at any depth, values replaced by arbitrary JSON, keys dropped or added.

    Each example picks how often to mutate, so some reach deep code with one field wrong
    and others scramble everything.
    """
    if one_in is None:
        one_in = draw(st.sampled_from([200, 40, 12, 4]))
    if draw(_chance(one_in)):
        return draw(JSON)
    if isinstance(value, dict):
        kept = {
            key: draw(_mutated(item, one_in=one_in))
            for key, item in value.items()
            if not draw(_chance(one_in))
        }
        extra = (
            draw(st.dictionaries(st.text(max_size=8), JSON, max_size=1))
            if draw(_chance(one_in))
            else {}
        )
        return {**extra, **kept}
    if isinstance(value, list):
        items = [draw(_mutated(item, one_in=one_in)) for item in value]
        return items + ([draw(JSON)] if draw(_chance(one_in)) else [])
    return value


def _bodies(*samples: Any) -> st.SearchStrategy[Any]:
    return st.one_of(JSON, *(_mutated(sample) for sample in samples))


def _headers(sample: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    names = st.sampled_from(sorted(sample))
    header_names = st.one_of(
        names, names.map(str.lower), names.map(str.upper), st.text(max_size=10)
    )
    arbitrary = st.dictionaries(header_names, st.text(max_size=40), max_size=6)
    changed = st.builds(
        lambda changes, dropped: {
            name: value for name, value in {**sample, **changes}.items() if name not in dropped
        },
        st.dictionaries(header_names, _TEXT, max_size=2),
        st.sets(names, max_size=2),
    )
    return st.one_of(arbitrary, changed)


def _splits_cleanly(split: Callable[[], list[Notification]], *, provider: str) -> None:
    try:
        notifications = split()
    except MalformedPayload:
        return
    assert isinstance(notifications, list)
    assert all(isinstance(notification, Notification) for notification in notifications)
    published(notifications, provider=provider)


_QUICKBOOKS_LEGACY = payloads.parsed(payloads.QUICKBOOKS_LEGACY)
_QUICKBOOKS_CLOUDEVENTS = [payloads.quickbooks_cloudevent(), payloads.quickbooks_cloudevent()]
_XERO = payloads.xero_batch(payloads.xero_event(), payloads.xero_event(eventType="CREATE"))
_ZOHO = {
    "organization_id": "10234695",
    "invoice": {
        **payloads.parsed(payloads.ZOHO)["invoice"],
        "organization_id": "10234695",
        "created_time": "2026-04-23T14:15:00-0500",
        "last_modified_time": "2026-04-24T09:00:00-0500",
    },
}
_WHATSAPP = payloads.parsed(payloads.WHATSAPP_MESSAGE)
_WHATSAPP["entry"] += payloads.parsed(payloads.WHATSAPP_STATUS)["entry"]


@FUZZ
@given(body=_bodies(_QUICKBOOKS_LEGACY, _QUICKBOOKS_CLOUDEVENTS))
def test_quickbooks_bodies_split_cleanly_or_are_malformed(body: Any):
    _splits_cleanly(lambda: quickbooks(body), provider="quickbooks")


@FUZZ
@given(body=_bodies(_XERO, payloads.parsed(payloads.XERO_INTENT_TO_RECEIVE)))
def test_xero_bodies_split_cleanly_or_are_malformed(body: Any):
    _splits_cleanly(lambda: xero(body), provider="xero")


@FUZZ
@given(body=_bodies(_ZOHO, {"salesorder": {"salesorder_id": 4600000001}}))
def test_zoho_bodies_split_cleanly_or_are_malformed(body: Any):
    _splits_cleanly(lambda: zoho(body, organization_id="10234695"), provider="zoho")


@FUZZ
@given(body=_bodies(payloads.parsed(payloads.STRIPE)))
def test_stripe_bodies_split_cleanly_or_are_malformed(body: Any):
    _splits_cleanly(lambda: stripe(body), provider="stripe")


@FUZZ
@given(body=_bodies(_WHATSAPP))
def test_whatsapp_bodies_split_cleanly_or_are_malformed(body: Any):
    _splits_cleanly(lambda: whatsapp(body), provider="whatsapp")


@FUZZ
@given(
    body=_bodies(payloads.parsed(payloads.SHOPIFY_ORDER)),
    headers=_headers(payloads.SHOPIFY_HEADERS),
)
def test_shopify_bodies_and_headers_split_cleanly_or_are_malformed(
    body: Any, headers: dict[str, str]
):
    _splits_cleanly(lambda: shopify(body, headers), provider="shopify")


@FUZZ
@given(body=_bodies(payloads.parsed(payloads.HUBSPOT)))
def test_hubspot_bodies_split_cleanly_or_are_malformed(body: Any):
    _splits_cleanly(lambda: hubspot(body), provider="hubspot")


@FUZZ
@given(
    body=_bodies({"type": "invoice.paid", "timestamp": "2026-11-21T08:00:00Z", "data": {}}),
    headers=_headers(payloads.SOURCE_HEADERS),
)
def test_source_bodies_and_headers_split_cleanly_or_are_malformed(
    body: Any, headers: dict[str, str]
):
    _splits_cleanly(lambda: source(body, headers, source_id="src_2c7f9a"), provider="source")
