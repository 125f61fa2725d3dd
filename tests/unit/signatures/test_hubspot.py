"""HubSpot v3 specifics: method, URL decoding and millisecond timestamps (providers.md §7.1)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from libs.signatures import (
    HubSpotVerifier,
    InvalidSignature,
    MalformedSignature,
    StaleTimestamp,
    sign_hubspot,
)
from tests.unit.signatures.schemes import NOW, clock

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
BODY = b'[{"eventId":1,"portalId":62515,"subscriptionType":"contact.creation"}]'
TIMESTAMP_MS = str(NOW * 1000)


def _headers(signature: str, timestamp_ms: str = TIMESTAMP_MS) -> dict[str, str]:
    return {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp_ms}


def _literal_signature(method: str, url: str) -> str:
    """What the official SDKs compute: the URL hashed exactly as given, no decoding."""
    message = f"{method}{url}".encode() + BODY + TIMESTAMP_MS.encode()
    digest = hmac.new(SECRET.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _verify(signature: str, *, method: str = "POST", url: str):
    verifier = HubSpotVerifier(secrets=[SECRET], clock=clock)
    return verifier.verify(BODY, _headers(signature), method=method, url=url)


def test_accepts_a_url_signed_after_decoding_the_documented_escapes():
    url = "https://hooks.example.com/webhooks/hubspot?next=%2Fa%3Ab%40c%21%24%27%28%29%2A%2C%3B%3F"
    signature = sign_hubspot(BODY, secret=SECRET, method="POST", url=url, timestamp_ms=NOW * 1000)
    assert signature == _literal_signature(
        "POST", "https://hooks.example.com/webhooks/hubspot?next=/a:b@c!$'()*,;?"
    )
    assert _verify(signature, url=url).secret_index == 0


def test_accepts_a_url_signed_literally_as_the_official_sdks_do():
    url = "https://hooks.example.com/webhooks/hubspot?next=%2Fa%3Ab"
    assert _verify(_literal_signature("POST", url), url=url).secret_index == 0


def test_leaves_escapes_outside_the_documented_list_encoded():
    url = "https://hooks.example.com/webhooks/hubspot?q=a%20b%26c"
    with pytest.raises(InvalidSignature):
        _verify(
            _literal_signature("POST", "https://hooks.example.com/webhooks/hubspot?q=a b&c"),
            url=url,
        )
    assert _verify(_literal_signature("POST", url), url=url).secret_index == 0


def test_rejects_a_signature_made_for_another_method_or_url():
    url = "https://hooks.example.com/webhooks/hubspot"
    with pytest.raises(InvalidSignature):
        _verify(_literal_signature("GET", url), url=url)
    with pytest.raises(InvalidSignature):
        _verify(_literal_signature("POST", "http://10.0.0.5:8000/webhooks/hubspot"), url=url)


def test_accepts_the_header_spelled_with_a_capital_v3():
    url = "https://hooks.example.com/webhooks/hubspot"
    headers = {
        "X-HubSpot-Signature-V3": _literal_signature("POST", url),
        "X-HubSpot-Request-Timestamp": TIMESTAMP_MS,
    }
    verifier = HubSpotVerifier(secrets=[SECRET], clock=clock)
    assert verifier.verify(BODY, headers, method="POST", url=url).timestamp == NOW


def test_refuses_a_sha256_prefixed_value_as_malformed():
    url = "https://hooks.example.com/webhooks/hubspot"
    with pytest.raises(MalformedSignature):
        _verify("sha256=" + _literal_signature("POST", url), url=url)


def test_refuses_a_timestamp_sent_in_seconds_instead_of_milliseconds_as_stale():
    url = "https://hooks.example.com/webhooks/hubspot"
    signature = sign_hubspot(BODY, secret=SECRET, method="POST", url=url, timestamp_ms=NOW)
    verifier = HubSpotVerifier(secrets=[SECRET], clock=clock)
    with pytest.raises(StaleTimestamp) as caught:
        verifier.verify(BODY, _headers(signature, str(NOW)), method="POST", url=url)
    assert caught.value.header == "X-HubSpot-Request-Timestamp"


@pytest.mark.parametrize("timestamp", ["soon", "1700000000000.0", "-1700000000000", "1e12"])
def test_refuses_a_non_integer_timestamp_as_malformed(timestamp: str):
    url = "https://hooks.example.com/webhooks/hubspot"
    verifier = HubSpotVerifier(secrets=[SECRET], clock=clock)
    with pytest.raises(MalformedSignature) as caught:
        verifier.verify(
            BODY, _headers(_literal_signature("POST", url), timestamp), method="POST", url=url
        )
    assert caught.value.header == "X-HubSpot-Request-Timestamp"


def test_for_request_binds_method_and_url_into_a_plain_verifier():
    url = "https://hooks.example.com/webhooks/hubspot"
    bound = HubSpotVerifier(secrets=[SECRET], clock=clock).for_request(method="POST", url=url)
    assert bound.verify(BODY, _headers(_literal_signature("POST", url))).provider == "hubspot"
    assert SECRET not in repr(bound)
