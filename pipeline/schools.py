"""The report's own list of schools, finding them in text, and counting them.

Official names come from the report's school table (a table whose header
names 学校名称). Short forms are matched when they are the official name
with its parenthesised alias, without a leading place name (上海市…, 江苏省江南市…),
or an abbreviation whose distinctive characters occur in order in exactly one
official name (海大职校 → 上海海事大学附属职业技术学校).

The school table also gives each school's level (a group column holding
中职 / 高职, the words of template/count_terms.csv) and its labels (a 类型
column: 国重点、市优质 …), so "6 所中职学校" and "4 所为国家级重点中职学校"
can be counted against its rows; ``stated_school_counts`` reads such counts
from text, in digits or Chinese numerals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import template
from .records import BBox, Table
from .text import canonical_name

SCHOOL_HEADER = ("学校名称", "院校名称", "学校", "承建学校")
SCHOOL_SUFFIX = re.compile(r"(学校|学院|中心|大学)(（[^）]*）)?$")
SERIAL_PREFIX = re.compile(r"^[\s\d一二三四五六七八九十、.．]+")
# A row number OCR misread as a letter or a stroke (1 → 工, l, |), set apart from the school name by a space.
SERIAL_LOOKALIKE = re.compile(r"^[工丨|lLIi!\]）)]\s+")
GENERIC = ("职业技术", "职业", "学校", "职校", "学院", "附属", "中等", "技术")
PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:自治区|省|市|区|县)")  # 上海市, 江苏省, 江南市: a leading place name
ABBREVIATION_END = re.compile(r"(职业技术学校|职业学校|技术学校|学校|职校|学院)")
HAN_NAME = re.compile(r"[\u4e00-\u9fff（）]+")  # a span that may be a shortened school name
LABEL_SPLIT = re.compile(r"[、，,；;/]")
COUNT = re.compile(r"(?P<n>\d+|[一二两三四五六七八九十]{1,3})\s*所")
NOUN_END = "，,。；;、：:+＋"
OPEN, CLOSE = "（(", "）)"


def _without_place(name: str, places: tuple[str, ...] = ()) -> str:
    """The name without its leading place names (江苏省江南市滨江中等专业学校 → 滨江中等专业学校): 上海市-like
    words, and the place words most of the report's school names open with (``places``: 上海, 江南)."""
    changed = True
    while changed:
        changed = False
        m = PLACE.match(name)
        if m and len(name) - m.end() >= 4:
            name, changed = name[m.end():], True
        for place in places:
            if name.startswith(place) and len(name) - len(place) >= 4:
                name, changed = name[len(place):], True
    return name


def common_places(names: list[str]) -> tuple[str, ...]:
    """Two- or three-character openings shared by most of the school names (their city): 上海, 江南."""
    out = []
    for k in (3, 2):
        counts: dict[str, int] = {}
        for name in names:
            counts[name[:k]] = counts.get(name[:k], 0) + 1
        out += [p for p, n in counts.items() if n >= max(2, (len(names) + 1) // 2)]
    return tuple(sorted(out, key=len, reverse=True))


@lru_cache(maxsize=4096)  # the same names and candidate spans come back for every sentence
def _distinctive(name: str, places: tuple[str, ...] = ()) -> str:
    core = _without_place(re.sub(r"（[^）]*）", "", name), places)
    for word in GENERIC:
        core = core.replace(word, "")
    return core


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@dataclass(frozen=True)
class SchoolRow:
    """One school of the school table: its level (中职, 高职 … or "") and its labels (国重点, 市优质 …)."""

    name: str
    level: str
    labels: tuple[str, ...]


@dataclass
class SchoolDirectory:
    names: list[str]
    aliases: dict[str, str] = field(default_factory=dict)
    rows: list[SchoolRow] = field(default_factory=list)
    places: tuple[str, ...] = ()  # the city most names open with (上海): left out when names are shortened
    table_id: str = ""  # the school table, for the evidence of a count
    page: int | None = None
    bbox: BBox | None = None

    @classmethod
    def from_tables(cls, tables: list[Table]) -> SchoolDirectory:
        best, rows, source = [], [], None
        for table in tables:
            names = school_names(table)
            if len(names) > len(best):
                best, source = names, table
        if source is not None:
            rows = school_rows(source)
        best, rows = _without_stray_leads(best, rows)
        directory = cls.from_names(best)
        directory.rows = rows
        if source is not None:
            directory.table_id, directory.page, directory.bbox = source.table_id, source.pages[0], source.bbox
        return directory

    @classmethod
    def from_names(cls, names: list[str]) -> SchoolDirectory:
        places = common_places(names)
        aliases: dict[str, str] = {}
        for name in names:
            for alias in _aliases(name, places):
                aliases.setdefault(alias, name)
        directory = cls(names, aliases)
        directory.places = places
        return directory

    def find(self, text: str) -> list[str]:
        """Official names of the schools mentioned in ``text``, in order of first mention."""
        if not self.names:
            return []
        canon = canonical_name(text)
        hits: dict[str, int] = {}
        for alias in sorted(self.aliases, key=len, reverse=True):
            start = canon.find(alias)
            while start >= 0:
                hits.setdefault(self.aliases[alias], start)
                canon = canon[:start] + "　" * len(alias) + canon[start + len(alias):]
                start = canon.find(alias)
        for position, name in self._abbreviations(canon):
            hits.setdefault(name, position)
        return [name for name, _ in sorted(hits.items(), key=lambda kv: kv[1])]

    def _abbreviations(self, text: str) -> list[tuple[int, str]]:
        found = []
        for m in ABBREVIATION_END.finditer(text):
            end = m.end()
            for start in range(max(0, end - 30), end - 3):
                candidate = text[start:end]
                if not HAN_NAME.fullmatch(candidate):
                    continue
                core = _distinctive(candidate, self.places)
                if len(core) < 2:
                    continue
                owners = [n for n in self.names if _is_subsequence(core, _distinctive(n, self.places))]
                if len(owners) == 1:
                    found.append((start, owners[0]))
                    break
        return found

    @property
    def levels(self) -> set[str]:
        return {r.level for r in self.rows if r.level}

    def count(self, level: str = "", label: str = "") -> int:
        """Schools of the table at ``level`` (every level when empty) carrying ``label`` (any when empty)."""
        return sum(1 for r in self.rows if (not level or r.level == level) and (not label or label in r.labels))

    def label_in(self, phrase: str) -> str:
        """The one label of the table the phrase spells out (国家级重点中职学校 → 国重点: the label's
        characters in order), "" when none or several do."""
        labels = {lab for r in self.rows for lab in r.labels if len(lab) >= 2}
        found = [lab for lab in labels if _is_subsequence(lab, phrase)]
        return found[0] if len(found) == 1 else ""


def _aliases(name: str, places: tuple[str, ...] = ()) -> set[str]:
    canon = canonical_name(name)
    forms = {canon}
    m = re.match(r"^(?P<main>[^（]+)（(?P<alt>[^）]+)）$", canon)
    if m:
        forms |= {m.group("main"), m.group("alt")}
    for form in list(forms):
        short = _without_place(form, places)
        if short != form and len(short) >= 6:
            forms.add(short)
    return {f for f in forms if len(f) >= 4}


def _without_stray_leads(names: list[str], rows: list[SchoolRow]) -> tuple[list[str], list[SchoolRow]]:
    """Names without a stray character before them (an OCR'd row number glued on: 工上海市… where most names open
    with 上海): a name that does not open with the city most names open with, but does one character in."""
    places = common_places(names)
    if not places:
        return names, rows

    def fixed(name: str) -> str:
        rest = name[1:]
        return rest if not name.startswith(places) and rest.startswith(places) and len(rest) >= 6 else name

    renamed = {name: fixed(name) for name in names}
    kept = {renamed.get(r.name, r.name): r for r in reversed(rows)}  # a name found twice: its first row
    return [*dict.fromkeys(renamed.values())], [SchoolRow(name, r.level, r.labels) for name, r in reversed(kept.items())]


def school_column(table: Table) -> tuple[int, int] | None:
    """(header row, column) of the column headed 学校名称 (or similar)."""
    grid = table.grid()
    for h in range(min(table.header_rows, len(grid))):
        for col, head in enumerate(grid[h]):
            if any(key in head.replace(" ", "") for key in SCHOOL_HEADER):
                return h, col
    return None


def school_in(row: list[str], col: int) -> str:
    for text in (row[col], *row):
        name = canonical_name(SERIAL_PREFIX.sub("", SERIAL_LOOKALIKE.sub("", text.strip())))
        if SCHOOL_SUFFIX.search(name) and len(name) >= 6:
            return name
    return ""


def school_names(table: Table) -> list[str]:
    """Names in the column headed 学校名称 (or similar), serial numbers stripped."""
    found = school_column(table)
    if not found:
        return []
    h, col = found
    names: list[str] = []
    for row in table.grid()[h + 1:]:
        name = school_in(row, col)
        if name and name not in names:
            names.append(name)
    return names


def school_rows(table: Table) -> list[SchoolRow]:
    """Each school of the table once, with the level its group column gives and the labels of its other cells."""
    found = school_column(table)
    if not found:
        return []
    h, col = found
    grid = table.grid()[h + 1:]
    level_cols = [c for c in range(table.n_cols) if _is_level_column([row[c] for row in grid])]
    rows: dict[str, SchoolRow] = {}
    for row in grid:
        name = school_in(row, col)
        if not name or name in rows:
            continue
        level = next((level_of(row[c]) for c in level_cols if level_of(row[c])), "")
        labels = tuple(lab.strip() for c, text in enumerate(row) if c != col and c not in level_cols
                       and not school_in([text], 0) for lab in LABEL_SPLIT.split(text) if lab.strip())
        rows[name] = SchoolRow(name, level, labels)
    return list(rows.values())


def _is_level_column(values: list[str]) -> bool:
    filled = [v.strip() for v in values if v.strip()]
    return bool(filled) and all(level_of(v) and len(v) <= 6 for v in filled)


@lru_cache(maxsize=1)
def _level_terms() -> tuple[tuple[str, str], ...]:
    return template.count_terms()["level"]


def level_of(text: str) -> str:
    """The school level a phrase names (中等职业学校 → 中职), "" when it names none or two."""
    text = text.replace(" ", "")
    found, rest = set(), text
    for term, level in _level_terms():  # longest first: 中等职业 before 中职
        if term in rest:
            found.add(level)
            rest = rest.replace(term, "　")
    return found.pop() if len(found) == 1 else ""


@dataclass(frozen=True)
class StatedCount:
    """"6所中职学校", "六所区属中职学校", "高等职业学校 1 所": a number of schools stated in the text."""

    value: int
    start: int  # where the number starts in the text
    end: int  # after 所
    level: str  # the level the phrase names, "" when none
    noun: str  # the words naming what is counted (中职学校, 为国家级重点中职学校)


def stated_school_counts(text: str) -> list[StatedCount]:
    """Every "N 所 …" that counts schools: the noun after 所 (or, for "中等职业学校 6 所", before the
    number in its clause) holds a school word of template/count_terms.csv."""
    from .text.numbers import chinese_integer

    out = []
    nouns = template.terms_of("school_noun")
    for m in COUNT.finditer(text):
        raw = m.group("n")
        value = int(raw) if raw.isdigit() else chinese_integer(raw)
        if value is None or text[max(0, m.start() - 1):m.start()] == "第":
            continue
        after = phrase_after(text, m.end())
        before = phrase_before(text, m.start())
        if any(n in after for n in nouns):  # 6所中职学校共有7个… → 中职学校: up to its last school word
            noun = after[: max(after.rfind(n) + len(n) for n in nouns if n in after)]
        elif not after.strip() and any(n in before for n in nouns):  # 中等职业学校 6 所
            noun = before
        else:
            continue
        out.append(StatedCount(value, m.start(), m.end(), level_of(noun), noun))
    return out


def phrase_after(text: str, pos: int, limit: int = 16) -> str:
    """The words after ``pos`` up to the end of the clause (a bracketed aside kept: 新型（五年一贯制）职业院校)."""
    depth, end = 0, pos
    while end < len(text) and end - pos < limit:
        ch = text[end]
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            if depth == 0:
                break
            depth -= 1
        elif (ch in NOUN_END or ch.isdigit()) and depth == 0:
            break
        end += 1
    return text[pos:end].strip()


def phrase_before(text: str, pos: int, limit: int = 16) -> str:
    start = max((i + 1 for i in range(max(0, pos - limit), pos) if text[i] in NOUN_END + OPEN), default=max(0, pos - limit))
    return text[start:pos].strip()


def school_count_before(text: str, pos: int) -> StatedCount | None:
    """The last count of schools stated before ``pos`` ("6所中职学校校均…" → 6)."""
    counts = list(stated_school_counts(text[:pos]))
    return counts[-1] if counts else None
