"""Cases every provider's verifier must get right, generated from `schemes.SCHEMES`."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from libs.signatures import (
    InvalidSignature,
    MalformedSignature,
    MissingSignature,
    SecretNotConfigured,
    SignatureError,
    StaleTimestamp,
)
from tests.unit.signatures.schemes import NOW, SCHEMES, TIMESTAMPED, Scheme

BODY = b'{"id":"evt_1","data":{"amount":4060,"note":"caf\xc3\xa9"}}'

every_scheme = pytest.mark.parametrize("scheme", SCHEMES, ids=str)
timestamped_scheme = pytest.mark.parametrize("scheme", TIMESTAMPED, ids=str)


def _flip_one_byte(raw: bytes, index: int) -> bytes:
    return raw[:index] + bytes([raw[index] ^ 0x01]) + raw[index + 1 :]


def _provider_and_header(error: SignatureError) -> tuple[str, str]:
    return error.provider, error.header


@every_scheme
def test_accepts_a_correctly_signed_request(scheme: Scheme):
    headers = scheme.sign(BODY, scheme.new_secret, NOW)
    verified = scheme.build([scheme.new_secret]).verify(BODY, headers)
    assert verified.provider == scheme.provider
    assert verified.secret_index == 0
    assert verified.timestamp == (NOW if scheme.timestamp_header else None)


@every_scheme
def test_rejects_a_body_signed_with_the_wrong_key(scheme: Scheme):
    headers = scheme.sign(BODY, scheme.wrong_secret, NOW)
    with pytest.raises(InvalidSignature) as caught:
        scheme.build([scheme.new_secret]).verify(BODY, headers)
    assert _provider_and_header(caught.value) == (scheme.provider, scheme.signature_header)


@every_scheme
@pytest.mark.parametrize("index", [0, len(BODY) // 2, len(BODY) - 1], ids=["first", "mid", "last"])
def test_rejects_a_tampered_body_with_one_byte_flipped(scheme: Scheme, index: int):
    headers = scheme.sign(BODY, scheme.new_secret, NOW)
    with pytest.raises(InvalidSignature):
        scheme.build([scheme.new_secret]).verify(_flip_one_byte(BODY, index), headers)


@every_scheme
def test_rejects_a_body_with_a_byte_appended(scheme: Scheme):
    headers = scheme.sign(BODY, scheme.new_secret, NOW)
    with pytest.raises(InvalidSignature):
        scheme.build([scheme.new_secret]).verify(BODY + b" ", headers)


@every_scheme
def test_rejects_a_request_without_its_signature_header(scheme: Scheme):
    headers = scheme.sign(BODY, scheme.new_secret, NOW)
    del headers[scheme.signature_header]
    with pytest.raises(MissingSignature) as caught:
        scheme.build([scheme.new_secret]).verify(BODY, headers)
    assert _provider_and_header(caught.value) == (scheme.provider, scheme.signature_header)


@every_scheme
def test_rejects_a_request_missing_any_header_its_scheme_requires(scheme: Scheme):
    verifier = scheme.build([scheme.new_secret])
    for name in scheme.header_names:
        headers = scheme.sign(BODY, scheme.new_secret, NOW)
        del headers[name]
        with pytest.raises(MissingSignature) as caught:
            verifier.verify(BODY, headers)
        assert caught.value.header == name


@every_scheme
def test_rejects_a_request_with_no_headers_at_all(scheme: Scheme):
    with pytest.raises(MissingSignature):
        scheme.build([scheme.new_secret]).verify(BODY, {})


@every_scheme
@pytest.mark.parametrize("value", ["garbage!", "sha256", "t=,v1=", "v1,"])
def test_rejects_a_malformed_signature_header(scheme: Scheme, value: str):
    headers = {**scheme.sign(BODY, scheme.new_secret, NOW), scheme.signature_header: value}
    with pytest.raises(MalformedSignature) as caught:
        scheme.build([scheme.new_secret]).verify(BODY, headers)
    assert caught.value.header == scheme.signature_header


@every_scheme
@pytest.mark.parametrize("value", ["", "   "], ids=["empty", "blank"])
def test_rejects_an_empty_signature_header_as_malformed(scheme: Scheme, value: str):
    headers = {**scheme.sign(BODY, scheme.new_secret, NOW), scheme.signature_header: value}
    with pytest.raises(MalformedSignature):
        scheme.build([scheme.new_secret]).verify(BODY, headers)


@every_scheme
def test_rejects_a_non_ascii_signature_header_as_malformed(scheme: Scheme):
    headers = scheme.sign(BODY, scheme.new_secret, NOW)
    headers[scheme.signature_header] += "é"
    with pytest.raises(MalformedSignature):
        scheme.build([scheme.new_secret]).verify(BODY, headers)


@every_scheme
def test_accepts_both_the_old_and_the_new_secret_during_rotation(scheme: Scheme):
    verifier = scheme.build([scheme.old_secret, scheme.new_secret])
    for index, secret in enumerate([scheme.old_secret, scheme.new_secret]):
        verified = verifier.verify(BODY, scheme.sign(BODY, secret, NOW))
        assert verified.secret_index == index


@every_scheme
def test_rejects_the_retired_secret_once_rotation_is_over(scheme: Scheme):
    with pytest.raises(InvalidSignature):
        scheme.build([scheme.new_secret]).verify(BODY, scheme.sign(BODY, scheme.old_secret, NOW))


@every_scheme
@pytest.mark.parametrize("secrets", [[], [""], ["", "  "]], ids=["none", "empty", "blank"])
def test_refuses_every_request_when_no_secret_is_configured(scheme: Scheme, secrets: list[str]):
    verifier = scheme.build(secrets)
    for headers in [scheme.sign(BODY, scheme.new_secret, NOW), {}]:
        with pytest.raises(SecretNotConfigured) as caught:
            verifier.verify(BODY, headers)
        assert caught.value.provider == scheme.provider


@every_scheme
def test_skips_blank_entries_in_the_secret_list_but_keeps_indexes(scheme: Scheme):
    verifier = scheme.build(["", scheme.new_secret])
    assert verifier.verify(BODY, scheme.sign(BODY, scheme.new_secret, NOW)).secret_index == 1


@every_scheme
def test_refuses_a_single_string_in_place_of_the_secret_list(scheme: Scheme):
    with pytest.raises(TypeError):
        scheme.build(scheme.new_secret)


@every_scheme
def test_reads_headers_case_insensitively_from_a_plain_dict(scheme: Scheme):
    verifier = scheme.build([scheme.new_secret])
    signed = scheme.sign(BODY, scheme.new_secret, NOW)
    for spell in [str.lower, str.upper, str.title]:
        headers = {spell(name): value for name, value in signed.items()}
        assert verifier.verify(BODY, headers).provider == scheme.provider


@every_scheme
def test_reads_headers_from_an_aiohttp_multidict(scheme: Scheme):
    headers = CIMultiDictProxy(CIMultiDict(scheme.sign(BODY, scheme.new_secret, NOW)))
    assert scheme.build([scheme.new_secret]).verify(BODY, headers).secret_index == 0


@every_scheme
def test_tolerates_whitespace_around_header_values(scheme: Scheme):
    signed = scheme.sign(BODY, scheme.new_secret, NOW)
    headers = {name: f"  {value}\t" for name, value in signed.items()}
    assert scheme.build([scheme.new_secret]).verify(BODY, headers).secret_index == 0


@every_scheme
def test_rejects_a_signature_header_sent_twice(scheme: Scheme):
    signed = scheme.sign(BODY, scheme.new_secret, NOW)
    repeated = CIMultiDict(signed)
    repeated.add(scheme.signature_header, signed[scheme.signature_header])
    spelled_twice = {**signed, scheme.signature_header.upper(): signed[scheme.signature_header]}
    verifier = scheme.build([scheme.new_secret])
    for headers in [CIMultiDictProxy(repeated), spelled_twice]:
        with pytest.raises(MalformedSignature):
            verifier.verify(BODY, headers)


@timestamped_scheme
@pytest.mark.parametrize("offset", [-301, 301], ids=["stale", "future"])
def test_rejects_a_timestamp_outside_the_tolerance_either_way(scheme: Scheme, offset: int):
    headers = scheme.sign(BODY, scheme.new_secret, NOW + offset)
    with pytest.raises(StaleTimestamp) as caught:
        scheme.build([scheme.new_secret]).verify(BODY, headers)
    error = caught.value
    assert (error.header, error.timestamp, error.skew, error.tolerance) == (
        scheme.timestamp_header,
        NOW + offset,
        offset,
        300,
    )
    assert ("future" if offset > 0 else "past") in str(error)


@timestamped_scheme
@pytest.mark.parametrize("offset", [-300, 300], ids=["oldest", "newest"])
def test_accepts_a_timestamp_at_the_edge_of_the_tolerance(scheme: Scheme, offset: int):
    headers = scheme.sign(BODY, scheme.new_secret, NOW + offset)
    assert scheme.build([scheme.new_secret]).verify(BODY, headers).timestamp == NOW + offset


@timestamped_scheme
def test_rejects_a_forged_stale_request_as_invalid_not_stale(scheme: Scheme):
    # The signature is checked first, so StaleTimestamp always means an authentic replay.
    headers = scheme.sign(BODY, scheme.wrong_secret, NOW - 3600)
    with pytest.raises(InvalidSignature):
        scheme.build([scheme.new_secret]).verify(BODY, headers)


@every_scheme
def test_repr_does_not_reveal_secrets(scheme: Scheme):
    verifier = scheme.build([scheme.old_secret, scheme.new_secret])
    text = repr(verifier)
    assert "2 secret(s)" in text
    assert scheme.old_secret not in text
    assert scheme.new_secret not in text
    assert scheme.new_secret.removeprefix("whsec_") not in text


@every_scheme
def test_error_messages_never_contain_secrets_or_digests(scheme: Scheme):
    expected = scheme.sign(BODY, scheme.new_secret, NOW)
    presented = scheme.sign(BODY, scheme.wrong_secret, NOW)
    with pytest.raises(InvalidSignature) as caught:
        scheme.build([scheme.new_secret]).verify(BODY, presented)
    message = str(caught.value)
    assert scheme.provider in message
    assert scheme.signature_header in message
    for forbidden in [scheme.new_secret, scheme.wrong_secret, *expected.values()]:
        assert forbidden not in message
    assert presented[scheme.signature_header] not in message


def test_every_error_is_a_signature_error():
    for error in [
        MissingSignature,
        MalformedSignature,
        InvalidSignature,
        StaleTimestamp,
        SecretNotConfigured,
    ]:
        assert issubclass(error, SignatureError)
