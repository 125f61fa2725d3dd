"""The QBO request bodies the sandbox reads, as lenient pydantic models.

Real clients send more than the API needs: python-quickbooks serialises every attribute,
with `""` for unset text and dates and `0` for SyncToken. So blank strings read as absent,
numbers are accepted where QBO accepts them as strings (ids, SyncToken), and unknown fields
are kept (`extra="allow"`) to be echoed back where QBO would echo them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from services.sandbox.providers.quickbooks.faults import invalid

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)


def _blank_is_absent(value: object) -> object:
    return None if value == "" else value


Maybe = Annotated[T | None, BeforeValidator(_blank_is_absent)]


class Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)


class Ref(Lenient):
    value: str
    name: Maybe[str] = None


class EmailAddress(Lenient):
    Address: Maybe[str] = None


class SalesItemDetail(Lenient):
    Qty: Maybe[Decimal] = None
    UnitPrice: Maybe[Decimal] = None
    ItemRef: Maybe[Ref] = None
    TaxCodeRef: Maybe[Ref] = None


class DiscountDetail(Lenient):
    PercentBased: Maybe[bool] = None
    DiscountPercent: Maybe[Decimal] = None
    DiscountAccountRef: Maybe[Ref] = None


class LineIn(Lenient):
    Amount: Maybe[Decimal] = None
    DetailType: str = "SalesItemLineDetail"
    Description: Maybe[str] = None
    SalesItemLineDetail: Maybe[SalesItemDetail] = None
    DiscountLineDetail: Maybe[DiscountDetail] = None


class InvoiceIn(Lenient):
    Id: Maybe[str] = None
    SyncToken: Maybe[str] = None
    sparse: bool = False
    CustomerRef: Maybe[Ref] = None
    Line: list[LineIn] = []
    DocNumber: Maybe[str] = None
    TxnDate: Maybe[date] = None
    DueDate: Maybe[date] = None
    CurrencyRef: Maybe[Ref] = None
    BillEmail: Maybe[EmailAddress] = None
    PrivateNote: Maybe[str] = None
    CustomerMemo: Maybe[Ref] = None
    ApplyTaxAfterDiscount: Maybe[bool] = None


class CustomerIn(Lenient):
    Id: Maybe[str] = None
    SyncToken: Maybe[str] = None
    sparse: bool = False
    DisplayName: Maybe[str] = None
    GivenName: Maybe[str] = None
    FamilyName: Maybe[str] = None
    CompanyName: Maybe[str] = None
    PrimaryEmailAddr: Maybe[EmailAddress] = None
    PrimaryTaxIdentifier: Maybe[str] = None
    CurrencyRef: Maybe[Ref] = None


class EntityRef(Lenient):
    """`{Id, SyncToken}`: what delete and void send."""

    Id: Maybe[str] = None
    SyncToken: Maybe[str] = None


def parse(model: type[ModelT], body: object, *, entity: str) -> ModelT:
    """`body` as `model`; a QBO 400 ValidationFault naming the first bad element otherwise."""
    if not isinstance(body, dict):
        raise invalid(f"{entity} must be a JSON object", element=entity)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        element = ".".join(str(part) for part in first["loc"])
        raise invalid(f"{entity}.{element}: {first['msg']}", element=element) from None


def entity_body(body: object, entity: str) -> Any:
    """A QBO write body: the entity object itself or wrapped as `{"Invoice": {...}}`."""
    if isinstance(body, dict) and isinstance(body.get(entity), dict):
        return body[entity]
    return body


def require_json(raw: bytes) -> object:
    """Parse a request body as JSON; a QBO 400 when it is not JSON."""
    try:
        return orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        raise invalid("Request body is not valid JSON") from None
