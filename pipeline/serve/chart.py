"""One indicator across reports as an SVG drawn on the server, and which values lie far from the others.

Two views: ``lines`` (a line per report over its year columns) and ``bars``
(one bar per report for one year). A value is far from the others when, among
the reports' values for the same year (at least three), its modified z-score
0.6745·|x − median| / MAD exceeds 3.5 (Iglewicz and Hoaglin); when the MAD is
0 (most reports print the same figure), a value more than 10 % away from the
median is far.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

WIDTH, HEIGHT = 880, 400
LEFT, RIGHT, TOP = 80, 20, 20
BOTTOM = {"lines": 50, "bars": 110}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
OUTLIER = "#d62728"
Z_LIMIT = 3.5
FLAT_SHARE = 0.10  # with a zero MAD: this far from the median (share of it) is far


def outliers(values: pd.DataFrame) -> set[tuple[str, int]]:
    """(report_id, year) of the values far from the other reports' values of the same year."""
    far: set[tuple[str, int]] = set()
    for year, group in values.dropna(subset=["value"]).groupby("year"):
        if len(group) < 3:
            continue
        median = group["value"].median()
        deviation = (group["value"] - median).abs()
        mad = deviation.median()
        if mad > 0:
            hits = group[0.6745 * deviation / mad > Z_LIMIT]
        else:
            hits = group[deviation > FLAT_SHARE * max(abs(median), 1e-12)]
        far |= {(r, int(year)) for r in hits["report_id"]}
    return far


def colours(report_ids: list[str]) -> dict[str, str]:
    return {r: PALETTE[n % len(PALETTE)] for n, r in enumerate(report_ids)}


def svg(values: pd.DataFrame, view: str, year: int | None, far: set[tuple[str, int]], unit: str) -> str:
    """The chart as an <svg> element; every text in it escaped."""
    data = values.dropna(subset=["value"])
    if view == "bars":
        data = data[data["year"] == year]
    reports = sorted(values["report_id"].unique().tolist())
    bottom = BOTTOM[view]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - bottom
    parts = [f"<svg class='chart' xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' "
             f"viewBox='0 0 {WIDTH} {HEIGHT}' role='img' data-view='{view}'>"]
    if data.empty:
        parts.append(f"<text x='{LEFT}' y='{TOP + 20}'>No values to draw.</text></svg>")
        return "".join(parts)
    low, high, step = _axis(min(0.0, data["value"].min()), data["value"].max())
    y_of = lambda v: TOP + plot_h - (v - low) / (high - low) * plot_h  # noqa: E731
    parts += _y_axis(low, high, step, y_of, unit)
    palette = colours(reports)
    if view == "bars":
        parts += _bars(data, reports, palette, far, y_of, plot_w, low)
    else:
        parts += _lines(data, reports, palette, far, y_of, plot_w)
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


def _lines(data, reports, palette, far, y_of, plot_w) -> list[str]:
    years = sorted(data["year"].unique().tolist())
    slot = plot_w / max(len(years), 1)
    x_of = {y: LEFT + slot * (n + 0.5) for n, y in enumerate(years)}
    base = HEIGHT - BOTTOM["lines"]
    out = [f"<line x1='{LEFT}' y1='{base}' x2='{WIDTH - RIGHT}' y2='{base}' stroke='#444'/>"]
    out += [f"<text x='{x:.1f}' y='{base + 18}' text-anchor='middle'>{year}</text>" for year, x in x_of.items()]
    for report in reports:
        cells = data[data["report_id"] == report].sort_values("year")
        if cells.empty:
            continue
        colour = palette[report]
        points = " ".join(f"{x_of[r.year]:.1f},{y_of(r.value):.1f}" for r in cells.itertuples())
        out.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{points}'/>")
        for r in cells.itertuples():
            out.append(_point(report, int(r.year), r.value, r.value_raw, x_of[r.year], y_of(r.value), colour, far))
    return out


def _point(report, year, value, raw, x, y, colour, far) -> str:
    is_far = (report, year) in far
    ring = f" stroke='{OUTLIER}' stroke-width='3'" if is_far else ""
    return (f"<circle class='point{' outlier' if is_far else ''}' cx='{x:.1f}' cy='{y:.1f}' r='{6 if is_far else 4}' "
            f"fill='{colour}'{ring} data-report='{escape(report)}' data-year='{year}' data-value='{escape(str(raw))}'>"
            f"<title>{escape(report)} {year}: {escape(str(raw))}{' — far from the others' if is_far else ''}</title></circle>")


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
        is_far = (report, int(cell.year)) in far
        top, height = min(y_of(cell.value), zero), abs(zero - y_of(cell.value))
        stroke = f" stroke='{OUTLIER}' stroke-width='3'" if is_far else ""
        out.append(f"<rect class='bar{' outlier' if is_far else ''}' x='{x:.1f}' y='{top:.1f}' width='{slot * 0.7:.1f}' "
                   f"height='{max(height, 1):.1f}' fill='{palette[report]}'{stroke} data-report='{escape(report)}' "
                   f"data-year='{int(cell.year)}' data-value='{escape(str(cell.value_raw))}'>"
                   f"<title>{escape(report)} {int(cell.year)}: {escape(str(cell.value_raw))}</title></rect>")
    return out
