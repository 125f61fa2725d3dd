"""What the sandbox answers when it cannot do what was asked.

Two families, because two kinds of client talk to it:

    ControlError            /_sandbox/... -> {"error": {"code", "message"}} with `status`
    ├── InvalidInput        400  body, query or path does not validate
    ├── NotFound            404  no such company, organisation, invoice, delivery...
    ├── Conflict            409  would duplicate an id that must be unique
    └── NotConfigured       409  a webhook secret the sandbox would sign with is not set

    ProviderError           a simulated provider's own answer, in that provider's shape
                            (QBO Fault, Xero problem, Zoho code/message, OAuth error)

A `ProviderError` carries a ready body and headers; the simulated-provider wrapper
(`services.sandbox.simulation`) turns it into the response, records it for inspection
and counts it against faults. Neither kind ever carries a token or secret in its text.
"""

from __future__ import annotations

from collections.abc import Mapping


class ControlError(Exception):
    """A refusal of the control API; `status`, `code` and `message` make the JSON answer."""

    status = 400
    code = "invalid_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ControlError):
    status = 400
    code = "invalid_request"


class NotFound(ControlError):
    status = 404
    code = "not_found"


class Conflict(ControlError):
    status = 409
    code = "conflict"


class NotConfigured(ControlError):
    status = 409
    code = "not_configured"


class ProviderError(Exception):
    """A simulated provider's error answer: `status`, a JSON-able `body`, extra `headers`."""

    def __init__(
        self, status: int, body: object, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"provider answered {status}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
