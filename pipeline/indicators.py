"""Stage 4: the six appendix indicator tables (计分卡 … 落实政策表) in long form.

A table is an appendix table because of what it prints, not where it is: a
header row with 指标 and year columns, and a caption or title naming its kind
(附表3 教学资源表, 表3 教学资源表, 教学资源表), or else indicator names that are
the template's for one kind. Its number is the one the report prints (reports
number and order the six tables differently); the kind is what the template
and every check use. The layout is read from the header row (序号, 指标, 单位/
计量单位, the year columns, 调查人次/调查方式), so reports that add or drop
columns or rows still parse. Parents come from the template where it names
one and from the "其中：" structure otherwise. Units are canonicalised
(％ → %, the aliases of units.csv); ``unit_raw`` keeps the printed form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import template
from .records import BBox, Indicators, Issue, Table, Tables
from .template.fields import columns
from .text import squash
from .text.numbers import chinese_integer, parse_value

STAGE = "indicators"
COLUMNS = columns("indicators")  # indicators.csv's, as template/fields.csv declares them
YEAR = re.compile(r"((?:19|20)\d{2})")
SUB_PREFIX = re.compile(r"^其中\s*[:：]\s*")
NUMBERED = re.compile(r"^(?:附\s*)?表\s*(?P<num>\d{1,2}|[一二三四五六七八九十]{1,3})(?!\d)")
# A table without a caption naming its kind is taken for one when this many of its indicator names,
# and this share of them, are the template's names for that kind.
MIN_NAMED_ROWS = 3
MIN_NAMED_SHARE = 0.5


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
class AppendixMatch:
    """One table of the report taken for one appendix table kind."""

    kind: str
    number: int | None  # as printed in this report (附表N / 表N), None when it prints none
    title: str
    table: Table
    header: HeaderMap
    evidence: str  # "caption" or "indicator names"


@dataclass
class IndicatorRow:
    table_kind: str
    table_no: int | None
    table_title: str
    page: int
    row_seq: int
    serial: str
    indicator: str
    parent: str
    unit: str
    unit_raw: str
    is_sub: bool
    values: list[tuple[int, str, BBox]]  # (year, raw text, cell bbox)
    survey_count: str
    survey_method: str


def extract_indicators(report_id: str, tables: Tables) -> Indicators:
    issues: list[Issue] = []
    records: list[dict] = []
    matches = find_appendix_tables(tables.tables, issues)
    for spec in template.appendix_tables():
        match = matches.get(spec.kind)
        if match is None:
            name = spec.title if spec.title == spec.kind else f"{spec.title} ({spec.kind})"
            issues.append(Issue(STAGE, f"appendix table {name} not found; its indicators are missing", level="missing"))
            continue
        rows = _indicator_rows(match, issues)
        _assign_parents(rows)
        issues += _absent_indicators(match, rows)
        for row in rows:
            records.extend(_long_records(report_id, row))
    import pandas as pd

    frame = pd.DataFrame(records, columns=COLUMNS + ["x0", "top", "x1", "bottom"])
    frame["table_no"] = frame["table_no"].astype("Int64")  # empty when the report prints no number
    return Indicators(frame, issues)


# ---------------------------------------------------------------- which table is which kind


def find_appendix_tables(tables: list[Table], issues: list[Issue] | None = None) -> dict[str, AppendixMatch]:
    """Each appendix kind's table: named by its caption, else recognised by its indicator names."""
    found: dict[str, AppendixMatch] = {}
    for table in tables:
        header = header_map(table)
        if header is None:
            continue
        kind, evidence = _kind_of(table, header)
        if kind is None:
            continue
        match = AppendixMatch(kind, _printed_number(table), template.appendix_table(kind).title, table, header, evidence)
        earlier = found.get(kind)
        if earlier is None or _named_rows(earlier.table, earlier.header, kind) < _named_rows(table, header, kind):
            found[kind] = match
        if earlier is not None and issues is not None:
            kept = found[kind].table
            dropped = table if kept is earlier.table else earlier.table
            issues.append(Issue(STAGE, f"two tables look like the {kind} (p.{kept.pages[0]} and p.{dropped.pages[0]}): "
                                       f"the one on p.{kept.pages[0]} is used", dropped.pages[0]))
    return found


def _kind_of(table: Table, header: HeaderMap) -> tuple[str | None, str]:
    caption = squash(table.caption)
    named = [spec for spec in template.appendix_tables() if any(squash(name) in caption for name in spec.names)]
    if named:
        # the longest name printed wins (满意度调查表 over a 满意度 that another title might contain)
        best = max(named, key=lambda spec: max(len(n) for n in spec.names if squash(n) in caption))
        return best.kind, "caption"
    scores = {spec.kind: _named_rows(table, header, spec.kind) for spec in template.appendix_tables()}
    kind = max(scores, key=lambda k: scores[k])
    labelled = len(_labels(table, header))
    if scores[kind] >= MIN_NAMED_ROWS and scores[kind] >= MIN_NAMED_SHARE * max(labelled, 1):
        if sorted(scores.values())[-2] < scores[kind]:
            return kind, "indicator names"
    return None, ""


def _labels(table: Table, header: HeaderMap) -> set[str]:
    grid = table.grid()
    return {SUB_PREFIX.sub("", squash(row[header.indicator])) for row in grid[header.row + 1:] if row[header.indicator].strip()}


def _named_rows(table: Table, header: HeaderMap, kind: str) -> int:
    known = {squash(t.indicator) for t in template.indicators_of(kind)}
    return len(_labels(table, header) & known)


def _printed_number(table: Table) -> int | None:
    """The number the report prints for the table: 附表N in its id, else 附表N / 表N in its caption."""
    for text in (table.table_id, squash(table.caption)):
        m = NUMBERED.match(text or "")
        if m:
            num = m.group("num")
            return int(num) if num.isdigit() else chinese_integer(num)
    return None


def find_appendix_table(kind: str, tables: list[Table]) -> Table | None:
    match = find_appendix_tables(tables).get(kind)
    return match.table if match else None


# ---------------------------------------------------------------- the header row


def header_map(table: Table) -> HeaderMap | None:
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


# ---------------------------------------------------------------- rows


def _indicator_rows(match: AppendixMatch, issues: list[Issue]) -> list[IndicatorRow]:
    table, header = match.table, match.header
    grid = table.grid()
    rows: list[IndicatorRow] = []
    header_texts = [squash(t) for t in grid[header.row]]
    for r in range(header.row + 1, table.n_rows):
        texts = grid[r]
        if [squash(t) for t in texts] == header_texts:
            continue  # header repeated inside the table
        indicator_cell = table.cell_at(r, header.indicator)
        page = indicator_cell.page if indicator_cell else table.pages[0]
        values = []
        for col, year in header.years:
            cell = table.cell_at(r, col)
            values.append((year, texts[col].strip(), cell.bbox if cell else table.bbox))
        unit_raw = texts[header.unit].strip() if header.unit is not None else ""
        indicator_raw = texts[header.indicator].strip()
        if not indicator_raw:
            if not any(raw for _, raw, _ in values):
                continue  # an empty row
            indicator_raw = _inherited_label(match, rows, template.canonical_unit(unit_raw), page, issues)
            if not indicator_raw:
                continue
        if not any(raw for _, raw, _ in values):
            issues.append(Issue(STAGE, f"{_where(match)} row '{indicator_raw}': no value in any year column", page))
        is_sub = bool(SUB_PREFIX.match(indicator_raw))
        rows.append(
            IndicatorRow(
                table_kind=match.kind,
                table_no=match.number,
                table_title=match.title,
                page=page,
                row_seq=len(rows) + 1,
                serial=texts[header.serial].strip() if header.serial is not None else "",
                indicator=SUB_PREFIX.sub("", indicator_raw).strip(),
                parent="",
                unit=template.canonical_unit(unit_raw),
                unit_raw=unit_raw,
                is_sub=is_sub,
                values=values,
                survey_count=texts[header.survey_count].strip() if header.survey_count is not None else "",
                survey_method=texts[header.survey_method].strip() if header.survey_method is not None else "",
            )
        )
    return rows


def _inherited_label(match: AppendixMatch, rows: list[IndicatorRow], unit: str, page: int, issues: list[Issue]) -> str:
    """A row with values but no label: the 学时 line of an indicator the template counts in two units takes
    that indicator's name; anything else is a row that lost its label (a warning, and kept under the name
    above when there is one)."""
    if not rows:
        issues.append(Issue(STAGE, f"{_where(match)}: a row with values but no indicator name, before any named row, "
                                   "is dropped", page, "missing"))
        return ""
    previous = rows[-1]
    label = ("其中：" if previous.is_sub else "") + previous.indicator
    units = {t.unit for t in template.indicators_of(match.kind) if squash(t.indicator) == squash(previous.indicator)}
    if not (unit in units and unit != previous.unit):
        issues.append(Issue(STAGE, f"{_where(match)}: a row with values but no indicator name after "
                                   f"'{previous.indicator}' is kept under that name", page, "missing"))
    return label


def _where(match: AppendixMatch) -> str:
    number = f"附表{match.number}, " if match.number is not None else ""
    return f"{match.kind} ({number}p.{match.table.pages[0]})"


def _absent_indicators(match: AppendixMatch, rows: list[IndicatorRow]) -> list[Issue]:
    """Every indicator the template expects in this table that the report does not print."""
    have = {(squash(r.indicator), r.unit) for r in rows}
    issues = []
    for t in template.indicators_of(match.kind):
        if (squash(t.indicator), t.unit) not in have:
            issues.append(Issue(STAGE, f"{_where(match)}: the template's indicator '{t.indicator}' ({t.unit}) is not "
                                       "in the table", match.table.pages[0], "missing"))
    return issues


def _assign_parents(rows: list[IndicatorRow]) -> None:
    """Template parents where the template names one, else the 其中 structure.

    A row's group is its 序号 group. Within it: a "其中：" row breaks down the
    nearest earlier top-level row with the same unit; rows after it with that
    unit are its siblings; a row with another unit stands on its own; a row
    the template marks "row_above" (接入国家智慧教育平台数) breaks down the row
    just above it.
    """
    declared = _declared_parents()
    row_above = {squash(name) for name in template.parent_rule_indicators()}
    group_parent: dict[str, str] = {}
    previous: IndicatorRow | None = None
    top_level: list[IndicatorRow] = []
    for row in rows:
        if previous is not None and previous.serial != row.serial and row.serial:
            top_level = []
            group_parent = {}
        if previous is not None and previous.indicator == row.indicator and previous.unit != row.unit:
            row.parent = previous.parent  # the 学时 line under a 门 line
        elif squash(row.indicator) in row_above and previous is not None:
            row.parent = previous.indicator if squash(previous.indicator) not in row_above else previous.parent
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
        template_parent = _template_parent(row, declared, rows, row_above)
        if template_parent is not None:
            row.parent = template_parent
        previous = row


def _declared_parents() -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for t in template.appendix_indicators():
        out.setdefault((t.table_kind, squash(t.indicator)), []).append(t.parent)
    return out


def _template_parent(row: IndicatorRow, declared: dict[tuple[str, str], list[str]], rows: list[IndicatorRow],
                     row_above: set[str]) -> str | None:
    """The template's parent when it is unambiguous and present earlier in the same group."""
    options = declared.get((row.table_kind, squash(row.indicator)))
    if not options or squash(row.indicator) in row_above:
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
            "table_kind": row.table_kind,
            "table_no": row.table_no,
            "table_title": row.table_title,
            "page": row.page,
            "row_seq": row.row_seq,
            "serial": row.serial,
            "indicator": row.indicator,
            "parent_indicator": row.parent,
            "unit": row.unit,
            "unit_raw": row.unit_raw,
            "year": year,
            "value_raw": raw,
            "value": parsed.value,
            "survey_count": count.value if count and count.ok else None,
            "survey_method": row.survey_method,
            "x0": bbox[0], "top": bbox[1], "x1": bbox[2], "bottom": bbox[3],
        })
    return out
