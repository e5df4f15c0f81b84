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
it and no year (a row's survey is not a year column). A survey is of its
report's year, so surveys are compared only between two editions of one year
(the same latest year), never between a report and its next year's.

Modules: ``cells`` (reading indicators.csv, matching, year over year) and
``render`` (diff.md, and diff.html with the compare page of `vetreport
serve`). Plain Python throughout (the csv module, dicts): `vetreport diff`
imports neither pandas nor numpy, so it starts at once.
"""

from __future__ import annotations

from pathlib import Path

from ..files import atomic_write_text, write_rows
from ..words import DEFAULT
from .cells import (
    DIFF_COLUMNS,
    KEY,
    KINDS,
    SURVEY_FIELDS,
    YOY_COLUMNS,
    ReportIndicators,
    diff_reports,
    load_indicators,
    resolve_report,
    same_value,
    table_kind,
    year_over_year,
)
from .render import diff_view, field_label, render_html, render_markdown

__all__ = ["DIFF_COLUMNS", "KEY", "KINDS", "SURVEY_FIELDS", "YOY_COLUMNS", "ReportIndicators", "diff_reports",
           "diff_view", "field_label", "load_indicators", "render_html", "render_markdown", "resolve_report",
           "same_value", "table_kind", "write_diff", "year_over_year"]


def write_diff(a_dir: Path | None, b_dir: Path, to: Path, lang: str = DEFAULT) -> dict[str, Path]:
    """diff.csv (when two reports are given), yoy.csv, diff.md and diff.html (self-contained) in ``to``; the last
    two in ``lang`` (the CSVs' columns and codes stay as they are: an interface for other tools)."""
    b = load_indicators(b_dir)
    a = load_indicators(a_dir) if a_dir is not None else None
    written: dict[str, Path] = {}
    changes = diff_reports(a, b) if a is not None else None
    if changes is not None:
        write_rows(to / "diff.csv", changes, DIFF_COLUMNS)
        written["diff.csv"] = to / "diff.csv"
    yoy_b = year_over_year(b)
    yoy = [*year_over_year(a), *yoy_b] if a is not None else yoy_b
    write_rows(to / "yoy.csv", yoy, YOY_COLUMNS)
    written["yoy.csv"] = to / "yoy.csv"
    atomic_write_text(to / "diff.md", render_markdown(a, b, changes, yoy_b, lang))
    written["diff.md"] = to / "diff.md"
    atomic_write_text(to / "diff.html", render_html(a, b, changes, yoy_b, lang))
    written["diff.html"] = to / "diff.html"
    return written
