"""Reading the shape of one parsed body (and its headers), failing with `MalformedPayload`.

Providers add fields all the time, so only what routing and naming need is required; extra
keys are never an error. A required value that is absent or JSON `null` is "missing"; a
present value of the wrong JSON kind is refused by name (`must be a JSON array, not object`).
Paths in messages are built from our own keys and indices, never from payload values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from services.ingress.notifications._notification import MalformedPayload

# CloudEvent.accountid allows 200 characters; no provider id we route or name comes close.
MAX_IDENTIFIER = 200


_JSON_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),  # before int: a bool is an int to isinstance
    (int, "number"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def json_kind(value: object) -> str:
    """The JSON name of a parsed value's kind, for error messages."""
    if value is None:
        return "null"
    return next((name for kind, name in _JSON_KINDS if isinstance(value, kind)), "value")


def identifier_text(value: object) -> str | None:
    """`value` as an id: a non-blank string or an integer of at most 200 characters, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str) and value.strip():
        text = value
    else:
        return None
    return text if len(text) <= MAX_IDENTIFIER else None


def _child(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class Shape:
    """Reads one provider's body; every refusal is a `MalformedPayload` naming the path."""

    __slots__ = ("provider",)

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def malformed(self, where: str, reason: str) -> MalformedPayload:
        """The error for the value at `where` ("" for the body itself)."""
        return MalformedPayload(provider=self.provider, where=where or "the body", reason=reason)

    def as_object(self, value: object, where: str) -> dict[str, object]:
        """`value`, which must be a JSON object."""
        if isinstance(value, dict):
            return value
        raise self.malformed(where, f"must be a JSON object, not {json_kind(value)}")

    def as_array(self, value: object, where: str) -> list[object]:
        """`value`, which must be a JSON array."""
        if isinstance(value, list):
            return value
        raise self.malformed(where, f"must be a JSON array, not {json_kind(value)}")

    def member(self, obj: Mapping[str, object], key: str, where: str) -> object:
        """`obj[key]`, which must be present and not null."""
        value = obj.get(key)
        if value is None:
            raise self.malformed(_child(where, key), "is missing")
        return value

    def object_at(self, obj: Mapping[str, object], key: str, where: str) -> dict[str, object]:
        """`obj[key]`, a required JSON object."""
        return self.as_object(self.member(obj, key, where), _child(where, key))

    def optional_object_at(
        self, obj: Mapping[str, object], key: str, where: str
    ) -> dict[str, object] | None:
        """`obj[key]` if present and not null, and then a JSON object."""
        value = obj.get(key)
        return None if value is None else self.as_object(value, _child(where, key))

    def objects_at(
        self, obj: Mapping[str, object], key: str, where: str
    ) -> Iterator[tuple[dict[str, object], str]]:
        """Each element of the required array `obj[key]`, which must be objects, with its path."""
        return self.objects(
            self.as_array(self.member(obj, key, where), _child(where, key)),
            where=_child(where, key),
        )

    def optional_objects_at(
        self, obj: Mapping[str, object], key: str, where: str
    ) -> Iterator[tuple[dict[str, object], str]]:
        """Like `objects_at`, but an absent or null `obj[key]` is an empty array."""
        value = obj.get(key)
        if value is None:
            return iter(())
        return self.objects(self.as_array(value, _child(where, key)), where=_child(where, key))

    def objects(
        self, items: list[object], *, where: str
    ) -> Iterator[tuple[dict[str, object], str]]:
        """Each element of `items` (found at `where`), which must be objects, with its path."""
        for index, item in enumerate(items):
            item_where = f"{where}[{index}]"
            yield self.as_object(item, item_where), item_where

    def text_at(self, obj: Mapping[str, object], key: str, where: str) -> str:
        """`obj[key]`, a required string (possibly empty: names are normalised, not judged)."""
        value = self.member(obj, key, where)
        if isinstance(value, str):
            return value
        raise self.malformed(_child(where, key), f"must be a string, not {json_kind(value)}")

    def identifier_at(self, obj: Mapping[str, object], key: str, where: str) -> str:
        """`obj[key]`, a required id: a non-blank string or an integer, at most 200 characters."""
        return self.identifier(self.member(obj, key, where), _child(where, key))

    def optional_identifier_at(self, obj: Mapping[str, object], key: str, where: str) -> str | None:
        """Like `identifier_at`, but an absent or null `obj[key]` is None."""
        value = obj.get(key)
        return None if value is None else self.identifier(value, _child(where, key))

    def identifier(self, value: object, where: str) -> str:
        """`value` as an id (see `identifier_text`), or `MalformedPayload` saying why not."""
        text = identifier_text(value)
        if text is not None:
            return text
        if isinstance(value, str):
            reason = "must not be blank" if not value.strip() else "is too long for an id"
        elif isinstance(value, int) and not isinstance(value, bool):
            reason = "is too long for an id"
        else:
            reason = f"must be a string or an integer, not {json_kind(value)}"
        raise self.malformed(where, reason)

    def header(self, headers: Mapping[str, str], *names: str) -> str:
        """The value of the first of `names` present (case-insensitively), as an id."""
        value = self.optional_header(headers, *names)
        if value is None:
            raise self.malformed(f"header {names[0]}", "is missing")
        return self.identifier(value, f"header {names[0]}")

    def optional_header(self, headers: Mapping[str, str], *names: str) -> str | None:
        """The stripped value of the first of `names` present and not blank, else None.

        A name repeated with different values (two spellings in a dict, or a repeated header)
        is ambiguous and refused rather than guessed.
        """
        for name in names:
            wanted = name.lower()
            values = {
                value.strip()
                for key, value in headers.items()
                if key.lower() == wanted and value.strip()
            }
            if len(values) > 1:
                raise self.malformed(f"header {name}", "appears with different values")
            if values:
                return values.pop()
        return None
