"""QuickBooks Online's error envelope (providers.md §1.9), raised as `ProviderError`s.

{"Fault": {"Error": [{"Message", "Detail", "code", "element"}],
           "type": "ValidationFault" | "AuthenticationFault" | "AuthorizationFault" | ...},
 "time": "2026-...-00:00"}

401 3200 AuthenticationFault   missing, unknown, expired or revoked Bearer token
403 3100 AuthorizationFault    the token's grant does not cover this realm
400 610  ValidationFault       Object Not Found (unknown or deleted id)
400 2020 ValidationFault       a required field is missing or malformed
400 2500 ValidationFault       Invalid Reference Id (customer, tax code)
400 5010 ValidationFault       Stale Object Error (SyncToken is not the current one)
400 6240 ValidationFault       Duplicate Name Exists Error
400 4000 ValidationFault       the query could not be parsed
429 003001 ThrottleExceeded    more than the realm's requests per minute (Retry-After)
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.sandbox.errors import ProviderError

FAULT_TYPES = {401: "AuthenticationFault", 403: "AuthorizationFault", 429: "ThrottleExceeded"}


def fault_body(status: int, *, message: str, detail: str, code: str, element: str = "") -> object:
    """The QBO Fault envelope for one error."""
    fault_type = FAULT_TYPES.get(status, "ValidationFault" if status < 500 else "SystemFault")
    error = {"Message": message, "Detail": detail, "code": code, "element": element}
    return {"Fault": {"Error": [error], "type": fault_type}, "time": qbo_time()}


def qbo_time(moment: datetime | None = None) -> str:
    """QBO's `time` field: ISO 8601 with milliseconds and an offset."""
    moment = moment or datetime.now(UTC)
    return moment.isoformat(timespec="milliseconds")


def injected(status: int) -> object:
    """The body of an injected fault of `status`."""
    if status == 429:
        return fault_body(
            429, message="ThrottleExceeded", detail="Throttle exceeded", code="003001"
        )
    if status >= 500:
        return fault_body(
            status, message="An application error has occurred", detail="SystemFault", code="10000"
        )
    return fault_body(status, message="Request has invalid or unsupported property",
                      detail="Injected fault", code="2010")  # fmt: skip


def unauthenticated(detail: str) -> ProviderError:
    return ProviderError(
        401,
        fault_body(
            401,
            message="message=AuthenticationFailed; errorCode=003200; statusCode=401",
            detail=detail,
            code="3200",
        ),
        headers={"WWW-Authenticate": 'Bearer realm="Intuit"'},
    )


def forbidden() -> ProviderError:
    return ProviderError(
        403,
        fault_body(
            403,
            message="message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
            detail="The token was not issued for this company",
            code="3100",
        ),
    )


def throttled(retry_after: int) -> ProviderError:
    return ProviderError(
        429,
        fault_body(429, message="ThrottleExceeded", detail="Throttle exceeded", code="003001"),
        headers={"Retry-After": str(retry_after)},
    )


def not_found(entity: str, entity_id: str) -> ProviderError:
    detail = (
        f"Object Not Found : Something you're trying to use has been made inactive. "
        f"Check the fields with accounts, customers, items, vendors or employees. ({entity} {entity_id})"
    )
    return ProviderError(
        400, fault_body(400, message="Object Not Found", detail=detail, code="610")
    )


def invalid(detail: str, *, code: str = "2020", element: str = "") -> ProviderError:
    messages = {
        "2020": "Required param missing, need to supply the required value for the API",
        "2500": "Invalid Reference Id",
        "5010": "Stale Object Error",
        "6240": "Duplicate Name Exists Error",
        "4000": "Error parsing query",
    }
    message = messages.get(code, "Request has invalid or unsupported property")
    return ProviderError(
        400, fault_body(400, message=message, detail=detail, code=code, element=element)
    )
