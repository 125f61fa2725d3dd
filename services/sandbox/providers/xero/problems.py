"""Xero's error answers, raised as `ProviderError`s (providers.md §2.8).

401 {"Type": null, "Title": "Unauthorized", "Status": 401, "Detail": "TokenExpired: ..."}
403 {"Type": null, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}
400 {"ErrorNumber": 10, "Type": "ValidationException", "Message": ..., "Elements": [...]}
404 {"Title": "Not Found", "Status": 404, "Detail": "The resource you're looking for cannot be found"}
429 Retry-After + X-Rate-Limit-Problem: minute
"""

from __future__ import annotations

from services.sandbox.errors import ProviderError

TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          429: "Too Many Requests"}  # fmt: skip


def problem(status: int, detail: str) -> object:
    """Xero's problem body."""
    title = TITLES.get(status, "Internal Server Error" if status >= 500 else "Bad Request")
    return {"Type": None, "Title": title, "Status": status, "Detail": detail}


def injected(status: int) -> object:
    return problem(status, "Injected fault")


def unauthorized(reason: str, *, at: str) -> ProviderError:
    detail = (
        f"TokenExpired: token expired at {at}"
        if reason == "expired"
        else "AuthenticationUnsuccessful"
    )
    return ProviderError(401, problem(401, detail), headers={"WWW-Authenticate": "Bearer"})


def forbidden() -> ProviderError:
    return ProviderError(403, problem(403, "AuthenticationUnsuccessful"))


def missing_tenant() -> ProviderError:
    return ProviderError(400, problem(400, "xero-tenant-id header is required"))


def not_found() -> ProviderError:
    return ProviderError(404, problem(404, "The resource you're looking for cannot be found"))


def throttled(retry_after: int) -> ProviderError:
    headers = {"Retry-After": str(retry_after), "X-Rate-Limit-Problem": "minute"}
    return ProviderError(429, problem(429, "Rate limit exceeded: minute"), headers=headers)


def validation(messages: list[str]) -> ProviderError:
    return ProviderError(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{"ValidationErrors": [{"Message": text} for text in messages]}],
        },
    )
