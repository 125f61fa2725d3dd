"""Shopify: providers.md §6.1 (headers), §6.3 (dedupe on X-Shopify-Webhook-Id), §6.4 (orders/create)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.ingress.notifications import MalformedPayload, shopify
from tests.unit.ingress.payloads import SHOPIFY_HEADERS, SHOPIFY_ORDER, parsed
from tests.unit.ingress.publishing import published


def test_names_routes_and_subjects_an_order_creation_from_its_headers():
    (notification,) = shopify(parsed(SHOPIFY_ORDER), SHOPIFY_HEADERS)

    assert notification.type == "shopify.orders.create"
    assert notification.subject == "orders/820982911946154508"
    assert notification.accountid == "shop1.myshopify.com"
    assert notification.time == datetime(2021, 12, 31, 19, 0, 1, 123456, tzinfo=UTC)
    assert notification.dedupekey == "shopify:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert notification.data == parsed(SHOPIFY_ORDER)
    assert notification.data["id"] == 820982911946154508  # beyond 2**53, kept exact
    assert published([notification], provider="shopify")


def test_reads_headers_in_any_case_and_lowercases_the_shop_domain():
    headers = {name.lower(): value for name, value in SHOPIFY_HEADERS.items()}
    headers["x-shopify-shop-domain"] = "Shop1.MyShopify.com"

    (notification,) = shopify(parsed(SHOPIFY_ORDER), headers)

    assert notification.accountid == "shop1.myshopify.com"
    assert notification.type == "shopify.orders.create"


def test_reads_the_unprefixed_headers_of_the_events_product():
    headers = {
        "shopify-topic": "app/uninstalled",
        "shopify-shop-domain": "shop1.myshopify.com",
        "shopify-webhook-id": "e6f1a3c2-0000-4000-8000-000000000003",
    }

    (notification,) = shopify({"id": 548380009, "name": "Super Toys"}, headers)

    assert notification.type == "shopify.app.uninstalled"
    assert notification.subject == "app/548380009"


def test_falls_back_to_the_resources_own_time_without_triggered_at():
    headers = {k: v for k, v in SHOPIFY_HEADERS.items() if k != "X-Shopify-Triggered-At"}

    (notification,) = shopify(parsed(SHOPIFY_ORDER), headers)

    assert notification.time == datetime(2022, 1, 1, 0, 0, tzinfo=UTC)


def test_dedupe_key_is_the_webhook_id_so_retries_collapse():
    retry = dict(SHOPIFY_HEADERS, **{"X-Shopify-Triggered-At": "2021-12-31T19:05:00Z"})
    other_delivery = dict(
        SHOPIFY_HEADERS, **{"X-Shopify-Webhook-Id": "0d8a7c1e-0000-4000-8000-000000000004"}
    )

    first = shopify(parsed(SHOPIFY_ORDER), SHOPIFY_HEADERS)[0].dedupekey

    assert shopify(parsed(SHOPIFY_ORDER), retry)[0].dedupekey == first
    assert shopify(parsed(SHOPIFY_ORDER), other_delivery)[0].dedupekey != first


def test_accepts_topics_it_does_not_handle():
    headers = dict(SHOPIFY_HEADERS, **{"X-Shopify-Topic": "customers_marketing_consent/update"})

    (notification,) = shopify({"id": 706405506930370084}, headers)

    assert notification.type == "shopify.customers_marketing_consent.update"


@pytest.mark.parametrize(
    "header", ["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id"]
)
def test_refuses_a_delivery_missing_a_routing_header(header):
    headers = {k: v for k, v in SHOPIFY_HEADERS.items() if k != header}

    with pytest.raises(MalformedPayload, match=rf"^shopify payload: header {header} is missing$"):
        shopify(parsed(SHOPIFY_ORDER), headers)


def test_refuses_a_header_given_twice_with_different_values():
    headers = dict(SHOPIFY_HEADERS, **{"x-shopify-topic": "orders/paid"})

    with pytest.raises(MalformedPayload, match="appears with different values"):
        shopify(parsed(SHOPIFY_ORDER), headers)


def test_refuses_a_body_that_is_not_an_object():
    with pytest.raises(
        MalformedPayload, match=r"^shopify payload: the body must be a JSON object, not array$"
    ):
        shopify([parsed(SHOPIFY_ORDER)], SHOPIFY_HEADERS)
