"""The appendix tables as a lookup by table kind, indicator, year, unit and parent; template expressions
evaluated on their cells.

A column of the appendix is a period kind and a year (``Column``): ('year', 2021) is 2021年, ('cohort',
2021) the 2021届, ('school_year', 2021) the 2020-2021学年. The checks of the tables against themselves and
each other (internal.py, identities.py, yoy.py) read one column at a time, so a 届 cell is never put in
arithmetic with a 年 cell of the same year. indicators.csv without period_kind holds calendar years."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import template
from ..records import BBox
from ..template.expressions import Expression
from ..template.periods import kind_rank, period_kind, period_label

Column = tuple[str, int]  # (period kind, year)


def table_label(kind: str, number: int | None) -> str:
    """How the report names an appendix table: 附表N with the number it prints, else the table's kind."""
    return f"附表{number}" if number is not None else kind


def measure(unit: str) -> str:
    return template.unit_measures().get(template.units().get(unit, unit), "")


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
    survey_count: float | None = None
    period_kind: str = "year"  # year, cohort or school_year

    @property
    def column(self) -> Column:
        return (self.period_kind, self.year)

    @property
    def column_label(self) -> str:
        """Its column as a reader knows it: 2024, 2021届, 2020-2021学年."""
        return period_label(self.year, self.period_kind)

    @property
    def column_key(self) -> int | str:
        """Its column in a finding's key: the year for a calendar year (as before period kinds), else its label."""
        return self.year if self.period_kind == "year" else self.column_label

    @property
    def decimals(self) -> int:
        raw = self.raw.replace(",", "")
        return len(raw.split(".")[1]) if "." in raw else 0

    @property
    def table(self) -> str:
        return table_label(self.table_kind, self.table_no)

    def label(self) -> str:
        return f"{self.table} {self.indicator}" + (f" ({self.unit})" if self.unit else "")


@dataclass(frozen=True)
class Evaluated:
    """An expression's value in one year column, the cells it read, and its arithmetic as text."""

    value: float | None
    cells: tuple[Cell, ...]
    shown: str  # "3478 − 2878", or why there is no value


class Appendix:
    def __init__(self, frame: pd.DataFrame, template_id: str = template.DEFAULT):
        self.template = template_id  # the template in force: its table_checks.csv and table_identities.csv apply
        self.cells: list[Cell] = []
        for r in frame.to_dict("records"):
            value, survey = r.get("value"), r.get("survey_count")
            self.cells.append(Cell(
                str(r["table_kind"]), None if pd.isna(r.get("table_no")) else int(r["table_no"]), str(r["indicator"]),
                str(r.get("parent_indicator") or ""), str(r.get("unit") or ""), int(r["year"]),
                None if value is None or pd.isna(value) else float(value), str(r.get("value_raw") or ""),
                int(r["page"]), (r.get("x0"), r.get("top"), r.get("x1"), r.get("bottom")), int(r["row_seq"]),
                None if survey is None or pd.isna(survey) else float(survey), period_kind(r.get("period_kind")),
            ))
        self.frame = frame
        self.years = sorted({c.year for c in self.cells})
        self.columns: list[Column] = sorted({c.column for c in self.cells}, key=lambda c: (kind_rank(c[0]), c[1]))
        self._by_name: dict[tuple[str, str, int], list[Cell]] = {}
        for c in self.cells:
            self._by_name.setdefault((c.table_kind, c.indicator, c.year), []).append(c)

    @property
    def empty(self) -> bool:
        return not self.cells

    def years_of(self, period: str) -> list[int]:
        """The years of its columns of one period kind."""
        return [year for kind, year in self.columns if kind == period]

    def find(self, kind: str, indicator: str, year: int, unit: str | None = None, parent: str | None = None,
             period: str | None = None) -> list[Cell]:
        """The cells of a name in a year; ``period``: only those of that period kind (None: of any kind)."""
        return [c for c in self._by_name.get((kind, indicator, year), [])
                if (unit is None or c.unit == unit) and (parent is None or c.parent == parent)
                and (period is None or c.period_kind == period)]

    def one(self, kind: str, indicator: str, year: int, unit: str | None = None, period: str | None = None) -> Cell | None:
        """The cell when exactly one of its name (and unit, and period kind) has a value in that year, else None."""
        cells = self.find(kind, indicator, year, unit, period=period)
        return cells[0] if len(cells) == 1 and cells[0].value is not None else None

    def evaluate(self, expression: Expression, year: int, period: str | None = None) -> Evaluated:
        """The signed sum of the cells an expression names in one column (each must be one cell with a value)."""
        total, cells, shown = 0.0, [], []
        for n, term in enumerate(expression.terms):
            cell = self.one(term.operand.kind, term.operand.name, year, period=period)
            if cell is None:
                when = year if period is None else period_label(year, period)
                return Evaluated(None, (), f"{term.operand.kind} {term.operand.name} {when} missing")
            total += term.sign * cell.value
            cells.append(cell)
            shown.append(("− " if term.sign < 0 else ("+ " if n else "")) + cell.raw)
        text = " ".join(shown)
        return Evaluated(total, tuple(cells), text if len(shown) == 1 else f"({text})")
