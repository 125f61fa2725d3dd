"""EFRIS's paged answers (T106, T111, T127): `{"page": {pageNo, pageSize, totalSize, pageCount},
"records": [...]}`; pageNo and pageSize required, pageSize at most 100 (1521 / 1524 / 1526)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.sandbox.providers.efris.arithmetic import decimal_of
from services.sandbox.providers.efris.return_codes import EfrisRefusal

MAX_PAGE_SIZE = 100


def page_of(query: Mapping[str, Any], records: Sequence[object]) -> dict[str, object]:
    """The page `query` asks for out of `records` (already filtered and ordered)."""
    number, size = decimal_of(query.get("pageNo")), decimal_of(query.get("pageSize"))
    if number is None or number < 1 or number != int(number):
        raise EfrisRefusal("1521")
    if size is None or size < 1 or size != int(size):
        raise EfrisRefusal("1524")
    if size > MAX_PAGE_SIZE:
        raise EfrisRefusal("1526")
    page, per_page = int(number), int(size)
    start = (page - 1) * per_page
    return {
        "page": {
            "pageNo": str(page),
            "pageSize": str(per_page),
            "totalSize": str(len(records)),
            "pageCount": str(-(-len(records) // per_page)),
        },
        "records": list(records[start : start + per_page]),
    }
