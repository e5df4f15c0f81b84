"""Tables continued on the next page, joined to their start.

A table on the next page continues the previous one only when it has the same columns and no title
or caption of its own (a caption above it, or a first row across the table that names a table, …表:
a form that opens each page with its title is a new form on each page). A repeated header is dropped; an
absent one is fine. A cell the page break cuts (a label merged over rows on both sides of the
break) stays one cell: its rowspan covers both parts and each part's page and bbox are kept.
"""

from __future__ import annotations

import re

from ..config import TableSettings
from ..geometry import centre_inside, union_bbox
from ..pages.lines import build_lines
from ..records import BBox, Cell, Document, Line, Table
from ..text import join_fragments, squash
from .captions import CAPTION
from .text_rows import centred_runs

TITLE_END = re.compile(r"表[)）]?$")
TEXT_LAID = ("rules", "text")  # tables whose rows come from text lines


def join_continuations(tables: list[Table], doc: Document, settings: TableSettings) -> list[Table]:
    joined: list[Table] = []
    for table in tables:
        prev = joined[-1] if joined else None
        if prev and _continues(prev, table, doc, settings):
            _append(prev, table, doc)
        else:
            joined.append(table)
    return joined


def _col_bounds(table: Table, page: int) -> list[float]:
    xs = sorted({round(c.bbox[0]) for c in table.cells if c.page == page and c.colspan == 1}
                | {round(c.bbox[2]) for c in table.cells if c.page == page and c.colspan == 1})
    return xs


def _continues(prev: Table, table: Table, doc: Document, settings: TableSettings) -> bool:
    last_page = prev.pages[-1]
    if table.pages[0] != last_page + 1 or table.n_cols != prev.n_cols:
        return False
    caption = CAPTION.match(table.caption) if table.caption else None
    if caption and caption.group("label") != "续表" and caption.group("num"):
        return False
    if _title_row(table):
        return False
    page = doc.pages[table.pages[0] - 1]
    body_top = min((ln.top for ln in page.lines), default=table.bbox[1])
    if table.bbox[1] - body_top > page.height * settings.continuation_top_share:
        return False
    lines_between = [ln for ln in page.lines if ln.bottom <= table.bbox[1] and not ln.text.startswith("续表")
                     and not (ln.text.startswith("单位") and len(ln.text) < 20)]
    if lines_between:
        return False
    prev_page = doc.pages[last_page - 1]
    prev_bottom = max(c.bbox[3] for c in prev.cells if c.page == last_page)
    if any(ln.top >= prev_bottom and len(ln.text) > 20 for ln in prev_page.lines):
        return False  # the first part is followed by body text: it ended on its own page
    a, b = _col_bounds(prev, last_page), _col_bounds(table, table.pages[0])
    same_columns = len(a) == len(b) and all(abs(x - y) <= 6 for x, y in zip(a, b))
    return same_columns or _first_row_texts(table) == _header_texts(prev)


def _header_texts(table: Table) -> list[str]:
    grid = table.grid()
    return [squash(t) for t in grid[0]] if grid else []


def _first_row_texts(table: Table) -> list[str]:
    return _header_texts(table)


def _title_row(table: Table) -> bool:
    """The table opens with a title: one cell across all its columns that names a table (…表, 表N …).
    A section row across the table (主营业务分地区情况, 按地区分部) is no title: tables go on under them."""
    first = [c for c in table.cells if c.row == 0]
    if len(first) != 1 or first[0].colspan != table.n_cols or table.n_cols < 2:
        return False
    text = squash(first[0].text)
    return bool(CAPTION.match(text) and CAPTION.match(text).group("num")) or TITLE_END.search(text) is not None


def _append(prev: Table, nxt: Table, doc: Document) -> None:
    skip = 0
    prev_grid, next_grid = prev.grid(), nxt.grid()
    for i in range(min(prev.header_rows, len(next_grid))):
        if [squash(t) for t in next_grid[i]] == [squash(t) for t in prev_grid[i]]:
            skip = i + 1
        else:
            break
    offset = prev.n_rows - skip
    _recentre(prev, nxt, skip)
    cut = _cut_cells(prev, nxt, skip, doc)
    for cell in nxt.cells:
        if cell.row < skip:
            continue
        upper = cut.get(id(cell))
        if upper is not None:
            upper.rowspan += cell.rowspan
            upper.text = join_fragments([upper.text, cell.text])
            upper.parts = (upper.parts or [(upper.page, upper.bbox)]) + [(cell.page, cell.bbox)]
            continue
        cell.row += offset
        prev.cells.append(cell)
    prev.n_rows += nxt.n_rows - skip
    prev.pages.append(nxt.pages[0])
    if nxt.crosscheck and nxt.crosscheck != prev.crosscheck:
        prev.crosscheck = f"{prev.crosscheck}; p{nxt.pages[0]}: {nxt.crosscheck}"


def _recentre(prev: Table, nxt: Table, first_row: int) -> None:
    """A column whose labels the first part centres beside the rows they cover (a 三线表 or a table
    without rules, read from its text lines) is centred on the new page too, where no label may stand
    between two rows to show it: its labels get the rows their blank cells share out, and blank cells
    left over at the top become one cell, the rest of the label the break cut."""
    if prev.kind not in TEXT_LAID or nxt.kind not in TEXT_LAID:
        return
    for col in range(nxt.n_cols):
        if not any(c.col == col and c.colspan == 1 and c.rowspan > 1 for c in prev.cells):
            continue
        column = sorted((c for c in nxt.cells if c.col == col and c.row >= first_row), key=lambda c: c.row)
        if len(column) != nxt.n_rows - first_row or any(c.rowspan != 1 or c.colspan != 1 for c in column):
            continue
        shared = centred_runs([bool(c.text) for c in column])
        if shared is None:
            continue
        left_over, runs = shared
        merged = ([_merged_cell(column[:left_over], "")] if left_over else [])
        merged += [_merged_cell(column[a:b + 1], column[(a + b) // 2].text) for a, b in runs]
        nxt.cells = [c for c in nxt.cells if not (c.col == col and c.row >= first_row)] + merged
        if left_over:
            _close_up(prev, col)


def _close_up(prev: Table, col: int) -> None:
    """Blank one-row cells ending the first part's column under its last label are that label's rows
    (a browser prints a label cut by the break at the top of its first fragment): the label takes them,
    and with the blank cells that open the new page it is one cell across the break."""
    column = sorted((c for c in prev.cells if c.col == col and c.colspan == 1), key=lambda c: c.row)
    trailing = []
    while column and not column[-1].text and column[-1].rowspan == 1 and not column[-1].parts:
        trailing.append(column.pop())
    if not trailing or not column or column[-1].row + column[-1].rowspan != trailing[-1].row:
        return
    label = column[-1]
    label.rowspan += len(trailing)
    label.bbox = union_bbox([label.bbox] + [c.bbox for c in trailing])
    prev.cells = [c for c in prev.cells if all(c is not t for t in trailing)]


def _merged_cell(cells: list[Cell], text: str) -> Cell:
    first = cells[0]
    return Cell(first.row, first.col, len(cells), 1, text, first.page, union_bbox([c.bbox for c in cells]), first.source,
                first.confidence)


def _cut_cells(prev: Table, nxt: Table, first_row: int, doc: Document) -> dict[int, Cell]:
    """The cells of the new page's first row that continue a cell of the previous page's last row (by id):
    the same columns, one side merged over rows, and the lower part empty or holding the rest of the
    upper part's text."""
    last_page = prev.pages[-1]
    bottom = {(c.col, c.colspan): c for c in prev.cells
              if c.row + c.rowspan == prev.n_rows and _last_part(c)[0] == last_page}
    out = {}
    for lower in (c for c in nxt.cells if c.row == first_row):
        upper = bottom.get((lower.col, lower.colspan))
        if upper is None or not upper.text or max(upper.rowspan, lower.rowspan) < 2:
            continue
        if not lower.text or _text_runs_on(upper, lower, prev, nxt, doc):
            out[id(lower)] = upper
    return out


def _text_runs_on(upper: Cell, lower: Cell, prev: Table, nxt: Table, doc: Document) -> bool:
    """Both parts hold text: it is one text the page break cuts when it fills the upper part's last line
    and stands against the break, at the foot of an upper part of several rows or at the head of a lower
    one (a text that ends inside its part stands in its middle or at its top)."""
    page_no, box = _last_part(upper)
    above, below = _cell_lines(doc, page_no, box), _cell_lines(doc, lower.page, lower.bbox)
    if not above or not below or not _fills_last_line(above[-1], upper, prev, doc):
        return False
    last_row = [c.bbox[1] for c in prev.cells if c.row == prev.n_rows - 1 and c.rowspan == 1 and _last_part(c)[0] == page_no]
    first_row = [c.bbox[3] for c in nxt.cells if c.row == lower.row and c.rowspan == 1]
    # a text centred in its cell is whole there, however close to the break its middle comes
    off_middle = 0.25 * above[-1].size
    at_foot = (upper.rowspan > 1 and bool(last_row) and _centre(above[-1]) >= min(last_row)
               and _centre(above[-1]) > (box[1] + box[3]) / 2 + off_middle)
    at_head = (lower.rowspan > 1 and bool(first_row) and _centre(below[0]) <= max(first_row)
               and _centre(below[0]) < (lower.bbox[1] + lower.bbox[3]) / 2 - off_middle)
    return at_foot or at_head


def _fills_last_line(last: Line, cell: Cell, table: Table, doc: Document) -> bool:
    """The line is as wide as the cell less its padding (the least distance from a cell's left side to its
    text in that column on that page), give or take one character."""
    page_no, box = _last_part(cell)
    page = doc.pages[page_no - 1]
    pads = []
    for c in table.cells:
        if c.col == cell.col and c.colspan == cell.colspan and c.page == page_no:
            xs = [ch.x0 for ch in page.chars if ch.text.strip() and centre_inside(ch.bbox, c.bbox)]
            if xs:
                pads.append(min(xs) - c.bbox[0])
    pad = max(0.0, min(pads)) if pads else 0.0
    return last.bbox[2] - last.bbox[0] >= box[2] - box[0] - 2 * pad - last.size


def _cell_lines(doc: Document, page_no: int, box: BBox) -> list[Line]:
    page = doc.pages[page_no - 1]
    lines = build_lines([c for c in page.chars if c.text.strip() and centre_inside(c.bbox, box)], page_no)
    return sorted(lines, key=lambda ln: ln.top)


def _last_part(cell: Cell) -> tuple[int, BBox]:
    return cell.parts[-1] if cell.parts else (cell.page, cell.bbox)


def _centre(line: Line) -> float:
    return (line.top + line.bottom) / 2
