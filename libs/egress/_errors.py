from __future__ import annotations

from aiohttp import ClientConnectorError


class EgressRefused(Exception):
    """An outbound URL or address is not allowed by the `EgressPolicy`.

    `url` is safe to log: scheme, host and port only (no credentials, path, query or fragment,
    since webhook URLs often carry tokens in any of them); `address` is the refused IP when
    there is one; `reason` says why in words a tenant can act on.
    """

    def __init__(self, *, url: str, address: str | None, reason: str) -> None:
        at = f" ({address})" if address is not None else ""
        super().__init__(f"{url}{at}: {reason}")
        self.url = url
        self.address = address
        self.reason = reason


class RefusedAtConnect(EgressRefused, OSError):
    """A refusal found while connecting; an `OSError`, so aiohttp wraps it in a `ClientConnectorError`."""

    def __init__(self, *, url: str, address: str | None, reason: str) -> None:
        super().__init__(url=url, address=address, reason=reason)
        # ClientConnectorError's message shows the wrapped error's strerror.
        self.strerror = f"egress refused: {reason}"


def refusal_of(exc: BaseException) -> EgressRefused | None:
    """The `EgressRefused` behind `exc` (itself, or a `ClientConnectorError` wrapping one), else None."""
    if isinstance(exc, EgressRefused):
        return exc
    if isinstance(exc, ClientConnectorError) and isinstance(exc.os_error, EgressRefused):
        return exc.os_error
    return None
