"""year_over_year — values that jump implausibly between the last two year columns of one period kind
(2023 → 2024, 2020届 → 2021届; never 2021届 → 2021年): a flag for a person (verdict uncertain), never a failure."""

from __future__ import annotations

from ..template.periods import period_label
from .appendix import Appendix, measure
from .check import Check
from .context import Context
from .explain import Said, from_or_to_zero, jump, points, times_in_a_year
from .findings import Finding, explained

POINTS = 15  # percentage points
FACTOR = 3
SMALL = 20  # below this on both sides a jump means little


class YearOverYear(Check):
    name = "yoy"
    kinds = ("year_over_year",)

    def run(self, ctx: Context) -> list[Finding]:
        appendix = ctx.appendix
        out = []
        for period in dict.fromkeys(kind for kind, _ in appendix.columns):
            out += _jumps(appendix, period)
        return out

def _jumps(appendix: Appendix, period: str) -> list[Finding]:
    """The jumps between the last two columns of one period kind."""
    years = appendix.years_of(period)
    if len(years) < 2:
        return []
    first, last = years[-2], years[-1]
    out = []
    for new in [c for c in appendix.cells if c.column == (period, last) and c.value is not None]:
        olds = [c for c in appendix.cells if c.column == (period, first) and c.table_kind == new.table_kind
                and c.row_seq == new.row_seq]
        if not olds or olds[0].value is None:
            continue
        old = olds[0]
        reason = _jump(old.value, new.value, new.unit)
        if not reason:
            continue
        out.append(Finding(
            finding_id="", table_kind=new.table_kind,
            kind="year_over_year", verdict="uncertain", claim_id="",
            claim_text=f"{new.label()} {period_label(first, period)} → {new.column_label}",
            page=new.page, table_no=new.table_no, indicator=new.indicator, year=last, table_value=new.raw,
            expected=old.raw, tolerance="", **explained(jump(old.raw, new.raw, reason)), unit=new.unit,
            table_page=new.page, table_bbox=new.bbox,
            key=(new.table_kind, new.indicator, new.parent, new.unit, new.column_key),
        ))
    return out


def _jump(old: float, new: float, unit: str) -> Said:
    if measure(unit) == "percent":
        return points(abs(new - old)) if abs(new - old) >= POINTS else []
    if max(old, new) < SMALL:
        return []
    if min(old, new) == 0:
        return from_or_to_zero()
    ratio = new / old
    if ratio >= FACTOR or ratio <= 1 / FACTOR:
        return times_in_a_year(ratio)
    return []
