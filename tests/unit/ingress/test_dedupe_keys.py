"""Dedupe keys: stable for the same fields, different for different ones, any JSON depth."""

from __future__ import annotations

from services.ingress.notifications._dedupe import MAX_KEY, dedupe_key, digest_key


def test_the_same_fields_give_the_same_key_and_order_matters():
    key = digest_key("xero", ["t1", "INVOICE", "r1", "UPDATE", "2025-10-21T01:15:39.902"])
    assert key == digest_key("xero", ["t1", "INVOICE", "r1", "UPDATE", "2025-10-21T01:15:39.902"])
    assert key != digest_key("xero", ["t1", "INVOICE", "r1", "CREATE", "2025-10-21T01:15:39.902"])
    assert key != digest_key("xero", ["INVOICE", "t1", "r1", "UPDATE", "2025-10-21T01:15:39.902"])
    assert key.startswith("xero:")


def test_object_fields_are_keyed_whatever_their_key_order():
    assert digest_key("zoho", [{"a": 1, "b": "é"}]) == digest_key("zoho", [{"b": "é", "a": 1}])


def test_a_separator_inside_a_field_cannot_collide_with_two_fields():
    assert digest_key("q", ["a,b"]) != digest_key("q", ["a", "b"])


def test_records_nested_deeper_than_the_fast_encoder_goes_still_get_a_stable_key():
    deep: object = "leaf"
    for _ in range(400):
        deep = {"x": deep}
    assert digest_key("zoho", [deep]) == digest_key("zoho", [deep])


def test_a_provider_id_too_long_for_a_key_is_hashed():
    assert dedupe_key("stripe", "evt_1") == "stripe:evt_1"
    assert len(dedupe_key("stripe", "e" * 400)) <= MAX_KEY
