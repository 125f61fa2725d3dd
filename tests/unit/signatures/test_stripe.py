"""Stripe-specific parsing rules (providers.md §4.1)."""

from __future__ import annotations

import pytest

from libs.signatures import InvalidSignature, MalformedSignature, StripeVerifier, sign_stripe
from tests.unit.signatures.schemes import NOW, clock

SECRET = "whsec_test_secret"
OLD_SECRET = "whsec_old_test_secret"
BODY = b'{"id":"evt_1","object":"event"}'


def _verify(header: str, *, secrets: list[str] | None = None):
    verifier = StripeVerifier(secrets=secrets or [SECRET], clock=clock)
    return verifier.verify(BODY, {"Stripe-Signature": header})


def _v1(secret: str, timestamp: int = NOW) -> str:
    return sign_stripe(BODY, secret=secret, timestamp=timestamp).partition(",v1=")[2]


def test_accepts_a_header_whose_valid_v1_sits_among_bad_ones():
    # stripe-python test_header_contains_valid_signature appends ",v1=bad_signature".
    header = f"t={NOW},v1=bad_signature,v1={_v1(SECRET)},v1=bad_signature"
    assert _verify(header).secret_index == 0


def test_ignores_the_fake_v0_signature_and_unknown_schemes():
    header = f"t={NOW},v0={_v1(OLD_SECRET)},v1={_v1(SECRET)},v2=whatever,junk"
    assert _verify(header).secret_index == 0


def test_refuses_a_header_with_only_a_v0_signature_as_malformed():
    with pytest.raises(MalformedSignature, match="no v1"):
        _verify(f"t={NOW},v0={_v1(SECRET)}")


def test_a_v0_signature_made_with_a_configured_secret_never_counts():
    with pytest.raises(InvalidSignature):
        _verify(f"t={NOW},v0={_v1(SECRET)},v1={_v1(OLD_SECRET)}")


def test_accepts_a_rotation_header_carrying_one_v1_per_live_secret():
    header = f"t={NOW},v1={_v1(OLD_SECRET)},v1={_v1(SECRET)}"
    assert _verify(header, secrets=[SECRET]).secret_index == 0
    assert _verify(header, secrets=[OLD_SECRET, SECRET]).secret_index == 0


@pytest.mark.parametrize(
    "header",
    [
        "v1=abc",
        "t=1,t=2,v1=abc",
        "t=abc,v1=abc",
        "t=-1700000000,v1=abc",
        "t=1700000000.5,v1=abc",
        "t=1700000000",
        "t=1700000000,v1=",
    ],
)
def test_refuses_a_header_without_exactly_one_integer_t_or_any_v1_as_malformed(header: str):
    with pytest.raises(MalformedSignature):
        _verify(header)


def test_signs_with_the_whole_secret_prefix_included():
    header = sign_stripe(BODY, secret=SECRET.removeprefix("whsec_"), timestamp=NOW)
    with pytest.raises(InvalidSignature):
        _verify(header)


def test_signs_the_timestamp_so_a_replay_with_a_fresh_t_fails():
    header = f"t={NOW},v1={_v1(SECRET, NOW - 3600)}"
    with pytest.raises(InvalidSignature):
        _verify(header)


def test_honours_a_custom_tolerance_and_refuses_a_negative_one():
    header = sign_stripe(BODY, secret=SECRET, timestamp=NOW - 500)
    verifier = StripeVerifier(secrets=[SECRET], clock=clock, tolerance=600)
    assert verifier.verify(BODY, {"Stripe-Signature": header}).timestamp == NOW - 500
    with pytest.raises(ValueError, match="tolerance"):
        StripeVerifier(secrets=[SECRET], tolerance=-1)
    assert "tolerance=600" in repr(verifier)
