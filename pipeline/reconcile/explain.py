"""Every explanation of findings.csv is rendered here: numbers, arithmetic, tolerances, in one style."""

from __future__ import annotations

from ..numbers import printed_interval, round_half_up
from .judge import Range, qualifier_range


def fmt(value: float | None, decimals: int = 2) -> str:
    """A computed number with at most ``decimals`` places, trailing zeros dropped."""
    if value is None:
        return ""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


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


def qualified_claim(qualifier: str, value_raw: str, actual: float, value: float) -> str:
    """How far a qualified claim is from the value: "近 2000学时: 1726 is 13.7% below 2000"."""
    if not value:
        return ""
    gap = (actual - value) / value * 100
    side = "above" if gap > 0 else "below"
    return f"{fmt(actual)} is {fmt(abs(gap), 1)}% {side} {fmt(value)}"


def rounded(value: float, decimals: int) -> str:
    return str(round_half_up(value, decimals))


def summed(values: list[str]) -> str:
    return " + ".join(values)


def items(names: list[str], limit: int = 8) -> str:
    shown = "、".join(names[:limit])
    return shown + (f" … ({len(names)} in all)" if len(names) > limit else "")
