"""How provider and connection failures become broker decisions (retry tier, DLQ, or an answer)."""

from __future__ import annotations

import pytest

from libs.broker import PermanentError, RetryableError
from libs.http import (
    AuthExpired,
    MalformedResponse,
    NotFound,
    ProviderRejected,
    ProviderUnavailable,
)
from services.erp_sync.failures import provider_failures
from services.erp_sync.tokens import NeedsReconnect


def test_a_429_keeps_the_providers_retry_after_for_the_tiers():
    with pytest.raises(RetryableError) as raised, provider_failures():
        raise ProviderUnavailable(
            "ThrottleExceeded", provider="quickbooks", status=429, retry_after=42
        )
    assert raised.value.retry_after == 42


@pytest.mark.parametrize(
    ("error", "decision"),
    [
        (ProviderUnavailable("down", provider="xero", status=503), RetryableError),
        (MalformedResponse("not JSON", provider="zoho"), RetryableError),
        (AuthExpired("still 401", provider="xero", status=401), RetryableError),
        (ProviderRejected("bad request", provider="quickbooks", status=400), PermanentError),
        (NeedsReconnect("c1", "needs_reconnect"), PermanentError),
    ],
)
def test_each_failure_has_one_decision(error, decision):
    with pytest.raises(decision), provider_failures():
        raise error


def test_not_found_is_left_to_the_handler_to_record():
    with pytest.raises(NotFound), provider_failures():
        raise NotFound("gone", provider="quickbooks", status=400, code="610")
