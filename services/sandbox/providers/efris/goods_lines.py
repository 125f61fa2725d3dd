"""T109 `goodsDetails`: each line against URA's rules and the seller's registered goods (efris.md §5.5).

    discountFlag   2 normal · 1 discounted (followed by its discount line) · 0 discount line;
                   not first (1172), 1 then 0 (1173 / 2787), 1 not last (1174)
    orderNumber    0, 1, 2... across all lines (1219)
    item/itemCode  registered by T130 for this TIN (2122), same name (2123) and category (2124);
                   a discount line is the item's name + " (Discount)" (1178)
    taxRate        as the category's VAT class allows: exempt "-" (1332), zero 0 (1334),
                   standard 0.18 (2048); vatApplicableFlag 0 needs rate 0 (2857)
    amounts        qty, unitPrice > 0 on flags 1/2 (1185-1192); total = qty * unitPrice (1316);
                   a discount line has neither qty nor unitPrice (1181 / 1187), a negative
                   total equal to the discounted line's discountTotal (1206); tax (2776)

Deemed (deemedFlag 1) and excise (exciseFlag 1) lines are refused as URA refuses a taxpayer
without those registrations (2821, 2850): the sandbox registers neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any

from services.sandbox.providers.efris.arithmetic import (
    Line,
    category_of,
    check_line_amounts,
    check_line_tax,
    decimal_of,
    rate_of,
    required,
    within,
)
from services.sandbox.providers.efris.catalog import Catalog, Goods
from services.sandbox.providers.efris.return_codes import EfrisRefusal

DISCOUNT_SUFFIX = " (Discount)"
FLAGS = ("0", "1", "2")


def check_goods_lines(lines: object, *, catalog: Catalog, tin: str) -> list[Line]:
    """The lines once every rule passed; `EfrisRefusal` with the first broken rule's code."""
    if not isinstance(lines, list) or not lines:
        raise EfrisRefusal("2071")
    if not all(isinstance(line, Mapping) for line in lines):
        raise EfrisRefusal("2071")
    _check_flags([str(line.get("discountFlag", "")) for line in lines])
    accepted: list[Line] = []
    for index, line in enumerate(lines):
        if str(line.get("orderNumber", "")).strip() != str(index):
            raise EfrisRefusal("1219")
        previous = lines[index - 1] if index else None
        accepted.append(_line(index, line, previous, catalog=catalog, tin=tin))
    return accepted


def item_count(lines: Sequence[Line]) -> int:
    """summary.itemCount: the lines less the discount lines (1304)."""
    return sum(not line.discount for line in lines)


def _check_flags(flags: list[str]) -> None:
    if any(flag not in FLAGS for flag in flags):
        raise EfrisRefusal("1171")
    if flags[0] == "0":
        raise EfrisRefusal("1172")
    if flags[-1] == "1":
        raise EfrisRefusal("1174")
    for before, after in pairwise(flags):
        if before == "1" and after != "0":
            raise EfrisRefusal("1173")
        if after == "0" and before != "1":
            raise EfrisRefusal("2787")


def _line(
    index: int,
    line: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    *,
    catalog: Catalog,
    tin: str,
) -> Line:
    item, code = str(line.get("item") or ""), str(line.get("itemCode") or "")
    if not item:
        raise EfrisRefusal("1175")
    if not code:
        raise EfrisRefusal("1179")
    _check_markers(line)
    discount = line.get("discountFlag") == "0"
    if discount and previous is not None and item != f"{previous.get('item')}{DISCOUNT_SUFFIX}":
        raise EfrisRefusal("1178")
    goods = _registered(line, catalog=catalog, tin=tin, discount=discount)
    rate = rate_of(line.get("taxRate"))
    _check_rate(rate, goods, vat_applicable=str(line.get("vatApplicableFlag", "1")))
    total = required(line.get("total"), "1194")
    tax = required(line.get("tax"), "1200")
    if discount:
        _check_discount_line(line, previous, total=total, tax=tax, rate=rate)
    else:
        _check_sold_line(line, goods, total=total, tax=tax, rate=rate)
    category = category_of(rate, vat_applicable=str(line.get("vatApplicableFlag", "1")))
    return Line(order=index, category=category, total=total, tax=tax, discount=discount)


def _check_markers(line: Mapping[str, Any]) -> None:
    if str(line.get("deemedFlag", "2")) not in ("1", "2"):
        raise EfrisRefusal("1170")
    if str(line.get("exciseFlag", "2")) not in ("1", "2"):
        raise EfrisRefusal("1220")
    if str(line.get("deemedFlag", "2")) == "1":
        raise EfrisRefusal("2821")
    if str(line.get("exciseFlag", "2")) == "1":
        raise EfrisRefusal("2850")


def _registered(line: Mapping[str, Any], *, catalog: Catalog, tin: str, discount: bool) -> Goods:
    item, code = str(line["item"]), str(line["itemCode"])
    name = item.removesuffix(DISCOUNT_SUFFIX) if discount else item
    goods = catalog.get(tin, code)
    if goods is None:
        raise EfrisRefusal("2122", _not_configured(code, name))
    if goods.goods_name != name:
        raise EfrisRefusal("2123", _not_matching(code, name))
    category = str(line.get("goodsCategoryId") or "")
    if not category:
        raise EfrisRefusal("1227")
    if category != goods.commodity_category_id:
        raise EfrisRefusal("2124")
    return goods


def _check_rate(rate: Decimal | None, goods: Goods, *, vat_applicable: str) -> None:
    if vat_applicable == "0":
        if rate != 0:
            raise EfrisRefusal("2857")
        return
    if rate is None and goods.vat_class != "exempt":
        raise EfrisRefusal("1332")
    if rate == 0 and goods.vat_class != "zero":
        raise EfrisRefusal("1334")
    if rate and goods.vat_class != "standard":
        raise EfrisRefusal("2048")


def _check_sold_line(
    line: Mapping[str, Any], goods: Goods, *, total: Decimal, tax: Decimal, rate: Decimal | None
) -> None:
    qty = required(line.get("qty"), "1267")
    unit_price = required(line.get("unitPrice"), "1268")
    if not line.get("unitOfMeasure"):
        raise EfrisRefusal("2139")
    if str(line["unitOfMeasure"]) != goods.measure_unit:
        raise EfrisRefusal("2197")
    if qty <= 0:
        raise EfrisRefusal("1185" if qty == 0 else "1186")
    if unit_price <= 0:
        raise EfrisRefusal("1191" if unit_price == 0 else "1192")
    if total <= 0:
        raise EfrisRefusal("1197" if total == 0 else "1198")
    check_line_amounts(qty=qty, unit_price=unit_price, total=total, tax=tax, rate=rate)
    discount_total = decimal_of(line.get("discountTotal"))
    if line.get("discountFlag") == "1":
        if discount_total is None:
            raise EfrisRefusal("3076")
        if discount_total >= 0 or -discount_total > total:
            raise EfrisRefusal("3114")
    elif discount_total is not None:
        raise EfrisRefusal("1205")


def _check_discount_line(
    line: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    *,
    total: Decimal,
    tax: Decimal,
    rate: Decimal | None,
) -> None:
    if decimal_of(line.get("qty")) is not None:
        raise EfrisRefusal("1181")
    if decimal_of(line.get("unitPrice")) is not None:
        raise EfrisRefusal("1187")
    if decimal_of(line.get("discountTotal")) is not None:
        raise EfrisRefusal("1205")
    if total >= 0:
        raise EfrisRefusal("1197" if total == 0 else "1196")
    discounted = decimal_of(previous.get("discountTotal")) if previous is not None else None
    if discounted is None or not within(total, discounted):
        raise EfrisRefusal("1206")
    check_line_tax(total=total, tax=tax, rate=rate)


def _not_configured(code: str, name: str) -> str:
    return (
        "goodsDetails-->itemCode:Item code and Name is not configured with URA. Complete the "
        "configuration process for this item using your system or from the URA portal to "
        f"proceed. item code {code}, item name {name}."
    )


def _not_matching(code: str, name: str) -> str:
    return (
        "goodsDetails-->itemCode:Item code and Name are not matching with URA. Please ensure "
        "that this item code and Name matches with what was submitted to URA to proceed. "
        f"item code {code}, item name {name}."
    )
