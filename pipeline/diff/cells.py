"""Reading two reports' indicators.csv, matching their cells on identity, and the year-over-year rows.

A cell is a dict of indicators.csv's columns by name (extra columns kept)
with ``table_no``, ``year``, ``row_seq`` and ``value`` parsed (None or NaN
when missing), ``table_kind`` and ``period_kind`` filled (``year`` for an
indicators.csv written before period_kind existed) and an ``occurrence``.
An indicator's cells of one period kind are a series: a cell is matched on
its series and year, so a 2021届 (cohort) value is never compared with a
2021 (calendar year) one, and year-over-year steps stay within a series.
The rows of diff.csv and yoy.csv are dicts too, None for a missing whole
number (year, page, table number) and NaN for a missing value.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path

from .. import template
from ..template.periods import kind_rank, period_kind
from ..writers.printed import printed_pages

IDENTITY = ["table_kind", "indicator", "parent_indicator", "unit"]
KEY = [*IDENTITY, "occurrence"]  # an indicator
SERIES = [*KEY, "period_kind"]  # an indicator's columns of one period kind (year, cohort, school_year)
DIFF_COLUMNS = [
    "kind", "table_kind", "table_no", "table_title", "indicator", "parent_indicator", "unit", "occurrence", "year",
    "period_kind", "period_raw", "field", "value_raw_a", "value_raw_b", "value_a", "value_b", "delta", "page_a", "page_b",
]
SURVEY_FIELDS = {"survey_count": "调查人次", "survey_method": "调查方式"}  # field -> label
YOY_COLUMNS = [
    "report_id", "table_kind", "table_no", "table_title", "indicator", "parent_indicator", "unit", "occurrence",
    "period_kind", "year_from", "year_to", "period_from", "period_to", "value_from", "value_to", "change", "change_pct",
]
KINDS = ("restated", "changed", "added", "removed")


@dataclass
class ReportIndicators:
    report_id: str  # the report folder's name
    cells: list[dict]  # indicators.csv's rows in table, row and year order (see the module docstring)
    printed: dict[int, str] = dataclass_field(default_factory=dict)  # PDF page -> the number printed on it (pages.csv)

    @property
    def years(self) -> list[int]:
        return sorted({cell["year"] for cell in self.cells})

    @property
    def periods(self) -> list[tuple[str, int]]:
        """Its columns as (period kind, year): calendar years first, then cohorts, then school years."""
        return sorted({(cell["period_kind"], cell["year"]) for cell in self.cells}, key=lambda p: (kind_rank(p[0]), p[1]))

    @property
    def current_year(self) -> int | None:
        return self.years[-1] if self.cells else None

    def current_year_of(self, kind: str) -> int | None:
        """The latest year among its columns of one period kind (its latest 届, its latest 学年 …)."""
        return max((cell["year"] for cell in self.cells if cell["period_kind"] == kind), default=None)

    @property
    def indicator_count(self) -> int:
        return len({key_of(cell) for cell in self.cells})


def resolve_report(ref: str | Path, out_root: Path) -> Path:
    """A report folder from a folder path or a report id under ``out_root``."""
    for candidate in (Path(ref), out_root / str(ref)):
        if (candidate / "indicators.csv").is_file():
            return candidate
    raise FileNotFoundError(f"no indicators.csv for '{ref}' (looked in {Path(ref)} and {out_root / str(ref)})")


def load_indicators(folder: Path) -> ReportIndicators:
    """indicators.csv read by column name (extra columns are kept), with table_kind filled and an occurrence key."""
    with (folder / "indicators.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [_cell(row) for row in csv.DictReader(fh)]
    order = _kind_order()
    # Tables in the template's order (a kind it does not know last), then the report's row order.
    cells.sort(key=lambda c: (c["table_kind"] not in order, order.get(c["table_kind"], 0), c["row_seq"],
                              kind_rank(c["period_kind"]), c["year"]))
    seen: dict[tuple, int] = {}
    for cell in cells:
        identity = (*(cell[name] for name in IDENTITY), cell["period_kind"], cell["year"])
        seen[identity] = cell["occurrence"] = seen.get(identity, 0) + 1
    return ReportIndicators(folder.resolve().name, cells, printed_pages(folder))


def _cell(row: dict[str, str]) -> dict:
    cell = {name: "" if text is None else text for name, text in row.items() if name is not None}
    cell["table_no"] = _whole_number(cell["table_no"])
    cell["year"] = int(cell["year"])
    cell["period_kind"] = period_kind(cell.get("period_kind"))
    cell["period_raw"] = cell.get("period_raw", "").strip()
    cell["row_seq"] = int(cell["row_seq"])
    cell["value"] = to_number(cell["value"])
    cell["table_kind"] = table_kind(cell)
    for name in SURVEY_FIELDS:
        cell[name] = cell.get(name, "").strip()
    return cell


@lru_cache(maxsize=1)
def _kind_order() -> dict[str, int]:
    return {t.kind: n for n, t in enumerate(template.appendix_tables())}


def table_kind(row: Mapping) -> str:
    """A row's table kind: its table_kind where indicators.csv has one, else the table's title."""
    kind = row.get("table_kind")
    kind = kind.strip() if isinstance(kind, str) else ""
    return kind or str(row["table_title"]).strip()


def to_number(text: str) -> float:
    """A cell's text as a number, NaN when it is none (ASCII digits only: '１２' and '1_000' are not numbers)."""
    if not text.isascii() or "_" in text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def _whole_number(text: str) -> int | None:
    number = to_number(text)
    if math.isnan(number):
        return None
    if not number.is_integer():
        raise ValueError(f"table_no {text!r} is not a whole number")
    return int(number)


def key_of(cell: Mapping) -> tuple:
    """The indicator a cell belongs to."""
    return tuple(cell[name] for name in KEY)


def series_of(cell: Mapping) -> tuple:
    """The indicator and period kind a cell belongs to: what a line of a chart or a year-over-year step follows."""
    return tuple(cell[name] for name in SERIES)


def cell_key(cell: Mapping) -> tuple:
    """What a cell is matched on between two reports: its series and its year."""
    return (*series_of(cell), cell["year"])


def decimals(raw: str) -> int:
    """The digits a value is printed with after its decimal point (96.80 → 2, 1,129 → 0, 85% → 0)."""
    digits = re.search(r"\.(\d+)", raw or "")
    return len(digits.group(1)) if digits else 0


def printed_difference(value: float, minus: float, *raws: str) -> float:
    """``value`` − ``minus`` to the finest precision the raw texts are printed with (0.3, not 0.29999999999999716)."""
    return round(value - minus, max((decimals(r) for r in raws), default=0))


def same_value(raw_a: str, value_a: float, raw_b: str, value_b: float) -> bool:
    if not (math.isnan(value_a) or math.isnan(value_b)):
        return math.isclose(value_a, value_b, rel_tol=1e-12, abs_tol=1e-9)
    if math.isnan(value_a) != math.isnan(value_b):
        return False
    return raw_a.strip() == raw_b.strip()


def diff_reports(a: ReportIndicators, b: ReportIndicators) -> list[dict]:
    """One row per differing cell: restated, changed, added (only in B) or removed (only in A).

    Added and removed are said of a series: an indicator printed in 届 columns by A and in 年 columns by B
    is removed in 届 and added in 年, never compared cell by cell."""
    cells_a = {cell_key(c): c for c in a.cells}
    cells_b = {cell_key(c): c for c in b.cells}
    series_a = {key[:-1] for key in cells_a}
    series_b = {key[:-1] for key in cells_b}
    rows = []
    for key in _all_cell_keys(list(cells_a), list(cells_b)):
        cell_a, cell_b = cells_a.get(key), cells_b.get(key)
        if cell_a is not None and cell_b is not None:
            period = cell_a["period_kind"]
            kind = _cell_change(cell_a, cell_b, key[-1], a.current_year_of(period), b.current_year_of(period))
        elif cell_b is not None and key[:-1] not in series_a:
            kind = "added"
        elif cell_a is not None and key[:-1] not in series_b:
            kind = "removed"
        else:
            kind = None  # a year one report has and the other does not: expected between years
        if kind:
            rows.append(_diff_row(kind, key, cell_a, cell_b))
    if a.current_year == b.current_year:  # a survey is of its report's year: only two editions of one year share it
        rows += _survey_changes(a, b, {key_of(c) for c in a.cells} & {key_of(c) for c in b.cells})
    change_rank = {kind: n for n, kind in enumerate(KINDS)}
    order = _kind_order()
    return sorted(rows, key=lambda r: (
        change_rank[r["kind"]], r["table_kind"] not in order, order.get(r["table_kind"], 0), *_last_if_none(r["page_b"]),
        *_last_if_none(r["page_a"]), r["indicator"], r["occurrence"], kind_rank(r["period_kind"]),
        *_last_if_none(r["year"])))


def _all_cell_keys(keys_a: list[tuple], keys_b: list[tuple]) -> list[tuple]:
    """Both reports' cells: in A's order when both list the same cells in the same order, else sorted
    (the order rows that tie on diff.csv's sort keep)."""
    if keys_a == keys_b or not keys_b:
        return keys_a
    if not keys_a:
        return keys_b
    return sorted(set(keys_a) | set(keys_b))


def _last_if_none(value) -> tuple:
    return (True, 0) if value is None else (False, value)


def _cell_change(cell_a: dict, cell_b: dict, year: int, current_a: int | None, current_b: int | None) -> str | None:
    if same_value(cell_a["value_raw"], cell_a["value"], cell_b["value_raw"], cell_b["value"]):
        return None
    return "restated" if year == current_a and current_b is not None and year < current_b else "changed"


def _diff_row(kind: str, key: tuple, cell_a: dict | None, cell_b: dict | None, field: str = "value") -> dict:
    """A row of diff.csv; ``key`` is a cell's (its series and year), or an indicator's with no period for a
    survey column (compared once per row, not per year column)."""
    table_kind_, indicator, parent, unit, occurrence, period, year = key
    either = cell_b if cell_b is not None else cell_a
    raw = "value_raw" if field == "value" else field
    value_a = _field_value(cell_a, field)
    value_b = _field_value(cell_b, field)
    return {
        "kind": kind, "table_kind": table_kind_, "table_no": either["table_no"], "table_title": either["table_title"],
        "indicator": indicator,
        "parent_indicator": parent, "unit": unit, "occurrence": occurrence, "year": year, "period_kind": period,
        "period_raw": either["period_raw"] if year is not None else "", "field": field,
        "value_raw_a": cell_a[raw] if cell_a is not None else "",
        "value_raw_b": cell_b[raw] if cell_b is not None else "",
        "value_a": value_a, "value_b": value_b,
        "delta": printed_difference(value_b, value_a, cell_a[raw] if cell_a is not None else "",
                                    cell_b[raw] if cell_b is not None else ""),
        "page_a": int(cell_a["page"]) if cell_a is not None else None,
        "page_b": int(cell_b["page"]) if cell_b is not None else None,
    }


def _field_value(cell: dict | None, field: str) -> float:
    if cell is None or field == "survey_method":
        return math.nan
    if field == "value":
        return cell["value"]
    return to_number(cell[field])


def _survey_changes(a: ReportIndicators, b: ReportIndicators, shared_keys: set[tuple]) -> list[dict]:
    """A differing 调查人次 or 调查方式 of an indicator both reports have: one row per field, no year (the caller
    compares them only between two editions of one year: reports of two years surveyed two years' people)."""
    first_a, first_b = _first_cells(a), _first_cells(b)
    rows = []
    for key in sorted(shared_keys, key=lambda k: tuple(map(str, k))):
        cell_a, cell_b = first_a[key], first_b[key]
        for field in SURVEY_FIELDS:
            text_a, text_b = cell_a[field], cell_b[field]
            if not (text_a or text_b):
                continue
            value_a, value_b = _field_value(cell_a, field), _field_value(cell_b, field)
            if not same_value(text_a, value_a, text_b, value_b):
                rows.append(_diff_row("changed", (*key, "", None), cell_a, cell_b, field))
    return rows


def _first_cells(report: ReportIndicators) -> dict[tuple, dict]:
    """Each indicator's first cell (its earliest year column)."""
    first: dict[tuple, dict] = {}
    for cell in report.cells:
        first.setdefault(key_of(cell), cell)
    return first


def year_over_year(report: ReportIndicators) -> list[dict]:
    """Each indicator's change between consecutive year columns of one period kind in one report (2020届 →
    2021届, 2020 → 2021; never 2021届 → 2021)."""
    by_series: dict[tuple, list[dict]] = {}
    for cell in report.cells:
        by_series.setdefault(series_of(cell), []).append(cell)
    rows = []
    for series, cells in by_series.items():
        cells = sorted(cells, key=lambda c: c["year"])
        for before, after in zip(cells, cells[1:]):
            change = printed_difference(after["value"], before["value"], after["value_raw"], before["value_raw"])
            rows.append({
                "report_id": report.report_id, **dict(zip(SERIES, series)), "table_no": after["table_no"],
                "table_title": after["table_title"], "year_from": before["year"], "year_to": after["year"],
                "period_from": before["period_raw"], "period_to": after["period_raw"], "value_from": before["value"],
                "value_to": after["value"], "change": change,
                "change_pct": 100 * change / before["value"] if before["value"] else math.nan,
            })
    return rows

