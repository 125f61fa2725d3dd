"""libs.efris against PAYBILL's ura-efris-sdk (efris.md §0), an independent implementation:
the same payload and key seal to the same bytes, and each side opens the other's.

The SDK's package `__init__` fails to import (0.1.1: its schemas module names an undefined
`CODE_150`), so its crypto module `utils` is loaded on its own, under a stand-in package.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from libs.efris import (
    ENCRYPTED,
    open_aes_key,
    open_content,
    seal_aes_key,
    seal_content,
    verify,
)
from tests.unit.efris import vectors


def _sdk_utils() -> Any:
    found = importlib.util.find_spec("ura_efris_sdk")
    if found is None or found.origin is None:
        pytest.skip("ura-efris-sdk is not installed")
    stand_in = types.ModuleType("_ura_efris_sdk")
    stand_in.__path__ = [str(Path(found.origin).parent)]
    sys.modules.setdefault("_ura_efris_sdk", stand_in)
    return importlib.import_module("_ura_efris_sdk.utils")


sdk = _sdk_utils()

PAYLOAD = {
    "sellerDetails": {"tin": "1000012345", "legalName": "Ssebo Café", "referenceNo": "R-1"},
    "goodsDetails": [{"item": "Cement", "qty": "10", "unitPrice": "35400.00"}],
}


@pytest.fixture(scope="module")
def key():
    return vectors.test_key()


def test_an_encrypted_request_is_byte_for_byte_the_sdks(key):
    aes_key = os.urandom(16)

    theirs = sdk.build_encrypted_request(
        PAYLOAD, aes_key, "T109", "1000012345", "1000012345_02", "", key, "1"
    )["data"]
    content, signature, description = seal_content(PAYLOAD, aes_key=aes_key, private_key=key)

    assert content == theirs["content"]
    assert signature == theirs["signature"]
    assert description.to_json() == theirs["dataDescription"] == ENCRYPTED.to_json()


def test_the_sdk_opens_our_content_and_we_open_and_verify_its(key, capsys):
    aes_key = os.urandom(16)
    ours, _, _ = seal_content(PAYLOAD, aes_key=aes_key, private_key=key)
    theirs = sdk.build_encrypted_request(
        PAYLOAD, aes_key, "T109", "1000012345", "1000012345_02", "", key, "1"
    )["data"]

    assert sdk.decrypt_aes_ecb(ours, aes_key, encrypt_code="2", zip_code="0") == (
        '{"sellerDetails":{"tin":"1000012345","legalName":"Ssebo Café","referenceNo":"R-1"},'
        '"goodsDetails":[{"item":"Cement","qty":"10","unitPrice":"35400.00"}]}'
    )
    assert open_content(theirs, aes_key=aes_key) == PAYLOAD
    assert verify(key.public_key(), theirs["content"], theirs["signature"])
    capsys.readouterr()  # the SDK prints what it decrypts


def test_a_t104_key_we_seal_opens_the_way_the_sdk_opens_it(key):
    aes_key = os.urandom(16)

    sealed = seal_aes_key(key.public_key(), aes_key)

    # The SDK's KeyClient: base64-decode, RSA-PKCS#1 v1.5 decrypt, base64-decode again.
    assert base64.b64decode(sdk.decrypt_rsa_pkcs1(base64.b64decode(sealed), key)) == aes_key
    assert open_aes_key(key, sealed) == aes_key
