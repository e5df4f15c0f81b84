"""The kinds of period an appendix column can hold, and how a column of each kind is named.

A cell's ``year`` alone does not say what it measures: 2021 may be the calendar year 2021 (2021年),
the cohort graduating in 2021 (2021届) or the school year ending in 2021 (2020-2021学年). Diffs,
charts and checks compare two cells only when their period kinds agree. indicators.csv written
before period_kind existed holds calendar years only: a missing or empty kind is ``year``.
"""

from __future__ import annotations

PERIOD_KINDS = ("year", "cohort", "school_year")  # in the order columns of several kinds are shown
DEFAULT_KIND = "year"
KIND_WORDS = {"year": "年", "cohort": "届", "school_year": "学年"}  # the word a reader knows each kind by


def period_kind(text: object) -> str:
    """A period_kind as read from a CSV or the store: ``year`` when it is missing or empty."""
    kind = text.strip() if isinstance(text, str) else ""
    return kind or DEFAULT_KIND


def kind_rank(kind: str) -> int:
    """Where columns of ``kind`` sort among the others (a kind not known last)."""
    return PERIOD_KINDS.index(kind) if kind in PERIOD_KINDS else len(PERIOD_KINDS)


def period_label(year: int, kind: str) -> str:
    """A column named for a reader: 2024 (a calendar year, as before), 2021届, 2020-2021学年."""
    if kind == "cohort":
        return f"{year}届"
    if kind == "school_year":
        return f"{year - 1}-{year}学年"
    return str(year)
