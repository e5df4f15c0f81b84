"""diff.md, and diff.html with the compare page of `vetreport serve` (writers/templates/diff_body.html)."""

from __future__ import annotations

import math

from ..files import float_text
from ..template.periods import period_label
from ..words import DEFAULT, Words, page_label, words
from .cells import KINDS, SURVEY_FIELDS, ReportIndicators


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
              yoy: list[dict] | None, lang: str = DEFAULT) -> dict:
    """What diff.html and the compare page of `vetreport serve` show (writers/templates/diff_body.html), in ``lang``."""
    t = words(lang)
    reports = [{"label": label, "report_id": r.report_id, "years": _columns(r), "indicators": r.indicator_count}
               for label, r in _reports(a, b)]
    printed = {"a": a.printed if a else {}, "b": b.printed}
    sections = []
    if changes is not None:
        for kind in KINDS:
            sections.append({"kind": kind, "heading": t(f"diff.heading.{kind}"), "word": t(f"diff.kind.{kind}"),
                             "rows": [_view_row(r, t, printed) for r in _of_kind(changes, kind)]})
    return {"reports": reports, "sections": sections, "yoy_report": b.report_id,
            "yoy": None if yoy is None else [_view_row(r, t, printed) for r in yoy]}


def _view_row(row: dict, t: Words, printed: dict[str, dict[int, str]]) -> dict:
    table_no = row.get("table_no")
    prefix = "" if table_no is None else f"附表{int(table_no)} "
    periods = {"period": _period(row.get("year"), row.get("period_kind", ""))} if "year" in row else {
        "period_from": _period(row["year_from"], row["period_kind"]), "period_to": _period(row["year_to"], row["period_kind"])}
    pages = {f"page_{side}": _page(row.get(f"page_{side}"), printed[side], t.lang) for side in ("a", "b")}
    return {**row, "table_label": prefix + str(row.get("table_title") or ""),
            "field_label": field_label(row.get("field", "")), "shown": {**periods, **pages}}


def _page(page, printed: dict[int, str], lang: str) -> str:
    """A diff row's page as its report prints it (第2页（PDF第56页）); '' when the cell is not in that report."""
    return "" if _missing(page) or page == "" else page_label(int(page), printed.get(int(page)), lang)


def render_html(a: ReportIndicators | None, b: ReportIndicators, changes: list[dict] | None, yoy: list[dict],
                lang: str = DEFAULT) -> str:
    from ..writers.html import render, static_text

    t = words(lang)
    title = t("diff.title.two", a=a.report_id, b=b.report_id) if a else t("diff.title.one", b=b.report_id)
    return render("diff.html", title=title, css=static_text("app.css"), t=t, lang=t.lang,
                  view=diff_view(a, b, changes, yoy, lang))


# ---------------------------------------------------------------- diff.md


def render_markdown(a: ReportIndicators | None, b: ReportIndicators, changes: list[dict] | None, yoy: list[dict],
                    lang: str = DEFAULT) -> str:
    t = words(lang)
    title = t("diff.title.two", a=a.report_id, b=b.report_id) if a else t("diff.title.one", b=b.report_id)
    lines = [f"# {title}", ""]
    for label, report in _reports(a, b):
        years = t("audit.where.join").join(_columns(report))
        lines.append("- " + t("diff.report", label=label, report=f"`{report.report_id}`", years=years, n=report.indicator_count))
    lines.append("")
    if changes is not None:
        lines += [f"| {t('diff.col.kind')} | {t('diff.col.cells')} |", "|---|---:|"]
        lines += [f"| {t(f'diff.kind.{kind}')} | {len(_of_kind(changes, kind))} |" for kind in KINDS]
        lines.append("")
        printed = {"a": a.printed if a else {}, "b": b.printed}
        for kind in KINDS:
            lines += _changes_section(t, kind, _of_kind(changes, kind), printed)
    lines += _yoy_section(t, b.report_id, yoy)
    return "\n".join(lines) + "\n"


def _changes_section(t: Words, kind: str, rows: list[dict], printed: dict[str, dict[int, str]]) -> list[str]:
    if not rows:
        return []
    headings = [t(f"diff.col.{name}") for name in ("table_no", "indicator", "parent", "unit", "period", "a", "b", "delta",
                                                   "page_a", "page_b")]
    out = [f"## {t(f'diff.heading.{kind}')}", "", "| " + " | ".join(headings) + " |",
           "|---:|---|---|---|---:|---:|---:|---:|---|---|"]
    for r in rows:
        out.append(f"| {_table(r)} | {_md(r['indicator'])}{_nth(r['occurrence'])}{_field_label(r['field'])} | "
                   f"{_md(r['parent_indicator'])} | {_md(r['unit'])} | {_period(r['year'], r['period_kind'])} | "
                   f"{_md(r['value_raw_a'])} | "
                   f"{_md(r['value_raw_b'])} | {_number(r['delta'])} | {_page(r['page_a'], printed['a'], t.lang)} | "
                   f"{_page(r['page_b'], printed['b'], t.lang)} |")
    return [*out, ""]


def _yoy_section(t: Words, report_id: str, yoy: list[dict]) -> list[str]:
    if not yoy:
        return [f"## {t('diff.yoy.title', report=report_id)}", "", t("diff.yoy.none"), ""]
    headings = [t(f"diff.col.{name}") for name in ("table_no", "indicator", "parent", "unit", "from", "to", "before", "after",
                                                   "change", "change_pct")]
    out = [f"## {t('diff.yoy.title', report=report_id)}", "", t("diff.yoy.points"), "",
           "| " + " | ".join(headings) + " |",
           "|---:|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in yoy:
        out.append(f"| {_table(r)} | {_md(r['indicator'])}{_nth(r['occurrence'])} | {_md(r['parent_indicator'])} | "
                   f"{_md(r['unit'])} | {_period(r['year_from'], r['period_kind'])} | "
                   f"{_period(r['year_to'], r['period_kind'])} | {_number(r['value_from'])} | "
                   f"{_number(r['value_to'])} | {_number(r['change'])} | {_number(r['change_pct'], 1)} |")
    return [*out, ""]


def _table(row: dict) -> str:
    """The table's number as report B prints it, else its kind."""
    return str(row["table_no"]) if row["table_no"] is not None else _md(row["table_kind"])


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
