"""Indicator diffs between two reports, restatements, and the year-over-year view inside one report.

Rows are matched on indicator identity (the table's kind, indicator,
parent_indicator, unit), never on row positions or table numbers (reports
number their appendix tables differently). The table's kind is the
``table_kind`` column when indicators.csv has one, else its template title.
An identity that a table lists more than once (the same sub-indicator under
two parents' children) is told apart by its occurrence: 1 for its first row
in the table, 2 for the next, and so on.

Report A is the earlier one. A cell whose value differs between A and B is
``changed``, except B's earlier-year column for A's current year: that one is
a ``restated`` figure (B re-reports last year's number differently). The
survey columns of a row (表2 调查人次 and 调查方式) are compared once per
indicator: a differing count or method is ``changed`` with ``field`` naming
it and no year (a row's survey is not a year column).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import template
from .output import atomic_write_text, float_text, write_csv

IDENTITY = ["table_kind", "indicator", "parent_indicator", "unit"]
KEY = [*IDENTITY, "occurrence"]
DIFF_COLUMNS = [
    "kind", "table_kind", "table_no", "table_title", "indicator", "parent_indicator", "unit", "occurrence", "year", "field",
    "value_raw_a", "value_raw_b", "value_a", "value_b", "delta", "page_a", "page_b",
]
SURVEY_FIELDS = {"survey_count": "调查人次", "survey_method": "调查方式"}  # field -> label
YOY_COLUMNS = [
    "report_id", "table_kind", "table_no", "table_title", "indicator", "parent_indicator", "unit", "occurrence",
    "year_from", "year_to", "value_from", "value_to", "change", "change_pct",
]
KINDS = ("restated", "changed", "added", "removed")


@dataclass
class ReportIndicators:
    report_id: str  # the report folder's name
    frame: pd.DataFrame  # indicators.csv with value as float and an occurrence column

    @property
    def years(self) -> list[int]:
        return sorted(self.frame["year"].unique().tolist())

    @property
    def current_year(self) -> int | None:
        return self.years[-1] if len(self.frame) else None


def resolve_report(ref: str | Path, out_root: Path) -> Path:
    """A report folder from a folder path or a report id under ``out_root``."""
    for candidate in (Path(ref), out_root / str(ref)):
        if (candidate / "indicators.csv").is_file():
            return candidate
    raise FileNotFoundError(f"no indicators.csv for '{ref}' (looked in {Path(ref)} and {out_root / str(ref)})")


def load_indicators(folder: Path) -> ReportIndicators:
    """indicators.csv read by column name (extra columns are kept), with table_kind filled and an occurrence key."""
    frame = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    frame["table_no"] = pd.to_numeric(frame["table_no"], errors="coerce").astype("Int64")
    frame["year"] = frame["year"].astype(int)
    frame["row_seq"] = frame["row_seq"].astype(int)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["table_kind"] = kind_of(frame)
    for name in SURVEY_FIELDS:
        frame[name] = frame[name].str.strip() if name in frame else ""
    frame["table_order"] = frame["table_kind"].map(_kind_order())
    frame = frame.sort_values(["table_order", "row_seq", "year"], kind="stable")
    frame["occurrence"] = frame.groupby([*IDENTITY, "year"], sort=False).cumcount() + 1
    return ReportIndicators(folder.resolve().name, frame.reset_index(drop=True))


def _kind_order() -> dict[str, int]:
    return {t.kind: n for n, t in enumerate(template.appendix_tables())}


def kind_of(frame: pd.DataFrame) -> pd.Series:
    """Each row's table kind: table_kind where indicators.csv has it, else the table's title."""
    title = frame["table_title"].astype(str).str.strip()
    if "table_kind" not in frame:
        return title
    kind = frame["table_kind"].fillna("").astype(str).str.strip()
    return kind.where(kind != "", title)


def same_value(raw_a: str, value_a: float, raw_b: str, value_b: float) -> bool:
    if not (pd.isna(value_a) or pd.isna(value_b)):
        return math.isclose(value_a, value_b, rel_tol=1e-12, abs_tol=1e-9)
    if pd.isna(value_a) != pd.isna(value_b):
        return False
    return raw_a.strip() == raw_b.strip()


def diff_reports(a: ReportIndicators, b: ReportIndicators) -> pd.DataFrame:
    """One row per differing cell: restated, changed, added (only in B) or removed (only in A)."""
    cells_a = a.frame.set_index([*KEY, "year"])
    cells_b = b.frame.set_index([*KEY, "year"])
    keys_a = set(a.frame[KEY].itertuples(index=False, name=None))
    keys_b = set(b.frame[KEY].itertuples(index=False, name=None))
    rows = []
    for key in cells_a.index.union(cells_b.index):
        in_a, in_b = key in cells_a.index, key in cells_b.index
        if in_a and in_b:
            kind = _cell_change(cells_a.loc[key], cells_b.loc[key], key[-1], a.current_year, b.current_year)
        elif in_b and key[:-1] not in keys_a:
            kind = "added"
        elif in_a and key[:-1] not in keys_b:
            kind = "removed"
        else:
            kind = None  # a year one report has and the other does not: expected between years
        if kind:
            rows.append(_diff_row(kind, key, cells_a.loc[key] if in_a else None, cells_b.loc[key] if in_b else None))
    rows += _survey_changes(a, b, keys_a & keys_b)
    out = pd.DataFrame(rows, columns=DIFF_COLUMNS).astype({"year": "Int64", "page_a": "Int64", "page_b": "Int64"})
    order = {kind: n for n, kind in enumerate(KINDS)}
    sort_key = {"kind": order, "table_kind": _kind_order()}
    out = out.sort_values(["kind", "table_kind", "page_b", "page_a", "indicator", "occurrence", "year"],
                          key=lambda s: s.map(sort_key[s.name]) if s.name in sort_key else s, kind="stable")
    return out.reset_index(drop=True)


def _cell_change(cell_a, cell_b, year: int, current_a: int | None, current_b: int | None) -> str | None:
    if same_value(cell_a["value_raw"], cell_a["value"], cell_b["value_raw"], cell_b["value"]):
        return None
    return "restated" if year == current_a and current_b is not None and year < current_b else "changed"


def _diff_row(kind: str, key: tuple, cell_a, cell_b, field: str = "value") -> dict:
    table_kind, indicator, parent, unit, occurrence, year = key
    either = cell_b if cell_b is not None else cell_a
    raw = "value_raw" if field == "value" else field
    value_a = _field_value(cell_a, field)
    value_b = _field_value(cell_b, field)
    return {
        "kind": kind, "table_kind": table_kind, "table_no": either["table_no"], "table_title": either["table_title"],
        "indicator": indicator,
        "parent_indicator": parent, "unit": unit, "occurrence": occurrence, "year": year, "field": field,
        "value_raw_a": cell_a[raw] if cell_a is not None else "",
        "value_raw_b": cell_b[raw] if cell_b is not None else "",
        "value_a": value_a, "value_b": value_b, "delta": value_b - value_a,
        "page_a": int(cell_a["page"]) if cell_a is not None else pd.NA,
        "page_b": int(cell_b["page"]) if cell_b is not None else pd.NA,
    }


def _field_value(cell, field: str) -> float:
    if cell is None or field == "survey_method":
        return math.nan
    if field == "value":
        return cell["value"]
    return pd.to_numeric(cell[field], errors="coerce")


def _survey_changes(a: ReportIndicators, b: ReportIndicators, shared_keys: set[tuple]) -> list[dict]:
    """A differing 调查人次 or 调查方式 of an indicator both reports have: one row per field, no year."""
    first_a = a.frame.drop_duplicates(KEY).set_index(KEY)
    first_b = b.frame.drop_duplicates(KEY).set_index(KEY)
    rows = []
    for key in sorted(shared_keys, key=lambda k: tuple(map(str, k))):
        cell_a, cell_b = first_a.loc[key], first_b.loc[key]
        for field in SURVEY_FIELDS:
            text_a, text_b = cell_a[field], cell_b[field]
            if not (text_a or text_b):
                continue
            value_a, value_b = _field_value(cell_a, field), _field_value(cell_b, field)
            if not same_value(text_a, value_a, text_b, value_b):
                rows.append(_diff_row("changed", (*key, pd.NA), cell_a, cell_b, field))
    return rows


def year_over_year(report: ReportIndicators) -> pd.DataFrame:
    """Each indicator's change between consecutive year columns of one report."""
    rows = []
    for key, group in report.frame.groupby(KEY, sort=False):
        cells = group.sort_values("year")
        for (_, before), (_, after) in zip(cells.iterrows(), cells.iloc[1:].iterrows()):
            change = after["value"] - before["value"]
            rows.append({
                "report_id": report.report_id, **dict(zip(KEY, key)), "table_no": after["table_no"],
                "table_title": after["table_title"],
                "year_from": before["year"], "year_to": after["year"], "value_from": before["value"],
                "value_to": after["value"], "change": change,
                "change_pct": 100 * change / before["value"] if before["value"] else math.nan,
            })
    return pd.DataFrame(rows, columns=YOY_COLUMNS)


def write_diff(a_dir: Path | None, b_dir: Path, to: Path) -> dict[str, Path]:
    """diff.csv (when two reports are given), yoy.csv, diff.md and diff.html (self-contained) in ``to``."""
    b = load_indicators(b_dir)
    a = load_indicators(a_dir) if a_dir is not None else None
    written: dict[str, Path] = {}
    changes = diff_reports(a, b) if a is not None else None
    if changes is not None:
        write_csv(to / "diff.csv", changes)
        written["diff.csv"] = to / "diff.csv"
    yoy_b = year_over_year(b)
    yoy = pd.concat([year_over_year(a), yoy_b], ignore_index=True) if a is not None else yoy_b
    write_csv(to / "yoy.csv", yoy)
    written["yoy.csv"] = to / "yoy.csv"
    atomic_write_text(to / "diff.md", render_markdown(a, b, changes, yoy_b))
    written["diff.md"] = to / "diff.md"
    atomic_write_text(to / "diff.html", render_html(a, b, changes, yoy_b))
    written["diff.html"] = to / "diff.html"
    return written


# ---------------------------------------------------------------- diff.html and the app's compare page


def diff_view(a: ReportIndicators | None, b: ReportIndicators, changes: pd.DataFrame | None,
              yoy: pd.DataFrame | None) -> dict:
    """What diff.html and the compare page of `vetreport serve` show (templates/diff_body.html)."""
    reports = [{"label": label, "report_id": r.report_id, "years": r.years, "indicators": r.frame[KEY].drop_duplicates().shape[0]}
               for label, r in (("A", a), ("B", b)) if r is not None]
    sections = []
    if changes is not None:
        for kind in KINDS:
            rows = changes[changes["kind"] == kind].to_dict("records")
            sections.append({"kind": kind, "heading": MD_HEADINGS[kind], "rows": [_view_row(r) for r in rows]})
    return {"reports": reports, "sections": sections, "yoy_report": b.report_id,
            "yoy": None if yoy is None else [_view_row(r) for r in yoy.to_dict("records")]}


def _view_row(row: dict) -> dict:
    table_no = row.get("table_no")
    prefix = "" if table_no is None or pd.isna(table_no) else f"附表{int(table_no)} "
    return {**row, "table_label": prefix + str(row.get("table_title") or ""), "field_label": field_label(row.get("field", ""))}


def render_html(a: ReportIndicators | None, b: ReportIndicators, changes: pd.DataFrame | None, yoy: pd.DataFrame) -> str:
    from .serve.templating import render, static_text

    title = f"Indicators: {a.report_id} → {b.report_id}" if a else f"Indicators: {b.report_id}"
    return render("diff.html", title=title, css=static_text("app.css"), view=diff_view(a, b, changes, yoy))


# ---------------------------------------------------------------- diff.md

MD_HEADINGS = {
    "restated": "Restatements: B's figure for A's current year differs from A's",
    "changed": "Changed values",
    "added": "Indicators only in B (added)",
    "removed": "Indicators only in A (removed)",
}


def render_markdown(a: ReportIndicators | None, b: ReportIndicators, changes: pd.DataFrame | None, yoy: pd.DataFrame) -> str:
    lines = [f"# Indicators: {a.report_id} → {b.report_id}" if a else f"# Indicators: {b.report_id}", ""]
    for label, report in (("A", a), ("B", b)):
        if report is not None:
            lines.append(f"- {label}: `{report.report_id}`, years {', '.join(map(str, report.years))}, "
                         f"{report.frame[KEY].drop_duplicates().shape[0]} indicators")
    lines.append("")
    if changes is not None:
        lines += ["| kind | cells |", "|---|---:|"]
        lines += [f"| {kind} | {int((changes['kind'] == kind).sum())} |" for kind in KINDS]
        lines.append("")
        for kind in KINDS:
            lines += _changes_section(kind, changes[changes["kind"] == kind])
    lines += _yoy_section(b.report_id, yoy)
    return "\n".join(lines) + "\n"


def _changes_section(kind: str, rows: pd.DataFrame) -> list[str]:
    if rows.empty:
        return []
    out = [f"## {MD_HEADINGS[kind]}", "", "| 附表 | indicator | parent | unit | year | A | B | Δ |", "|---:|---|---|---|---:|---:|---:|---:|"]
    for r in rows.itertuples(index=False):
        out.append(f"| {_table(r)} | {_md(r.indicator)}{_nth(r.occurrence)}{_field_label(r.field)} | "
                   f"{_md(r.parent_indicator)} | {_md(r.unit)} | {_md(r.year)} | {_md(r.value_raw_a)} | "
                   f"{_md(r.value_raw_b)} | {_number(r.delta)} |")
    return [*out, ""]


def _yoy_section(report_id: str, yoy: pd.DataFrame) -> list[str]:
    if yoy.empty:
        return [f"## Year over year in {report_id}", "", "Only one year column: nothing to compare.", ""]
    out = [f"## Year over year in {report_id}", "", "Percent-unit indicators change in percentage points.", "",
           "| 附表 | indicator | parent | unit | from | to | before | after | change | change % |",
           "|---:|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in yoy.itertuples(index=False):
        out.append(f"| {_table(r)} | {_md(r.indicator)}{_nth(r.occurrence)} | {_md(r.parent_indicator)} | {_md(r.unit)} | "
                   f"{r.year_from} | {r.year_to} | {_number(r.value_from)} | {_number(r.value_to)} | "
                   f"{_number(r.change)} | {_number(r.change_pct, 1)} |")
    return [*out, ""]


def _table(row) -> str:
    """The table's number as report B prints it, else its kind."""
    return str(row.table_no) if not pd.isna(row.table_no) else row.table_kind


def _md(text) -> str:
    return "" if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)) else str(text).replace("|", "\\|")


def field_label(field: str) -> str:
    """What a diff row compares: '' for the value, else the survey column's name."""
    return SURVEY_FIELDS.get(field, "")


def _field_label(field: str) -> str:
    return f" · {field_label(field)}" if field_label(field) else ""


def _nth(occurrence: int) -> str:
    return f" (#{occurrence})" if occurrence > 1 else ""


def _number(value, digits: int | None = None) -> str:
    if value is None or pd.isna(value):
        return ""
    value = round(float(value), digits) if digits is not None else float(value)
    return float_text(value)
