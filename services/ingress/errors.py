"""What ingress answers when it cannot accept a webhook (CONTRACT §3).

    IngressError                 -> {"error": {"code", "message"}} with `status`
    ├── PayloadTooLarge          413  above the size limit (checked before reading further)
    ├── InvalidBody              400  empty, not JSON, or not this provider's shape
    ├── UnknownEndpoint          404  no active Zoho connection or source behind the path
    └── VerificationRefused      403  WhatsApp subscribe handshake with a wrong token

Signature failures (`libs.signatures.SignatureError`) answer 401 and broker
failures (`libs.broker.PublishError`) answer 503 with Retry-After; the
middleware in `http.py` maps those too.
"""

from __future__ import annotations


class IngressError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PayloadTooLarge(IngressError):
    status = 413
    code = "payload_too_large"


class InvalidBody(IngressError):
    status = 400
    code = "invalid_body"


class UnknownEndpoint(IngressError):
    status = 404
    code = "unknown_endpoint"


class VerificationRefused(IngressError):
    status = 403
    code = "verification_refused"
