"""What the admin API answers when it cannot do what was asked (CONTRACT §6).

AdminError              -> {"error": {"code", "message"}} with `status`
├── InvalidRequest      400  body or query does not validate (details say where)
├── Unauthenticated     401  no, malformed, expired, revoked or wrongly signed credentials
├── Forbidden           403  authenticated, but the role or API key scope does not allow it
├── NotFound            404  no such object *for this caller* (other tenants' objects too)
├── Conflict            409  would duplicate something unique (an email, a name)
├── Unprocessable       422  valid shape, but the content is refused (expired certificate...)
│   └── InvalidEndpoint 422  a webhook endpoint that cannot be saved (private URL, bad filter)
├── TooManyRequests     429  login rate limit or lockout; `retry_after` seconds
├── BadGateway          502  a provider did not complete what the request needed (an OAuth connect)
└── Unavailable         503  a dependency did not take the work (the broker did not confirm a send)
"""

from __future__ import annotations

from typing import Any


class AdminError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidRequest(AdminError):
    status = 400
    code = "invalid_request"


class Unauthenticated(AdminError):
    status = 401
    code = "unauthenticated"


class Forbidden(AdminError):
    status = 403
    code = "forbidden"


class NotFound(AdminError):
    status = 404
    code = "not_found"


class Conflict(AdminError):
    status = 409
    code = "conflict"


class Unprocessable(AdminError):
    status = 422
    code = "unprocessable"


class InvalidEndpoint(Unprocessable):
    code = "invalid_endpoint"


class TooManyRequests(AdminError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BadGateway(AdminError):
    status = 502
    code = "bad_gateway"


class Unavailable(AdminError):
    status = 503
    code = "unavailable"
