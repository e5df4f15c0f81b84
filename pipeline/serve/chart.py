"""One indicator across reports as an SVG drawn on the server, and which values lie far from the others.

A column is a period kind and a year: (year, 2021) is the calendar year 2021, (cohort, 2021) the 2021届,
(school_year, 2021) the 2020-2021学年. A series is one report's columns of one period kind, so a cohort
and a calendar year are never on one line, never in one slot of the axis, never compared for outliers.

Two views: ``lines`` (a line per series over its columns; the colour is the report's, the dash the
period kind's) and ``bars`` (one bar per report for one column). A value is far from the others when,
among the reports' values for the same column (at least three), its modified z-score
0.6745·|x − median| / MAD exceeds 3.5 (Iglewicz and Hoaglin); when the MAD is 0 (most reports print the
same figure), a value more than 10 % away from the median is far.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from ..template.periods import KIND_WORDS, kind_rank, period_label
from ..words import Words, words

WIDTH, HEIGHT = 880, 400
LEFT, RIGHT, TOP = 80, 20, 20
BOTTOM = {"lines": 50, "bars": 110}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
OUTLIER = "#d62728"
Z_LIMIT = 3.5
FLAT_SHARE = 0.10  # with a zero MAD: this far from the median (share of it) is far
DASHES = {"year": "", "cohort": "7 4", "school_year": "2 3"}  # a line's dash pattern by period kind

Column = tuple[str, int]  # (period kind, year)


def columns(values: pd.DataFrame) -> list[Column]:
    """The columns the values fill: calendar years first, then cohorts, then school years, each by year."""
    found = {(kind, int(year)) for kind, year in zip(values["period_kind"], values["year"])}
    return sorted(found, key=lambda c: (kind_rank(c[0]), c[1]))


def units(values: pd.DataFrame) -> pd.Series:
    """Each value's unit ('' when it has none)."""
    return values["unit"].fillna("").astype(str)


def series(values: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(report_id, period kind, unit) of every line: a report's columns of one kind in one unit (an indicator a
    table lists in 门 and in 学时 is two lines)."""
    found = set(zip(values["report_id"], values["period_kind"], units(values)))
    return sorted(found, key=lambda s: (s[0], kind_rank(s[1]), s[2]))


def legend(values: pd.DataFrame) -> list[dict]:
    """What each line is: its report, its period kind (年, 届, 学年), its unit, its colour and dash."""
    palette = colours(sorted(values["report_id"].unique().tolist()))
    return [{"report_id": report, "kind": kind, "word": KIND_WORDS.get(kind, kind), "unit": unit,
             "colour": palette[report], "dash": DASHES.get(kind, "")} for report, kind, unit in series(values)]


def outliers(values: pd.DataFrame) -> set[tuple[str, str, int]]:
    """(report_id, period kind, year) of the values far from the other reports' values of the same column."""
    far: set[tuple[str, str, int]] = set()
    data = values.dropna(subset=["value"]).assign(unit=lambda v: units(v))
    for (kind, year, _), group in data.groupby(["period_kind", "year", "unit"]):
        if len(group) < 3:
            continue
        median = group["value"].median()
        deviation = (group["value"] - median).abs()
        mad = deviation.median()
        if mad > 0:
            hits = group[0.6745 * deviation / mad > Z_LIMIT]
        else:
            hits = group[deviation > FLAT_SHARE * max(abs(median), 1e-12)]
        far |= {(r, kind, int(year)) for r in hits["report_id"]}
    return far


def colours(report_ids: list[str]) -> dict[str, str]:
    return {r: PALETTE[n % len(PALETTE)] for n, r in enumerate(report_ids)}


def svg(values: pd.DataFrame, view: str, column: Column | None, far: set[tuple[str, str, int]], unit: str,
        t: Words | None = None) -> str:
    """The chart as an <svg> element (the bars of one column), its words in ``t``'s language; every text in it
    escaped."""
    t = t or words()
    data = values.dropna(subset=["value"])
    if view == "bars":
        data = data[(data["period_kind"] == column[0]) & (data["year"] == column[1])] if column else data.iloc[0:0]
    reports = sorted(values["report_id"].unique().tolist())
    bottom = BOTTOM[view]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - bottom
    parts = [f"<svg class='chart' xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' "
             f"viewBox='0 0 {WIDTH} {HEIGHT}' role='img' data-view='{view}'>"]
    if data.empty:
        parts.append(f"<text x='{LEFT}' y='{TOP + 20}'>{escape(t('chart.none'))}</text></svg>")
        return "".join(parts)
    low, high, step = _axis(min(0.0, data["value"].min()), data["value"].max())
    y_of = lambda v: TOP + plot_h - (v - low) / (high - low) * plot_h  # noqa: E731
    parts += _y_axis(low, high, step, y_of, unit)
    palette = colours(reports)
    if view == "bars":
        parts += _bars(data, reports, palette, far, y_of, plot_w, low)
        parts.append(_axis_title(period_label(column[1], column[0]), TOP - 6))
    else:
        parts += _lines(data, palette, far, y_of, plot_w, t("chart.far"))
    parts.append("</svg>")
    return "".join(parts)


def _axis(low: float, high: float) -> tuple[float, float, float]:
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _y_axis(low, high, step, y_of, unit) -> list[str]:
    out = [f"<line x1='{LEFT}' y1='{TOP}' x2='{LEFT}' y2='{y_of(low):.1f}' stroke='#444'/>"]
    ticks = int(round((high - low) / step))
    for n in range(ticks + 1):
        value = low + n * step
        y = y_of(value)
        out.append(f"<line x1='{LEFT}' y1='{y:.1f}' x2='{WIDTH - RIGHT}' y2='{y:.1f}' stroke='#eee'/>"
                   f"<text x='{LEFT - 6}' y='{y + 4:.1f}' text-anchor='end'>{escape(_number(value))}</text>")
    if unit:
        out.append(f"<text x='{LEFT - 6}' y='{TOP - 6}' text-anchor='end'>{escape(unit)}</text>")
    return out


def _axis_title(text: str, y: float) -> str:
    """What the columns are, at the right end: 年, 届, 学年 under the lines' axis, the one column above the bars."""
    return f"<text class='axis-title' x='{WIDTH - RIGHT}' y='{y}' text-anchor='end'>{escape(text)}</text>"


def _lines(data, palette, far, y_of, plot_w, far_note: str) -> list[str]:
    slots = columns(data)
    width = plot_w / max(len(slots), 1)
    x_of = {c: LEFT + width * (n + 0.5) for n, c in enumerate(slots)}
    base = HEIGHT - BOTTOM["lines"]
    out = [f"<line x1='{LEFT}' y1='{base}' x2='{WIDTH - RIGHT}' y2='{base}' stroke='#444'/>"]
    out += [f"<text x='{x:.1f}' y='{base + 18}' text-anchor='middle'>{escape(period_label(year, kind))}</text>"
            for (kind, year), x in x_of.items()]
    words = dict.fromkeys(KIND_WORDS.get(kind, kind) for kind, _ in slots)
    out.append(_axis_title(" / ".join(words), base + 36))
    for report, kind, unit in series(data):
        cells = data[(data["report_id"] == report) & (data["period_kind"] == kind) & (units(data) == unit)].sort_values("year")
        colour, dash = palette[report], DASHES.get(kind, "")
        dashed = f" stroke-dasharray='{dash}'" if dash else ""
        points = " ".join(f"{x_of[(kind, int(r.year))]:.1f},{y_of(r.value):.1f}" for r in cells.itertuples())
        out.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2'{dashed} data-report='{escape(report)}' "
                   f"data-kind='{escape(kind)}' points='{points}' data-unit='{escape(unit)}'/>")
        for r in cells.itertuples():
            x, y = x_of[(kind, int(r.year))], y_of(r.value)
            out.append(_point(report, (kind, int(r.year)), r.value_raw, x, y, colour, far, far_note))
    return out


def _point(report: str, column: Column, raw, x: float, y: float, colour: str, far, far_note: str) -> str:
    kind, year = column
    is_far = (report, kind, year) in far
    ring = f" stroke='{OUTLIER}' stroke-width='3'" if is_far else ""
    return (f"<circle class='point{' outlier' if is_far else ''}' cx='{x:.1f}' cy='{y:.1f}' r='{6 if is_far else 4}' "
            f"fill='{colour}'{ring} data-report='{escape(report)}' data-year='{year}' data-value='{escape(str(raw))}' "
            f"data-kind='{escape(kind)}'><title>{escape(report)} {escape(period_label(year, kind))}: {escape(str(raw))}"
            f"{escape(far_note) if is_far else ''}</title></circle>")


def _bars(data, reports, palette, far, y_of, plot_w, low) -> list[str]:
    slot = plot_w / max(len(reports), 1)
    base = HEIGHT - BOTTOM["bars"]
    zero = y_of(max(low, 0.0))
    out = [f"<line x1='{LEFT}' y1='{base}' x2='{WIDTH - RIGHT}' y2='{base}' stroke='#444'/>"]
    by_report = {r.report_id: r for r in data.itertuples()}
    for n, report in enumerate(reports):
        x = LEFT + slot * n + slot * 0.15
        label_x = LEFT + slot * (n + 0.5)
        out.append(f"<text x='{label_x:.1f}' y='{base + 14}' text-anchor='end' "
                   f"transform='rotate(-35 {label_x:.1f} {base + 14})'>{escape(report)}</text>")
        cell = by_report.get(report)
        if cell is None:
            continue
        kind, year = cell.period_kind, int(cell.year)
        is_far = (report, kind, year) in far
        top, height = min(y_of(cell.value), zero), abs(zero - y_of(cell.value))
        stroke = f" stroke='{OUTLIER}' stroke-width='3'" if is_far else ""
        out.append(f"<rect class='bar{' outlier' if is_far else ''}' x='{x:.1f}' y='{top:.1f}' width='{slot * 0.7:.1f}' "
                   f"height='{max(height, 1):.1f}' fill='{palette[report]}'{stroke} data-report='{escape(report)}' "
                   f"data-year='{year}' data-value='{escape(str(cell.value_raw))}' data-kind='{escape(kind)}'>"
                   f"<title>{escape(report)} {escape(period_label(year, kind))}: {escape(str(cell.value_raw))}</title></rect>")
    return out
