"""Every explanation of findings.csv is written here, in one style: numbers, arithmetic, tolerances, and
the sentence each kind of check prints. The check modules decide; these functions only render.

An explanation is said in words of the catalogue (pipeline/words/explain.csv): a list of words and plain
arithmetic, joined when said (``Said``). findings.csv keeps it as written in words.RECORDS (``explanation``)
and as its words (``explanation_words``), so the audit and the app say it in the reader's language."""

from __future__ import annotations

from ..claims import scope
from ..text.numbers import printed_interval, round_half_up
from ..words import RECORDS, word, words
from .judge import Range, qualifier_range

Said = list  # words (word(key, ...)) and plain text, said one after another


def text(said: Said) -> str:
    """``said`` in words.RECORDS, the language of the run's records."""
    return words(RECORDS).said(said)


# ---------------------------------------------------------------- numbers and tolerances


def fmt(value: float | None, decimals: int = 2) -> str:
    """A computed number with at most ``decimals`` places, trailing zeros dropped."""
    if value is None:
        return ""
    shown = f"{value:.{decimals}f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def rounded(value: float, decimals: int) -> str:
    return str(round_half_up(value, decimals))


def summed(values: list[str]) -> str:
    return " + ".join(values)


def items(names: list[str], limit: int = 8) -> Said:
    shown = "、".join(names[:limit])
    return [word("explain.items_more", shown=shown, n=len(names))] if len(names) > limit else [shown]


def rounding_tolerance(value: float, decimals: int) -> str:
    low, high = printed_interval(value, decimals)
    return f"±{fmt((high - low) / 2, decimals + 1)}"


def qualifier_range_said(qualifier: str, value: float, decimals: int = 0) -> Said:
    """"近: 1800 ≤ x ≤ 2000 (uncertain down to 1600)": what the qualifier allows, as claim_qualifiers.csv says."""
    r: Range = qualifier_range(qualifier, value, decimals)
    return [f"{qualifier}: ", *_interval(r.low, r.high, r.low_open, r.high_open), *_outer(r)]


def qualifier_tolerance(qualifier: str, value: float, decimals: int = 0) -> str:
    return text(qualifier_range_said(qualifier, value, decimals))


def _interval(low, high, low_open, high_open) -> Said:
    if low is not None and high is not None:
        return [f"{fmt(low)} {'<' if low_open else '≤'} x {'<' if high_open else '≤'} {fmt(high)}"]
    if low is not None:
        return [f"x {'>' if low_open else '≥'} {fmt(low)}"]
    if high is not None:
        return [f"x {'<' if high_open else '≤'} {fmt(high)}"]
    return [word("explain.any_x")]


def _outer(r: Range) -> Said:
    down = r.outer_low is not None and r.low is not None and r.outer_low < r.low
    up = r.outer_high is not None and r.high is not None and r.outer_high > r.high
    if down and up:
        return [word("explain.uncertain_both", low=fmt(r.outer_low), high=fmt(r.outer_high))]
    if down:
        return [word("explain.uncertain_down", low=fmt(r.outer_low))]
    if up:
        return [word("explain.uncertain_up", high=fmt(r.outer_high))]
    return []


def gap(actual: float, value: float) -> Said:
    """How far a qualified claim is from the value: "1726 is 13.7% below 2000"."""
    if not value:
        return []
    share = (actual - value) / value * 100
    key = "explain.gap_above" if share > 0 else "explain.gap_below"
    return [word(key, actual=fmt(actual), share=fmt(abs(share), 1), value=fmt(value))]


# ---------------------------------------------------------------- direct and per-school averages


def about_one_school(school: str, label: str) -> Said:
    return [word("explain.about_one_school", school=school, label=label)]


def several_cells(label: str, raws: list[str]) -> Said:
    return [word("explain.several_cells", n=len(raws), label=label, values=", ".join(raws))]


def no_value(label: str, year, in_appendix: bool) -> Said:
    return [word("explain.no_value" if in_appendix else "explain.not_in_appendix", label=label, year=year)]


def no_survey_count(label: str) -> Said:
    return [word("explain.no_survey_count", label=label)]


def survey_count_of(label: str) -> Said:
    return [word("explain.survey_count_of", label=label)]


def restated(value_raw: str, what: str | Said, year, shown: str) -> Said:
    return [word("explain.restated", value=value_raw, what=what, year=year, shown=shown)]


def beyond_qualifier(qualifier: str, value: float, decimals: int, actual: float, with_range: bool = True) -> Said:
    if with_range:
        return [word("explain.beyond_range", gap=gap(actual, value), range=qualifier_range_said(qualifier, value, decimals))]
    return [word("explain.beyond", gap=gap(actual, value))]


def other_column(year: int, shown: str) -> Said:
    return [word("explain.other_column", year=year, shown=shown)]


def twin_cell(value_raw: str, indicator: str) -> Said:
    return [word("explain.twin_cell", value=value_raw, indicator=indicator)]


def no_school_count() -> Said:
    return [word("explain.no_school_count")]


def per_school(value_raw: str, label: str, year: int, raw: str, n: int, expected: float, decimals: int,
               source: Said) -> Said:
    return [word("explain.per_school", value=value_raw, label=label, year=year, raw=raw, n=n,
                 expected=fmt(expected, 2), rounded=rounded(expected, decimals), source=source)]


def other_column_average(year: int, total: str, n: int, average: float) -> Said:
    return [word("explain.other_column_average", year=year, total=total, n=n, average=fmt(average, 2))]


def stated_schools(n: int) -> Said:
    return [word("explain.stated_schools", n=n)]


def level_rows(level: str, table_id: str) -> Said:
    return [scope.level_rows(level, table_id)]


# ---------------------------------------------------------------- ratios


def formula(value_raw: str, arithmetic: str, scaled: bool, value: float, note: str, year: int) -> Said:
    times = " × 100" if scaled else ""
    return [versus(value_raw, f"{arithmetic}{times} = {fmt(value, 3)}"), word("explain.formula_note", note=note, year=year)]


def versus(value: str, against: str) -> dict:
    """"61 vs 附表1 … = 10.17": a printed value against what it is checked with."""
    return word("explain.versus", value=value, against=against)


def other_columns(year: int, value: float) -> Said:
    return [word("explain.other_columns", year=year, value=fmt(value, 3))]


def share(part_raw: str, whole_raw: str, value: float, decimals: int) -> Said:
    return [f"{part_raw} ÷ {whole_raw} = {fmt(value, 3)}% → {rounded(value, decimals)}%"]


def share_needs(value_raw: str, whole_raw: str, k: int | None) -> Said:
    if k is None:
        return [word("explain.share_impossible")]
    return [word("explain.share_needs", value=value_raw, whole=whole_raw, k=k)]


def possible_share(value_raw: str, whole_raw: str, k: int | None, whole: float) -> Said:
    if k is None:
        return [word("explain.no_share", value=value_raw, whole=whole_raw)]
    return [word("explain.possible_share", value=value_raw, whole=whole_raw, k=k, share=fmt(k * 100 / whole, 3))]


# ---------------------------------------------------------------- sums


def parts(total_raw: str, trigger: str, raws: list[str], exact: float, decimals: int, verdict: str, total: float) -> Said:
    said = [word("explain.parts", total=total_raw, trigger=trigger, parts=summed(raws), exact=fmt(exact, decimals))]
    if verdict == "rounding_only":
        return said + [word("explain.parts_rounding")]
    if verdict == "mismatch":
        return said + [word("explain.parts_exceed")]
    if verdict == "uncertain" and exact < total:
        return said + [word("explain.parts_unlisted", rest=fmt(total - exact, decimals))]
    return said


def shares(raws: list[str], exact: float, decimals: int, rest: str, verdict: str, low: float, high: float) -> Said:
    why = word("explain.shares_rest", rest=rest) if rest else word("explain.shares_whole")
    said = [word("explain.shares", sum=summed(raws), exact=fmt(exact, decimals), why=why)]
    if verdict == "rounding_only":
        said.append(word("explain.shares_rounding", low=fmt(low, decimals + 1), high=fmt(high, decimals + 1)))
    return said


# ---------------------------------------------------------------- counts


def listed(value_raw: str, names: list[str], where: str, claimed: float, agrees: bool) -> Said:
    n = len(names)
    said = [word(f"explain.listed_{where}", value=value_raw, n=n, items=items(names))]
    return said if agrees else said + [f" ({n} ≠ {int(claimed)})"]


# What a count finding counts, in its indicator column: in Chinese, as every indicator is named (the report's
# own words), whatever the reader's language.

def schools_name(which: Said) -> str:
    return words("zh")("count.schools", which=which)


def rows_name(table_id: str, school: str) -> str:
    return words("zh")("count.rows_of", table=table_id, school=school) if school else words("zh")("count.rows", table=table_id)


def listed_name() -> str:
    return words("zh")("count.listed")


def share_name(part_raw: str, whole_raw: str) -> str:
    """What a share finding checks, in its indicator column: "334 人占413 人的比例"."""
    return words("zh")("count.share", part=part_raw, whole=whole_raw) if part_raw else words("zh")("count.share_of", whole=whole_raw)


def schools_of(level: str, label: str) -> Said:
    """Which schools a count counts: "level 中职 and labelled 示范校"."""
    if level and label:
        return [word("explain.schools_level_label", level=level, label=label)]
    return [word("explain.schools_level", level=level) if level else word("explain.schools_label", label=label)]


def schools_counted(value_raw: str, table_id: str, n: int, which: Said, names: list[str], claimed: float,
                    verdict: str) -> Said:
    table = table_id or word("explain.school_table")
    said = [word("explain.schools_counted", value=value_raw, table=table, n=n, which=which, items=items(names, 4))]
    if verdict == "uncertain":
        said.append(word("explain.schools_part", claimed=int(claimed), n=n))
    return said


def rows_counted(value_raw: str, table_id: str, header: str, names: list[str], school: str, counted: str, shared: str,
                 claimed: float, verdict: str) -> Said:
    n = len(names)
    whose = word("explain.rows_of", school=school) if school else ""
    said = [word("explain.rows_counted", value=value_raw, table=table_id, header=header, n=n, whose=whose,
                 items=items(names, 6), counted=counted, shared=shared)]
    if verdict == "uncertain":
        said.append(word("explain.rows_part", claimed=int(claimed), n=n))
    return said


# ---------------------------------------------------------------- inside the appendix


def rule_total(survey: bool, label: str, whole: float, names: list[str], shown: list[str], total: float,
               relation: str, holds: bool) -> Said:
    sign = "≥" if relation == "le" else ("=" if holds else "≠")
    arithmetic = f"{fmt(whole, 2)} {sign} {' + '.join(names)} = {' + '.join(shown)} = {fmt(total, 2)}"
    return [survey_count_of(label)[0] if survey else label, f" {arithmetic}"]


def rule_ratio(label: str, raw: str, numerator: str, denominator: str, value: float, padded: str | None) -> Said:
    said: Said = [versus(f"{label} {raw}", f"{numerator} ÷ {denominator} = {fmt(value, 3)}")]
    return said + [word("explain.padded", value=padded)] if padded else said


def pooled(label: str, raw: str, inside: bool, rates: list[tuple[str, str]]) -> Said:
    shown = ", ".join(f"{name} {value}" for name, value in rates)
    return [word("explain.pooled_inside" if inside else "explain.pooled_outside", label=label, raw=raw, rates=shown)]


def pooled_mean(terms: list[tuple[str, float]], weights: float, mean: float, raw: str, agrees: bool) -> Said:
    shown = " + ".join(f"{value} × {fmt(count, 0)}" for value, count in terms)
    said = [word("explain.pooled_mean", terms=shown, weights=fmt(weights, 0), mean=fmt(mean, 3))]
    return said if agrees else said + [word("explain.pooled_not", raw=raw)]


def within_parent(label: str, raw: str, holds: bool, parent: str, parent_raw: str) -> Said:
    return [word("explain.within_parent", label=label, raw=raw, sign="≤" if holds else ">", parent=parent,
                 parent_raw=parent_raw)]


def relation_sign(relation: str, holds: bool) -> str:
    return ("=" if holds else "≠") if relation == "eq" else ("≤" if holds else ">")


def identity(year: int | str, left: str, sign: str, right: str, note: str, must: str, expect: str, must_holds: bool,
             expected_holds: bool, others: list[str]) -> Said:
    said: Said = [f"{year}: {left} {sign} {right}", word("explain.identity_note", note=note)]
    if not must_holds and must != expect:
        said.append(word("explain.must_hold", sign=relation_sign(must, True)))
    elif not expected_holds and must and must_holds:
        said.append(word("explain.holds_not", held=relation_sign(must, True), expected=relation_sign(expect, True)))
    return said + (["; " + "; ".join(others)] if others else [])


def year_broken(label: str, year: int | str, raw: str, a: str, b: str, exact: float, scaled: bool, formula_text: str,
                other: int | str, raw2: str, a2: str, b2: str, computed: float) -> Said:
    pct, times = ("%", " × 100") if scaled else ("", "")
    return [word("explain.year_broken", label=label, year=year, raw=raw, a=a, b=b, times=times, pct=pct,
                 exact=fmt(exact, 3), formula=formula_text, other=other, raw2=raw2, a2=a2, b2=b2,
                 computed=fmt(computed, 3))]


def jump(old_raw: str, new_raw: str, reason: Said) -> Said:
    return [f"{old_raw} → {new_raw}: ", *reason]


def points(difference: float) -> Said:
    return [word("explain.jump_points", points=fmt(difference, 2))]


def from_or_to_zero() -> Said:
    return [word("explain.jump_zero")]


def times_in_a_year(ratio: float) -> Said:
    return [word("explain.jump_times", ratio=fmt(ratio, 2))]


def as_read(verdict: str, doubts: list) -> Said:
    """What an OCR'd value in doubt leaves of a finding: "[mismatch if the value is as read; to read by eye: …]";
    ``doubts`` are words (pipeline.indicators.doubt_word)."""
    listed = [part for n, doubt in enumerate(doubts) for part in ((["; "] if n else []) + [doubt])]
    return [word("explain.as_read", verdict=verdict, verdict_word=word(f"verdict.{verdict}"), doubts=listed)]
