"""Tables continued on the next page, joined to their start; a repeated header row is dropped."""

from __future__ import annotations

from ..config import TableSettings
from ..records import Document, Table
from ..text import squash
from .captions import CAPTION


def join_continuations(tables: list[Table], doc: Document, settings: TableSettings) -> list[Table]:
    joined: list[Table] = []
    for table in tables:
        prev = joined[-1] if joined else None
        if prev and _continues(prev, table, doc, settings):
            _append(prev, table)
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


def _append(prev: Table, nxt: Table) -> None:
    skip = 0
    prev_grid, next_grid = prev.grid(), nxt.grid()
    for i in range(min(prev.header_rows, len(next_grid))):
        if [squash(t) for t in next_grid[i]] == [squash(t) for t in prev_grid[i]]:
            skip = i + 1
        else:
            break
    offset = prev.n_rows - skip
    for cell in nxt.cells:
        if cell.row < skip:
            continue
        cell.row += offset
        prev.cells.append(cell)
    prev.n_rows += nxt.n_rows - skip
    prev.pages.append(nxt.pages[0])
    if nxt.crosscheck and nxt.crosscheck != prev.crosscheck:
        prev.crosscheck = f"{prev.crosscheck}; p{nxt.pages[0]}: {nxt.crosscheck}"
