"""The report's body tables (图表5 优质专业立项, 图表13 开放实训中心名单 …) as lists a count can be checked against.

A body table lists items in a column headed "…名称" (template/count_terms.csv name_header), grouped by the
school in its 学校名称 column. What the table lists is named by that header and by its caption (the caption's
last words, 名单 / 立项 … taken off): a count whose noun ends with the same words (at least four characters:
市优质专业 and 市级优质专业名称 share 优质专业) is a count of the table's items.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import template
from ..indicators import header_map
from ..records import BBox, Table
from ..schools import SERIAL_PREFIX, school_column, school_in
from ..tables import CAPTION
from ..text import canonical_name

MIN_SHARED = 4  # characters a counted noun must share with the end of the table's noun
MODIFIERS = 8  # characters of modifiers allowed between a count and the noun it counts (市级职业教育…)


@dataclass(frozen=True)
class Item:
    text: str
    school: str  # the school of its row, "" when the table has no school column
    row: int


@dataclass
class BodyTable:
    table_id: str
    caption: str
    page: int
    bbox: BBox
    header: str  # the header of the item column, 名称 taken off (市级优质专业)
    nouns: tuple[str, ...]  # what the table lists: the header's and the caption's nouns
    items: list[Item]

    @classmethod
    def from_table(cls, table: Table) -> BodyTable | None:
        grid = table.grid()
        if len(grid) <= table.header_rows:
            return None
        headers = [" ".join(dict.fromkeys(grid[h][c] for h in range(table.header_rows))).strip() for c in range(table.n_cols)]
        schools = school_column(table)
        school_col = schools[1] if schools else None
        item_col = _item_column(table, grid, headers, school_col)
        if item_col is None:
            return None
        header = _strip_end(headers[item_col], template.terms_of("name_header"))
        caption = _caption_noun(table.caption)
        nouns = tuple(n for n in dict.fromkeys((header, caption)) if len(n) >= MIN_SHARED)
        seen, items = set(), []
        for r in range(table.header_rows, table.n_rows):
            cell = table.cell_at(r, item_col)
            if cell is None or id(cell) in seen or not _is_item(cell.text):
                continue
            seen.add(id(cell))
            school = school_in(grid[r], school_col) if school_col is not None else ""
            items.append(Item(cell.text.strip(), school, r))
        if not items or not nouns:
            return None
        return cls(table.table_id, table.caption, table.pages[0], table.bbox, header, nouns, items)

    def noun_matching(self, phrase: str, leading: bool = False) -> str:
        """The longest end of one of the table's nouns (at least MIN_SHARED characters) that ``phrase`` ends
        with — or, for the words after a count (``leading``), that they hold within a few modifiers of their
        start (两个市级职业教育开放实训中心的优势 holds 开放实训中心); "" when none does."""
        best = ""
        for noun in self.nouns:
            for k in range(len(noun), MIN_SHARED - 1, -1):
                end = noun[-k:]
                found = end in phrase[: k + MODIFIERS] if leading else phrase.endswith(end)
                if found and k > len(best):
                    best = end
                    break
        return best

    def items_of(self, school: str = "") -> list[Item]:
        return [i for i in self.items if not school or i.school == school]

    @property
    def schools(self) -> set[str]:
        return {i.school for i in self.items if i.school}


def _is_item(text: str) -> bool:
    text = text.strip()
    return bool(text) and not SERIAL_PREFIX.fullmatch(text) and not text.replace(".", "").isdigit()


def _item_column(table: Table, grid: list[list[str]], headers: list[str], school_col: int | None) -> int | None:
    """The column of names under a "…名称" header other than the school column (the school column when alone)."""
    suffixes = template.terms_of("name_header")
    named = [c for c, h in enumerate(headers) if h.replace(" ", "").endswith(suffixes)]
    others = [c for c in named if c != school_col and headers[c] != (headers[school_col] if school_col is not None else None)]
    for c in others or named:
        values = [row[c] for row in grid[table.header_rows:]]
        if sum(_is_item(v) for v in values) >= max(1, len(values) // 2):
            return c
    return None


def _strip_end(text: str, words: tuple[str, ...]) -> str:
    text = canonical_name(text.replace(" ", ""))
    for word in words:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)]
    return text


def _caption_noun(caption: str) -> str:
    m = CAPTION.match(caption or "")
    title = m.group("title") if m else (caption or "")
    return _strip_end(title, template.terms_of("caption_suffix"))


def body_tables(tables: list[Table]) -> list[BodyTable]:
    """The tables of the report that are not appendix indicator tables, read as lists."""
    out = []
    for table in tables:
        if header_map(table) is not None:
            continue
        found = BodyTable.from_table(table)
        if found is not None:
            out.append(found)
    return out
