"""Every explanation of findings.csv is written here, in one style: numbers, arithmetic, tolerances, and
the sentence each kind of check prints. The check modules decide; these functions only render."""

from __future__ import annotations

from ..text.numbers import printed_interval, round_half_up
from .judge import Range, qualifier_range

# ---------------------------------------------------------------- numbers and tolerances


def fmt(value: float | None, decimals: int = 2) -> str:
    """A computed number with at most ``decimals`` places, trailing zeros dropped."""
    if value is None:
        return ""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rounded(value: float, decimals: int) -> str:
    return str(round_half_up(value, decimals))


def summed(values: list[str]) -> str:
    return " + ".join(values)


def items(names: list[str], limit: int = 8) -> str:
    shown = "、".join(names[:limit])
    return shown + (f" … ({len(names)} in all)" if len(names) > limit else "")


def rounding_tolerance(value: float, decimals: int) -> str:
    low, high = printed_interval(value, decimals)
    return f"±{fmt((high - low) / 2, decimals + 1)}"


def qualifier_tolerance(qualifier: str, value: float, decimals: int = 0) -> str:
    """"近: 1800 ≤ x ≤ 2000 (uncertain down to 1600)": what the qualifier allows, as claim_qualifiers.csv says."""
    r: Range = qualifier_range(qualifier, value, decimals)
    return f"{qualifier}: {_interval(r.low, r.high, r.low_open, r.high_open)}" + _outer(r)


def _interval(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        return f"{fmt(low)} {'<' if low_open else '≤'} x {'<' if high_open else '≤'} {fmt(high)}"
    if low is not None:
        return f"x {'>' if low_open else '≥'} {fmt(low)}"
    if high is not None:
        return f"x {'<' if high_open else '≤'} {fmt(high)}"
    return "any x"


def _outer(r: Range) -> str:
    extra = []
    if r.outer_low is not None and r.low is not None and r.outer_low < r.low:
        extra.append(f"down to {fmt(r.outer_low)}")
    if r.outer_high is not None and r.high is not None and r.outer_high > r.high:
        extra.append(f"up to {fmt(r.outer_high)}")
    return f" (uncertain {' and '.join(extra)})" if extra else ""


def gap(actual: float, value: float) -> str:
    """How far a qualified claim is from the value: "1726 is 13.7% below 2000"."""
    if not value:
        return ""
    share = (actual - value) / value * 100
    return f"{fmt(actual)} is {fmt(abs(share), 1)}% {'above' if share > 0 else 'below'} {fmt(value)}"


# ---------------------------------------------------------------- direct and per-school averages


def about_one_school(school: str, label: str) -> str:
    return f"a figure about {school}; {label} covers all schools together"


def several_cells(label: str, raws: list[str]) -> str:
    return f"{len(raws)} cells of {label} could be meant: " + ", ".join(raws)


def no_value(label: str, year, in_appendix: bool) -> str:
    return f"{label} has no value for {year}" if in_appendix else f"{label} for {year} is not in the appendix"


def no_survey_count(label: str) -> str:
    return f"{label} has no survey count"


def restated(value_raw: str, what: str, year, shown: str) -> str:
    return f"text {value_raw} vs {what} {year} = {shown}"


def beyond_qualifier(qualifier: str, value: float, decimals: int, actual: float, with_range: bool = True) -> str:
    return f"; {gap(actual, value)}" + (f" ({qualifier_tolerance(qualifier, value, decimals)})" if with_range else "")


def other_column(year: int, shown: str) -> str:
    return f"; the {year} column has {shown}"


def twin_cell(value_raw: str, indicator: str) -> str:
    return f" ({value_raw} is the value of {indicator})"


def no_school_count() -> str:
    return "校均 figure, but the report never states how many schools"


def per_school(value_raw: str, label: str, year: int, raw: str, n: int, expected: float, decimals: int, source: str) -> str:
    return f"校均 {value_raw} vs {label} {year} {raw} ÷ {n} schools = {fmt(expected, 2)} → {rounded(expected, decimals)} ({source})"


def other_column_average(year: int, total: str, n: int, average: float) -> str:
    return f"; the {year} column gives {total} ÷ {n} = {fmt(average, 2)}"


def stated_schools(n: int) -> str:
    return f"{n} schools, stated in the sentence"


def level_rows(level: str, table_id: str) -> str:
    return f"the {level} rows of the report's school table {table_id}".rstrip()


# ---------------------------------------------------------------- ratios


def formula(value_raw: str, arithmetic: str, scaled: bool, value: float, note: str, year: int) -> str:
    return f"{value_raw} vs {arithmetic}{' × 100' if scaled else ''} = {fmt(value, 3)} ({note}, {year})"


def other_columns(year: int, value: float) -> str:
    return f"; with the {year} columns: {fmt(value, 3)}"


def share(part_raw: str, whole_raw: str, value: float, decimals: int) -> str:
    return f"{part_raw} ÷ {whole_raw} = {fmt(value, 3)}% → {rounded(value, decimals)}%"


def share_needs(value_raw: str, whole_raw: str, k: int | None) -> str:
    return f"; {value_raw} of {whole_raw} would need {k}" if k is not None else "; no whole count gives it"


def possible_share(value_raw: str, whole_raw: str, k: int | None, whole: float) -> str:
    if k is None:
        return f"{value_raw} of {whole_raw}: no whole count k gives k ÷ {whole_raw} = {value_raw}"
    return f"{value_raw} of {whole_raw} is possible ({k} ÷ {whole_raw} = {fmt(k * 100 / whole, 3)}%); no count is stated"


# ---------------------------------------------------------------- sums


def parts(total_raw: str, trigger: str, raws: list[str], exact: float, decimals: int, verdict: str, total: float) -> str:
    text = f"{total_raw} vs the parts after {trigger}: {summed(raws)} = {fmt(exact, decimals)}"
    if verdict == "rounding_only":
        return text + " (within the rounding of the parts)"
    if verdict == "mismatch":
        return text + ": the parts exceed the total"
    if verdict == "uncertain" and exact < total:
        return text + f": {fmt(total - exact, decimals)} of the total is not listed"
    return text


def shares(raws: list[str], exact: float, decimals: int, rest: str, verdict: str, low: float, high: float) -> str:
    why = f"one share named as the rest ({rest}), so they must add to 100%" if rest else "together they make up the whole"
    text = f"{summed(raws)} = {fmt(exact, decimals)}% ({why})"
    if verdict == "rounding_only":
        text += f"; 100% is within the rounding of the shares ({fmt(low, decimals + 1)} – {fmt(high, decimals + 1)})"
    return text


# ---------------------------------------------------------------- counts


def listed(value_raw: str, names: list[str], where: str, claimed: float, agrees: bool) -> str:
    n = len(names)
    return f"{value_raw} vs the {n} items listed {where} it: {items(names)}" + ("" if agrees else f" ({n} ≠ {int(claimed)})")


def schools_counted(value_raw: str, table_id: str, n: int, which: str, names: list[str], claimed: float, verdict: str) -> str:
    text = f"{value_raw} vs {table_id or 'the school table'}: {n} schools of {which} ({items(names, 4)})"
    return text + (f"; {int(claimed)} ≠ {n}: a part of them, or other schools?" if verdict == "uncertain" else "")


def rows_counted(value_raw: str, table_id: str, header: str, names: list[str], whose: str, counted: str, shared: str,
                 claimed: float, verdict: str) -> str:
    n = len(names)
    text = (f"{value_raw} vs {table_id} ({header}): {n} rows{whose} ({items(names, 6)}); "
            f"the text counts {counted}, the table lists {shared}")
    return text + (f"; {int(claimed)} ≠ {n}: a part of them, or another list?" if verdict == "uncertain" else "")


# ---------------------------------------------------------------- inside the appendix


def rule_total(what: str, label: str, whole: float, names: list[str], shown: list[str], total: float, relation: str,
               holds: bool) -> str:
    sign = "≥" if relation == "le" else ("=" if holds else "≠")
    return f"{what}{label} {fmt(whole, 2)} {sign} {' + '.join(names)} = {' + '.join(shown)} = {fmt(total, 2)}"


def rule_ratio(label: str, raw: str, numerator: str, denominator: str, value: float, padded: str | None) -> str:
    text = f"{label} {raw} vs {numerator} ÷ {denominator} = {fmt(value, 3)}"
    return text + (f" (the table pads a value rounded to fewer decimals: {padded})" if padded else "")


def pooled(label: str, raw: str, inside: bool, rates: list[tuple[str, str]]) -> str:
    shown = ", ".join(f"{name} {value}" for name, value in rates)
    return f"{label} {raw} {'lies' if inside else 'is not'} between its parts' rates ({shown})"


def pooled_mean(terms: list[tuple[str, float]], weights: float, mean: float, raw: str, agrees: bool) -> str:
    shown = " + ".join(f"{value} × {fmt(count, 0)}" for value, count in terms)
    return f"; weighted by the survey counts: ({shown}) ÷ {fmt(weights, 0)} = {fmt(mean, 3)}" + ("" if agrees else f", not {raw}")


def within_parent(label: str, raw: str, holds: bool, parent: str, parent_raw: str) -> str:
    return f"{label} {raw} {'≤' if holds else '>'} its parent {parent} {parent_raw}"


def relation_sign(relation: str, holds: bool) -> str:
    return ("=" if holds else "≠") if relation == "eq" else ("≤" if holds else ">")


def identity(year: int | str, left: str, sign: str, right: str, note: str, must: str, expect: str, must_holds: bool,
             expected_holds: bool, others: list[str]) -> str:
    text = f"{year}: {left} {sign} {right} ({note})"
    if not must_holds and must != expect:
        text += f"; it must at least hold as {relation_sign(must, True)}, and does not"
    elif not expected_holds and must and must_holds:
        text += f"; {relation_sign(must, True)} holds, {relation_sign(expect, True)} does not"
    return text + ("; " + "; ".join(others) if others else "")


def year_broken(label: str, year: int | str, raw: str, a: str, b: str, exact: float, scaled: bool, formula_text: str,
                other: int | str, raw2: str, a2: str, b2: str, computed: float) -> str:
    pct, times = ("%", " × 100") if scaled else ("", "")
    return (f"{label}: in {year} {raw} = {a} ÷ {b}{times} = {fmt(exact, 3)}{pct} exactly ({formula_text}); "
            f"in {other} {raw2} vs {a2} ÷ {b2} = {fmt(computed, 3)}{pct}: the {other} column is not computed the same way")


def jump(old_raw: str, new_raw: str, reason: str) -> str:
    return f"{old_raw} → {new_raw}: {reason}"
