"""The goods an invoice names, registered with EFRIS (T130) before its upload needs them.

T109 accepts a line only for an item the TIN registered with the same code, name and
commodity category (2122-2124, efris.md §8.1). Lines are registered on first sight:

    code       `goods_code_for(line)`: the ERP's item code, or one derived from the description
    name       the line's description (or the code), as first seen; later invoices reuse it
    category   by the line's VAT: `CommodityCategories.standard / zero_rated / exempt`
               (URA's category decides the VAT class, §5.5); configurable per deployment
    unit       `CommodityCategories.unit_of_measure` (a T115 rateUnit value)

Registered goods are remembered in `efris_goods`, so each is sent to T130 once per TIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from libs.db import Database
from libs.invoices import Invoice, InvoiceLine
from services.fiscalizer.clients.efris import Device, EfrisClient
from services.fiscalizer.clients.efris_errors import EfrisRejected
from services.fiscalizer.storage import invoices as ledger
from services.fiscalizer.t109 import Goods, goods_code_for

_NAME_MAX = 200
# T130 answers an item that already exists with one of these; it is registered all the same.
_ALREADY_REGISTERED = frozenset({"601", "602"})


@dataclass(frozen=True)
class CommodityCategories:
    standard: str = "30111601"
    zero_rated: str = "50131702"
    exempt: str = "50221101"
    unit_of_measure: str = "101"

    def goods_for(self, line: InvoiceLine) -> Goods:
        """The item to register for `line`."""
        if line.tax_rate is None:
            category = self.exempt
        elif line.tax_rate == 0:
            category = self.zero_rated
        else:
            category = self.standard
        name = " ".join(line.description.split())[:_NAME_MAX] or goods_code_for(line)
        return Goods(code=goods_code_for(line), name=name, commodity_category_id=category,
                     unit_of_measure=self.unit_of_measure)  # fmt: skip


async def registered_goods(
    db: Database,
    efris: EfrisClient,
    device: Device,
    invoice: Invoice,
    categories: CommodityCategories,
    *,
    seen: dict[tuple[str, str], Goods],
) -> dict[str, Goods]:
    """Every goods code `invoice` names, registered (T130 for the new ones); raises `EfrisRejected`
    naming the first item EFRIS refused. `seen` remembers registered goods in process: goods
    never change once registered, so each is read from the database once."""
    wanted = {goods_code_for(line): line for line in invoice.lines}
    known = {code: seen[(device.tin, code)] for code in wanted if (device.tin, code) in seen}
    if len(known) < len(wanted):
        missing = [code for code in wanted if code not in known]
        known |= await ledger.goods_of(db, tin=device.tin, codes=missing)
        seen.update({(device.tin, code): goods for code, goods in known.items()})
    new = [categories.goods_for(line) for code, line in wanted.items() if code not in known]
    if not new:
        return known
    prices = {code: _unit_price(line) for code, line in wanted.items()}
    items = [goods.t130_item(unit_price=prices[goods.code]) for goods in new]
    for result in await efris.register_goods(device, items):
        code = str(result.get("returnCode", ""))
        if code and code not in _ALREADY_REGISTERED and code != "00":
            raise EfrisRejected(
                code, str(result.get("returnMessage", "goods refused")), interface="T130"
            )
    await ledger.add_goods(db, tin=device.tin, goods=new)
    seen.update({(device.tin, goods.code): goods for goods in new})
    return known | {goods.code: goods for goods in new}


def _unit_price(line: InvoiceLine) -> Decimal:
    return max(line.unit_price, Decimal("0.01"))
