"""Verdicts as pure functions: a printed number against a computed one (rounding-aware), and a qualified
number (近 2000, 约 90%, 600 余人) against the tolerance its qualifier allows (template/claim_qualifiers.csv).

A number printed with d decimals stands for [v − ½·10⁻ᵈ, v + ½·10⁻ᵈ), rounded half up (四舍五入).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import template
from ..text.numbers import consistent, printed_interval, round_half_up


@dataclass(frozen=True)
class Range:
    """What a qualified number allows: [low, high] approx_match; [outer_low, outer_high] at most uncertain."""

    low: float | None
    high: float | None
    outer_low: float | None
    outer_high: float | None
    low_open: bool = False  # 超过 80%: 80 itself is not allowed
    high_open: bool = False
    slack: float = 0.0  # 近 2000 also covers what rounds to 2000


def judge(value: float, decimals: int, computed: float, exact_decimals: int | None = None, qualifier: str = "") -> str:
    """Verdict of a printed claim against a value from the tables (a cell, or arithmetic on cells).

    ``exact_decimals``: the decimals the table prints, when ``computed`` is a printed cell (rounding_only
    when one of the two is a rounding of the other)."""
    if qualifier:
        return qualified(qualifier, value, decimals, computed)
    if consistent(value, decimals, computed):
        finer = exact_decimals is not None and exact_decimals > decimals
        if finer and round_half_up(computed, exact_decimals) != round_half_up(value, exact_decimals):
            return "rounding_only"  # the text rounds a more precise table value
        return "match"
    if exact_decimals is not None and exact_decimals < decimals and consistent(computed, exact_decimals, value):
        return "rounding_only"  # the text is more precise than the table
    return "mismatch"


def qualifier_range(qualifier: str, value: float, decimals: int = 0) -> Range:
    q = template.qualifiers().get(qualifier)
    if q is None:  # not a qualifier the template knows: the number as printed
        low, high = printed_interval(value, decimals)
        return Range(low, high, low, high, high_open=True)
    tol, outer = q.tolerance, q.outer
    if q.meaning == "nearly":
        slack = value - printed_interval(value, decimals)[0]
        return Range(value * (1 - tol), value, value * (1 - outer) if outer is not None else None, value, slack=slack)
    if q.meaning == "around":
        return Range(value * (1 - tol), value * (1 + tol), value * (1 - (outer or tol)), value * (1 + (outer or tol)))
    if q.meaning == "over":
        return Range(value, None, value, None, low_open=True)
    if q.meaning == "at_least":
        return Range(value, None, value, None)
    if q.meaning == "under":
        return Range(None, value, None, value, high_open=True)
    step = _step(value)  # more_than_step: 40000 余 is 40000 ≤ x < 50000
    return Range(value, value + step, value, (value + step) * (1 + (outer or 0)), high_open=True)


def _step(value: float) -> float:
    digits = f"{int(value)}" if value == int(value) else ""
    return 10 ** (len(digits) - len(digits.rstrip("0"))) if digits else 1


def _inside(x: float, low: float | None, high: float | None, low_open: bool, high_open: bool, slack: float = 0.0) -> bool:
    if low is not None and (x < low or (low_open and x <= low)):
        return False
    if high is not None and (x > high + slack or (high_open and x >= high + slack)):
        return False
    return True


def qualified(qualifier: str, value: float, decimals: int, actual: float) -> str:
    """approx_match inside the qualifier's tolerance; uncertain beyond it but inside its outer bound (近 2000
    for 1726: 13.7% short of it where 近 allows 10%); mismatch beyond that or on the wrong side (超过 80 for 79)."""
    r = qualifier_range(qualifier, value, decimals)
    if _inside(actual, r.low, r.high, r.low_open, r.high_open, r.slack):
        return "approx_match"
    if _inside(actual, r.outer_low, r.outer_high, r.low_open, r.high_open, r.slack):
        return "uncertain"
    return "mismatch"


def confirms(verdict: str) -> bool:
    return verdict in ("match", "approx_match", "rounding_only")
