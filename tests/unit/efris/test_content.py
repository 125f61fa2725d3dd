from __future__ import annotations

import base64
import gzip
import os

import pytest

from libs.efris import (
    ENCRYPTED,
    PLAIN,
    DataDescription,
    EfrisCryptoError,
    EfrisProtocolError,
    open_content,
    seal_content,
    verify,
)
from tests.unit.efris import vectors


@pytest.fixture(scope="module")
def key():
    return vectors.test_key()


def _data(content, signature, description):
    return {"content": content, "signature": signature, "dataDescription": description.to_json()}


def test_no_payload_is_empty_content_and_signature_and_plain(key):
    assert seal_content(None, aes_key=os.urandom(16), private_key=key) == ("", "", PLAIN)
    assert open_content(_data("", "", PLAIN), aes_key=None) is None
    assert open_content({}, aes_key=None) is None


def test_description_constants_are_the_documented_codes():
    assert PLAIN == DataDescription("0", "1", "0") == DataDescription.PLAIN
    assert ENCRYPTED == DataDescription("1", "2", "0") == DataDescription.ENCRYPTED
    assert ENCRYPTED.to_json() == {"codeType": "1", "encryptCode": "2", "zipCode": "0"}


def test_encrypted_content_matches_openssl_and_is_signed_over_the_base64(key):
    content, signature, description = seal_content(
        vectors.JSON_PAYLOAD, aes_key=vectors.JSON_KEY, private_key=key
    )

    assert content == vectors.JSON_AES_CONTENT
    assert signature == vectors.JSON_AES_SIGNATURE
    assert description == ENCRYPTED


def test_plain_content_is_base64_of_compact_utf8_json_and_unsigned_without_a_key():
    content, signature, description = seal_content(
        vectors.JSON_PAYLOAD, aes_key=None, private_key=None
    )

    assert content == vectors.JSON_PLAIN_CONTENT
    assert signature == ""
    assert description == PLAIN


def test_numbers_travel_as_the_caller_wrote_them():
    payload = {"qty": "2", "unitPrice": "35400.00", "n": 3, "name": "Ssebo Café"}

    content, _, _ = seal_content(payload, aes_key=None, private_key=None)

    assert base64.b64decode(content).decode("utf-8") == (
        '{"qty":"2","unitPrice":"35400.00","n":3,"name":"Ssebo Café"}'
    )


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("encrypt", [False, True])
def test_round_trips_every_combination(key, encrypt, compress):
    aes_key = os.urandom(16) if encrypt else None
    payload = {"goodsDetails": [{"item": "Cement", "qty": "10"}] * 20, "x": None}

    content, signature, description = seal_content(
        payload, aes_key=aes_key, private_key=key, compress=compress
    )

    assert description.zipped is compress
    assert description.encrypted is encrypt
    assert verify(key.public_key(), content, signature)
    assert open_content(_data(content, signature, description), aes_key=aes_key) == payload


def test_gzip_is_applied_over_the_ciphertext():
    aes_key = os.urandom(16)

    content, _, _ = seal_content({"a": "1"}, aes_key=aes_key, private_key=None, compress=True)

    assert content.startswith("H4sI")  # gzip's magic bytes, as MUDEGI detects them (§3.5)
    ciphertext = gzip.decompress(base64.b64decode(content))
    assert len(ciphertext) % 16 == 0


def test_opens_a_gzipped_plain_content_built_by_hand():
    content = base64.b64encode(gzip.compress(b'{"rateUnit":[]}')).decode()

    opened = open_content(
        {
            "content": content,
            "dataDescription": {"codeType": "0", "encryptCode": "1", "zipCode": "1"},
        },
        aes_key=None,
    )

    assert opened == {"rateUnit": []}


def test_a_missing_data_description_reads_as_plain():
    assert (
        open_content({"content": vectors.JSON_PLAIN_CONTENT}, aes_key=None) == vectors.JSON_PAYLOAD
    )


@pytest.mark.parametrize(
    ("data", "aes_key", "error"),
    [
        ({"content": "not base64!"}, None, EfrisCryptoError),
        ({"content": "YWJj", "dataDescription": {"zipCode": "1"}}, None, EfrisCryptoError),
        (_data(vectors.JSON_AES_CONTENT, "", ENCRYPTED), None, EfrisCryptoError),
        (_data(vectors.JSON_AES_CONTENT, "", ENCRYPTED), bytes(16), EfrisCryptoError),
        (_data("YWJj", "", PLAIN), None, EfrisProtocolError),  # "abc" is not JSON
        (_data(base64.b64encode(b"\xff\xfe").decode(), "", PLAIN), None, EfrisProtocolError),
        ({"content": 12}, None, EfrisProtocolError),
        ({"content": "YWJj", "dataDescription": "1/2/0"}, None, EfrisProtocolError),
        ({"content": "YWJj", "dataDescription": {"codeType": 1}}, None, EfrisProtocolError),
    ],
)
def test_refuses_malformed_data(data, aes_key, error):
    with pytest.raises(error):
        open_content(data, aes_key=aes_key)


@pytest.mark.parametrize("payload", [{"a": float("nan")}, {"a": object()}, {"a": b"bytes"}])
def test_refuses_a_payload_json_cannot_represent(payload):
    with pytest.raises(EfrisProtocolError, match="not JSON"):
        seal_content(payload, aes_key=None, private_key=None)
