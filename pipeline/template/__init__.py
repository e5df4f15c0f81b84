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
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .expressions import Expression, ExpressionError, Ratio, parse_ratio, parse_sum


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


@dataclass(frozen=True)
class Formula:
    """A rate the narrative states and how the tables (or the numbers stated beside it) compute it."""

    subject: str
    numerator: Expression
    denominator: Expression
    scale: float
    note: str
    where: str


@dataclass(frozen=True)
class TableCheck:
    """A rule inside the appendix tables: a total and its parts (sum, le, survey_sum, mean) or a ratio."""

    table_kind: str
    total: str
    parts: Expression | Ratio
    rule: str
    note: str
    where: str

    @property
    def text(self) -> str:
        parts = self.parts
        shown = f"{parts.numerator.text} / {parts.denominator.text}" if isinstance(parts, Ratio) else " + ".join(parts.names)
        return f"{self.rule}: {self.total} ~ {shown}"


@dataclass(frozen=True)
class Identity:
    """The same quantity read from two places of the appendix: ``left`` ~ ``right``.

    ``expect`` is the relation that normally holds (eq / le); ``must`` the one that cannot fail
    (eq / le, or empty): breaking ``must`` is a contradiction, breaking only ``expect`` is uncertain."""

    name: str
    left: Expression
    right: Expression
    expect: str
    must: str
    note: str
    where: str


@dataclass(frozen=True)
class Qualifier:
    """How far a qualified figure (近 2000, 约 90%, 600 余人) may be from the value it stands for."""

    qualifier: str
    position: str  # before / after the number
    meaning: str  # nearly, around, over, at_least, under, more_than_step
    tolerance: float  # relative: within it the claim is an approx_match
    outer: float | None  # relative: beyond it (on the side the qualifier allows) a mismatch, between them uncertain


TABLE_RULES = ("sum", "le", "survey_sum", "mean", "ratio")
RELATIONS = ("eq", "le")
MEANINGS = ("nearly", "around", "over", "at_least", "under", "more_than_step")
COUNT_ROLES = ("level", "school_noun", "whole", "enum_unit", "enum_after", "sum_trigger", "complement", "name_header",
               "caption_suffix", "filler")


def _parsed(where: str, parse, text: str, default_kind: str = ""):
    try:
        return parse(text, default_kind)
    except ExpressionError as exc:
        raise TemplateError(f"{where}: {exc}") from None


def _check_cells(expression, where: str) -> None:
    for operand in expression.operands:
        check_indicator(operand.kind, operand.name, where)


@lru_cache(maxsize=1)
def table_checks() -> tuple[TableCheck, ...]:
    """table_checks.csv: totals and their parts inside the appendix tables, checked against the indicators."""
    out = []
    for n, r in enumerate(read_rows("table_checks.csv"), start=2):
        where = f"table_checks.csv line {n}"
        check_indicator(r["table_kind"], r["total"], where)
        if r["rule"] not in TABLE_RULES:
            raise TemplateError(f"{where}: unknown rule {r['rule']!r} (known: {', '.join(TABLE_RULES)})")
        parse = parse_ratio if r["rule"] == "ratio" else parse_sum
        parts = _parsed(where, parse, r["parts"], r["table_kind"])
        _check_cells(parts, where)
        out.append(TableCheck(r["table_kind"], r["total"], parts, r["rule"], r.get("note", ""), where))
    return tuple(out)


@lru_cache(maxsize=1)
def claim_formulas() -> tuple[Formula, ...]:
    """claim_formulas.csv: rates the narrative states and how the tables compute them. An operand without
    a table kind is a subject the text states, which claim_links.csv must link to a cell."""
    subjects = {r["subject"] for r in claim_links()}
    out = []
    for n, r in enumerate(read_rows("claim_formulas.csv"), start=2):
        where = f"claim_formulas.csv line {n}"
        numerator, denominator = (_parsed(where, parse_sum, r[k]) for k in ("numerator", "denominator"))
        for operand in numerator.operands + denominator.operands:
            if operand.kind:
                check_indicator(operand.kind, operand.name, where)
            elif operand.name not in subjects:
                raise TemplateError(f"{where}: {operand.name!r} is neither kind:indicator nor a subject of claim_links.csv")
        try:
            scale = float(r["scale"])
        except ValueError:
            raise TemplateError(f"{where}: scale {r['scale']!r} is not a number") from None
        out.append(Formula(r["subject"], numerator, denominator, scale, r.get("note", ""), where))
    return tuple(out)


@lru_cache(maxsize=1)
def table_identities() -> tuple[Identity, ...]:
    """table_identities.csv: one quantity printed in two places of the appendix (by table kind)."""
    out = []
    for n, r in enumerate(read_rows("table_identities.csv"), start=2):
        where = f"table_identities.csv line {n}"
        left, right = (_parsed(where, parse_sum, r[k]) for k in ("left", "right"))
        for side in (left, right):
            if any(not o.kind for o in side.operands):
                raise TemplateError(f"{where}: every operand needs its table kind (kind:indicator)")
            _check_cells(side, where)
        if r["expect"] not in RELATIONS or r["must"] not in ("", *RELATIONS):
            raise TemplateError(f"{where}: expect must be one of {RELATIONS}, must one of those or empty")
        out.append(Identity(r["name"], left, right, r["expect"], r["must"], r.get("note", ""), where))
    return tuple(out)


@lru_cache(maxsize=1)
def qualifiers() -> dict[str, Qualifier]:
    """claim_qualifiers.csv: each qualifier with the tolerance it allows."""
    out = {}
    for n, r in enumerate(read_rows("claim_qualifiers.csv"), start=2):
        where = f"claim_qualifiers.csv line {n}"
        if r["meaning"] not in MEANINGS or r["position"] not in ("before", "after"):
            raise TemplateError(f"{where}: unknown meaning {r['meaning']!r} or position {r['position']!r}")
        try:
            tolerance = float(r["tolerance"] or 0)
            outer = float(r["outer"]) if r["outer"] else None
        except ValueError:
            raise TemplateError(f"{where}: tolerance and outer must be numbers") from None
        if outer is not None and outer < tolerance:
            raise TemplateError(f"{where}: outer {outer} is inside the tolerance {tolerance}")
        out[r["qualifier"]] = Qualifier(r["qualifier"], r["position"], r["meaning"], tolerance, outer)
    return out


@lru_cache(maxsize=1)
def count_terms() -> dict[str, tuple[tuple[str, str], ...]]:
    """count_terms.csv: the words the count and sum checks read (levels, school nouns, list openers …),
    role -> ((term, value), …), longest term first."""
    out: dict[str, list[tuple[str, str]]] = {role: [] for role in COUNT_ROLES}
    for n, r in enumerate(read_rows("count_terms.csv"), start=2):
        if r["role"] not in COUNT_ROLES:
            raise TemplateError(f"count_terms.csv line {n}: unknown role {r['role']!r} (known: {', '.join(COUNT_ROLES)})")
        if r["role"] == "level" and not r["value"]:
            raise TemplateError(f"count_terms.csv line {n}: a level term needs the level it names")
        out[r["role"]].append((r["term"], r["value"]))
    return {role: tuple(sorted(terms, key=lambda t: -len(t[0]))) for role, terms in out.items()}


def terms_of(role: str) -> tuple[str, ...]:
    return tuple(term for term, _ in count_terms()[role])


@lru_cache(maxsize=1)
def term_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """claim_term_patterns.csv: wordings that vary (留在上海就业 / 留在本省就业) mapped to one term."""
    known = {r["term"] for r in read_rows("claim_terms.csv")}
    out = []
    for n, r in enumerate(read_rows("claim_term_patterns.csv"), start=2):
        try:
            out.append((re.compile(r["pattern"]), r["term"]))
        except re.error as exc:
            raise TemplateError(f"claim_term_patterns.csv line {n}: {exc}") from None
        if r["term"] not in known:
            raise TemplateError(f"claim_term_patterns.csv line {n}: {r['term']!r} is not a term of claim_terms.csv")
    return tuple(out)


def validate() -> None:
    """Read every template file once, raising TemplateError on the first inconsistency."""
    chapters()
    appendix_indicators()
    claim_links()
    table_checks()
    claim_formulas()
    table_identities()
    qualifiers()
    count_terms()
    term_patterns()


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
