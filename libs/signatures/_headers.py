"""A case-insensitive, single-valued view of one request's headers.

aiohttp hands us a `CIMultiDictProxy`, tests and the sandbox a plain dict; both are a
`Mapping[str, str]` whose `items()` we fold by lower-cased name. A header that a scheme reads
must appear exactly once: two values (a repeated header, or a dict holding two spellings of one
name) are ambiguous, and we refuse rather than guess which one was meant.
"""

from __future__ import annotations

from collections.abc import Mapping

from libs.signatures._errors import MalformedSignature, MissingSignature


class RequestHeaders:
    """The headers of one request, looked up case-insensitively on behalf of `provider`."""

    __slots__ = ("_folded", "_headers", "_provider")

    def __init__(self, headers: Mapping[str, str], *, provider: str) -> None:
        self._headers = headers
        self._folded: dict[str, list[str]] | None = None
        self._provider = provider

    def _all(self, name: str) -> list[str]:
        """Every value of header `name`: aiohttp's multidict answers directly (it is already
        case-insensitive and keeps repeats); any other mapping is folded once, on first use."""
        getall = getattr(self._headers, "getall", None)
        if getall is not None:
            found: list[str] = getall(name, [])
            return found
        if self._folded is None:
            folded: dict[str, list[str]] = {}
            for key, value in self._headers.items():
                folded.setdefault(key.lower(), []).append(value)
            self._folded = folded
        return self._folded.get(name.lower(), [])

    def require(self, name: str) -> str:
        """The single value of header `name`, stripped of surrounding whitespace.

        Raises `MissingSignature` when absent, `MalformedSignature` when repeated, blank or not
        ASCII (every header a signature scheme reads is ASCII on the wire).
        """
        found = self._all(name)
        if not found:
            raise MissingSignature(provider=self._provider, header=name)
        if len(found) > 1:
            raise self._malformed(name, "appears more than once")
        value = found[0].strip()
        if not value:
            raise self._malformed(name, "is empty")
        if not value.isascii():
            raise self._malformed(name, "is not ASCII")
        return value

    def _malformed(self, name: str, reason: str) -> MalformedSignature:
        return MalformedSignature(reason, provider=self._provider, header=name)
