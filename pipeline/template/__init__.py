"""Knowledge about the national report template, read from the CSV files beside this module.

Nothing here is specific to one report: chapter names, the six appendix
tables (named by their kind — 计分卡, 满意度调查表, … — never by a number,
because reports number and order them differently), their indicators with
parents and units, the unit vocabulary. Every file that names a table kind
or an indicator is checked against the others when it is first read, so a
typo is an error at start, not a check that silently never runs.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


class TemplateError(ValueError):
    """A template file names a table kind, indicator or unit that the template does not define."""


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
    kind: str  # 计分卡, 满意度调查表, 教学资源表, 服务贡献表, 国际影响表, 落实政策表
    title: str
    aliases: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.title, self.kind, *self.aliases)


@dataclass(frozen=True)
class TemplateIndicator:
    table_kind: str
    serial: int
    indicator: str
    parent: str
    unit: str
    measure: str
    # "row_above": a row that breaks down the row printed just above it, whatever that row is
    parent_rule: str = ""


@lru_cache(maxsize=1)
def chapters() -> tuple[Chapter, ...]:
    return tuple(Chapter(int(r["chapter_no"]), r["title"], tuple(_aliases(r))) for r in read_rows("chapters.csv"))


@lru_cache(maxsize=1)
def appendix_tables() -> tuple[AppendixTable, ...]:
    tables = tuple(AppendixTable(r["kind"], r["title"], tuple(_aliases(r))) for r in read_rows("appendix_tables.csv"))
    if len({t.kind for t in tables}) != len(tables):
        raise TemplateError("appendix_tables.csv: a table kind is listed twice")
    return tables


def table_kinds() -> tuple[str, ...]:
    return tuple(t.kind for t in appendix_tables())


def appendix_table(kind: str) -> AppendixTable:
    for t in appendix_tables():
        if t.kind == kind:
            return t
    raise TemplateError(f"unknown appendix table kind {kind!r} (known: {', '.join(table_kinds())})")


@lru_cache(maxsize=1)
def appendix_indicators() -> tuple[TemplateIndicator, ...]:
    rows = read_rows("appendix_indicators.csv")
    out = []
    for n, r in enumerate(rows, start=2):
        where = f"appendix_indicators.csv line {n}"
        _check_kind(r["table_kind"], where)
        _check_unit(r["unit"], where)
        if r.get("parent_rule", "") not in ("", "row_above"):
            raise TemplateError(f"{where}: unknown parent_rule {r['parent_rule']!r}")
        out.append(TemplateIndicator(r["table_kind"], int(r["serial"]), r["indicator"], r["parent"], r["unit"],
                                     r["measure"], r.get("parent_rule", "")))
    names = {(t.table_kind, t.indicator) for t in out}
    for t in out:
        if t.parent and (t.table_kind, t.parent) not in names:
            raise TemplateError(f"appendix_indicators.csv: parent {t.parent!r} of {t.indicator!r} is not an indicator of {t.table_kind}")
    return tuple(out)


def indicators_of(kind: str) -> list[TemplateIndicator]:
    return [t for t in appendix_indicators() if t.table_kind == kind]


def is_indicator(kind: str, indicator: str) -> bool:
    return (kind, indicator) in _indicator_names()


@lru_cache(maxsize=1)
def _indicator_names() -> frozenset[tuple[str, str]]:
    return frozenset((t.table_kind, t.indicator) for t in appendix_indicators())


def parent_rule_indicators() -> frozenset[str]:
    """Indicators that break down the row printed just above them (接入国家智慧教育平台数 …)."""
    return frozenset(t.indicator for t in appendix_indicators() if t.parent_rule == "row_above")


def check_indicator(kind: str, indicator: str, where: str) -> None:
    """Raise TemplateError unless ``indicator`` is one the template lists for table ``kind``."""
    _check_kind(kind, where)
    if not is_indicator(kind, indicator):
        raise TemplateError(f"{where}: {indicator!r} is not an indicator of the {kind} in appendix_indicators.csv")


def _check_kind(kind: str, where: str) -> None:
    if kind not in table_kinds():
        raise TemplateError(f"{where}: unknown appendix table kind {kind!r} (known: {', '.join(table_kinds())})")


def _check_unit(unit: str, where: str) -> None:
    if unit not in unit_measures():
        raise TemplateError(f"{where}: unit {unit!r} is not in units.csv")


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


def canonical_unit(raw: str) -> str:
    """The template's spelling of a printed unit: full-width forms folded (％ → %, ：→ :), spaces dropped,
    aliases of units.csv mapped; a unit the template does not know is returned folded, unchanged otherwise."""
    folded = "".join(unicodedata.normalize("NFKC", raw).split())
    return units().get(raw.strip()) or units().get(folded) or folded


@lru_cache(maxsize=1)
def claim_links() -> tuple[dict[str, str], ...]:
    """claim_links.csv: which table cell a narrative subject restates, checked against the indicators."""
    rows = tuple(read_rows("claim_links.csv"))
    for n, r in enumerate(rows, start=2):
        check_indicator(r["table_kind"], r["indicator"], f"claim_links.csv line {n}")
        _check_unit(r["unit"], f"claim_links.csv line {n}")
    return rows


@lru_cache(maxsize=1)
def table_checks() -> tuple[dict[str, str], ...]:
    """table_checks.csv: totals and their parts inside the appendix tables, checked against the indicators."""
    rows = tuple(read_rows("table_checks.csv"))
    for n, r in enumerate(rows, start=2):
        check_indicator(r["table_kind"], r["total"], f"table_checks.csv line {n}")
        for operand in cell_operands(r["parts"]):
            kind, _, name = operand.rpartition(":")
            check_indicator(kind or r["table_kind"], name, f"table_checks.csv line {n}")
    return rows


@lru_cache(maxsize=1)
def claim_formulas() -> tuple[dict[str, str], ...]:
    """claim_formulas.csv: rates the narrative states and how the tables compute them."""
    rows = tuple(read_rows("claim_formulas.csv"))
    for n, r in enumerate(rows, start=2):
        for operand in cell_operands(r["numerator"]) + cell_operands(r["denominator"]):
            kind, _, name = operand.rpartition(":")
            if kind:
                check_indicator(kind, name, f"claim_formulas.csv line {n}")
    return rows


def validate() -> None:
    """Read every template file once, raising TemplateError on the first inconsistency."""
    chapters()
    appendix_indicators()
    claim_links()
    table_checks()
    claim_formulas()


def cell_operands(expression: str) -> list[str]:
    """The operands of a template expression ("a + b", "kind:x - kind:y", "kind:x / kind:y")."""
    out = []
    for part in expression.replace("/", "+").replace(" - ", " + ").split("+"):
        part = part.strip()
        if part:
            out.append(part)
    return out
