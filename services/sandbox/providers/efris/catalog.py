"""Each taxpayer's registered goods and services (T130), and the VAT class of their categories.

T109 accepts a line only for an item registered here under the seller's TIN, with the same
name and commodity category (2122 / 2123 / 2124, efris.md §8.1), and at the rate its
category's VAT class allows (1332 / 1334 / 2048).

URA's commodity category tree (T123/T124) is not simulated: every category code (1-18
digits) is accepted and standard-rated (18 %) except the sandbox's own few below, which
stand for the other VAT classes. Two are efris.md §5.9's sample lines.

    30111601   Cement                  standard   (§5.9 line 0)
    50221101   Cereal grain            exempt     (§5.9 line 2)
    50131702   Milk                    zero-rated (the sandbox's choice)
    <any other code>                   standard
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

VatClass = Literal["standard", "zero", "exempt"]

CATEGORIES: dict[str, tuple[str, VatClass]] = {
    "30111601": ("Cement", "standard"),
    "50221101": ("Cereal grain", "exempt"),
    "50131702": ("Milk", "zero"),
}


def vat_class(category_id: str) -> VatClass:
    """The VAT class of a commodity category: standard unless the table says otherwise."""
    known = CATEGORIES.get(category_id)
    return known[1] if known is not None else "standard"


def category_name(category_id: str) -> str:
    """The category's name, or a neutral one for a code the table does not know."""
    known = CATEGORIES.get(category_id)
    return known[0] if known is not None else f"Commodity {category_id}"


@dataclass(frozen=True)
class Goods:
    """One registered item, as T130 stored it and the control API lists it."""

    id: str
    tin: str
    goods_code: str
    goods_name: str
    measure_unit: str
    unit_price: str
    currency: str
    commodity_category_id: str
    have_excise_tax: str
    stock_prewarning: str

    @property
    def vat_class(self) -> VatClass:
        """What T109 checks the line's tax rate against."""
        return vat_class(self.commodity_category_id)

    def as_json(self) -> dict[str, str]:
        """The item as T127 / the control API show it (EFRIS's camelCase)."""
        return {
            "id": self.id,
            "goodsCode": self.goods_code,
            "goodsName": self.goods_name,
            "measureUnit": self.measure_unit,
            "unitPrice": self.unit_price,
            "currency": self.currency,
            "commodityCategoryCode": self.commodity_category_id,
            "commodityCategoryName": category_name(self.commodity_category_id),
            "haveExciseTax": self.have_excise_tax,
            "stockPrewarning": self.stock_prewarning,
            "vatClass": self.vat_class,
            "statusCode": "101",
            "source": "103",
        }


class Catalog:
    """Every taxpayer's goods, by TIN and goods code."""

    def __init__(self) -> None:
        self._goods: dict[str, dict[str, Goods]] = {}

    def get(self, tin: str, goods_code: str) -> Goods | None:
        """The taxpayer's item with this code, or None."""
        return self._goods.get(tin, {}).get(goods_code)

    def put(self, goods: Goods) -> None:
        """Add or replace (T130 operationType 102) an item."""
        self._goods.setdefault(goods.tin, {})[goods.goods_code] = goods

    def of_tin(self, tin: str) -> list[Goods]:
        """The taxpayer's items, in registration order."""
        return list(self._goods.get(tin, {}).values())

    def all(self) -> list[Goods]:
        """Every registered item."""
        return [goods for by_code in self._goods.values() for goods in by_code.values()]

    def reset(self) -> None:
        """No goods."""
        self._goods.clear()


def new_goods_id() -> str:
    """A fresh commodityGoodsId: 18 digits, as URA's look."""
    return str(10**17 + secrets.randbelow(9 * 10**17))
