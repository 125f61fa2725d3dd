"""Zoho specifics: both digest encodings and the signed query parameters (providers.md §3.2)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from multidict import MultiDict, MultiDictProxy

from libs.signatures import InvalidSignature, MalformedSignature, ZohoVerifier, sign_zoho

SECRET = "abcdef123456"
BODY = b'{"invoice":{"invoice_id":"982000000567114","status":"sent"}}'


def _verify(signature: str, **kwargs):
    return ZohoVerifier(secrets=[SECRET]).verify(
        BODY, {"X-Zoho-Webhook-Signature": signature}, **kwargs
    )


def test_accepts_uppercase_hex():
    assert _verify(sign_zoho(BODY, SECRET).upper()).encoding == "hex"


def test_accepts_only_the_configured_encodings():
    verifier = ZohoVerifier(secrets=[SECRET], encodings=["hex"])
    signature = sign_zoho(BODY, SECRET, encoding="base64")
    with pytest.raises(MalformedSignature, match="hex HMAC-SHA256"):
        verifier.verify(BODY, {"X-Zoho-Webhook-Signature": signature})
    with pytest.raises(ValueError, match="encoding"):
        ZohoVerifier(secrets=[SECRET], encodings=[])


def test_refuses_the_zoho_payments_format_as_malformed():
    with pytest.raises(MalformedSignature):
        _verify(f"t=1700000000000,v={sign_zoho(BODY, SECRET)}")


def test_signs_query_parameters_sorted_by_key_ahead_of_the_body():
    # providers.md §3.2: query subscription_id=90343, name=basic and this body give the string
    # namebasicsubscription_id90343{"created_date":"2019-03-06","event_id":"5675"}
    body = b'{"created_date":"2019-03-06","event_id":"5675"}'
    query = {"subscription_id": "90343", "name": "basic"}
    documented = b'namebasicsubscription_id90343{"created_date":"2019-03-06","event_id":"5675"}'
    expected = hmac.new(SECRET.encode(), documented, hashlib.sha256).hexdigest()
    assert sign_zoho(body, SECRET, query=query) == expected
    verifier = ZohoVerifier(secrets=[SECRET])
    assert verifier.verify(body, {"X-Zoho-Webhook-Signature": expected}, query=query).encoding == (
        "hex"
    )
    with pytest.raises(InvalidSignature):
        verifier.verify(body, {"X-Zoho-Webhook-Signature": expected})


def test_reads_query_parameters_from_an_aiohttp_multidict():
    query = MultiDictProxy(MultiDict([("organization_id", "10234695"), ("b", "2"), ("a", "1")]))
    signature = sign_zoho(BODY, SECRET, query={"a": "1", "b": "2", "organization_id": "10234695"})
    assert _verify(signature, query=query).secret_index == 0
