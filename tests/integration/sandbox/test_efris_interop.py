"""An EFRIS client nobody here wrote, against the simulator: PyPI's `ura-efris-sdk` (PAYBILL in
efris.md §0), run in threads (it is sync, on `requests`).

How it is loaded. The package's `__init__` cannot be imported: it imports `.client`, which
imports `.schemas`, which fails at import time with a NameError (`CODE_150` used before it is
defined). Its `utils` (envelope building, AES-ECB, RSA-SHA1 signing, response unwrapping) and
`key_client` (T104) modules import only each other and `.exceptions`. So the test finds the
installed package directory with `importlib.util.find_spec` (which locates the package
without executing its `__init__`), registers an empty module object with that directory as
its `__path__` under a private name (`_ura_efris_sdk`, so nothing else sees a half-loaded
`ura_efris_sdk`), and imports `_ura_efris_sdk.utils` and `_ura_efris_sdk.key_client` through
it: their relative imports (`from .utils import ...`) resolve against that stand-in package.
The stand-in is removed from `sys.modules` after the test.

What is adapted, and nothing else:
- the endpoint: `KeyClient` keeps its URLs as class constants (`T104_ENDPOINT_TEST`, no
  constructor argument), so the test sets that attribute on its instance to EFRIS_URL;
  encrypted calls are `utils.build_encrypted_request(...)` posted with `requests` to EFRIS_URL
  and opened with `utils.unwrap_response(...)`, as the SDK's own `BaseClient` does;
- the device: a .pfx made by `deploy.certificates.make_pfx`, written to a file (KeyClient reads
  a path), and its certificate registered with the sandbox as URA's onboarding would;
- for the gzip case, the request's `dataDescription.zipCode` is set to "1" after the SDK built
  it (the SDK never asks for a compressed answer, but its unwrapping handles one).
The SDK's pydantic request schemas are not used (they are the module that does not import).
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import importlib.util
import sys
import types
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from deploy.certificates import make_pfx
from libs.efris import kampala_time, load_device_keys
from tests.integration.sandbox.efris_device import certificate_pem, new_tin
from tests.integration.sandbox.efris_documents import CEMENT, goods, one_line_invoice

ALIAS = "_ura_efris_sdk"
PASSWORD = "sdk-device"
TIMEOUT = 10


@pytest.fixture
def sdk() -> Iterator[types.SimpleNamespace]:
    """The SDK's `utils` and `key_client` modules, loaded without its broken `__init__`."""
    spec = importlib.util.find_spec("ura_efris_sdk")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    stand_in = types.ModuleType(ALIAS)
    stand_in.__path__ = list(spec.submodule_search_locations)
    sys.modules[ALIAS] = stand_in
    try:
        yield types.SimpleNamespace(
            utils=importlib.import_module(f"{ALIAS}.utils"),
            key_client=importlib.import_module(f"{ALIAS}.key_client"),
        )
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == ALIAS]:
            del sys.modules[name]


def encrypted_call(
    sdk: types.SimpleNamespace, url: str, client: Any, aes_key: bytes, interface: str,
    content: object, *, zipped: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """One encrypted interface the way the SDK's BaseClient makes it; the raw answer JSON."""
    payload = sdk.utils.build_encrypted_request(
        content, aes_key, interface, client.tin, client.device_no, "",
        client._load_private_key(), taxpayer_id="1",
    )  # fmt: skip
    if zipped:
        payload["data"]["dataDescription"]["zipCode"] = "1"
    response = requests.post(url, json=payload, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def sdk_session(sdk: types.SimpleNamespace, url: str, pfx_path: str, tin: str) -> dict[str, Any]:
    """T104 through KeyClient, then T130, T109, T106 and T108 through utils; what each gave."""
    client = sdk.key_client.KeyClient(pfx_path=pfx_path, password=PASSWORD, tin=tin,
                                      device_no=f"{tin}_01", sandbox=True)  # fmt: skip
    client.T104_ENDPOINT_TEST = url
    aes_key = client.fetch_aes_key()
    call = lambda interface, content, **kw: encrypted_call(  # noqa: E731
        sdk, url, client, aes_key, interface, content, **kw
    )
    registered = sdk.utils.unwrap_response(call("T130", goods(CEMENT)), aes_key)
    issued_date = kampala_time(datetime.now(UTC))
    invoice = one_line_invoice(tin, client.device_no, "SDK-1", issued_date)
    issued = sdk.utils.unwrap_response(call("T109", invoice), aes_key)
    duplicate = call("T109", invoice)  # unwrap_response raises on 2253: keep the raw answer
    query = {"referenceNo": "SDK-1", "pageNo": "1", "pageSize": "10"}
    found = sdk.utils.unwrap_response(call("T106", query), aes_key)
    fdn = issued["data"]["content"]["basicInformation"]["invoiceNo"]
    details = sdk.utils.unwrap_response(call("T108", {"invoiceNo": fdn}, zipped=True), aes_key)
    return {"aes_key": aes_key, "registered": registered, "issued": issued,
            "duplicate": duplicate, "found": found, "details": details}  # fmt: skip


async def test_ura_efris_sdk_gets_a_t104_key_and_fiscalises_through_the_sandbox(
    sandbox, sdk, tmp_path
):
    pfx = base64.b64decode(make_pfx(PASSWORD))
    (tmp_path / "device.pfx").write_bytes(pfx)
    tin = new_tin()
    await sandbox.register_efris_device(
        tin=tin, device_no=f"{tin}_01",
        certificate_pem=certificate_pem(load_device_keys(pfx, PASSWORD)),
    )  # fmt: skip

    seen = await asyncio.to_thread(
        sdk_session, sdk, sandbox.efris_url, str(tmp_path / "device.pfx"), tin
    )

    assert len(seen["aes_key"]) == 16
    assert seen["registered"]["data"]["content"] == []
    basic = seen["issued"]["data"]["content"]["basicInformation"]
    assert seen["issued"]["returnStateInfo"] == {"returnCode": "00", "returnMessage": "SUCCESS"}
    assert len(basic["invoiceNo"]) >= 14
    assert len(basic["antifakeCode"]) == 20
    assert seen["duplicate"]["returnStateInfo"]["returnCode"] == "2253"
    [record] = seen["found"]["data"]["content"]["records"]
    assert record["invoiceNo"] == basic["invoiceNo"]
    assert seen["details"]["data"]["dataDescription"]["zipCode"] == "1"
    assert (
        seen["details"]["data"]["content"]["basicInformation"]["antifakeCode"]
        == (basic["antifakeCode"])
    )
    [stored] = await sandbox.efris_invoices(tin=tin, reference_no="SDK-1")
    assert stored["invoice_no"] == basic["invoiceNo"]
