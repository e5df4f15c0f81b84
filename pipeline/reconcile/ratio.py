"""ratio — 占比/比例 recomputed from the counts stated beside it (334 人，占比 80.9%), or from table cells
by the formulas of template/claim_formulas.csv (parsed once, names checked when the file is read)."""

from __future__ import annotations

from functools import lru_cache

from .. import template
from ..claims import Claim
from ..template import Formula
from ..template.expressions import Expression, Operand
from ..text.numbers import integer_count_exists
from . import explain
from .appendix import Cell, Evaluated
from .check import ClaimCheck
from .context import Context, claim_finding
from .direct import family, links, other_year
from .explain import fmt
from .findings import Finding
from .judge import judge

SHARE_WORDS = ("占比", "占", "比例")


@lru_cache(maxsize=1)
def formulas() -> dict[str, Formula]:
    return {f.subject: f for f in template.claim_formulas()}


class Ratio(ClaimCheck):
    name = "ratio"
    kinds = ("ratio",)

    def check(self, claim: Claim, ctx: Context) -> list[Finding]:
        out = []
        formula = formulas().get(claim.subject)
        if formula and claim.field == "value" and (claim.unit == "%" or formula.scale == 1):
            finding = _formula_check(claim, formula, ctx)
            if finding:
                out.append(finding)
        return out + _share_check(claim, ctx)


# ---------------------------------------------------------------- formulas on the tables


def _evaluate(expression: Expression, year: int, siblings: list[Claim], ctx: Context) -> Evaluated:
    """A formula side: table cells, or a subject the sentence states (else the cell claim_links gives it)."""
    total, cells, shown = 0.0, [], []
    for n, term in enumerate(expression.terms):
        part = _operand(term.operand, year, siblings, ctx)
        if part.value is None:
            return part
        total += term.sign * part.value
        cells += part.cells
        shown.append(("− " if term.sign < 0 else ("+ " if n else "")) + part.shown)
    text = " ".join(shown)
    return Evaluated(total, tuple(cells), text if len(shown) == 1 else f"({text})")


def _operand(operand: Operand, year: int, siblings: list[Claim], ctx: Context) -> Evaluated:
    if not operand.kind:
        stated = next((c for c in siblings if c.subject == operand.name and c.field == "value" and c.unit != "%"), None)
        if stated:
            return Evaluated(stated.value, (), stated.value_raw)
        link = next((r for r in links().get(operand.name, []) if r["field"] == "value"), None)
        if link is None:  # the template checks that claim_links.csv has it; kept for a caller's own formula
            return Evaluated(None, (), f"{operand.name} unknown")
        operand = Operand(link["indicator"], link["table_kind"])
    cell = ctx.appendix.one(operand.kind, operand.name, year)
    return Evaluated(cell.value, (cell,), cell.raw) if cell else Evaluated(None, (), f"{operand.kind} {operand.name} {year} missing")


def formula_value(formula: Formula, year: int, siblings: list[Claim], ctx: Context) -> tuple[float | None, str, Cell | None]:
    num = _evaluate(formula.numerator, year, siblings, ctx)
    den = _evaluate(formula.denominator, year, siblings, ctx)
    if num.value is None or not den.value:
        return None, num.shown if num.value is None else den.shown, None
    cells = num.cells + den.cells
    return num.value / den.value * formula.scale, f"{num.shown} ÷ {den.shown}", cells[0] if cells else None


def _formula_check(claim: Claim, formula: Formula, ctx: Context) -> Finding | None:
    if claim.scope_school or not claim.scope_year:
        return None
    siblings = ctx.siblings(claim)
    year = claim.scope_year
    value, arithmetic, cell = formula_value(formula, year, siblings, ctx)
    if value is None:
        return None
    explanation = explain.formula(claim.value_raw, arithmetic, formula.scale == 100, value, formula.note, year)
    verdict = judge(claim.value, claim.decimals, value, qualifier=claim.qualifier)
    if verdict == "mismatch":
        other = other_year(claim, ctx.appendix, lambda y: formula_value(formula, y, siblings, ctx)[0])
        if other:
            verdict, explanation = "other_year_match", explanation + explain.other_columns(*other)
    return claim_finding("ratio", verdict, claim, explanation, cell=cell, expected=fmt(value, claim.decimals + 1),
                         check=formula.subject)  # the table line shows the cell it names, with its value


# ---------------------------------------------------------------- shares stated with their counts


def _share_check(claim: Claim, ctx: Context) -> list[Finding]:
    """"334 人，占比 80.9%": the count before the share over the whole it is a share of.

    Without a count, a share of a stated whole is still checked: some whole number of the
    whole must give the printed percentage.
    """
    if claim.unit != "%" or not any(w in claim.clause for w in SHARE_WORDS) or claim.scope_school:
        return []
    siblings = ctx.siblings(claim)
    earlier = [c for c in siblings if c.position < claim.position and c.unit != "%"]
    part = earlier[-1] if earlier and not earlier[-1].is_total else None
    fam = family(part.unit) if part else (family(earlier[-1].unit) if earlier else "")
    limit = part.position if part else claim.position
    wholes = [c for c in siblings if c.is_total and c.position < limit and family(c.unit) == fam]
    if not wholes:
        paragraph = ctx.by_paragraph.get(claim.paragraph_key, [])
        wholes = [c for c in paragraph if c.is_total and c.sentence_key < claim.sentence_key and family(c.unit) == fam]
    if not wholes or wholes[-1].value == 0:
        return []
    whole = wholes[0] if wholes[0].sentence_key == claim.sentence_key else wholes[-1]
    if part is None:
        return [_possible_share(claim, whole)]
    share = part.value / whole.value * 100
    verdict = judge(claim.value, claim.decimals, share, qualifier=claim.qualifier)
    explanation = explain.share(part.value_raw, whole.value_raw, share, claim.decimals)
    if verdict == "mismatch":
        k = integer_count_exists(claim.value, claim.decimals, int(whole.value))
        explanation += explain.share_needs(claim.value_raw, whole.value_raw, k)
    return [claim_finding("ratio", verdict, claim, explanation, expected=fmt(share, claim.decimals + 1), table_value="",
                          check=f"share {part.value_raw}/{whole.value_raw}", indicator=explain.share_name(part.value_raw, whole.value_raw))]


def _possible_share(claim: Claim, whole: Claim) -> Finding:
    k = integer_count_exists(claim.value, claim.decimals, int(whole.value))
    verdict, expected = ("mismatch", "") if k is None else ("unverifiable", str(k))
    explanation = explain.possible_share(claim.value_raw, whole.value_raw, k, whole.value)
    return claim_finding("ratio", verdict, claim, explanation, expected=expected, table_value="",
                         check=f"share of {whole.value_raw}", indicator=explain.share_name("", whole.value_raw))
