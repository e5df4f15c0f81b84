"""diff.md, and diff.html with the compare page of `vetreport serve` (writers/templates/diff_body.html)."""

from __future__ import annotations

import math

from ..files import float_text
from ..template.periods import period_label
from .cells import KINDS, SURVEY_FIELDS, ReportIndicators

MD_HEADINGS = {
    "restated": "Restatements: B's figure for A's current year differs from A's",
    "changed": "Changed values",
    "added": "Indicators only in B (added)",
    "removed": "Indicators only in A (removed)",
}


def _reports(a: ReportIndicators | None, b: ReportIndicators) -> list[tuple[str, ReportIndicators]]:
    return [(label, report) for label, report in (("A", a), ("B", b)) if report is not None]


def _of_kind(changes: list[dict], kind: str) -> list[dict]:
    return [row for row in changes if row["kind"] == kind]


def _period(year: int | None, kind: str) -> str:
    """A compared column as a reader knows it: 2024, 2021届, 2020-2021学年; '' for a survey column (no year)."""
    return "" if year is None else period_label(year, kind)


def _columns(report: ReportIndicators) -> list[str]:
    return [period_label(year, kind) for kind, year in report.periods]


# ---------------------------------------------------------------- diff.html and the app's compare page


def diff_view(a: ReportIndicators | None, b: ReportIndicators, changes: list[dict] | None,
              yoy: list[dict] | None) -> dict:
    """What diff.html and the compare page of `vetreport serve` show (writers/templates/diff_body.html)."""
    reports = [{"label": label, "report_id": r.report_id, "years": _columns(r), "indicators": r.indicator_count}
               for label, r in _reports(a, b)]
    sections = []
    if changes is not None:
        for kind in KINDS:
            sections.append({"kind": kind, "heading": MD_HEADINGS[kind], "rows": [_view_row(r) for r in _of_kind(changes, kind)]})
    return {"reports": reports, "sections": sections, "yoy_report": b.report_id,
            "yoy": None if yoy is None else [_view_row(r) for r in yoy]}


def _view_row(row: dict) -> dict:
    table_no = row.get("table_no")
    prefix = "" if table_no is None else f"附表{int(table_no)} "
    periods = {"period": _period(row.get("year"), row.get("period_kind", ""))} if "year" in row else {
        "period_from": _period(row["year_from"], row["period_kind"]), "period_to": _period(row["year_to"], row["period_kind"])}
    return {**row, "table_label": prefix + str(row.get("table_title") or ""),
            "field_label": field_label(row.get("field", "")), "shown": periods}


def render_html(a: ReportIndicators | None, b: ReportIndicators, changes: list[dict] | None, yoy: list[dict]) -> str:
    from ..writers.html import render, static_text

    title = f"Indicators: {a.report_id} → {b.report_id}" if a else f"Indicators: {b.report_id}"
    return render("diff.html", title=title, css=static_text("app.css"), view=diff_view(a, b, changes, yoy))


# ---------------------------------------------------------------- diff.md


def render_markdown(a: ReportIndicators | None, b: ReportIndicators, changes: list[dict] | None, yoy: list[dict]) -> str:
    lines = [f"# Indicators: {a.report_id} → {b.report_id}" if a else f"# Indicators: {b.report_id}", ""]
    for label, report in _reports(a, b):
        lines.append(f"- {label}: `{report.report_id}`, years {', '.join(_columns(report))}, "
                     f"{report.indicator_count} indicators")
    lines.append("")
    if changes is not None:
        lines += ["| kind | cells |", "|---|---:|"]
        lines += [f"| {kind} | {len(_of_kind(changes, kind))} |" for kind in KINDS]
        lines.append("")
        for kind in KINDS:
            lines += _changes_section(kind, _of_kind(changes, kind))
    lines += _yoy_section(b.report_id, yoy)
    return "\n".join(lines) + "\n"


def _changes_section(kind: str, rows: list[dict]) -> list[str]:
    if not rows:
        return []
    out = [f"## {MD_HEADINGS[kind]}", "", "| 附表 | indicator | parent | unit | period | A | B | Δ |",
           "|---:|---|---|---|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {_table(r)} | {_md(r['indicator'])}{_nth(r['occurrence'])}{_field_label(r['field'])} | "
                   f"{_md(r['parent_indicator'])} | {_md(r['unit'])} | {_period(r['year'], r['period_kind'])} | "
                   f"{_md(r['value_raw_a'])} | "
                   f"{_md(r['value_raw_b'])} | {_number(r['delta'])} |")
    return [*out, ""]


def _yoy_section(report_id: str, yoy: list[dict]) -> list[str]:
    if not yoy:
        return [f"## Year over year in {report_id}", "", "Only one year column: nothing to compare.", ""]
    out = [f"## Year over year in {report_id}", "", "Percent-unit indicators change in percentage points.", "",
           "| 附表 | indicator | parent | unit | from | to | before | after | change | change % |",
           "|---:|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in yoy:
        out.append(f"| {_table(r)} | {_md(r['indicator'])}{_nth(r['occurrence'])} | {_md(r['parent_indicator'])} | "
                   f"{_md(r['unit'])} | {_period(r['year_from'], r['period_kind'])} | "
                   f"{_period(r['year_to'], r['period_kind'])} | {_number(r['value_from'])} | "
                   f"{_number(r['value_to'])} | {_number(r['change'])} | {_number(r['change_pct'], 1)} |")
    return [*out, ""]


def _table(row: dict) -> str:
    """The table's number as report B prints it, else its kind."""
    return str(row["table_no"]) if row["table_no"] is not None else row["table_kind"]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _md(text) -> str:
    return "" if _missing(text) else str(text).replace("|", "\\|")


def field_label(field: str) -> str:
    """What a diff row compares: '' for the value, else the survey column's name."""
    return SURVEY_FIELDS.get(field, "")


def _field_label(field: str) -> str:
    return f" · {field_label(field)}" if field_label(field) else ""


def _nth(occurrence: int) -> str:
    return f" (#{occurrence})" if occurrence > 1 else ""


def _number(value, digits: int | None = None) -> str:
    if _missing(value):
        return ""
    value = round(float(value), digits) if digits is not None else float(value)
    return float_text(value)
