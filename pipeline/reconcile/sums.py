"""sum — a stated total against its parts introduced by 其中 / 包括 / 分别为 / 含 (template/count_terms.csv
sum_trigger), and shares of one whole that must add to 100% (73.3% … 17% … 9.7% 进入其他单位)."""

from __future__ import annotations

import re
from functools import lru_cache

from .. import template
from ..claims import Claim
from ..text.numbers import printed_interval
from . import explain
from .check import Check
from .context import Context, claim_finding
from .direct import family
from .explain import fmt, qualifier_tolerance
from .findings import Finding
from .judge import qualified

PART_STOP = re.compile(r"^(在|于|并|同时|此外|另|以|通过|和|及|比|较|合计|共计|总计)")  # 另有 103 件…, 比上年增加 …: not a part
COMPARED = re.compile(r"(^|[，,；;])\s*(比|较)")
CHANGE = re.compile(r"^(比|较)|(比|较)[^，,；;。]{0,12}(增加|减少|增长|下降|提高|降低|上升)")  # 比上年增加 25 万元: a change
TALLIES = {"count", "person", "person_time", "times", "org"}  # 37 项荣誉，包括一等奖 12 人次 …: a tally of either


class Sums(Check):
    name = "sums"
    kinds = ("sum",)

    def run(self, ctx: Context) -> list[Finding]:
        out = []
        for sentence in ctx.by_sentence.values():
            out += _sum_checks(sentence, ctx)
        for statement in ctx.by_statement.values():
            out += _shares(statement)
        return out


# ---------------------------------------------------------------- totals and their parts


@lru_cache(maxsize=1)
def _triggers() -> re.Pattern:
    return re.compile("|".join(re.escape(t) for t in template.terms_of("sum_trigger")))


def _sum_checks(sentence: list[Claim], ctx: Context) -> list[Finding]:
    out, done = [], set()
    text = sentence[0].sentence
    for m in _triggers().finditer(text):
        total = _total_before(sentence, m, ctx)
        if total is None or total.unit == "%" and m.group(0) != "其中" or not family(total.unit) or CHANGE.search(total.clause.strip()):
            continue  # a percentage's parts only after 其中; a bare number (平方米, 辆 …) or a change is no total
        parts = _parts_after(sentence, m.end(), total)
        if len(parts) < 2 or (total.claim_id, parts[0].claim_id) in done:
            continue
        done.add((total.claim_id, parts[0].claim_id))
        finding = _sum_finding(total, parts, m.group(0))
        if finding:
            out.append(finding)
    return out


def _total_before(sentence: list[Claim], trigger: re.Match, ctx: Context) -> Claim | None:
    """The number the parts add up to: the last one before the trigger in its sentence; for a sentence that
    opens with 其中, the last number of the sentence before it in the paragraph."""
    before = [c for c in sentence if c.end <= trigger.start()]
    if before:
        return before[-1]
    if trigger.group(0) != "其中" or trigger.start() > 2:
        return None
    paragraph = ctx.by_paragraph.get(sentence[0].paragraph_key, [])
    earlier = [c for c in paragraph if c.sentence_key < sentence[0].sentence_key]
    return earlier[-1] if earlier else None


def _compatible(total: Claim, first_part: Claim) -> bool:
    a, b = family(total.unit), family(first_part.unit)
    return a == b or (a in TALLIES and b in TALLIES)


def _parts_after(sentence: list[Claim], at: int, total: Claim) -> list[Claim]:
    """The numbers after the trigger in one unit family (the first part's), up to a clause that starts
    something else (在…, 并…, 以…)."""
    parts: list[Claim] = []
    for c in sentence:
        if c.position < at:
            continue
        if not parts:
            if family(c.unit) and _compatible(total, c):
                parts.append(c)
            continue
        between = c.sentence[parts[-1].end:c.position]
        if (family(c.unit) != family(parts[0].unit) or PART_STOP.match(c.clause.strip()) or _triggers().search(between)
                or COMPARED.search(between)):
            break  # …，其中党员 20 人: a part of a part starts a list of its own; …，比上年（…，…）增加 N: a change
        parts.append(c)
    return parts


def _sum_finding(total: Claim, parts: list[Claim], trigger: str) -> Finding | None:
    exact = sum(p.value for p in parts)
    low = sum(printed_interval(p.value, p.decimals)[0] for p in parts)
    high = sum(printed_interval(p.value, p.decimals)[1] for p in parts)
    t_low, t_high = printed_interval(total.value, total.decimals)
    decimals = max(p.decimals for p in parts)
    tolerance = f"±{fmt((high - low) / 2, decimals + 1)}"
    if total.qualifier:
        if exact < total.value:
            return None  # "60 余位 …, 其中 10 位 …": a qualified total with a few parts named
        verdict = "approx_match" if qualified(total.qualifier, total.value, total.decimals, exact) == "approx_match" else "uncertain"
        tolerance = qualifier_tolerance(total.qualifier, total.value, total.decimals)
    elif abs(exact - total.value) < 1e-9:
        verdict = "match"
    elif low < t_high and high > t_low:
        verdict = "rounding_only"
    elif exact > total.value:
        verdict = "mismatch"
    else:
        verdict = "uncertain"
    explanation = explain.parts(total.value_raw, trigger, [p.value_raw for p in parts], exact, decimals, verdict,
                                total.value if not total.qualifier else exact)
    return claim_finding("sum", verdict, total, explanation, expected=fmt(exact, decimals), tolerance=tolerance,
                         indicator="", check="parts " + "+".join(re.sub(r"\s+", "", p.value_raw) for p in parts))


# ---------------------------------------------------------------- shares that must add to 100%


def _shares(statement: list[Claim]) -> list[Finding]:
    """Percentages of one statement, not nested by 其中: when one of them is named as the rest (其他, 以下 …)
    they must add to 100%; otherwise a sum of 100% (within rounding) confirms them as a partition."""
    out = []
    for series in _series(statement):
        if len(series) < 2:
            continue
        low = sum(printed_interval(c.value, c.decimals)[0] for c in series)
        high = sum(printed_interval(c.value, c.decimals)[1] for c in series)
        exact = sum(c.value for c in series)
        decimals = max(c.decimals for c in series)
        texts = dict.fromkeys(c.sentence for c in series)
        tail = series[0].sentence[series[0].end:] + "".join(list(texts)[1:])
        rest = next((w for w in template.terms_of("complement") if w in tail), "")
        if abs(exact - 100) < 1e-9:
            verdict = "match"
        elif low <= 100 < high:
            verdict = "rounding_only"
        elif rest:
            verdict = "mismatch"
        else:
            continue
        explanation = explain.shares([c.value_raw for c in series], exact, decimals, rest, verdict, low, high)
        tolerance = f"{fmt(low, decimals + 1)} – {fmt(high, decimals + 1)}"
        out.append(claim_finding("sum", verdict, series[0], explanation, expected="100", tolerance=tolerance,
                                 indicator="", check="shares " + "+".join(c.value_raw for c in series)))
    return out


def _series(statement: list[Claim]) -> list[list[Claim]]:
    """Runs of unqualified percentages about the same scope, cut where 其中 nests a share in the one before."""
    runs: list[list[Claim]] = []
    for c in statement:
        if c.unit != "%" or c.qualifier:
            continue
        run = runs[-1] if runs else None
        between = c.sentence[run[-1].end:c.position] if run and run[-1].sentence_key == c.sentence_key else c.sentence[:c.position]
        if run and "其中" in between:
            run = None
        if run and run[-1].scope_school == c.scope_school and run[-1].scope_year == c.scope_year and run[-1].case_no == c.case_no:
            run.append(c)
        else:
            runs.append([c])
    return runs
