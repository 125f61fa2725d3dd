from __future__ import annotations

import json

import pytest

from libs.efris import (
    ENCRYPTED,
    PLAIN,
    EfrisProtocolError,
    GlobalInfo,
    envelope,
    new_exchange_id,
    parse_envelope,
)

GLOBAL = GlobalInfo(
    tin="1000012345",
    device_no="1000012345_02",
    interface_code="T109",
    request_time="2025-03-14 10:25:33",
    data_exchange_id="3f2a9c0e5b7d4e1f9a8b6c5d4e3f2a1b",
    extend_field={"referenceNo": "SINV-2025-000123"},
)


def test_global_info_has_efris_keys_and_s2s_defaults():
    assert GLOBAL.to_json() == {
        "appId": "AP04",
        "version": "1.1.20191201",
        "dataExchangeId": "3f2a9c0e5b7d4e1f9a8b6c5d4e3f2a1b",
        "interfaceCode": "T109",
        "requestCode": "TP",
        "requestTime": "2025-03-14 10:25:33",
        "responseCode": "TA",
        "userName": "admin",
        "deviceMAC": "FFFFFFFFFFFF",
        "deviceNo": "1000012345_02",
        "tin": "1000012345",
        "brn": "",
        "taxpayerID": "1",
        "longitude": "32.5825",
        "latitude": "0.3476",
        "agentType": "0",
        "extendField": {
            "responseDateFormat": "dd/MM/yyyy",
            "responseTimeFormat": "dd/MM/yyyy HH:mm:ss",
            "referenceNo": "SINV-2025-000123",
        },
    }


def test_global_info_round_trips_through_json():
    assert (
        GlobalInfo.from_json(json.loads(json.dumps(GLOBAL.to_json()))).to_json() == GLOBAL.to_json()
    )


def test_global_info_from_sparse_json_takes_the_defaults():
    parsed = GlobalInfo.from_json({"interfaceCode": "T101"})

    assert parsed.interface_code == "T101"
    assert parsed.tin == ""
    assert parsed.app_id == "AP04"
    assert parsed.extend_field == {}


@pytest.mark.parametrize("obj", [[], "x", {"tin": 1000012345}, {"extendField": "dd/MM/yyyy"}])
def test_global_info_refuses_malformed_json(obj):
    with pytest.raises(EfrisProtocolError):
        GlobalInfo.from_json(obj)


def test_envelope_is_the_documented_shape():
    body = envelope(
        content="YWJj", signature="c2ln", description=ENCRYPTED, global_info=GLOBAL,
        return_code="", return_message="",
    )  # fmt: skip

    assert body == {
        "data": {
            "content": "YWJj",
            "signature": "c2ln",
            "dataDescription": {"codeType": "1", "encryptCode": "2", "zipCode": "0"},
        },
        "globalInfo": GLOBAL.to_json(),
        "returnStateInfo": {"returnCode": "", "returnMessage": ""},
    }


def test_envelope_defaults_to_success():
    body = envelope(content="", signature="", description=PLAIN, global_info=GLOBAL)

    assert body["returnStateInfo"] == {"returnCode": "00", "returnMessage": "SUCCESS"}


def test_parses_what_it_builds():
    body = envelope(
        content="YWJj", signature="c2ln", description=ENCRYPTED, global_info=GLOBAL,
        return_code="2253", return_message="The seller's reference number already exists!",
    )  # fmt: skip

    parsed = parse_envelope(json.loads(json.dumps(body)))

    assert parsed.data == body["data"]
    assert parsed.description == ENCRYPTED
    assert parsed.global_info.to_json() == GLOBAL.to_json()
    assert (parsed.return_code, parsed.return_message) == (
        "2253",
        "The seller's reference number already exists!",
    )


def test_parses_an_error_answer_with_only_return_state():
    parsed = parse_envelope({"returnStateInfo": {"returnCode": 99, "returnMessage": None}})

    assert (parsed.return_code, parsed.return_message, parsed.data) == ("99", "", {})
    assert parsed.description == PLAIN


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "SUCCESS",
        {},
        {"error": "boom"},
        {"data": "x"},
        {"data": {}, "returnStateInfo": []},
        {"data": {}, "returnStateInfo": {"returnCode": ["00"]}},
        {"data": {}, "globalInfo": []},
    ],
)
def test_refuses_a_body_that_is_not_an_envelope(body):
    with pytest.raises(EfrisProtocolError):
        parse_envelope(body)


def test_exchange_ids_are_fresh_32_hex_characters():
    first, second = new_exchange_id(), new_exchange_id()

    assert first != second
    assert len(first) == 32
    assert int(first, 16) >= 0
