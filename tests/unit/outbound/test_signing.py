"""The Standard Webhooks test vectors (webhook-platforms.md §1.2) and multi-key signatures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from libs.signatures import new_standard_webhooks_secret
from services.outbound.delivery.signing import signature, signing_key

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
PAYLOAD = b'{"test": 2432232314}'


def test_the_spec_vector() -> None:
    keys = [signing_key(SECRET, expires_at=None)]
    assert signature(keys, msg_id=MSG_ID, timestamp=TIMESTAMP, body=PAYLOAD) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_rotating_endpoint_signs_with_every_live_key_and_drops_expired_ones() -> None:
    old, new = new_standard_webhooks_secret(), new_standard_webhooks_secret()
    keys = [signing_key(new, expires_at=None), signing_key(old, expires_at=TIMESTAMP + 10)]
    live = signature(keys, msg_id=MSG_ID, timestamp=TIMESTAMP, body=PAYLOAD)
    later = signature(keys, msg_id=MSG_ID, timestamp=TIMESTAMP + 10, body=PAYLOAD)

    assert len(live.split()) == 2
    assert len(later.split()) == 1
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(TIMESTAMP), "webhook-signature": live}
    for secret in (old, new):
        webhook = Webhook(secret)
        # the reference library checks the timestamp against its clock; verify the HMAC part
        assert webhook.sign(MSG_ID, _when(TIMESTAMP), PAYLOAD.decode()) in live.split()
    with pytest.raises(WebhookVerificationError):
        Webhook(new_standard_webhooks_secret()).verify(PAYLOAD, headers)


def test_new_secrets_are_32_random_bytes_in_whsec_form() -> None:
    secrets = {new_standard_webhooks_secret() for _ in range(100)}
    assert len(secrets) == 100
    assert all(s.startswith("whsec_") and len(s) == 6 + 44 for s in secrets)


def _when(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
