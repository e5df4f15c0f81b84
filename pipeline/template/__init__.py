"""Knowledge about the national report template, read from the CSV files beside this module.

Nothing here is specific to one report: chapter names, the appendix table
kinds of the whole family (table_kinds.csv: named by their kind — 计分卡,
满意度调查表, … — never by a number, because reports number and order them
differently), the templates known (templates.csv: level, scope and the years
each was in force), and per template, in its own folder (2024/,
gaozhi-school-2019/ …), its tables, their indicators with parents, units and
what a report must print, and its checks; the unit vocabulary. Every file that names a table kind
or an indicator is checked against the others when it is first read, so a
typo is an error at start, not a check that silently never runs.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
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
    kind: str  # 计分卡, 满意度调查表, 教学资源表, … (table_kinds.csv)
    title: str  # the title this template prints for it (资源表 in the older 高职 template)
    aliases: tuple[str, ...]  # every name a report of the family may print for the kind
    required: bool = True  # a report on this template must print it (else no `missing` warning)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.title, self.kind, *self.aliases)))


@dataclass(frozen=True)
class TemplateIndicator:
    table_kind: str
    serial: int
    indicator: str
    parent: str
    unit: str
    measure: str  # a unit's measure, or "label": a parent label printed without values
    # "row_above": a row that breaks down the row printed just above it, whatever that row is
    parent_rule: str = ""
    # yes: every report prints it; graduates: a report whose school(s) had graduates that year; no: optional
    required: str = "yes"


@dataclass(frozen=True)
class Template:
    """One template of the family: the levels and scopes it serves and the years it was in force."""

    template_id: str  # its folder under pipeline/template/
    levels: tuple[str, ...]  # 中职, 高职
    scopes: tuple[str, ...]  # district, school
    year_from: int
    year_to: int | None  # None: still in force
    description: str

    def covers_year(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)


DEFAULT = "2024"  # the template in force when a report says nothing that chooses another
REQUIRED = ("yes", "graduates", "no")
LEVELS = ("中职", "高职")
SCOPES = ("district", "school")


@lru_cache(maxsize=1)
def chapters() -> tuple[Chapter, ...]:
    return tuple(Chapter(int(r["chapter_no"]), r["title"], tuple(_aliases(r))) for r in read_rows("chapters.csv"))


@lru_cache(maxsize=1)
def family_kinds() -> dict[str, tuple[str, ...]]:
    """table_kinds.csv: every appendix table kind of the family with the names reports print for it."""
    out: dict[str, tuple[str, ...]] = {}
    for n, r in enumerate(read_rows("table_kinds.csv"), start=2):
        if r["kind"] in out:
            raise TemplateError(f"table_kinds.csv line {n}: the kind {r['kind']!r} is listed twice")
        out[r["kind"]] = tuple(_aliases(r))
    return out


@lru_cache(maxsize=1)
def templates() -> tuple[Template, ...]:
    """templates.csv: the templates known, each a folder of its own under pipeline/template/."""
    out = []
    for n, r in enumerate(read_rows("templates.csv"), start=2):
        where = f"templates.csv line {n}"
        levels, scopes = tuple(r["levels"].split("|")), tuple(r["scopes"].split("|"))
        if not set(levels) <= set(LEVELS) or not set(scopes) <= set(SCOPES):
            raise TemplateError(f"{where}: levels must be among {LEVELS}, scopes among {SCOPES}")
        try:
            year_from, year_to = int(r["year_from"]), int(r["year_to"]) if r["year_to"] else None
        except ValueError:
            raise TemplateError(f"{where}: year_from and year_to must be years") from None
        out.append(Template(r["template_id"], levels, scopes, year_from, year_to, r.get("description", "")))
    if len({t.template_id for t in out}) != len(out) or DEFAULT not in {t.template_id for t in out}:
        raise TemplateError(f"templates.csv: template ids must be distinct and include {DEFAULT!r}")
    return tuple(out)


def template_ids() -> tuple[str, ...]:
    return tuple(t.template_id for t in templates())


def template_spec(template_id: str) -> Template:
    for t in templates():
        if t.template_id == template_id:
            return t
    raise TemplateError(f"unknown template {template_id!r} (known: {', '.join(template_ids())})")


def _template_rows(template_id: str, name: str, optional: bool = False) -> list[dict[str, str]]:
    template_spec(template_id)
    if optional and not resources.files(__name__).joinpath(template_id, name).is_file():
        return []
    return read_rows(f"{template_id}/{name}")


@cache
def appendix_tables(template_id: str = DEFAULT) -> tuple[AppendixTable, ...]:
    """A template's appendix tables (its appendix_tables.csv), each with the family's names for its kind."""
    out = []
    for n, r in enumerate(_template_rows(template_id, "appendix_tables.csv"), start=2):
        where = f"{template_id}/appendix_tables.csv line {n}"
        _check_kind(r["kind"], where)
        if r.get("required", "yes") not in ("yes", "no"):
            raise TemplateError(f"{where}: required must be yes or no")
        out.append(AppendixTable(r["kind"], r["title"], family_kinds()[r["kind"]], r.get("required", "yes") == "yes"))
    if len({t.kind for t in out}) != len(out):
        raise TemplateError(f"{template_id}/appendix_tables.csv: a table kind is listed twice")
    return tuple(out)


def table_kinds() -> tuple[str, ...]:
    """Every table kind of the family (a report's tables of a kind its template lacks are still read)."""
    return tuple(family_kinds())


def family_table(kind: str) -> AppendixTable:
    """A kind with every name any template of the family prints for it (the first template's title)."""
    _check_kind(kind, "family_table")
    titles = [t.title for tid in template_ids() for t in appendix_tables(tid) if t.kind == kind]
    title = titles[0] if titles else kind
    return AppendixTable(kind, title, tuple(dict.fromkeys((*titles, *family_kinds()[kind]))))


def family_tables() -> tuple[AppendixTable, ...]:
    return tuple(family_table(kind) for kind in table_kinds())


def appendix_table(kind: str, template_id: str = DEFAULT) -> AppendixTable:
    for t in appendix_tables(template_id):
        if t.kind == kind:
            return t
    raise TemplateError(f"unknown appendix table kind {kind!r} in template {template_id} "
                        f"(known: {', '.join(t.kind for t in appendix_tables(template_id))})")


@cache
def appendix_indicators(template_id: str = DEFAULT) -> tuple[TemplateIndicator, ...]:
    rows = _template_rows(template_id, "appendix_indicators.csv")
    kinds = {t.kind for t in appendix_tables(template_id)}
    out = []
    for n, r in enumerate(rows, start=2):
        where = f"{template_id}/appendix_indicators.csv line {n}"
        if r["table_kind"] not in kinds:
            raise TemplateError(f"{where}: the table kind {r['table_kind']!r} is not one of this template's tables")
        if r["measure"] != "label":
            _check_unit(r["unit"], where)
        if r.get("parent_rule", "") not in ("", "row_above"):
            raise TemplateError(f"{where}: unknown parent_rule {r['parent_rule']!r}")
        if r.get("required", "yes") not in REQUIRED:
            raise TemplateError(f"{where}: required must be one of {REQUIRED}")
        out.append(TemplateIndicator(r["table_kind"], int(r["serial"]), r["indicator"], r["parent"], r["unit"],
                                     r["measure"], r.get("parent_rule", ""), r.get("required", "yes")))
    names = {(t.table_kind, t.indicator) for t in out}
    for t in out:
        if t.parent and (t.table_kind, t.parent) not in names:
            raise TemplateError(f"{template_id}/appendix_indicators.csv: parent {t.parent!r} of {t.indicator!r} is not "
                                f"an indicator of {t.table_kind}")
    return tuple(out)


def indicators_of(kind: str, template_id: str = DEFAULT) -> list[TemplateIndicator]:
    return [t for t in appendix_indicators(template_id) if t.table_kind == kind]


def family_indicators_of(kind: str) -> list[TemplateIndicator]:
    """The indicators every template of the family lists for ``kind`` (to recognise a table by its rows)."""
    return [t for tid in template_ids() for t in indicators_of(kind, tid)]


def is_indicator(kind: str, indicator: str, template_id: str = DEFAULT) -> bool:
    return (kind, indicator) in _indicator_names(template_id)


@cache
def _indicator_names(template_id: str) -> frozenset[tuple[str, str]]:
    return frozenset((t.table_kind, t.indicator) for t in appendix_indicators(template_id))


def parent_rule_indicators(template_id: str = DEFAULT) -> frozenset[str]:
    """Indicators that break down the row printed just above them (接入国家智慧教育平台数 …)."""
    return frozenset(t.indicator for t in appendix_indicators(template_id) if t.parent_rule == "row_above")


def check_indicator(kind: str, indicator: str, where: str, template_id: str = DEFAULT) -> None:
    """Raise TemplateError unless ``indicator`` is one the template lists for table ``kind``."""
    _check_kind(kind, where)
    if not is_indicator(kind, indicator, template_id):
        raise TemplateError(f"{where}: {indicator!r} is not an indicator of the {kind} in "
                            f"{template_id}/appendix_indicators.csv")


def _check_kind(kind: str, where: str) -> None:
    if kind not in family_kinds():
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
        """The rule as its findings' ids know it (never reworded: review.csv refers to those ids)."""
        return f"{self.rule}: {self.total} ~ {self._parts_shown()}"

    @property
    def shown(self) -> str:
        """The rule as a reader sees it, in the template's language: "标准数量 = 专业标准数量 + 课程标准数量"."""
        parts = self._parts_shown()
        if self.rule == "le":
            return f"{self.total} ≥ {parts}"
        if self.rule == "survey_sum":
            return f"{self.total}的调查人次 = {parts}"
        if self.rule == "mean":
            return f"{self.total}介于{'、'.join(self.parts.names)}之间"
        return f"{self.total} = {parts}"

    def _parts_shown(self) -> str:
        parts = self.parts
        return f"{parts.numerator.text} / {parts.denominator.text}" if isinstance(parts, Ratio) else " + ".join(parts.names)


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


def _check_cells(expression, where: str, template_id: str = DEFAULT) -> None:
    for operand in expression.operands:
        check_indicator(operand.kind, operand.name, where, template_id)


@cache
def table_checks(template_id: str = DEFAULT) -> tuple[TableCheck, ...]:
    """A template's table_checks.csv (none when it has no such file): totals and their parts inside the appendix
    tables, checked against that template's indicators."""
    out = []
    for n, r in enumerate(_template_rows(template_id, "table_checks.csv", optional=True), start=2):
        where = f"{template_id}/table_checks.csv line {n}"
        check_indicator(r["table_kind"], r["total"], where, template_id)
        if r["rule"] not in TABLE_RULES:
            raise TemplateError(f"{where}: unknown rule {r['rule']!r} (known: {', '.join(TABLE_RULES)})")
        parse = parse_ratio if r["rule"] == "ratio" else parse_sum
        parts = _parsed(where, parse, r["parts"], r["table_kind"])
        _check_cells(parts, where, template_id)
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


@cache
def table_identities(template_id: str = DEFAULT) -> tuple[Identity, ...]:
    """A template's table_identities.csv (none when it has no such file): one quantity printed in two places
    of the appendix (by table kind)."""
    out = []
    for n, r in enumerate(_template_rows(template_id, "table_identities.csv", optional=True), start=2):
        where = f"{template_id}/table_identities.csv line {n}"
        left, right = (_parsed(where, parse_sum, r[k]) for k in ("left", "right"))
        for side in (left, right):
            if any(not o.kind for o in side.operands):
                raise TemplateError(f"{where}: every operand needs its table kind (kind:indicator)")
            _check_cells(side, where, template_id)
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
    for template_id in template_ids():
        appendix_indicators(template_id)
        table_checks(template_id)
        table_identities(template_id)
    claim_links()
    claim_formulas()
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
