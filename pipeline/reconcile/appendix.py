"""The appendix tables as a lookup by table kind, indicator, year, unit and parent; template expressions
evaluated on their cells."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import template
from ..records import BBox
from ..template.expressions import Expression


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
                None if survey is None or pd.isna(survey) else float(survey),
            ))
        self.frame = frame
        self.years = sorted({c.year for c in self.cells})
        self._by_name: dict[tuple[str, str, int], list[Cell]] = {}
        for c in self.cells:
            self._by_name.setdefault((c.table_kind, c.indicator, c.year), []).append(c)

    @property
    def empty(self) -> bool:
        return not self.cells

    def find(self, kind: str, indicator: str, year: int, unit: str | None = None, parent: str | None = None) -> list[Cell]:
        return [c for c in self._by_name.get((kind, indicator, year), [])
                if (unit is None or c.unit == unit) and (parent is None or c.parent == parent)]

    def one(self, kind: str, indicator: str, year: int, unit: str | None = None) -> Cell | None:
        """The cell when exactly one of its name (and unit) has a value in that year, else None."""
        cells = self.find(kind, indicator, year, unit)
        return cells[0] if len(cells) == 1 and cells[0].value is not None else None

    def evaluate(self, expression: Expression, year: int) -> Evaluated:
        """The signed sum of the cells an expression names (each must be one cell with a value)."""
        total, cells, shown = 0.0, [], []
        for n, term in enumerate(expression.terms):
            cell = self.one(term.operand.kind, term.operand.name, year)
            if cell is None:
                return Evaluated(None, (), f"{term.operand.kind} {term.operand.name} {year} missing")
            total += term.sign * cell.value
            cells.append(cell)
            shown.append(("− " if term.sign < 0 else ("+ " if n else "")) + cell.raw)
        text = " ".join(shown)
        return Evaluated(total, tuple(cells), text if len(shown) == 1 else f"({text})")
