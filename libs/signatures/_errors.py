"""Errors at the signature boundary: why a webhook request was not accepted as authentic.

SignatureError              the request does not prove it came from the provider
├── MissingSignature        a header the scheme needs is absent
├── MalformedSignature      a header is present but unparseable (blank, repeated, wrong shape)
├── InvalidSignature        well-formed, but no configured secret produces it
├── StaleTimestamp          authentic, but signed outside the tolerance (past or future)
└── SecretNotConfigured     no secret is configured: refuse, never accept unsigned

Every error carries `provider` and `header` (the header it is about) as attributes. Messages
name the provider and header only: never a secret, an expected digest or the presented value
(attacker-controlled text stays out of logs).
"""

from __future__ import annotations


class SignatureError(Exception):
    """Base of every verification failure; catch this to answer 401."""

    def __init__(self, message: str, *, provider: str, header: str) -> None:
        super().__init__(message)
        self.provider = provider
        self.header = header


class MissingSignature(SignatureError):
    """A header the scheme requires (signature, timestamp, id, ...) is absent."""

    def __init__(self, *, provider: str, header: str) -> None:
        super().__init__(
            f"{provider}: the {header} header is missing", provider=provider, header=header
        )


class MalformedSignature(SignatureError):
    """A required header is present but cannot be parsed; `reason` says how it is wrong."""

    def __init__(self, reason: str, *, provider: str, header: str) -> None:
        super().__init__(f"{provider}: {header} {reason}", provider=provider, header=header)
        self.reason = reason


class InvalidSignature(SignatureError):
    """The signature is well-formed but no configured secret produces it."""

    def __init__(self, *, provider: str, header: str) -> None:
        super().__init__(
            f"{provider}: {header} does not match any configured secret",
            provider=provider,
            header=header,
        )


class StaleTimestamp(SignatureError):
    """An authentic signature whose signed timestamp is outside the tolerance, either way.

    Raised only after the signature matched, so it means a replay or clock skew, not a forgery.
    `timestamp` is the signed time (Unix seconds), `skew` its distance from our clock
    (positive: in the future) and `tolerance` the allowed distance, all in seconds.
    """

    def __init__(
        self, *, provider: str, header: str, timestamp: float, skew: float, tolerance: float
    ) -> None:
        direction = "future" if skew > 0 else "past"
        super().__init__(
            f"{provider}: {header} is {abs(skew):.0f} s in the {direction} "
            f"(tolerance {tolerance:g} s)",
            provider=provider,
            header=header,
        )
        self.timestamp = timestamp
        self.skew = skew
        self.tolerance = tolerance


class SecretNotConfigured(SignatureError):
    """No secret is configured for the provider, so every request is refused (fail closed)."""

    def __init__(self, *, provider: str, header: str) -> None:
        super().__init__(
            f"{provider}: no secret is configured to verify {header}; request refused",
            provider=provider,
            header=header,
        )
