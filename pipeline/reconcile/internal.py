"""table_internal — the appendix tables against themselves: totals and their parts, ratios and pooled
rates by the rules of template/table_checks.csv, and every breakdown row within the row it breaks down.
One column (period kind and year) at a time: a 2021届 total is never summed from 2021年 parts."""

from __future__ import annotations

from .. import template
from ..template import TableCheck
from ..template.expressions import Ratio
from ..text.numbers import consistent, printed_interval, round_half_up
from . import explain
from .appendix import Appendix, Cell, measure
from .check import Check
from .context import Context
from .explain import Said, fmt
from .findings import Finding, explained

SKIP_UNITS = ("学时",)  # 教学计划内课程总数 is printed in 门 and in 学时: the rules speak of the 门 row


class Internal(Check):
    name = "internal"
    kinds = ("table_internal",)

    def run(self, ctx: Context) -> list[Finding]:
        appendix = ctx.appendix
        out = []
        for period, year in appendix.columns:
            for rule in template.table_checks(appendix.template):
                finding = _rule_finding(rule, year, period, appendix)
                if finding:
                    out.append(finding)
            out += _children_within_parents(year, period, appendix)
        return out

def _rule_finding(rule: TableCheck, year: int, period: str, appendix: Appendix) -> Finding | None:
    totals = [c for c in appendix.find(rule.table_kind, rule.total, year, period=period) if c.unit not in SKIP_UNITS]
    if len(totals) != 1 or totals[0].value is None:
        return None
    total = totals[0]
    if isinstance(rule.parts, Ratio):
        return _ratio(rule, total, rule.parts, appendix)
    parts = []
    for name in rule.parts.names:
        found = (appendix.find(rule.table_kind, name, year, total.unit, parent=total.indicator, period=period)
                 or appendix.find(rule.table_kind, name, year, total.unit, period=period))
        if len(found) != 1:
            return None
        parts.append(found[0])
    if rule.rule == "mean":
        return _mean(rule, total, parts, appendix)
    survey = rule.rule == "survey_sum"
    values = [p.survey_count if survey else p.value for p in parts]
    whole = total.survey_count if survey else total.value
    if whole is None or any(v is None for v in values):
        return None
    summed = sum(values)
    relation = "le" if rule.rule == "le" else "eq"
    holds = summed <= whole + 1e-9 if relation == "le" else abs(summed - whole) < 1e-9
    verdict = "match" if holds else "mismatch"
    explanation = explain.rule_total(survey, total.label(), whole, list(rule.parts.names),
                                     [fmt(v, total.decimals) for v in values], summed, relation, holds)
    return _finding(rule, total, verdict, fmt(summed, 2), explanation, table_value=fmt(whole, 2))


def _ratio(rule: TableCheck, total: Cell, parts: Ratio, appendix: Appendix) -> Finding | None:
    num = appendix.evaluate(parts.numerator, total.year, total.period_kind)
    den = appendix.evaluate(parts.denominator, total.year, total.period_kind)
    if num.value is None or not den.value:
        return None
    value = num.value / den.value
    verdict = "match" if consistent(total.value, total.decimals, value) else (
        "rounding_only" if any(consistent(total.value, d, value) for d in range(total.decimals)) else "mismatch")
    padded = str(round_half_up(value, total.decimals - 1)) if verdict == "rounding_only" else None
    explanation = explain.rule_ratio(total.label(), total.raw, num.shown, den.shown, value, padded)
    return _finding(rule, total, verdict, fmt(value, total.decimals + 1), explanation)


def _mean(rule: TableCheck, total: Cell, parts: list[Cell], appendix: Appendix) -> Finding | None:
    """A pooled rate lies between its parts' rates; in the survey's own year (the last column of its period
    kind, which the survey counts belong to) it is their mean weighted by the counts, within the rounding of
    the parts."""
    if any(p.value is None for p in parts):
        return None
    low = min(printed_interval(p.value, p.decimals)[0] for p in parts)
    high = max(printed_interval(p.value, p.decimals)[1] for p in parts)
    inside = low <= printed_interval(total.value, total.decimals)[1] and printed_interval(total.value, total.decimals)[0] <= high
    explanation = explain.pooled(total.label(), total.raw, inside, [(p.indicator, p.raw) for p in parts])
    verdict = "match" if inside else "mismatch"
    expected = f"{fmt(min(p.value for p in parts), 2)} – {fmt(max(p.value for p in parts), 2)}"
    counts = [p.survey_count for p in parts]
    if total.year == appendix.years_of(total.period_kind)[-1] and all(counts) and sum(counts):
        weights = sum(counts)
        mean = sum(p.value * c for p, c in zip(parts, counts)) / weights
        lo = sum(printed_interval(p.value, p.decimals)[0] * c for p, c in zip(parts, counts)) / weights
        hi = sum(printed_interval(p.value, p.decimals)[1] * c for p, c in zip(parts, counts)) / weights
        t_lo, t_hi = printed_interval(total.value, total.decimals)
        agrees = lo < t_hi and t_lo < hi
        explanation += explain.pooled_mean([(p.raw, c) for p, c in zip(parts, counts)], weights, mean, total.raw, agrees)
        expected = fmt(mean, total.decimals)
        if not agrees:
            verdict = "mismatch" if not inside else "uncertain"
    return _finding(rule, total, verdict, expected, explanation)


def _finding(rule: TableCheck, total: Cell, verdict: str, expected: str, explanation: Said, table_value: str | None = None) -> Finding:
    return Finding(
        finding_id="", kind="table_internal", verdict=verdict, claim_id="", claim_text=rule.shown, page=total.page,
        table_no=total.table_no, table_kind=total.table_kind, indicator=total.indicator, year=total.year,
        table_value=table_value or total.raw, expected=expected, tolerance="0", **explained(explanation), unit=total.unit,
        table_page=total.page, table_bbox=total.bbox, key=(rule.text, total.table_kind, total.column_key),
    )


def _children_within_parents(year: int, period: str, appendix: Appendix) -> list[Finding]:
    """A breakdown row (其中 …, 接入国家智慧教育平台数) counted in the same unit cannot exceed the row it breaks
    down in the same column."""
    out = []
    for child in appendix.cells:
        if child.column != (period, year) or not child.parent or child.value is None \
                or measure(child.unit) not in ("count", "amount"):
            continue
        parents = [c for c in appendix.find(child.table_kind, child.parent, year, child.unit, period=period)
                   if c.row_seq < child.row_seq]
        if not parents or parents[-1].value is None:
            continue
        parent = parents[-1]
        verdict = "match" if child.value <= parent.value else "mismatch"
        check = f"le: {parent.indicator} ≥ {child.indicator} ({child.unit})"
        out.append(Finding(
            finding_id="", table_kind=child.table_kind, kind="table_internal", verdict=verdict, claim_id="",
            claim_text=f"{child.indicator} ≤ {parent.indicator} ({child.unit})", page=child.page,
            table_no=child.table_no, indicator=child.indicator, year=year,
            table_value=child.raw, expected=f"≤ {parent.raw}", tolerance="0",
            **explained(explain.within_parent(child.label(), child.raw, verdict == "match", parent.indicator,
                                               parent.raw)),
            unit=child.unit, table_page=child.page, table_bbox=child.bbox,
            key=(check, child.table_kind, parent.parent, child.column_key),
        ))
    return out

