"""direct — the text restates a table cell (在校生 12001 人 vs 落实政策表), survey counts included; and
per_school_average — 校均 X against the table total ÷ the number of schools."""

from __future__ import annotations

from functools import lru_cache

from .. import template
from ..claims import Claim
from ..schools import level_of, school_count_before
from ..text.numbers import consistent, unit_family
from . import explain
from .appendix import Appendix, Cell, measure
from .check import ClaimCheck
from .context import Context, claim_finding
from .explain import fmt, qualifier_tolerance
from .findings import Finding
from .judge import judge


@lru_cache(maxsize=1)
def links() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in template.claim_links():
        out.setdefault(r["subject"], []).append(r)
    return out


def family(unit: str) -> str:
    base = unit.split("/")[0]
    if base == ":":
        return ""
    return unit_family(base) if base else ""


def compatible(claim: Claim, link_unit: str) -> bool:
    if link_unit == ":":
        return claim.unit in ("", ":")
    return family(claim.unit) == family(link_unit) and bool(claim.unit)


def link_for(claim: Claim) -> dict | None:
    found = [r for r in links().get(claim.subject, []) if r["field"] == claim.field and compatible(claim, r["unit"])]
    return found[0] if found else None


class Direct(ClaimCheck):
    name = "direct"
    kinds = ("direct", "per_school_average")

    def check(self, claim: Claim, ctx: Context) -> list[Finding]:
        link = link_for(claim)
        return [_direct_or_average(claim, link, ctx)] if link else []


def _tolerance(claim: Claim) -> str | None:
    return qualifier_tolerance(claim.qualifier, claim.value, claim.decimals) if claim.qualifier else None


def _direct_or_average(claim: Claim, link: dict, ctx: Context) -> Finding:
    appendix = ctx.appendix
    kind, indicator, unit = link["table_kind"], link["indicator"], link["unit"]
    year = claim.scope_year
    row_unit = unit if claim.field == "value" else None  # a survey count sits on the % row
    cells = appendix.find(kind, indicator, year, row_unit) if year else []
    label = cells[0].label() if cells else f"{kind} {indicator}"
    cell = cells[0] if cells else None
    if claim.scope_school:
        return claim_finding("direct", "unverifiable", claim, explain.about_one_school(claim.scope_school, label),
                             cell=cell, check=label)
    if len(cells) > 1:
        return claim_finding("direct", "uncertain", claim, explain.several_cells(label, [c.raw for c in cells]),
                             cell=cell, check=label)
    if cell is None or cell.value is None:
        return claim_finding("direct", "unverifiable", claim, explain.no_value(label, year, cell is not None), cell=cell, check=label)
    if claim.scope_average == "校均" and measure(unit) in ("count", "amount") and claim.field == "value":
        return _average(claim, cell, ctx, unit)
    actual = cell.survey_count if claim.field == "survey_count" else cell.value
    if actual is None:
        return claim_finding("direct", "unverifiable", claim, explain.no_survey_count(label), cell=cell, check=label)
    verdict = judge(claim.value, claim.decimals, actual, None if claim.field == "survey_count" else cell.decimals, claim.qualifier)
    what = explain.survey_count_of(label) if claim.field == "survey_count" else label
    shown = fmt(actual, cell.decimals)
    explanation = explain.restated(claim.value_raw, what, year, shown)
    if claim.qualifier and verdict != "match":
        explanation += explain.beyond_qualifier(claim.qualifier, claim.value, claim.decimals, actual)
    if verdict == "mismatch":
        other = other_year(claim, appendix, lambda y: cell_value(appendix, kind, indicator, y, row_unit, claim.field))
        if other:
            verdict = "other_year_match"
            explanation += explain.other_column(other[0], fmt(other[1], cell.decimals))
        else:
            explanation += _same_table_hint(claim, appendix, kind, year)
    return claim_finding("direct", verdict, claim, explanation, cell=cell, expected=shown, table_value=shown,
                         tolerance=_tolerance(claim))


def cell_value(appendix: Appendix, kind: str, indicator: str, year: int, unit: str | None, fld: str) -> float | None:
    cells = appendix.find(kind, indicator, year, unit)
    if len(cells) != 1:
        return None
    return cells[0].survey_count if fld == "survey_count" else cells[0].value


def other_year(claim: Claim, appendix: Appendix, compute) -> tuple[int, float] | None:
    """The other year column whose value the claim matches, when it does not match its own year."""
    for year in appendix.years:
        if year == claim.scope_year:
            continue
        value = compute(year)
        agreeing = ("match", "approx_match", "rounding_only")
        if value is not None and judge(claim.value, claim.decimals, value, qualifier=claim.qualifier) in agreeing:
            return year, value
    return None


def _same_table_hint(claim: Claim, appendix: Appendix, kind: str, year: int) -> explain.Said:
    twins = [c for c in appendix.cells if c.table_kind == kind and c.year == year and c.value is not None
             and c.unit == ("%" if claim.unit == "%" else c.unit) and consistent(claim.value, claim.decimals, c.value)]
    return explain.twin_cell(claim.value_raw, twins[0].indicator) if twins else []


def schools_for(claim: Claim, ctx: Context) -> tuple[int | None, str]:
    """The number of schools a 校均 figure divides by: stated before it in its sentence; else the school
    table's rows of the level the sentence names (各高职院校校均 …); else the report's own count."""
    stated = school_count_before(claim.sentence, claim.position)
    if stated:
        return stated.value, explain.stated_schools(stated.value)
    level, schools = level_of(claim.sentence[: claim.position]), ctx.schools
    if level and level in schools.levels and level != ctx.claims.report_level:
        return schools.count(level), explain.level_rows(level, schools.table_id)
    return ctx.claims.n_schools, ctx.claims.n_schools_source


def _average(claim: Claim, cell: Cell, ctx: Context, unit: str) -> Finding:
    appendix = ctx.appendix
    n, source = schools_for(claim, ctx)
    label = cell.label().removesuffix(f" ({cell.unit})")
    if not n:
        return claim_finding("per_school_average", "unverifiable", claim, explain.no_school_count(), cell=cell, check=label)
    expected = cell.value / n
    verdict = judge(claim.value, claim.decimals, expected, qualifier=claim.qualifier)
    explanation = explain.per_school(claim.value_raw, label, cell.year, cell.raw, n, expected, claim.decimals, source)
    if claim.qualifier and verdict != "approx_match":
        explanation += explain.beyond_qualifier(claim.qualifier, claim.value, claim.decimals, expected, with_range=False)
    if verdict == "mismatch":
        def average_in(year):
            total = cell_value(appendix, cell.table_kind, cell.indicator, year, unit, "value")
            return total / n if total is not None else None

        other = other_year(claim, appendix, average_in)
        if other:
            verdict = "other_year_match"
            explanation += explain.other_column_average(other[0], fmt(other[1] * n, cell.decimals), n, other[1])
    return claim_finding("per_school_average", verdict, claim, explanation, cell=cell, expected=fmt(expected, 2),
                         tolerance=_tolerance(claim))
