"""The subset of QBO's query language the sandbox answers (`GET|POST …/query`).

    SELECT * | COUNT(*) FROM <Entity>
        [WHERE <Field> <op> <value> [AND ...]]      op: = < > <= >= LIKE IN ('a', 'b')
        [ORDERBY <Field> [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS m]

Entities: Customer, Invoice, TaxCode. Fields are top-level names (`DisplayName`, `DocNumber`,
`TxnDate`, `Id`) or a dotted path (`MetaData.LastUpdatedTime`); a `...Ref` field compares its
`value`. Keywords are case-insensitive, values are single-quoted (`\\'` escapes a quote) or bare
numbers. Anything else is a 400 with code 4000, as QBO answers an unparsable query.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from services.sandbox.providers.quickbooks.company import Company, Json
from services.sandbox.providers.quickbooks.faults import invalid

_STATEMENT = re.compile(
    r"^\s*select\s+(?P<what>\*|count\(\*\))\s+from\s+(?P<entity>\w+)"
    r"(?:\s+where\s+(?P<where>.+?))?"
    r"(?:\s+order\s*by\s+(?P<order>[\w.]+)(?:\s+(?P<direction>asc|desc))?)?"
    r"(?:\s+startposition\s+(?P<start>\d+))?"
    r"(?:\s+maxresults\s+(?P<max>\d+))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_VALUE = r"'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|true|false"
_CONDITION = re.compile(
    rf"^\s*(?P<field>[\w.]+)\s*(?P<op><=|>=|=|<|>|\blike\b|\bin\b)\s*"
    rf"(?P<value>{_VALUE}|\((?:\s*(?:{_VALUE})\s*,?)+\))\s*$",
    re.IGNORECASE,
)
_AND = re.compile(r"\s+and\s+(?=(?:[^']*'[^']*')*[^']*$)", re.IGNORECASE)
MAX_RESULTS = 1000


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    values: tuple[str, ...]

    def matches(self, record: Json) -> bool:
        actual = _field(record, self.field)
        if actual is None:
            return False
        if self.op == "in":
            return actual in self.values
        expected = self.values[0]
        if self.op == "like":
            pattern = re.escape(expected).replace("%", ".*")
            return re.fullmatch(pattern, actual, re.IGNORECASE | re.DOTALL) is not None
        return _compare(actual, expected, self.op)


def run_query(company: Company, text: str) -> Json:
    """The `QueryResponse` for `text` against `company`."""
    statement = _STATEMENT.match(text)
    if statement is None:
        raise invalid(f"QueryParserError: could not parse {text[:200]!r}", code="4000")
    entity = _entity_name(statement["entity"])
    conditions = _conditions(statement["where"])
    rows = [row for row in _rows(company, entity) if all(c.matches(row) for c in conditions)]
    if statement["what"] != "*":
        return {"totalCount": len(rows)}
    if statement["order"]:
        descending = (statement["direction"] or "").lower() == "desc"
        rows.sort(key=lambda row: _sort_key(_field(row, statement["order"])), reverse=descending)
    start = max(int(statement["start"] or 1), 1)
    limit = min(int(statement["max"] or 100), MAX_RESULTS)
    page = rows[start - 1 : start - 1 + limit]
    if not page:
        return {}
    return {entity: page, "startPosition": start, "maxResults": len(page)}


def _entity_name(name: str) -> str:
    for known in ("Customer", "Invoice", "TaxCode"):
        if name.lower() == known.lower():
            return known
    raise invalid(f"QueryValidationError: Invalid entity {name[:50]!r}", code="4000")


def _rows(company: Company, entity: str) -> list[Json]:
    if entity == "Customer":
        return list(company.customers.values())
    if entity == "Invoice":
        return list(company.invoices.values())
    return [code.as_json() for code in company.tax_codes.values()]


def _conditions(where: str | None) -> list[Condition]:
    if not where:
        return []
    conditions = []
    for part in _AND.split(where):
        found = _CONDITION.match(part)
        if found is None:
            raise invalid(
                f"QueryParserError: could not parse condition {part[:100]!r}", code="4000"
            )
        raw = found["value"]
        values = re.findall(_VALUE, raw[1:-1], re.IGNORECASE) if raw.startswith("(") else [raw]
        conditions.append(
            Condition(
                field=found["field"],
                op=found["op"].lower(),
                values=tuple(_literal(value) for value in values),
            )
        )
    return conditions


def _literal(value: str) -> str:
    if value.startswith("'"):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _field(record: Json, path: str) -> str | None:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, dict):
        value = value.get("value")
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _compare(actual: str, expected: str, op: str) -> bool:
    left: Any = actual
    right: Any = expected
    with contextlib.suppress(ValueError):
        left, right = float(actual), float(expected)
    if op == "=":
        return bool(left == right)
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    return bool(left >= right)


def _sort_key(value: str | None) -> tuple[int, float, str]:
    if value is None:
        return (2, 0.0, "")
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)
