"""EFRIS envelope, crypto and session over real HTTP: T101, T104 (and its expiry), T103, and the
envelope-level refusals (signature, clock, device, format) with URA's return codes."""

from __future__ import annotations

import gzip

import pytest

from libs.efris import aes_decrypt, b64decode, parse_efris_time, verify
from tests.integration.sandbox.efris_device import (
    EfrisDevice,
    certificate_pem,
    device_keys,
    new_tin,
)
from tests.support.sandbox import SandboxRefused


async def test_t101_answers_the_server_time_in_kampala_without_a_device(sandbox):
    stranger = EfrisDevice(sandbox=sandbox, tin=new_tin(), device_no="nobody", keys=device_keys())
    answer = await stranger.send("T101")
    assert (answer.status, answer.code, answer.message) == (200, "00", "SUCCESS")
    served = parse_efris_time(answer.payload["currentTime"])
    assert abs((served - await stranger.now()).total_seconds()) < 5
    assert answer.body["globalInfo"]["interfaceCode"] == "T101"


async def test_t104_seals_a_fresh_aes_key_for_the_device_and_t103_is_encrypted_with_it(sandbox):
    device = await EfrisDevice.registered(sandbox)
    key = await device.sign_on()
    assert len(key) == 16
    again = await device.sign_on()
    assert again != key  # every T104 is a fresh key
    answer = await device.send("T103")
    assert answer.code == "00"
    assert answer.body["data"]["dataDescription"] == {
        "codeType": "1", "encryptCode": "2", "zipCode": "0"
    }  # fmt: skip
    assert answer.payload["taxpayer"]["tin"] == device.tin
    assert answer.payload["device"]["deviceNo"] == device.device_no
    assert answer.payload["qrCodeURL"].startswith(sandbox.base_url)
    server_signature = answer.body["data"]["signature"]
    assert server_signature
    assert not verify(device.keys.public_key, answer.body["data"]["content"], server_signature)


async def test_encrypted_calls_need_a_key_and_an_expired_key_answers_402(sandbox):
    device = await EfrisDevice.registered(sandbox)
    assert (await device.send("T103", plain=True)).code == "401"
    await device.sign_on()
    assert (await device.send("T103")).code == "00"
    assert await sandbox.expire_efris_key(device.device_no) is True
    expired = await device.send("T103")
    assert (expired.code, expired.message) == ("402", "Device key expired")
    await device.sign_on()
    assert (await device.send("T103")).code == "00"


async def test_a_key_lives_24_hours_of_sandbox_clock(sandbox):
    device = await EfrisDevice.registered(sandbox)
    await device.sign_on()
    await sandbox.advance_clock(23 * 3600)
    assert (await device.send("T103")).code == "00"
    await sandbox.advance_clock(3600)
    assert (await device.send("T103")).code == "402"


async def test_a_signature_by_another_key_is_refused_with_38_and_a_missing_one_with_39(sandbox):
    device = await EfrisDevice.registered(sandbox)
    await device.sign_on()
    forged = await device.send("T106", {"pageNo": "1", "pageSize": "10"},
                               signing_key=device_keys(1).private_key)  # fmt: skip
    assert (forged.code, forged.message) == ("38", "Signature value is invalid!")
    unsigned = await device.send("T106", {"pageNo": "1", "pageSize": "10"}, signature="")
    assert unsigned.code == "39"
    assert (await device.send("T106", {"pageNo": "1", "pageSize": "10"})).code == "00"


@pytest.mark.parametrize(
    ("skew_s", "code"),
    [(-11 * 60, "28"), (11 * 60, "28"), (9 * 60, "00"), (-3 * 3600, "28")],  # the last: UTC time
)
async def test_request_time_more_than_ten_minutes_off_the_sandbox_clock_is_refused(
    sandbox, skew_s, code
):
    device = await EfrisDevice.registered(sandbox)
    await device.sign_on()
    assert (await device.send("T103", skew_s=skew_s)).code == code


async def test_clock_skew_is_judged_on_the_sandbox_clock_not_the_wall_clock(sandbox):
    device = await EfrisDevice.registered(sandbox)
    await device.sign_on()
    await sandbox.advance_clock(3600)
    assert (await device.send("T103", skew_s=-3600)).code == "28"  # wall-clock time is stale
    assert (await device.send("T103")).code == "00"


async def test_unknown_taxpayer_device_and_interface_are_refused(sandbox):
    device = await EfrisDevice.registered(sandbox)
    await device.sign_on()
    stranger = EfrisDevice(sandbox=sandbox, tin=new_tin(), device_no=device.device_no,
                           keys=device.keys)  # fmt: skip
    assert (await stranger.send("T104")).code == "100"
    other_device = EfrisDevice(sandbox=sandbox, tin=device.tin, device_no=f"{device.tin}_09",
                               keys=device.keys)  # fmt: skip
    assert (await other_device.send("T104")).code == "400"
    unknown = await device.send("T199")
    assert unknown.code == "01"
    assert "T199" in unknown.message


async def test_envelope_format_errors_answer_43_07_and_field_codes(sandbox):
    device = await EfrisDevice.registered(sandbox)
    async with sandbox.session.post(sandbox.efris_url, data=b"not json") as response:
        assert response.status == 200
        assert (await response.json())["returnStateInfo"]["returnCode"] == "43"
    assert (await device.post({"data": {}})).code == "07"
    body = await device.envelope("T101")
    body["globalInfo"]["requestTime"] = "14/03/2025 10:25:33"
    assert (await device.post(body)).code == "31"
    body = await device.envelope("T101")
    body["globalInfo"]["requestCode"] = "XX"
    assert (await device.post(body)).code == "26"


async def test_content_encrypted_with_a_stale_key_is_unpacking_error_15(sandbox):
    device = await EfrisDevice.registered(sandbox)
    stale = await device.sign_on()
    await device.sign_on()
    device.aes_key, current = stale, device.aes_key
    answer = await device.send("T106", {"pageNo": "1", "pageSize": "10"})
    assert answer.code == "15"
    device.aes_key = current


async def test_zip_code_1_asks_for_a_gzipped_answer(sandbox):
    device = await EfrisDevice.registered(sandbox)
    await device.sign_on()
    answer = await device.send("T103", zip_answer=True)
    data = answer.body["data"]
    assert data["dataDescription"]["zipCode"] == "1"
    raw = b64decode(data["content"], what="content")
    assert raw[:2] == b"\x1f\x8b"  # gzip over the ciphertext (efris.md §3.5)
    assert device.aes_key is not None
    assert b'"taxpayer"' in aes_decrypt(device.aes_key, gzip.decompress(raw))
    assert answer.payload["taxpayer"]["tin"] == device.tin


async def test_device_registration_refuses_bad_input_and_duplicates(sandbox):
    device = await EfrisDevice.registered(sandbox)
    pem = certificate_pem(device.keys)
    cases = [
        ({"tin": "12345", "device_no": "x_01", "certificate_pem": pem}, 400),
        ({"tin": new_tin(), "device_no": "x_02", "certificate_pem": "not a pem"}, 400),
        ({"tin": device.tin, "device_no": device.device_no, "certificate_pem": pem}, 409),
    ]
    for body, status in cases:
        with pytest.raises(SandboxRefused) as refused:
            await sandbox.call("POST", "/_sandbox/efris/devices", body)
        assert refused.value.status == status
    listed = await sandbox.call("GET", f"/_sandbox/efris/devices/{device.device_no}")
    assert listed["tin"] == device.tin
    assert listed["key"] is None
