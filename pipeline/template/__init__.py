"""Knowledge about the national report template, read from the CSV files beside this module.

Nothing here is specific to one report: chapter names, the six appendix
tables with their indicators, parents and units, the unit vocabulary.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


def read_rows(name: str) -> list[dict[str, str]]:
    with resources.files(__name__).joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _aliases(row: dict[str, str]) -> list[str]:
    return [a for a in (row.get("aliases") or "").split("|") if a]


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class AppendixTable:
    number: int
    title: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class TemplateIndicator:
    table_no: int
    serial: int
    indicator: str
    parent: str
    unit: str
    measure: str


@lru_cache(maxsize=1)
def chapters() -> tuple[Chapter, ...]:
    return tuple(Chapter(int(r["chapter_no"]), r["title"], tuple(_aliases(r))) for r in read_rows("chapters.csv"))


@lru_cache(maxsize=1)
def appendix_tables() -> tuple[AppendixTable, ...]:
    return tuple(AppendixTable(int(r["table_no"]), r["title"], tuple(_aliases(r))) for r in read_rows("appendix_tables.csv"))


@lru_cache(maxsize=1)
def appendix_indicators() -> tuple[TemplateIndicator, ...]:
    return tuple(
        TemplateIndicator(int(r["table_no"]), int(r["serial"]), r["indicator"], r["parent"], r["unit"], r["measure"])
        for r in read_rows("appendix_indicators.csv")
    )


@lru_cache(maxsize=1)
def units() -> dict[str, str]:
    """Every accepted unit spelling mapped to its canonical unit."""
    out: dict[str, str] = {}
    for row in read_rows("units.csv"):
        out[row["unit"]] = row["unit"]
        for alias in _aliases(row):
            out[alias] = row["unit"]
    return out


@lru_cache(maxsize=1)
def unit_measures() -> dict[str, str]:
    return {row["unit"]: row["measure"] for row in read_rows("units.csv")}


def indicators_of(table_no: int) -> list[TemplateIndicator]:
    return [t for t in appendix_indicators() if t.table_no == table_no]


CLOSED_KINDS = ("unit", "serial")


@lru_cache(maxsize=1)
def closed_columns() -> dict[str, str]:
    """Table header text -> the closed set its column's cells come from (``unit``: the unit set of
    units.csv; ``serial``: row numbers), so OCR can read those cells against the set."""
    out = {}
    for row in read_rows("closed_cells.csv"):
        if row["kind"] not in CLOSED_KINDS:
            raise ValueError(f"closed_cells.csv: kind {row['kind']!r} of {row['header']!r} is not one of {CLOSED_KINDS}")
        out[row["header"]] = row["kind"]
    return out
