"""cross_table — one quantity printed in two places of the appendix (template/table_identities.csv, named
by table kind): 计分卡 毕业生面向三次产业就业人数 = 服务贡献表 毕业生初次就业人数 = 毕业去向落实人数 − 升学人数.

year_broken — identities found in the report itself: a rate cell that two count cells of the tables
reproduce exactly (to its printed precision) in one year column and not in another. The other column
is worth a look (uncertain, both years' arithmetic shown); nothing here is listed for one report.

Both read one column at a time — a period kind and a year (appendix.Column) — so a 2021届 cell of 计分卡 is
never set against a 2021年 cell of 服务贡献表, nor a 届 column's rate against a 年 column's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .. import template
from ..template import Identity
from ..template.periods import period_label
from ..text.numbers import consistent, printed_interval
from . import explain
from .appendix import Appendix, Cell, Column, Evaluated, measure
from .check import Check
from .context import Context
from .explain import fmt, relation_sign
from .findings import Finding, explained

RATE_SCALE = {"percent": 100.0, "ratio": 1.0}
MIN_DENOMINATOR = 20  # small counts reproduce too many rates by chance (1 ÷ 2 = 50.00%)
MIN_DECIMALS = 1


class Identities(Check):
    name = "identities"
    kinds = ("cross_table", "year_broken")

    def run(self, ctx: Context) -> list[Finding]:
        appendix = ctx.appendix
        out = []
        for identity in template.table_identities(appendix.template):
            out += _identity(identity, appendix)
        return out + _year_broken(appendix)


# ---------------------------------------------------------------- identities the template states


def _holds(relation: str, left: float, right: float) -> bool:
    return abs(left - right) < 1e-9 if relation == "eq" else left <= right + 1e-9


def _side(expression, value: Evaluated) -> str:
    cells = value.cells
    if len(cells) == 1:
        return f"{cells[0].label()} {cells[0].raw}"
    names = " ".join(("− " if t.sign < 0 else ("+ " if n else "")) + t.operand.name for n, t in enumerate(expression.terms))
    return f"{cells[0].table} ({names}) = {value.shown} = {fmt(value.value, 2)}"


def _identity_values(identity: Identity, appendix: Appendix) -> dict[Column, tuple[Evaluated, Evaluated]]:
    """Both sides of an identity in each column where both have a value, every cell of a side in that column."""
    values = {}
    for period, year in appendix.columns:
        left = appendix.evaluate(identity.left, year, period)
        right = appendix.evaluate(identity.right, year, period)
        if left.value is not None and right.value is not None:
            values[(period, year)] = (left, right)
    return values


def _identity(identity: Identity, appendix: Appendix) -> list[Finding]:
    values = _identity_values(identity, appendix)
    out = []
    for column, (left, right) in values.items():
        period, year = column
        expected = _holds(identity.expect, left.value, right.value)
        must = _holds(identity.must, left.value, right.value) if identity.must else True
        verdict = "match" if expected else ("mismatch" if not must else "uncertain")
        others = [f"{period_label(y, p)}: {l.shown} "
                  f"{relation_sign(identity.expect, _holds(identity.expect, l.value, r.value))} {r.shown}"
                  for (p, y), (l, r) in values.items() if p == period and y != year] if verdict != "match" else []
        first, second = left.cells[0], right.cells[0]
        explanation = explain.identity(first.column_label, _side(identity.left, left), relation_sign(identity.expect, expected),
                                       _side(identity.right, right), identity.note, identity.must, identity.expect,
                                       must, expected, others)
        out.append(Finding(
            finding_id="", kind="cross_table", verdict=verdict, claim_id="", claim_text=identity.name, page=first.page,
            table_no=first.table_no, table_kind=first.table_kind, indicator=first.indicator, year=year,
            table_value=fmt(left.value, 2), expected=fmt(right.value, 2), tolerance="0", **explained(explanation),
            unit=first.unit, table_page=first.page, table_bbox=first.bbox,
            other_kind=second.table_kind, other_no=second.table_no, other_indicator=second.indicator, other_year=year,
            other_page=second.page, other_bbox=second.bbox, key=(identity.left.text, identity.right.text, first.column_key),
        ))
    return out


# ---------------------------------------------------------------- identities found in the report


def _ratio_rule_totals(template_id: str) -> set[tuple[str, str]]:
    return {(r.table_kind, r.total) for r in template.table_checks(template_id) if r.rule == "ratio"}


def _pairs(rate: Cell, counts: list[Cell], scale: float) -> list[tuple[Cell, Cell]]:
    """Count cells a, b (same unit) with a ÷ b × scale printed as the rate (a looked up by value, not tried)."""
    low, high = printed_interval(rate.value, rate.decimals)
    by_value = sorted(counts, key=lambda c: c.value)
    values = [c.value for c in by_value]
    out = []
    for b in counts:
        if b.value < MIN_DENOMINATOR:
            continue
        lo, hi = low * b.value / scale, high * b.value / scale
        for a in by_value[bisect_left(values, lo - 1e-9):bisect_right(values, hi + 1e-9)]:
            if a is b or a.unit != b.unit or (scale == 100 and a.value > b.value):
                continue
            if consistent(rate.value, rate.decimals, a.value / b.value * scale):
                out.append((a, b))
    return out


def _same(appendix: Appendix, cell: Cell, year: int) -> Cell | None:
    """The cell of the same name, unit and period kind in another year's column."""
    return appendix.one(cell.table_kind, cell.indicator, year, cell.unit, period=cell.period_kind)


def _year_broken(appendix: Appendix) -> list[Finding]:
    skip = _ratio_rule_totals(appendix.template)
    out = []
    for period, year in appendix.columns:
        years = appendix.years_of(period)
        if len(years) < 2:
            continue
        counts = [c for c in appendix.cells if c.column == (period, year) and c.value and measure(c.unit) == "count"]
        rates = [c for c in appendix.cells if c.column == (period, year) and c.value and measure(c.unit) in RATE_SCALE
                 and c.decimals >= MIN_DECIMALS and (c.table_kind, c.indicator) not in skip]
        for rate in rates:
            scale = RATE_SCALE[measure(rate.unit)]
            pairs = _pairs(rate, counts, scale)
            if len(pairs) != 1:
                continue  # none, or several pairs that could be meant
            a, b = pairs[0]
            for other in years:
                if other == year:
                    continue
                finding = _broken(rate, a, b, year, other, scale, appendix)
                if finding:
                    out.append(finding)
    return out


def _broken(rate: Cell, a: Cell, b: Cell, year: int, other: int, scale: float, appendix: Appendix) -> Finding | None:
    rate2, a2, b2 = _same(appendix, rate, other), _same(appendix, a, other), _same(appendix, b, other)
    if rate2 is None or a2 is None or b2 is None or not b2.value:
        return None
    computed = a2.value / b2.value * scale
    if consistent(rate2.value, rate2.decimals, computed):
        return None  # the identity holds in both columns
    formula = f"{a.indicator} ÷ {b.indicator}" + (" × 100" if scale == 100 else "")
    explanation = explain.year_broken(rate.label(), rate.column_label, rate.raw, a.raw, b.raw, a.value / b.value * scale,
                                      scale == 100, formula, rate2.column_label, rate2.raw, a2.raw, b2.raw, computed)
    return Finding(
        finding_id="", kind="year_broken", verdict="uncertain", claim_id="", claim_text=f"{rate.label()} = {formula}",
        page=rate2.page, table_no=rate2.table_no, table_kind=rate2.table_kind, indicator=rate2.indicator, year=other,
        table_value=rate2.raw, expected=fmt(computed, rate2.decimals), tolerance="0", **explained(explanation),
        unit=rate2.unit, table_page=rate2.page, table_bbox=rate2.bbox,
        other_kind=a2.table_kind, other_no=a2.table_no, other_indicator=a2.indicator, other_year=other,
        other_page=a2.page, other_bbox=a2.bbox,
        key=(rate.table_kind, rate.indicator, rate.unit, a.table_kind, a.indicator, b.table_kind, b.indicator,
             rate2.column_key),
    )
