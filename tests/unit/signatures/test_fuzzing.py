"""Property: whatever bytes and headers arrive, a verifier answers or raises a SignatureError.

Anything else (IndexError, UnicodeEncodeError, ValueError, ...) would escape ingress's error
mapping and answer 500, which providers retry and attackers can provoke at will.
"""

from __future__ import annotations

import contextlib
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libs.signatures import HubSpotVerifier, SignatureError, ZohoVerifier
from tests.unit.signatures.schemes import NOW, SCHEMES, Scheme, clock

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

_HEX = st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64)
_BASE64 = st.text(
    alphabet=string.ascii_letters + string.digits + "+/", min_size=43, max_size=43
).map(lambda text: text + "=")
_DIGITS = st.text(alphabet=string.digits + "-.", max_size=20)

# Values shaped like each scheme's, so examples get past the first parse and reach matching.
_PLAUSIBLE_VALUES = st.one_of(
    st.text(max_size=120),
    _HEX,
    _BASE64,
    _DIGITS,
    _HEX.map(lambda digest: f"sha256={digest}"),
    st.builds(lambda ts, sig: f"t={ts},v1={sig}", _DIGITS, st.text(max_size=70)),
    st.builds(
        " ".join,
        st.lists(
            st.builds(
                lambda version, sig: f"{version},{sig}",
                st.sampled_from(["v1", "v1a", "v2"]),
                _BASE64,
            ),
            max_size=3,
        ),
    ),
)


def _header_names(scheme: Scheme) -> st.SearchStrategy[str]:
    known = st.sampled_from(scheme.header_names)
    return st.one_of(known, known.map(str.upper), st.text(max_size=30))


@pytest.mark.parametrize("scheme", SCHEMES, ids=str)
@FUZZ
@given(data=st.data(), raw=st.binary(max_size=512))
def test_arbitrary_bodies_and_headers_raise_nothing_but_signature_errors(
    scheme: Scheme, data: st.DataObject, raw: bytes
):
    headers = data.draw(
        st.dictionaries(_header_names(scheme), _PLAUSIBLE_VALUES, max_size=8), label="headers"
    )
    verifier = scheme.build([scheme.old_secret, scheme.new_secret])
    with contextlib.suppress(SignatureError):
        verifier.verify(raw, headers)


@pytest.mark.parametrize("scheme", SCHEMES, ids=str)
@FUZZ
@given(data=st.data(), raw=st.binary(max_size=512))
def test_one_arbitrary_header_value_in_a_signed_request_raises_nothing_but_signature_errors(
    scheme: Scheme, data: st.DataObject, raw: bytes
):
    headers = scheme.sign(raw, scheme.new_secret, NOW)
    name = data.draw(st.sampled_from(sorted(headers)), label="name")
    headers[name] = data.draw(_PLAUSIBLE_VALUES, label="value")
    verifier = scheme.build([scheme.new_secret])
    with contextlib.suppress(SignatureError):
        verifier.verify(raw, headers)


@FUZZ
@given(
    raw=st.binary(max_size=256),
    query=st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=4),
    signature=_PLAUSIBLE_VALUES,
)
def test_arbitrary_zoho_query_parameters_raise_nothing_but_signature_errors(
    raw: bytes, query: dict[str, str], signature: str
):
    verifier = ZohoVerifier(secrets=["abcdef123456"])
    with contextlib.suppress(SignatureError):
        verifier.verify(raw, {"X-Zoho-Webhook-Signature": signature}, query=query)


@FUZZ
@given(
    raw=st.binary(max_size=256),
    method=st.text(max_size=10),
    url=st.text(max_size=80),
    signature=_PLAUSIBLE_VALUES,
    timestamp=_PLAUSIBLE_VALUES,
)
def test_arbitrary_hubspot_methods_and_urls_raise_nothing_but_signature_errors(
    raw: bytes, method: str, url: str, signature: str, timestamp: str
):
    verifier = HubSpotVerifier(secrets=["yyyyyyyy-yyyy"], clock=clock)
    headers = {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp}
    with contextlib.suppress(SignatureError):
        verifier.verify(raw, headers, method=method, url=url)
