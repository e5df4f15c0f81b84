"""A table's geometry on one page (row and column boundaries, merged regions) and the cells it holds."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..geometry import within
from ..pages.lines import build_lines, mean_confidence
from ..pages.rules import snap
from ..records import BBox, Cell, Char, Page, Table
from ..text import join_fragments

NUMERIC = re.compile(r"^[-+]?[\d,，.]+%?$")


@dataclass
class Grid:
    """A table's geometry on one page: merged-cell rectangles over row and column boundaries."""

    page: int
    xs: list[float]
    ys: list[float]
    spans: list[tuple[int, int, int, int]]  # row, col, rowspan, colspan
    kind: str
    crosscheck: str = ""

    @property
    def bbox(self) -> BBox:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1


def grid_from_cells(page_number: int, boxes: list[BBox], kind: str) -> Grid | None:
    if not boxes:
        return None
    xs = snap(sorted({b[0] for b in boxes} | {b[2] for b in boxes}))
    ys = snap(sorted({b[1] for b in boxes} | {b[3] for b in boxes}))
    if len(xs) < 2 or len(ys) < 2:
        return None
    spans = set()
    for x0, top, x1, bottom in boxes:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 > c0 and r1 > r0:
            spans.add((r0, c0, r1 - r0, c1 - c0))
    return Grid(page_number, xs, ys, sorted(spans), kind)


def _index(bounds: list[float], value: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - value))


def _cell_box(grid: Grid, span: tuple[int, int, int, int]) -> BBox:
    r, c, rs, cs = span
    return (grid.xs[c], grid.ys[r], grid.xs[c + cs], grid.ys[r + rs])


def table_from_grid(page: Page, grid: Grid) -> Table | None:
    """The cells of ``grid`` with the page's characters in them; None when every cell is empty."""
    n_rows, n_cols = grid.shape
    slots: dict[tuple[int, int], list[Char]] = {}
    x0, top, x1, bottom = grid.bbox
    for ch in page.chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        if not (x0 <= cx <= x1 and top <= cy <= bottom):
            continue
        col = min(max(bisect.bisect_right(grid.xs, cx) - 1, 0), n_cols - 1)
        row = min(max(bisect.bisect_right(grid.ys, cy) - 1, 0), n_rows - 1)
        slots.setdefault((row, col), []).append(ch)
    cells = []
    for span in grid.spans:
        r, c, rs, cs = span
        chars = [ch for rr in range(r, r + rs) for cc in range(c, c + cs) for ch in slots.get((rr, cc), [])]
        text = join_fragments([ln.text for ln in build_lines(chars, page.number)])
        box = _cell_box(grid, span)
        read_by_ocr = page.source == "ocr" or any(ch.source == "ocr" for ch in chars) \
            or any(within(box, picture) for picture in page.pictures)  # an empty cell of a picture: OCR found nothing
        cells.append(Cell(r, c, rs, cs, text, page.number, box, "ocr" if read_by_ocr else "text", mean_confidence(chars)))
    if not any(cell.text for cell in cells):
        return None
    source = "ocr" if page.source == "ocr" or any(cell.source == "ocr" for cell in cells) else page.source
    table = Table("", "", [page.number], grid.kind, n_rows, n_cols, cells, grid.bbox, crosscheck=grid.crosscheck,
                  source=source)
    table.header_rows = _header_rows(table)
    return table


def _header_rows(table: Table) -> int:
    """Leading rows without any numeric cell (at most 4); 1 when no row has numbers."""
    grid = table.grid()
    for i, row in enumerate(grid[:5]):
        if any(NUMERIC.match(t.replace(" ", "")) for t in row if t and i > 0):
            return max(1, i)
    return 1
