"""An ERP's JSON object, read so that every failure names the field's dotted path.

    Record.parse(envelope, "").records("Invoices")[0].records("LineItems")[2].amount("UnitAmount")
    a missing, null or malformed value -> InvoiceError("Invoices[0].LineItems[2].UnitAmount", "is missing")

Absent and `null` mean the same thing; a blank string counts as absent for optional values.
Amounts go through `libs.invoices.money`, so JSON floats stay exactly as written; a
`Stated` amount keeps the path it was read at, for the error when it disagrees.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from libs.invoices import InvoiceError, money

# Larger amounts are no invoice's; the bound also keeps every cent rounding within
# Decimal's 28 significant digits (quantize raises past them).
_AMOUNT_LIMIT = Decimal("1e15")
# Tax and discount percentages: none is negative, and no tax is ten times the price.
_PERCENT_LIMIT = Decimal(1000)
_T = TypeVar("_T")
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:T[\d:.]*(?:Z|[+-]\d{2}:?\d{2})?)?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")


def iso_date(value: object, *, field: str) -> dt.date:
    """`value` ("2019-03-07" or "2019-03-07T00:00:00...") as a date; `InvoiceError` otherwise."""
    match = _ISO_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InvoiceError(field, "is not an ISO date")
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        raise InvoiceError(field, "is not a calendar date") from None


def currency_code(value: object, *, field: str) -> str:
    """`value` as an upper-case three-letter ISO 4217 code; `InvoiceError` otherwise."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value.strip()):
        raise InvoiceError(field, "is not a three-letter currency code")
    return value.strip().upper()


class Record:
    """One JSON object at `path`; its accessors raise `InvoiceError` naming `path.key`."""

    __slots__ = ("_data", "path")

    def __init__(self, data: Mapping[str, object], path: str) -> None:
        self._data = data
        self.path = path

    @classmethod
    def parse(cls, value: object, path: str) -> Record:
        """`value` as a Record; `InvoiceError(path, ...)` when it is not a JSON object."""
        if not isinstance(value, Mapping):
            raise InvoiceError(path or "(document)", "is not an object")
        return cls(value, path)

    def at(self, key: str) -> str:
        """The dotted path of `key` in this object."""
        return f"{self.path}.{key}" if self.path else key

    def raw(self, key: str) -> object | None:
        """The value as parsed, None when absent or null."""
        return self._data.get(key)

    def required(self, key: str) -> object:
        """The value; `InvoiceError` when absent or null."""
        value = self._data.get(key)
        if value is None:
            raise InvoiceError(self.at(key), "is missing")
        return value

    def text(self, key: str) -> str:
        """A non-blank string, stripped."""
        value = self.required(key)
        if not isinstance(value, str):
            raise InvoiceError(self.at(key), "is not a string")
        if not value.strip():
            raise InvoiceError(self.at(key), "is blank")
        return value.strip()

    def one_of(self, key: str, choices: Mapping[str, _T]) -> _T:
        """What `choices` maps the string at `key` to; `InvoiceError` for any other value."""
        value = self.text(key)
        if value not in choices:
            raise InvoiceError(self.at(key), f"is {value!r}, not one of {', '.join(choices)}")
        return choices[value]

    def present(self, key: str) -> bool:
        """Whether `key` holds a value: not absent, null or a blank string."""
        value = self._data.get(key)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def optional_text(self, key: str) -> str | None:
        """A stripped string, None when absent, null or blank."""
        return self.text(key) if self.present(key) else None

    def ident(self, key: str) -> str:
        """An id given as a string or a whole number, always as a string (18-digit ids overflow JS)."""
        value = self.required(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.text(key)

    def optional_ident(self, key: str) -> str | None:
        """Like `ident`, None when absent, null or blank."""
        return self.ident(key) if self.present(key) else None

    def amount(self, key: str) -> Decimal:
        """A JSON number or numeric string as an exact Decimal, within any invoice's range."""
        value = money(self.required(key), field=self.at(key))
        if abs(value) >= _AMOUNT_LIMIT:
            raise InvoiceError(self.at(key), "is out of range")
        return value

    def optional_amount(self, key: str) -> Decimal | None:
        """Like `amount`, None when absent, null or blank."""
        return self.amount(key) if self.present(key) else None

    def percent(self, key: str) -> Decimal:
        """A percentage (18 for 18%) from 0 to 1000."""
        value = self.amount(key)
        if not Decimal(0) <= value <= _PERCENT_LIMIT:
            raise InvoiceError(self.at(key), "is not a percentage from 0 to 1000")
        return value

    def optional_percent(self, key: str) -> Decimal | None:
        """Like `percent`, None when absent, null or blank."""
        return self.percent(key) if self.present(key) else None

    def flag(self, key: str, *, default: bool) -> bool:
        """A JSON boolean, `default` when absent or null."""
        value = self._data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise InvoiceError(self.at(key), "is not true or false")
        return value

    def date(self, key: str) -> dt.date:
        """An ISO date (a datetime's date part is accepted)."""
        return iso_date(self.required(key), field=self.at(key))

    def optional_date(self, key: str) -> dt.date | None:
        """Like `date`, None when absent, null or blank."""
        return self.date(key) if self.present(key) else None

    def currency(self, key: str) -> str:
        """An ISO 4217 code, upper case."""
        return currency_code(self.required(key), field=self.at(key))

    def record(self, key: str) -> Record:
        """A nested object."""
        return Record.parse(self.required(key), self.at(key))

    def optional_record(self, key: str) -> Record | None:
        """A nested object, None when absent or null."""
        return None if self._data.get(key) is None else self.record(key)

    def records(self, key: str) -> list[Record]:
        """A list of objects, each at `key[i]`."""
        value = self.required(key)
        if not isinstance(value, list):
            raise InvoiceError(self.at(key), "is not a list")
        return [Record.parse(item, f"{self.at(key)}[{index}]") for index, item in enumerate(value)]

    def optional_records(self, key: str) -> list[Record]:
        """Like `records`, empty when absent or null."""
        return [] if self._data.get(key) is None else self.records(key)


@dataclass(frozen=True)
class Stated:
    """An amount as the ERP states it, and the dotted path it stands at."""

    field: str
    value: Decimal

    @classmethod
    def read(cls, record: Record, key: str) -> Stated:
        """The amount at `record.key` (required)."""
        return cls(record.at(key), record.amount(key))
