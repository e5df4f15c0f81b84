"""Stage 7: narrative figures against the appendix tables, and the tables against themselves (findings.csv).

Every comparison is rounding-aware: a number printed with d decimals stands
for [v − ½·10^-d, v + ½·10^-d), rounded half up (四舍五入). Kinds:

* direct — the text restates a table cell;
* per_school_average — 校均 X against table total ÷ number of schools;
* ratio — 占比/比例 recomputed from counts in the text or in the tables;
* sum — a stated total against its listed parts (其中 …);
* table_internal — parts against totals inside the appendix tables;
* year_over_year — implausible jumps between the two year columns (a flag).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from . import template
from .claims import Claim, Claims
from .numbers import consistent, integer_count_exists, printed_interval, qualifiers, round_half_up, unit_family
from .records import BBox, Indicators, Issue

STAGE = "reconcile"
VERDICTS = ("match", "rounding_only", "mismatch", "other_year_match", "approx_match", "uncertain", "unverifiable")
PART_STOP = re.compile(r"^(在|于|并|同时|此外|另外|以|通过|和|及)")
SHARE_WORDS = ("占比", "占", "比例")


@dataclass
class Finding:
    finding_id: str
    kind: str
    verdict: str
    claim_id: str
    claim_text: str
    page: int | None
    table_no: int | None  # as printed in the report
    indicator: str
    year: int | None
    table_value: str
    expected: str
    tolerance: str
    explanation: str
    claim_value: str = ""
    unit: str = ""
    table_page: int | None = None
    table_bbox: BBox | None = None
    claim_bbox: BBox | None = None
    review_status: str = ""
    review_note: str = ""
    table_kind: str = ""


@dataclass
class Findings:
    findings: list[Finding]
    issues: list[Issue] = field(default_factory=list)


# ---------------------------------------------------------------- the appendix as a lookup


@dataclass(frozen=True)
class Cell:
    table_kind: str
    table_no: int | None  # the number this report prints for the table (None when it prints none)
    indicator: str
    parent: str
    unit: str
    year: int
    value: float | None
    raw: str
    page: int
    bbox: BBox
    row_seq: int

    @property
    def decimals(self) -> int:
        raw = self.raw.replace(",", "")
        return len(raw.split(".")[1]) if "." in raw else 0

    def label(self) -> str:
        return f"{table_label(self.table_kind, self.table_no)} {self.indicator}" + (f" ({self.unit})" if self.unit else "")


class Appendix:
    def __init__(self, frame: pd.DataFrame):
        self.cells: list[Cell] = []
        for r in frame.to_dict("records"):
            value = r.get("value")
            self.cells.append(Cell(
                str(r["table_kind"]), None if pd.isna(r.get("table_no")) else int(r["table_no"]), str(r["indicator"]), str(r.get("parent_indicator") or ""), str(r.get("unit") or ""),
                int(r["year"]), None if value is None or pd.isna(value) else float(value), str(r.get("value_raw") or ""),
                int(r["page"]), (r.get("x0"), r.get("top"), r.get("x1"), r.get("bottom")), int(r["row_seq"]),
            ))
        self.frame = frame
        self.years = sorted({c.year for c in self.cells})

    def find(self, kind: str, indicator: str, year: int, unit: str | None = None, parent: str | None = None) -> list[Cell]:
        return [
            c for c in self.cells
            if c.table_kind == kind and c.indicator == indicator and c.year == year
            and (unit is None or c.unit == unit) and (parent is None or c.parent == parent)
        ]

    def survey_count(self, cell: Cell) -> float | None:
        rows = self.frame[(self.frame.table_kind == cell.table_kind) & (self.frame.row_seq == cell.row_seq) & (self.frame.year == cell.year)]
        values = rows["survey_count"].dropna().tolist() if "survey_count" in rows else []
        return float(values[0]) if values else None


# ---------------------------------------------------------------- template data


@lru_cache(maxsize=1)
def _links() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in template.claim_links():
        out.setdefault(r["subject"], []).append(r)
    return out


@lru_cache(maxsize=1)
def _formulas() -> dict[str, dict]:
    return {r["subject"]: r for r in template.claim_formulas()}


def table_label(kind: str, number: int | None) -> str:
    """How the report names an appendix table: 附表N with the number it prints, else the table's kind."""
    return f"附表{number}" if number is not None else kind


def _family(unit: str) -> str:
    base = unit.split("/")[0]
    if base == ":":
        return ""
    return unit_family(base) if base else ""


def _measure(unit: str) -> str:
    return template.unit_measures().get(template.units().get(unit, unit), "")


# ---------------------------------------------------------------- entry


def reconcile(claims: Claims, indicators: Indicators) -> Findings:
    appendix = Appendix(indicators.frame)
    findings: list[Finding] = []
    issues: list[Issue] = []
    if appendix.frame.empty:
        issues.append(Issue(STAGE, "no appendix indicators: only the narrative's own sums and ratios are checked", level="warning"))
    by_sentence: dict[tuple, list[Claim]] = {}
    by_paragraph: dict[tuple, list[Claim]] = {}
    for c in sorted(claims.claims, key=lambda c: (c.sentence_key, c.position)):
        by_sentence.setdefault(c.sentence_key, []).append(c)
        by_paragraph.setdefault(c.paragraph_key, []).append(c)
    for claim in claims.claims:
        siblings = by_sentence[claim.sentence_key]
        findings += _linked_checks(claim, siblings, appendix, claims)
        findings += _share_check(claim, siblings, by_paragraph[claim.paragraph_key])
    for group in by_sentence.values():
        findings += _sum_checks(group, by_paragraph)
    findings += _table_checks(appendix)
    findings += _year_over_year(appendix)
    _dedupe_ids(findings)
    return Findings(findings, issues)


def _fingerprint(*parts) -> str:
    return "F" + hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:10]


def _fmt(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return ""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _claim_finding(kind, verdict, claim: Claim, cell: Cell | None, expected: str, explanation: str, extra: str = "",
                   table_value: str | None = None) -> Finding:
    half = printed_interval(claim.value, claim.decimals)
    return Finding(
        finding_id=_fingerprint(kind, claim.sentence, claim.value_raw, cell.label() if cell else "", extra),
        kind=kind, verdict=verdict, claim_id=claim.claim_id, claim_text=claim.sentence, page=claim.page,
        table_no=cell.table_no if cell else None, table_kind=cell.table_kind if cell else "",
        indicator=cell.indicator if cell else extra,
        year=cell.year if cell else claim.scope_year,
        table_value=table_value if table_value is not None else (cell.raw if cell else ""),
        expected=expected, tolerance=f"±{_fmt((half[1] - half[0]) / 2, claim.decimals + 1)}",
        explanation=explanation, claim_value=claim.value_raw, unit=claim.unit,
        table_page=cell.page if cell else None, table_bbox=cell.bbox if cell else None, claim_bbox=claim.bbox,
    )


# ---------------------------------------------------------------- comparing one number


def _judge(claim: Claim, computed: float, exact_decimals: int | None = None) -> str:
    """Verdict of a printed claim against a value from the tables (a cell, or arithmetic on cells)."""
    if claim.qualifier:
        return "approx_match" if _within_qualifier(claim, computed) else "mismatch"
    if consistent(claim.value, claim.decimals, computed):
        if exact_decimals is not None and exact_decimals > claim.decimals and round_half_up(computed, exact_decimals) != round_half_up(claim.value, exact_decimals):
            return "rounding_only"  # the text rounds a more precise table value
        return "match"
    if exact_decimals is not None and exact_decimals < claim.decimals and consistent(computed, exact_decimals, claim.value):
        return "rounding_only"  # the text is more precise than the table
    return "mismatch"


def _within_qualifier(claim: Claim, actual: float) -> bool:
    row = qualifiers().get(claim.qualifier, {})
    meaning, v = row.get("meaning", ""), claim.value
    tol = float(row.get("tolerance") or 0)
    if meaning == "nearly":
        return v * (1 - tol) <= actual <= v * (1 + tol / 3)
    if meaning == "around":
        return abs(actual - v) <= tol * v
    if meaning == "over":
        return actual > v
    if meaning == "at_least":
        return actual >= v
    if meaning == "under":
        return actual < v
    if meaning == "more_than_step":
        digits = f"{int(v)}" if v == int(v) else ""
        step = 10 ** (len(digits) - len(digits.rstrip("0"))) if digits else 1
        return v <= actual < v + max(step, 1)
    return consistent(claim.value, claim.decimals, actual)


def _other_year(claim: Claim, appendix: Appendix, compute) -> tuple[int, float] | None:
    for year in appendix.years:
        if year == claim.scope_year:
            continue
        value = compute(year)
        if value is not None and _judge(claim, value) in ("match", "approx_match", "rounding_only"):
            return year, value
    return None


# ---------------------------------------------------------------- linked claims (direct, 校均, formulas)


def _compatible(claim: Claim, link_unit: str) -> bool:
    if link_unit == ":":
        return claim.unit in ("", ":")
    return _family(claim.unit) == _family(link_unit) and bool(claim.unit)


def _linked_checks(claim: Claim, siblings: list[Claim], appendix: Appendix, claims: Claims) -> list[Finding]:
    out: list[Finding] = []
    links = [r for r in _links().get(claim.subject, []) if r["field"] == claim.field and _compatible(claim, r["unit"])]
    if links:
        out.append(_direct_or_average(claim, links[0], appendix, claims))
    formula = _formulas().get(claim.subject)
    if formula and claim.field == "value" and (claim.unit == "%" or formula["scale"] == "1"):
        finding = _formula_check(claim, formula, siblings, appendix)
        if finding:
            out.append(finding)
    return out


def _direct_or_average(claim: Claim, link: dict, appendix: Appendix, claims: Claims) -> Finding:
    kind, indicator, unit = link["table_kind"], link["indicator"], link["unit"]
    year = claim.scope_year
    row_unit = unit if claim.field == "value" else None  # a survey count sits on the % row
    cells = appendix.find(kind, indicator, year, row_unit) if year else []
    label = cells[0].label() if cells else f"{kind} {indicator}"
    if claim.scope_school:
        cell = cells[0] if cells else None
        return _claim_finding("direct", "unverifiable", claim, cell, "",
                              f"a figure about {claim.scope_school}; {label} covers all schools together", extra=label)
    if len(cells) > 1:
        return _claim_finding("direct", "uncertain", claim, cells[0], "",
                              f"{len(cells)} cells of {label} could be meant: " + ", ".join(c.raw for c in cells), extra=label)
    if not cells or cells[0].value is None:
        cell = cells[0] if cells else None
        return _claim_finding("direct", "unverifiable", claim, cell, "",
                              f"{label} has no value for {year}" if cell else f"{label} for {year} is not in the appendix",
                              extra=label)
    cell = cells[0]
    per_school = claim.scope_average == "校均" and _measure(unit) in ("count", "amount") and claim.field == "value"
    if per_school:
        return _average_check(claim, cell, appendix, claims, kind, indicator, unit)
    actual = appendix.survey_count(cell) if claim.field == "survey_count" else cell.value
    if actual is None:
        return _claim_finding("direct", "unverifiable", claim, cell, "", f"{label} has no survey count", extra=label)
    verdict = _judge(claim, actual, None if claim.field == "survey_count" else cell.decimals)
    what = "survey count of " + label if claim.field == "survey_count" else label
    shown = _fmt(actual, cell.decimals)
    explanation = f"text {claim.value_raw} vs {what} {year} = {shown}"
    if verdict == "mismatch":
        other = _other_year(claim, appendix, lambda y: _cell_value(appendix, kind, indicator, y, row_unit, claim.field))
        if other:
            verdict = "other_year_match"
            explanation += f"; the {other[0]} column has {_fmt(other[1], cell.decimals)}"
        else:
            explanation += _same_table_hint(claim, appendix, kind, year)
    return _claim_finding("direct", verdict, claim, cell, shown, explanation, table_value=shown)


def _cell_value(appendix: Appendix, kind: str, indicator: str, year: int, unit: str | None, fld: str) -> float | None:
    cells = appendix.find(kind, indicator, year, unit)
    if len(cells) != 1:
        return None
    return appendix.survey_count(cells[0]) if fld == "survey_count" else cells[0].value


def _same_table_hint(claim: Claim, appendix: Appendix, kind: str, year: int) -> str:
    twins = [c for c in appendix.cells if c.table_kind == kind and c.year == year and c.value is not None
             and c.unit == ("%" if claim.unit == "%" else c.unit) and consistent(claim.value, claim.decimals, c.value)]
    return f" ({claim.value_raw} is the value of {twins[0].indicator})" if twins else ""


def _average_check(claim: Claim, cell: Cell, appendix: Appendix, claims: Claims, kind, indicator, unit) -> Finding:
    n, source = _schools_for(claim, claims)
    label = cell.label().removesuffix(f" ({cell.unit})")
    if not n:
        return _claim_finding("per_school_average", "unverifiable", claim, cell, "",
                              "校均 figure, but the report never states how many schools", extra=label)
    expected = cell.value / n
    verdict = _judge(claim, expected)
    explanation = (f"校均 {claim.value_raw} vs {label} {cell.year} {cell.raw} ÷ {n} schools = {_fmt(expected, 2)}"
                   f" → {round_half_up(expected, claim.decimals)} ({source})")
    if verdict == "mismatch":
        other = _other_year(claim, appendix, lambda y: (v / n if (v := _cell_value(appendix, kind, indicator, y, unit, "value")) is not None else None))
        if other:
            verdict = "other_year_match"
            explanation += f"; the {other[0]} column gives {_fmt(other[1] * n, cell.decimals)} ÷ {n} = {_fmt(other[1], 2)}"
    return _claim_finding("per_school_average", verdict, claim, cell, _fmt(expected, 2), explanation)


def _schools_for(claim: Claim, claims: Claims) -> tuple[int | None, str]:
    m = re.search(r"(\d+)\s*所(中职|中等职业|区属中职)?\S{0,3}学校", claim.sentence[: claim.position])
    if m:
        return int(m.group(1)), f"{m.group(1)} schools, stated in the sentence"
    return claims.n_schools, claims.n_schools_source


def _operand(term: str, year: int, siblings: list[Claim], appendix: Appendix) -> tuple[float | None, str, Cell | None]:
    """A formula operand: "N:indicator" is a table cell; a subject is the number the sentence states, else its cell."""
    term = term.strip()
    if ":" in term:
        kind, indicator = term.split(":", 1)
        cells = [c for c in appendix.find(kind, indicator, year)]
        if not cells or cells[0].value is None:
            return None, f"{kind} {indicator} {year} missing", None
        return cells[0].value, cells[0].raw, cells[0]
    stated = next((c for c in siblings if c.subject == term and c.field == "value" and c.unit != "%"), None)
    if stated:
        return stated.value, stated.value_raw, None
    link = next((r for r in _links().get(term, []) if r["field"] == "value"), None)
    if link:
        return _operand(f"{link['table_kind']}:{link['indicator']}", year, siblings, appendix)
    return None, f"{term} unknown", None


def _expression(expr: str, year: int, siblings: list[Claim], appendix: Appendix) -> tuple[float | None, str, Cell | None]:
    total, shown, first_cell = 0.0, [], None
    for sign, term in re.findall(r"(^|[+-])\s*([^+-]+)", expr.replace(" - ", " -").replace(" + ", " +")):
        value, text, cell = _operand(term, year, siblings, appendix)
        if value is None:
            return None, text, None
        first_cell = first_cell or cell
        total += -value if sign == "-" else value
        shown.append(("− " if sign == "-" else ("+ " if shown else "")) + text)
    return total, " ".join(shown) if len(shown) == 1 else "(" + " ".join(shown) + ")", first_cell


def _formula_value(formula: dict, year: int, siblings, appendix) -> tuple[float | None, str, Cell | None]:
    num, num_text, cell = _expression(formula["numerator"], year, siblings, appendix)
    den, den_text, den_cell = _expression(formula["denominator"], year, siblings, appendix)
    if num is None or den in (None, 0):
        return None, num_text if num is None else den_text, None
    return num / den * float(formula["scale"]), f"{num_text} ÷ {den_text}", cell or den_cell


def _formula_check(claim: Claim, formula: dict, siblings: list[Claim], appendix: Appendix) -> Finding | None:
    if claim.scope_school:
        return None
    year = claim.scope_year
    value, arithmetic, cell = _formula_value(formula, year, siblings, appendix)
    if value is None:
        return None
    scale = " × 100" if formula["scale"] == "100" else ""
    explanation = f"{claim.value_raw} vs {arithmetic}{scale} = {_fmt(value, 3)} ({formula['note']}, {year})"
    verdict = _judge(claim, value)
    if verdict == "mismatch":
        other = _other_year(claim, appendix, lambda y: _formula_value(formula, y, siblings, appendix)[0])
        if other:
            verdict, explanation = "other_year_match", explanation + f"; with the {other[0]} columns: {_fmt(other[1], 3)}"
    return _claim_finding("ratio", verdict, claim, cell, _fmt(value, claim.decimals + 1), explanation,
                          extra=formula["subject"], table_value="")


# ---------------------------------------------------------------- shares stated with their counts


def _share_check(claim: Claim, siblings: list[Claim], paragraph: list[Claim]) -> list[Finding]:
    """"334 人，占比 80.9%": the count before the share over the whole it is a share of.

    Without a count, a share of a stated whole is still checked: some whole number of the
    whole must give the printed percentage.
    """
    if claim.unit != "%" or not any(w in claim.clause for w in SHARE_WORDS) or claim.scope_school:
        return []
    earlier = [c for c in siblings if c.position < claim.position and c.unit != "%"]
    part = earlier[-1] if earlier and not earlier[-1].is_total else None
    family = _family(part.unit) if part else (_family(earlier[-1].unit) if earlier else "")
    limit = part.position if part else claim.position
    wholes = [c for c in siblings if c.is_total and c.position < limit and _family(c.unit) == family]
    if not wholes:
        wholes = [c for c in paragraph if c.is_total and c.sentence_key < claim.sentence_key and _family(c.unit) == family]
    if not wholes or wholes[-1].value == 0:
        return []
    whole = wholes[0] if wholes[0].sentence_key == claim.sentence_key else wholes[-1]
    if part is None:
        return [_possible_share(claim, whole)]
    share = part.value / whole.value * 100
    verdict = _judge(claim, share)
    explanation = f"{part.value_raw} ÷ {whole.value_raw} = {_fmt(share, 3)}% → {round_half_up(share, claim.decimals)}%"
    if verdict == "mismatch":
        k = integer_count_exists(claim.value, claim.decimals, int(whole.value))
        explanation += f"; {claim.value_raw} of {whole.value_raw} would need {k}" if k is not None else "; no whole count gives it"
    return [_claim_finding("ratio", verdict, claim, None, _fmt(share, claim.decimals + 1), explanation,
                           extra=f"{part.claim_id}/{whole.claim_id}", table_value="")]


def _possible_share(claim: Claim, whole: Claim) -> Finding:
    k = integer_count_exists(claim.value, claim.decimals, int(whole.value))
    if k is None:
        verdict, expected = "mismatch", ""
        explanation = f"{claim.value_raw} of {whole.value_raw}: no whole count k gives k ÷ {whole.value_raw} = {claim.value_raw}"
    else:
        verdict, expected = "unverifiable", str(k)
        explanation = f"{claim.value_raw} of {whole.value_raw} is possible ({k} ÷ {whole.value_raw} = {_fmt(k * 100 / whole.value, 3)}%); no count is stated"
    return _claim_finding("ratio", verdict, claim, None, expected, explanation, extra=f"share of {whole.claim_id}", table_value="")


# ---------------------------------------------------------------- 其中: totals and their parts


def _sum_checks(sentence: list[Claim], by_paragraph: dict[tuple, list[Claim]]) -> list[Finding]:
    out = []
    text = sentence[0].sentence
    for m in re.finditer("其中", text):
        total = _total_before(sentence, m.start(), by_paragraph)
        if total is None or total.scope_school and total.case_no is None:
            continue
        parts = _parts_after(sentence, m.end(), total)
        if len(parts) < 2:
            continue
        finding = _sum_finding(total, parts)
        if finding:
            out.append(finding)
    return out


def _total_before(sentence: list[Claim], at: int, by_paragraph) -> Claim | None:
    before = [c for c in sentence if c.position < at]
    if before:
        return before[-1]
    paragraph = by_paragraph.get(sentence[0].paragraph_key, [])
    earlier = [c for c in paragraph if c.sentence_key < sentence[0].sentence_key]
    return earlier[-1] if earlier else None


def _parts_after(sentence: list[Claim], at: int, total: Claim) -> list[Claim]:
    parts = []
    family = _family(total.unit)
    for c in sentence:
        if c.position < at:
            continue
        if _family(c.unit) != family and not (family == "org" and _family(c.unit) == "org"):
            if parts:
                break
            continue
        if parts and PART_STOP.match(c.clause.strip()):
            break
        parts.append(c)
    return parts


def _sum_finding(total: Claim, parts: list[Claim]) -> Finding | None:
    exact = sum(p.value for p in parts)
    low = sum(printed_interval(p.value, p.decimals)[0] for p in parts)
    high = sum(printed_interval(p.value, p.decimals)[1] for p in parts)
    t_low, t_high = printed_interval(total.value, total.decimals)
    shown = " + ".join(p.value_raw for p in parts)
    decimals = max(p.decimals for p in parts)
    explanation = f"{total.value_raw} vs {shown} = {_fmt(exact, decimals)}"
    if total.qualifier:
        verdict = "approx_match" if _within_qualifier(total, exact) else "uncertain"
        if exact < total.value:
            return None  # "60 余位 …, 其中 10 位 …": a qualified total with a few parts named
    elif abs(exact - total.value) < 1e-9:
        verdict = "match"
    elif low < t_high and high > t_low:
        verdict, explanation = "rounding_only", explanation + " (within the rounding of the parts)"
    elif exact > total.value:
        verdict, explanation = "mismatch", explanation + ": the parts exceed the total"
    else:
        verdict, explanation = "uncertain", explanation + f": {_fmt(total.value - exact, decimals)} of the total is not listed"
    return Finding(
        finding_id=_fingerprint("sum", total.sentence, total.value_raw, shown),
        kind="sum", verdict=verdict, claim_id=total.claim_id, claim_text=total.sentence, page=total.page,
        table_no=None, indicator="", year=total.scope_year, table_value="", expected=_fmt(exact, decimals),
        tolerance=f"±{_fmt((high - low) / 2, decimals + 1)}", explanation=explanation, claim_value=total.value_raw,
        unit=total.unit, claim_bbox=total.bbox,
    )


# ---------------------------------------------------------------- inside the appendix tables


@lru_cache(maxsize=1)
def _table_rules() -> list[dict]:
    return template.table_checks()


def _table_checks(appendix: Appendix) -> list[Finding]:
    out = []
    for year in appendix.years:
        for rule in _table_rules():
            finding = _rule_finding(rule, year, appendix)
            if finding:
                out.append(finding)
        out += _children_within_parents(year, appendix)
    return out


def _rule_finding(rule: dict, year: int, appendix: Appendix) -> Finding | None:
    kind = rule["table_kind"]
    totals = [c for c in appendix.find(kind, rule["total"], year) if c.unit != "学时"]
    if len(totals) != 1 or totals[0].value is None:
        return None
    total = totals[0]
    if rule["rule"] == "ratio":
        num, den = (t.strip() for t in rule["parts"].split("/"))
        a, b = _operand(num, year, [], appendix)[0], _operand(den, year, [], appendix)[0]
        if a is None or not b:
            return None
        value = a / b
        verdict = "match" if consistent(total.value, total.decimals, value) else (
            "rounding_only" if any(consistent(total.value, d, value) for d in range(total.decimals)) else "mismatch")
        explanation = f"{total.label()} {total.raw} vs {_operand(num, year, [], appendix)[1]} ÷ {_operand(den, year, [], appendix)[1]} = {_fmt(value, 3)}"
        if verdict == "rounding_only":
            explanation += f" (the table pads a value rounded to fewer decimals: {round_half_up(value, total.decimals - 1)})"
        return _table_finding(rule, total, verdict, _fmt(value, total.decimals + 1), explanation)
    names = [p.strip() for p in rule["parts"].split("+")]
    parts = []
    for name in names:
        found = appendix.find(kind, name, year, total.unit, parent=total.indicator) or appendix.find(kind, name, year, total.unit)
        if len(found) != 1:
            return None
        parts.append(found[0])
    survey = rule["rule"] == "survey_sum"
    values = [appendix.survey_count(p) if survey else p.value for p in parts]
    whole = appendix.survey_count(total) if survey else total.value
    if whole is None or any(v is None for v in values):
        return None
    summed = sum(values)
    shown = " + ".join(_fmt(v, total.decimals) for v in values)
    what = "survey count of " if survey else ""
    if rule["rule"] == "le":
        verdict = "match" if summed <= whole + 1e-9 else "mismatch"
        explanation = f"{what}{total.label()} {_fmt(whole, 2)} ≥ {' + '.join(names)} = {shown} = {_fmt(summed, 2)}"
    else:
        verdict = "match" if abs(summed - whole) < 1e-9 else "mismatch"
        sign = "=" if verdict == "match" else "≠"
        explanation = f"{what}{total.label()} {_fmt(whole, 2)} {sign} {' + '.join(names)} = {shown} = {_fmt(summed, 2)}"
    return _table_finding(rule, total, verdict, _fmt(summed, 2), explanation, table_value=_fmt(whole, 2))


def _table_finding(rule: dict, total: Cell, verdict: str, expected: str, explanation: str, table_value: str | None = None) -> Finding:
    check = f"{rule['rule']}: {rule['total']} ~ {rule['parts']}"
    return Finding(
        finding_id=_fingerprint("table_internal", check, total.table_kind, total.year),
        kind="table_internal", verdict=verdict, claim_id="", claim_text=check, page=total.page, table_no=total.table_no,
        table_kind=total.table_kind,
        indicator=total.indicator, year=total.year, table_value=table_value or total.raw, expected=expected,
        tolerance="0", explanation=explanation, unit=total.unit, table_page=total.page, table_bbox=total.bbox,
    )


def _children_within_parents(year: int, appendix: Appendix) -> list[Finding]:
    """A breakdown row (其中 …, 接入国家智慧教育平台数) counted in the same unit cannot exceed the row it breaks down."""
    out = []
    for child in appendix.cells:
        if child.year != year or not child.parent or child.value is None or _measure(child.unit) != "count":
            continue
        parents = [c for c in appendix.find(child.table_kind, child.parent, year, child.unit) if c.row_seq < child.row_seq]
        if not parents or parents[-1].value is None:
            continue
        parent = parents[-1]
        verdict = "match" if child.value <= parent.value else "mismatch"
        check = f"le: {parent.indicator} ≥ {child.indicator} (row {child.row_seq})"
        out.append(Finding(
            finding_id=_fingerprint("table_internal", check, child.table_kind, year), table_kind=child.table_kind,
            kind="table_internal", verdict=verdict, claim_id="", claim_text=check, page=child.page,
            table_no=child.table_no, indicator=child.indicator, year=year, table_value=child.raw, expected=f"≤ {parent.raw}",
            tolerance="0", explanation=f"{child.label()} {child.raw} {'≤' if verdict == 'match' else '>'} its parent {parent.indicator} {parent.raw}",
            unit=child.unit, table_page=child.page, table_bbox=child.bbox,
        ))
    return out


def _year_over_year(appendix: Appendix) -> list[Finding]:
    """Values that jump implausibly between the two year columns: a flag for a person, not a failure."""
    if len(appendix.years) < 2:
        return []
    first, last = appendix.years[-2], appendix.years[-1]
    out = []
    for new in [c for c in appendix.cells if c.year == last and c.value is not None]:
        olds = [c for c in appendix.cells if c.year == first and c.table_kind == new.table_kind and c.row_seq == new.row_seq]
        if not olds or olds[0].value is None:
            continue
        old = olds[0]
        reason = _jump(old.value, new.value, new.unit)
        if not reason:
            continue
        out.append(Finding(
            finding_id=_fingerprint("year_over_year", new.table_kind, new.row_seq, new.indicator, new.unit),
            table_kind=new.table_kind,
            kind="year_over_year", verdict="uncertain", claim_id="", claim_text=f"{new.label()} {first} → {last}",
            page=new.page, table_no=new.table_no, indicator=new.indicator, year=last, table_value=new.raw,
            expected=old.raw, tolerance="", explanation=f"{old.raw} → {new.raw}: {reason}", unit=new.unit,
            table_page=new.page, table_bbox=new.bbox,
        ))
    return out


def _jump(old: float, new: float, unit: str) -> str:
    if _measure(unit) == "percent":
        return f"{_fmt(abs(new - old), 2)} percentage points" if abs(new - old) >= 15 else ""
    if max(old, new) < 20:
        return ""
    if min(old, new) == 0:
        return "from or to zero"
    ratio = new / old
    if ratio >= 3 or ratio <= 1 / 3:
        return f"× {_fmt(ratio, 2)} in one year"
    return ""


def _dedupe_ids(findings: list[Finding]) -> None:
    seen: dict[str, int] = {}
    for f in findings:
        if f.finding_id in seen:
            seen[f.finding_id] += 1
            f.finding_id = f"{f.finding_id}-{seen[f.finding_id]}"
        else:
            seen[f.finding_id] = 1
