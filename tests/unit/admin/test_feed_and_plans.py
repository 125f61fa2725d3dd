"""How events read in a tenant's feed, what they count, and what plans allow (pure)."""

from __future__ import annotations

import pytest

from services.admin.feed import SUMMARY_MAX, metrics_of, status_of, summary_of
from services.admin.plans import STANDARD, STARTER, Resource, events_remaining, plan_named, refusal


@pytest.mark.parametrize(
    ("event_type", "status"),
    [
        ("invoice.fiscalized", "ok"),
        ("invoice.fiscalization_failed", "failed"),
        ("delivery.failed", "failed"),
        ("connection.needs_reconnect", "failed"),
        ("endpoint.disabled", "failed"),
        ("quickbooks.invoice.created", "ok"),
    ],
)
def test_failed_types_are_failures_and_the_rest_ok(event_type, status):
    assert status_of(event_type) == status


def test_summary_reads_as_words_with_the_subject_and_is_bounded():
    assert summary_of("invoice.fiscalization_failed", "invoice/7") == (
        "Invoice fiscalization failed: invoice/7"
    )
    assert summary_of("whatsapp.message.sent", None) == "Whatsapp message sent"
    assert len(summary_of("a.b", "x" * 1000)) == SUMMARY_MAX


def test_every_event_counts_as_processed_and_some_count_twice():
    assert metrics_of("invoice.fiscalized") == ("events_processed", "invoices_fiscalized")
    assert metrics_of("whatsapp.message.sent") == ("events_processed", "messages_sent")
    assert metrics_of("invoice.ready") == ("events_processed",)


def test_starter_caps_api_keys_and_standard_caps_nothing():
    assert refusal(STARTER, Resource.API_KEYS, in_use=1) is None
    assert "at most 2 API keys" in (refusal(STARTER, Resource.API_KEYS, in_use=2) or "")
    assert refusal(STANDARD, Resource.API_KEYS, in_use=10_000) is None


def test_unknown_plan_gets_starter_limits_and_remaining_events_never_go_negative():
    assert plan_named("enterprise-typo").limits == STARTER.limits
    assert plan_named("standard") is STANDARD
    assert events_remaining(STARTER, used=1_500) == 0
    assert events_remaining(STANDARD, used=1_500) is None


def test_a_short_reason_code_joins_the_summary_and_anything_else_is_ignored():
    assert summary_of("invoice.sync_skipped", "checkout.session/cs_1", "not connected") == (
        "Invoice sync skipped: checkout.session/cs_1 (not connected)"
    )
    assert summary_of("invoice.sync_failed", None, "invalid_invoice") == (
        "Invoice sync failed (invalid invoice)"
    )
    for unsafe in ("Jenny Rosen <jenny@example.com>", "x" * 80, 42, None):
        assert summary_of("invoice.sync_failed", None, unsafe) == "Invoice sync failed"


def test_a_detail_written_for_the_tenant_ends_the_summary():
    assert summary_of("invoice.fiscalization_failed", "invoice/7", "refused by efris",
                      "EFRIS 2180:  currency\nerror") == (
        "Invoice fiscalization failed: invoice/7 (refused by efris): EFRIS 2180: currency error"
    )  # fmt: skip
