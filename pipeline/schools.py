"""The report's own list of schools, and finding them in text by full or short name.

Official names come from the report's school table (a table whose header
names 学校名称). Short forms are matched when they are the official name
with its parenthesised alias, without the 上海市 prefix, or an abbreviation
whose distinctive characters occur in order in exactly one official name
(海大职校 → 上海海事大学附属职业技术学校).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .records import Table
from .text import canonical_name

SCHOOL_HEADER = ("学校名称", "院校名称", "学校", "承建学校")
SCHOOL_SUFFIX = re.compile(r"(学校|学院|中心|大学)(（[^）]*）)?$")
SERIAL_PREFIX = re.compile(r"^[\s\d一二三四五六七八九十、.．]+")
GENERIC = ("上海市", "上海", "职业技术", "职业", "学校", "职校", "学院", "附属", "中等", "技术")
ABBREVIATION_END = re.compile(r"(职业技术学校|职业学校|技术学校|学校|职校|学院)")


def _distinctive(name: str) -> str:
    core = re.sub(r"（[^）]*）", "", name)
    for word in GENERIC:
        core = core.replace(word, "")
    return core


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@dataclass
class SchoolDirectory:
    names: list[str]
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, tables: list[Table]) -> "SchoolDirectory":
        best: list[str] = []
        for table in tables:
            names = school_names(table)
            if len(names) > len(best):
                best = names
        return cls.from_names(best)

    @classmethod
    def from_names(cls, names: list[str]) -> "SchoolDirectory":
        aliases: dict[str, str] = {}
        for name in names:
            for alias in _aliases(name):
                aliases.setdefault(alias, name)
        return cls(names, aliases)

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
                if not re.fullmatch(r"[\u4e00-\u9fff（）]+", candidate):
                    continue
                core = _distinctive(candidate)
                if len(core) < 2:
                    continue
                owners = [n for n in self.names if _is_subsequence(core, _distinctive(n))]
                if len(owners) == 1:
                    found.append((start, owners[0]))
                    break
        return found


def _aliases(name: str) -> set[str]:
    canon = canonical_name(name)
    forms = {canon}
    m = re.match(r"^(?P<main>[^（]+)（(?P<alt>[^）]+)）$", canon)
    if m:
        forms |= {m.group("main"), m.group("alt")}
    for form in list(forms):
        for prefix in ("上海市", "上海"):
            if form.startswith(prefix) and len(form) - len(prefix) >= 6:
                forms.add(form[len(prefix):])
    return {f for f in forms if len(f) >= 4}


def school_names(table: Table) -> list[str]:
    """Names in the column headed 学校名称 (or similar), serial numbers stripped."""
    grid = table.grid()
    if not grid:
        return []
    for h in range(min(table.header_rows, len(grid))):
        for col, head in enumerate(grid[h]):
            if any(key in head.replace(" ", "") for key in SCHOOL_HEADER):
                names = []
                for row in grid[h + 1:]:
                    for text in (row[col], *row):
                        name = canonical_name(SERIAL_PREFIX.sub("", text))
                        if SCHOOL_SUFFIX.search(name) and len(name) >= 6:
                            if name not in names:
                                names.append(name)
                            break
                return names
    return []
