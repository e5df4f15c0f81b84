"""What a number is about besides its subject: the year, an average (校均), a period (近三年), one school,
whether it is a whole that later shares are taken of; and the report's year, level and number of schools."""

from __future__ import annotations

import re

from ..records import Document
from ..schools import SchoolDirectory, level_of, stated_school_counts
from ..text.numbers import NumberToken
from ..words import word
from .passages import Passage

AVERAGES = ("校均", "生均", "课均", "人均", "平均")
PERIOD_WORDS = re.compile(r"近年来|近些年|近几年|多年来")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
TOTAL_BEFORE = ("共计", "共有", "共", "合计", "总计", "总数", "累计")
REPORT_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")


def _front_texts(doc: Document) -> list[str]:
    return [doc.title] + [ln.text for p in doc.pages[:2] for ln in p.lines]


def report_year(doc: Document) -> int | None:
    for text in _front_texts(doc):
        m = REPORT_YEAR.search(text or "")
        if m:
            return int(m.group(1))
    return None


def report_level(doc: Document) -> str:
    """The school level the report is about (中等职业教育质量年度报告 → 中职), from its title or cover."""
    for text in _front_texts(doc):
        level = level_of(text or "")
        if level:
            return level
    return ""


def average(sentence: str, token: NumberToken) -> str:
    head = sentence[: token.start]
    found = [(head.rfind(w), w) for w in AVERAGES if w in head]
    return max(found)[1] if found else ""


def period(sentence: str, token: NumberToken, tokens: list[NumberToken]) -> str:
    for t in tokens:
        if t.kind == "period" and t.start < token.start:
            return re.sub(r"\s+", "", t.raw)
    m = PERIOD_WORDS.search(sentence[: token.start])
    return m.group(0) if m else ""


def year(p: Passage, s_start: int, token: NumberToken, tokens: list[NumberToken]) -> int | None:
    years = [t for t in tokens if t.kind == "year" and t.start < token.start]
    if years:
        return int(re.sub(r"\D", "", years[-1].raw)[:4])
    paragraph = p.text[p.paragraph_start(s_start):s_start]
    found = YEAR.findall(paragraph)  # the year the paragraph opens with frames what follows
    return int(found[0]) if found else None


def school(p: Passage, s_start: int, sentence: str, token: NumberToken, schools: SchoolDirectory,
           case_schools: list[str]) -> str:
    """A school named before the number in its sentence (in a case: in its paragraph, else the case's school)."""
    named = schools.find(sentence[: token.start])
    if named:
        return named[-1]
    if p.case_no is None:
        return ""
    named = schools.find(p.text[p.paragraph_start(s_start):s_start])
    return named[-1] if named else (case_schools[0] if case_schools else "(a school of the case)")


def is_total(sentence: str, token: NumberToken) -> bool:
    """共 413 人 / 共计 12001 人 / 917名专任教师中，…: a whole that later shares are taken of."""
    head = sentence[max(0, token.start - 4): token.start].strip()
    tail = sentence[token.end: token.end + 10]
    return head.endswith(TOTAL_BEFORE) or bool(re.match(r"^[^，。；、,]{0,8}(?<!其)中[，,]", tail))


def school_count(sentences: list[str], level: str, schools: SchoolDirectory) -> tuple[int | None, list]:
    """How many schools a 校均 figure divides by when its sentence does not say: the count the narrative states
    most often for the report's level ("6所中职学校", "六所…"), else the school table's rows of that level."""
    counts: dict[int, int] = {}
    for text in sentences:
        for c in stated_school_counts(text):
            if c.level and (c.level == level or not level):
                counts[c.value] = counts.get(c.value, 0) + 1
    if counts:
        n = max(counts, key=lambda k: (counts[k], k))
        return n, [word("explain.schools_stated_often", n=n, times=counts[n])]
    if schools.rows and level and level in schools.levels:
        return schools.count(level), [level_rows(level, schools.table_id)]
    if schools.names:
        return len(schools.names), [word("explain.school_table_size")]
    return None, []


def level_rows(level: str, table_id: str) -> dict:
    """Where a count of schools of a level comes from: "the 中职 rows of the report's school table 表1"."""
    return word("explain.level_rows", level=level, table=table_id) if table_id else \
        word("explain.level_rows_untitled", level=level)
