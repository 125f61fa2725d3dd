"""Standard Webhooks specifics (webhook-platforms.md §1.1, §1.2)."""

from __future__ import annotations

import pytest

from libs.signatures import (
    InvalidSignature,
    MalformedSignature,
    StandardWebhooksVerifier,
    sign_standard_webhooks,
)
from tests.unit.signatures.schemes import NOW, clock

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BODY = b'{"type":"invoice.paid","timestamp":"2023-11-14T22:13:20Z","data":{}}'
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def _headers(signature: str, *, msg_id: str = MSG_ID, timestamp: str = str(NOW)):
    return {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": signature}


def _sign(**overrides) -> str:
    fields = {"msg_id": MSG_ID, "timestamp": NOW, "secret": SECRET, **overrides}
    return sign_standard_webhooks(BODY, **fields)


def _verify(headers: dict[str, str]):
    return StandardWebhooksVerifier(secrets=[SECRET], clock=clock).verify(BODY, headers)


# webhook-platforms.md §1.2: the asymmetric vector, from svix-server worker.rs
V1A_SIGNATURE = (
    "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=="
)


def test_ignores_asymmetric_v1a_entries_beside_a_valid_v1():
    header = f"{V1A_SIGNATURE} {_sign()}"
    assert _verify(_headers(header)).secret_index == 0


@pytest.mark.parametrize("header", ["v1a,abc", "v2,abc", "nocomma", "v1, v1a,x"])
def test_refuses_a_header_without_any_v1_signature_as_malformed(header: str):
    with pytest.raises(MalformedSignature, match="no v1"):
        _verify(_headers(header))


def test_signs_the_message_id_so_a_replay_under_another_id_fails():
    with pytest.raises(InvalidSignature):
        _verify(_headers(_sign(), msg_id="msg_other"))


@pytest.mark.parametrize("timestamp", ["161426533.0", "invalid timestamp", "-161426533"])
def test_refuses_the_timestamps_the_reference_tests_refuse(timestamp: str):
    # webhook-platforms.md §1.2: the PHP tests reject these timestamps.
    with pytest.raises(MalformedSignature) as caught:
        _verify(_headers(_sign(), timestamp=timestamp))
    assert caught.value.header == "webhook-timestamp"


def test_refuses_a_non_ascii_message_id_as_malformed():
    with pytest.raises(MalformedSignature) as caught:
        _verify(_headers(_sign(), msg_id="msg_é"))
    assert caught.value.header == "webhook-id"


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_", "whsec_a", "whsec_é"])
def test_a_secret_that_does_not_decode_is_a_configuration_error_without_the_secret(secret: str):
    with pytest.raises(ValueError, match="Standard Webhooks secret") as caught:
        StandardWebhooksVerifier(secrets=[secret])
    assert secret not in str(caught.value)
