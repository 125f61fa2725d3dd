"""T130 goods upload and T127 goods inquiry, per TIN (efris.md §4 T130, §8.1).

T130 takes a list of items; each is checked and stored on its own:

    operationType  101 add (602 if the code exists) · 102 modify (684 if it does not) · 683
    goodsCode 600/601 · goodsName 603/604 · measureUnit 605 · unitPrice 607/610/611 ·
    currency (T115 value, e.g. "101" UGX) 612/613 · commodityCategoryId 614-616 ·
    haveExciseTax 620/621; 101 → 681 (no sandbox taxpayer has excise duty)

The answer [I]: all stored → "00" with `[]`; otherwise "45" (Partial failure!) with the
failed items echoed, each with its own `returnCode` / `returnMessage`, the items that
passed being stored all the same. URA-DOC's T130 answer is the failed items; PAYBILL types
the per-item codes (efris.md §0); what URA returns when all succeed was not seen.

T127 pages the taxpayer's items, filtered by `goodsCode` / `goodsName` (contains).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from services.sandbox.providers.efris.arithmetic import decimal_of
from services.sandbox.providers.efris.catalog import Catalog, Goods, new_goods_id
from services.sandbox.providers.efris.exchange import Call, Reply
from services.sandbox.providers.efris.paging import page_of
from services.sandbox.providers.efris.return_codes import EfrisRefusal

# field → (its "cannot be empty" code, then (pattern it must match, code if not) in order)
FIELD_RULES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("goodsCode", "600", ((r".{1,50}", "601"),)),
    ("goodsName", "603", ((r".{1,200}", "604"),)),
    ("measureUnit", "605", ()),
    ("currency", "612", ((r"[0-9]{3}", "613"),)),
    ("commodityCategoryId", "614", ((r".{1,18}", "615"), (r"[0-9]+", "616"))),
    ("haveExciseTax", "620", ((r"10[12]", "621"), (r"102", "681"))),
)


def upload_goods(call: Call) -> Reply:
    """T130: store each valid item; the failed ones come back with their codes."""
    items = call.payload if isinstance(call.payload, list) else [call.payload]
    failed: list[dict[str, Any]] = []
    for item in items:
        try:
            call.server.catalog.put(_goods(item, tin=call.tin, catalog=call.server.catalog))
        except EfrisRefusal as refusal:
            echo = dict(item) if isinstance(item, Mapping) else {}
            failed.append({**echo, "returnCode": refusal.code, "returnMessage": refusal.message})
    if failed:
        raise EfrisRefusal("45", payload=failed)
    return Reply([])


def query_goods(call: Call) -> Reply:
    """T127: the taxpayer's registered items, paged."""
    query: Mapping[str, Any] = call.payload if isinstance(call.payload, Mapping) else {}
    code, name = str(query.get("goodsCode") or ""), str(query.get("goodsName") or "")
    records = [
        goods.as_json()
        for goods in call.server.catalog.of_tin(call.tin)
        if code in goods.goods_code and name.lower() in goods.goods_name.lower()
    ]
    return Reply(page_of(query, records))


def _goods(item: object, *, tin: str, catalog: Catalog) -> Goods:
    if not isinstance(item, Mapping):
        raise EfrisRefusal("600")
    text = {key: str(value).strip() for key, value in item.items() if value is not None}
    operation = text.get("operationType") or "101"
    if operation not in ("101", "102"):
        raise EfrisRefusal("683")
    _check_fields(text)
    _check_price(item.get("unitPrice"))
    code = text["goodsCode"]
    existing = catalog.get(tin, code)
    if operation == "101" and existing is not None:
        raise EfrisRefusal("602")
    if operation == "102" and existing is None:
        raise EfrisRefusal("684")
    return Goods(
        id=existing.id if existing is not None else new_goods_id(), tin=tin, goods_code=code,
        goods_name=text["goodsName"], measure_unit=text["measureUnit"],
        unit_price=text["unitPrice"], currency=text["currency"],
        commodity_category_id=text["commodityCategoryId"], have_excise_tax=text["haveExciseTax"],
        stock_prewarning=text.get("stockPrewarning", "0"),
    )  # fmt: skip


def _check_fields(text: Mapping[str, str]) -> None:
    for name, empty_code, checks in FIELD_RULES:
        value = text.get(name, "")
        if not value:
            raise EfrisRefusal(empty_code)
        for pattern, code in checks:
            if not re.fullmatch(pattern, value):
                raise EfrisRefusal(code)


def _check_price(value: object) -> None:
    price = decimal_of(value)
    if price is None:
        raise EfrisRefusal("607")
    if price < 0:
        raise EfrisRefusal("611")
    if price == 0:
        raise EfrisRefusal("610")
