"""Stage 4: the six appendix indicator tables (附表1–附表6) in long form.

The table layout is read from its header row (序号, 指标, 单位/计量单位, the
year columns, 调查人次/调查方式), not from positions, so reports that add or
drop columns or rows still parse. Parents come from the template where it
names one and from the "其中：" structure otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from . import template
from .numbers import parse_value
from .records import BBox, Indicators, Issue, Table, Tables
from .text import squash

STAGE = "indicators"
COLUMNS = [
    "report_id", "table_no", "table_title", "page", "row_seq", "serial", "indicator", "parent_indicator",
    "unit", "year", "value_raw", "value", "survey_count", "survey_method",
]
YEAR = re.compile(r"((?:19|20)\d{2})")
SUB_PREFIX = re.compile(r"^其中\s*[:：]\s*")
SUB_OF_PREVIOUS = "接入国家智慧教育平台数"


@dataclass
class HeaderMap:
    row: int
    serial: int | None
    indicator: int
    unit: int | None
    years: list[tuple[int, int]]  # (column, year)
    survey_count: int | None
    survey_method: int | None


@dataclass
class IndicatorRow:
    table_no: int
    table_title: str
    page: int
    row_seq: int
    serial: str
    indicator: str
    parent: str
    unit: str
    is_sub: bool
    values: list[tuple[int, str, BBox]]  # (year, raw text, cell bbox)
    survey_count: str
    survey_method: str


def extract_indicators(report_id: str, tables: Tables) -> Indicators:
    issues: list[Issue] = []
    records: list[dict] = []
    for spec in template.appendix_tables():
        table = find_appendix_table(spec, tables.tables)
        if table is None:
            issues.append(Issue(STAGE, f"附表{spec.number} {spec.title} not found; its indicators are missing", level="missing"))
            continue
        header = _header_map(table)
        if header is None:
            issues.append(Issue(STAGE, f"附表{spec.number}: no header row with 指标 and year columns", table.pages[0], "missing"))
            continue
        rows = _indicator_rows(table, header, spec.number, spec.title)
        _assign_parents(rows)
        for row in rows:
            records.extend(_long_records(report_id, row))
    frame = pd.DataFrame(records, columns=COLUMNS + ["x0", "top", "x1", "bottom"])
    return Indicators(frame, issues)


def find_appendix_table(spec: template.AppendixTable, tables: list[Table]) -> Table | None:
    """By id (附表N) first, else by the template title in the caption."""
    for t in tables:
        if t.table_id == f"附表{spec.number}":
            return t
    names = [spec.title, *spec.aliases]
    for t in tables:
        if any(name in squash(t.caption) for name in names) and _header_map(t):
            return t
    return None


def _header_map(table: Table) -> HeaderMap | None:
    grid = table.grid()
    for r, row in enumerate(grid[:4]):
        texts = [squash(t) for t in row]
        if not any("指标" in t for t in texts):
            continue
        years = []
        for c, t in enumerate(texts):
            m = YEAR.search(t)
            if m and len(t) <= 8 and (not years or years[-1][0] != c):
                years.append((c, int(m.group(1))))
        if not years:
            continue
        # a merged header cell covers several columns: keep its first column only
        indicator = texts.index(next(t for t in texts if "指标" in t))
        return HeaderMap(
            row=r,
            serial=_first(texts, ("序号",)),
            indicator=indicator,
            unit=_first(texts, ("计量单位", "单位")),
            years=_distinct(years, grid[r]),
            survey_count=_first(texts, ("调查人次", "调查人数", "样本量", "有效样本")),
            survey_method=_first(texts, ("调查方式", "调查方法")),
        )
    return None


def _first(texts: list[str], keys: tuple[str, ...]) -> int | None:
    for c, t in enumerate(texts):
        if any(k in t for k in keys):
            return c
    return None


def _distinct(years: list[tuple[int, int]], row: list[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for col, year in years:
        if out and out[-1][1] == year and row[out[-1][0]] == row[col]:
            continue
        out.append((col, year))
    return out


def _indicator_rows(table: Table, header: HeaderMap, table_no: int, title: str) -> list[IndicatorRow]:
    grid = table.grid()
    rows: list[IndicatorRow] = []
    header_texts = [squash(t) for t in grid[header.row]]
    for r in range(header.row + 1, table.n_rows):
        texts = grid[r]
        if [squash(t) for t in texts] == header_texts:
            continue  # header repeated inside the table
        indicator_cell = table.cell_at(r, header.indicator)
        indicator_raw = texts[header.indicator].strip()
        if not indicator_raw and rows:
            indicator_raw = ("其中：" if rows[-1].is_sub else "") + rows[-1].indicator
        if not indicator_raw:
            continue
        values = []
        for col, year in header.years:
            cell = table.cell_at(r, col)
            values.append((year, texts[col].strip(), cell.bbox if cell else table.bbox))
        is_sub = bool(SUB_PREFIX.match(indicator_raw))
        rows.append(
            IndicatorRow(
                table_no=table_no,
                table_title=title,
                page=indicator_cell.page if indicator_cell else table.pages[0],
                row_seq=len(rows) + 1,
                serial=texts[header.serial].strip() if header.serial is not None else "",
                indicator=SUB_PREFIX.sub("", indicator_raw).strip(),
                parent="",
                unit=texts[header.unit].strip() if header.unit is not None else "",
                is_sub=is_sub,
                values=values,
                survey_count=texts[header.survey_count].strip() if header.survey_count is not None else "",
                survey_method=texts[header.survey_method].strip() if header.survey_method is not None else "",
            )
        )
    return rows


def _assign_parents(rows: list[IndicatorRow]) -> None:
    """Template parents where the template names one, else the 其中 structure.

    A row's group is its 序号 group. Within it: a "其中：" row breaks down the
    nearest earlier top-level row with the same unit; rows after it with that
    unit are its siblings; a row with another unit stands on its own;
    接入国家智慧教育平台数 breaks down the row just above it.
    """
    declared = _declared_parents()
    group_parent: dict[str, str] = {}
    previous: IndicatorRow | None = None
    top_level: list[IndicatorRow] = []
    for row in rows:
        if previous is not None and previous.serial != row.serial and row.serial:
            top_level = []
            group_parent = {}
        if previous is not None and previous.indicator == row.indicator and previous.unit != row.unit:
            row.parent = previous.parent  # the 学时 line under a 门 line
        elif squash(row.indicator) == SUB_OF_PREVIOUS and previous is not None:
            row.parent = previous.indicator if squash(previous.indicator) != SUB_OF_PREVIOUS else previous.parent
        elif row.is_sub:
            same_unit = [t for t in top_level if t.unit == row.unit]
            anchor = (same_unit or top_level or [previous])[-1] if (top_level or previous) else None
            row.parent = anchor.indicator if anchor else ""
            group_parent[row.unit] = row.parent
        elif row.unit in group_parent:
            row.parent = group_parent[row.unit]
        else:
            group_parent = {}
            top_level.append(row)
        template_parent = _template_parent(row, declared, rows)
        if template_parent is not None:
            row.parent = template_parent
        previous = row


def _declared_parents() -> dict[tuple[int, str], list[str]]:
    out: dict[tuple[int, str], list[str]] = {}
    for t in template.appendix_indicators():
        out.setdefault((t.table_no, squash(t.indicator)), []).append(t.parent)
    return out


def _template_parent(row: IndicatorRow, declared: dict[tuple[int, str], list[str]], rows: list[IndicatorRow]) -> str | None:
    """The template's parent when it is unambiguous and present earlier in the same group."""
    options = declared.get((row.table_no, squash(row.indicator)))
    if not options or squash(row.indicator) == SUB_OF_PREVIOUS:
        return None
    earlier = {squash(r.indicator) for r in rows[: row.row_seq - 1] if r.serial == row.serial}
    fits = {p for p in options if p and squash(p) in earlier}
    if len(fits) == 1:
        return fits.pop()
    if options == [""] * len(options) and not row.is_sub:
        return ""
    return None


def _long_records(report_id: str, row: IndicatorRow) -> list[dict]:
    out = []
    count = parse_value(row.survey_count) if row.survey_count else None
    for year, raw, bbox in row.values:
        parsed = parse_value(raw)
        out.append({
            "report_id": report_id,
            "table_no": row.table_no,
            "table_title": row.table_title,
            "page": row.page,
            "row_seq": row.row_seq,
            "serial": row.serial,
            "indicator": row.indicator,
            "parent_indicator": row.parent,
            "unit": row.unit,
            "year": year,
            "value_raw": raw,
            "value": parsed.value,
            "survey_count": count.value if count and count.ok else None,
            "survey_method": row.survey_method,
            "x0": bbox[0], "top": bbox[1], "x1": bbox[2], "bottom": bbox[3],
        })
    return out
