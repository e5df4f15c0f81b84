"""pages.csv read back for one thing: the page number each PDF page prints (第46页 on PDF page 51), so that
every view names a page as the report does. Read with the csv module alone: `vetreport diff` starts without
pandas."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

PAGES = "pages.csv"


def printed_pages(folder: Path) -> dict[int, str]:
    """PDF page -> the number printed on it, from the folder's pages.csv: pages that print none are left out,
    and none at all when there is no pages.csv or it cannot be read (a damaged file costs the printed numbers,
    never the page)."""
    try:
        with (Path(folder) / PAGES).open(encoding="utf-8-sig", newline="") as fh:
            rows = [(row.get("page"), row.get("printed_page")) for row in csv.DictReader(fh)]
    except (OSError, UnicodeError, csv.Error):
        return {}
    return printed_of(rows)


def printed_of(pairs: Iterable[tuple[object, object]]) -> dict[int, str]:
    """(PDF page, printed number) pairs -> the map, as pages.csv or a pages frame gives them; a page that prints
    no number, or whose number cannot be read, is left out."""
    out = {}
    for page, printed in pairs:
        number, text = _whole(page), _text(printed)
        if number is not None and text:
            out[number] = text
    return out


def _whole(value) -> int | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) and number.is_integer() and number >= 1 else None


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.lower() in ("nan", "<na>", "none") else text
