"""How erp_sync's handlers turn provider and connection failures into broker decisions.

    ProviderUnavailable (timeout, 5xx, 429)          → RetryableError, honouring Retry-After
    MalformedResponse, AuthExpired after a refresh   → RetryableError (tiers, then the DLQ)
    NeedsReconnect                                   → PermanentError: parked in the DLQ, replayable
                                                       once the tenant reconnects
    any other ProviderRejected (4xx)                 → PermanentError

`NotFound` and `InvoiceError` are not here: they are answers about the invoice, which the
handler records as tenant activity instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from libs.broker import PermanentError, RetryableError
from libs.http import (
    AuthExpired,
    MalformedResponse,
    NotFound,
    ProviderRejected,
    ProviderUnavailable,
)
from services.erp_sync.tokens import NeedsReconnect


@contextmanager
def provider_failures() -> Iterator[None]:
    """Translate the failures in the module docstring; `NotFound` passes through untouched."""
    try:
        yield
    except NeedsReconnect as exc:
        raise PermanentError(str(exc)) from exc
    except ProviderUnavailable as exc:
        raise RetryableError(str(exc), retry_after=exc.retry_after) from exc
    except (MalformedResponse, AuthExpired) as exc:
        raise RetryableError(str(exc)) from exc
    except NotFound:
        raise
    except ProviderRejected as exc:
        raise PermanentError(str(exc)) from exc
