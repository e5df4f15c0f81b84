"""Fully ruled tables: camelot's lattice grids, cross-checked with pdfplumber's line-based finder."""

from __future__ import annotations

import logging
import warnings

from ..config import TableSettings
from ..forked import beside
from ..geometry import overlap, within
from ..limits import Budget, LimitExceeded
from ..pages.rules import ruled_cells, snapper
from ..records import Document, Issue, Page, said
from .grid import Grid, grid_from_cells
from .strategy import GridStrategy, PageContext

STAGE = "tables"


def camelot_grids(doc: Document, pages: list[Page], settings: TableSettings, issues: list[Issue],
                  budget: Budget, cores: int = 1) -> dict[int, list[Grid]]:
    """camelot's lattice grids of the pages whose rules cross like a table's, a few pages per call; with
    ``cores`` of two or more, the pages are split in shares, each but the first read in a forked process.

    camelot's layout analysis is compiled code that a time limit cannot interrupt,
    so pages with more characters than ``camelot_max_chars`` are left to
    pdfplumber's finder, and the budget is checked between calls.
    """
    # camelot reads strokes from the file: an OCRed page has none (its rules come from the image).
    # A lone box (a case-study frame) is left to pdfplumber's finder, which sees it as well.
    ruled = [p for p in pages if p.source != "ocr" and has_lattice(p, settings.snap_tolerance)]
    crowded = [p for p in ruled if len(p.chars) > settings.camelot_max_chars]
    for p in crowded:
        issues.append(said(STAGE, "tables.crowded", p.number, count=len(p.chars)))
    ruled = [p for p in ruled if len(p.chars) <= settings.camelot_max_chars]
    if not ruled:
        return {}
    logging.getLogger("camelot").setLevel(logging.ERROR)
    shares = _shares(ruled, cores)
    # the other shares in forked processes (a lone report's spare cores), the first one here
    pending = [beside.start(_grids_of, doc, share, settings, budget) for share in shares[1:]]
    try:
        out, found_issues = _grids_of(doc, shares[0], settings, budget)
        for other in pending:
            grids, other_issues = other.join()
            out.update(grids)
            found_issues += other_issues
    finally:
        for other in pending:
            other.cancel()
    issues += found_issues
    return dict(sorted(out.items()))


def _shares(pages: list[Page], workers: int) -> list[list[Page]]:
    """The pages in consecutive shares, one per process (a share is read in camelot's calls)."""
    count = max(1, min(workers, len(pages)))
    size = -(-len(pages) // count)
    return [pages[start:start + size] for start in range(0, len(pages), size)]


def _grids_of(doc: Document, pages: list[Page], settings: TableSettings, budget: Budget
              ) -> tuple[dict[int, list[Grid]], list[Issue]]:
    """camelot's grids of ``pages``, a few pages per call, and the issues of its failures."""
    out: dict[int, list[Grid]] = {}
    issues: list[Issue] = []
    step = max(1, settings.camelot_pages_per_call)
    for start in range(0, len(pages), step):
        chunk = pages[start:start + step]
        budget.check(STAGE, chunk[0].number)
        height = {p.number: p.height for p in chunk}
        for number, found in _camelot_tables(doc, [p.number for p in chunk], settings, issues).items():
            out[number] = [g for g in (_grid_from_camelot(t, number, height[number]) for t in found) if g]
    return out, issues


def _camelot_tables(doc: Document, page_numbers: list[int], settings: TableSettings, issues: list[Issue]) -> dict[int, list]:
    """camelot's tables of each page it could read. A failing call is tried again page by page, so one
    damaged page costs only itself; a page camelot fails on is left out (pdfplumber still runs there)."""
    import camelot  # imported lazily: it pulls in OpenCV

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = camelot.read_pdf(str(doc.readable_path), pages=",".join(map(str, page_numbers)),
                                     flavor="lattice", engine=settings.camelot_engine, password=doc.password)
    except LimitExceeded:
        raise
    except Exception as exc:  # camelot fails on some damaged files
        if len(page_numbers) > 1:
            return {n: t for number in page_numbers for n, t in _camelot_tables(doc, [number], settings, issues).items()}
        issues.append(said(STAGE, "tables.camelot_failed", page_numbers[0], error=f"{type(exc).__name__}: {exc}"))
        return {}
    tables: dict[int, list] = {n: [] for n in page_numbers}
    for table in found:
        tables[table.page].append(table)
    return tables


def has_lattice(page: Page, tolerance: float) -> bool:
    """More crossings of horizontal and vertical rules than the four corners of one box."""
    snap_x = snapper([c for s in page.rules for c in (s.x0, s.x1)], tolerance)
    snap_y = snapper([c for s in page.rules for c in (s.top, s.bottom)], tolerance)
    horizontals = {(snap_x(s.x0), snap_y(s.top), snap_x(s.x1)) for s in page.rules if s.horizontal}
    verticals = {(snap_x(s.x0), snap_y(s.top), snap_y(s.bottom)) for s in page.rules if not s.horizontal}
    if len(horizontals) * len(verticals) > 250_000:
        return True  # too many rules to pair up cheaply; camelot looks (its own limits apply)
    crossings: set[tuple[float, float]] = set()
    for x0, y, x1 in horizontals:
        for x, top, bottom in verticals:
            if x0 <= x <= x1 and top <= y <= bottom:
                crossings.add((x, y))
                if len(crossings) > 4:
                    return True
    return False


def _grid_from_camelot(table, page_number: int, height: float) -> Grid | None:
    cells = table.cells
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    if n_rows < 1 or n_cols < 1:
        return None
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not (cells[r][c].right or cells[r][c + 1].left):
                union(r * n_cols + c, r * n_cols + c + 1)
            if r + 1 < n_rows and not (cells[r][c].bottom or cells[r + 1][c].top):
                union(r * n_cols + c, (r + 1) * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    spans = []
    for members in groups.values():
        rows = [m[0] for m in members]
        cols = [m[1] for m in members]
        spans.append((min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1))
    xs = [cells[0][c].x1 for c in range(n_cols)] + [cells[0][-1].x2]
    ys = [height - cells[r][0].y2 for r in range(n_rows)] + [height - cells[-1][0].y1]
    return Grid(page_number, xs, ys, sorted(spans), "lattice")


def _plumber_grids(page: Page, settings: TableSettings) -> list[Grid]:
    tables = ruled_cells(page.rules, page.width, page.height, settings.snap_tolerance)
    return [g for g in (grid_from_cells(page.number, cells, "lattice") for cells in tables) if g]


class Lattice(GridStrategy):
    """camelot's grid is kept; pdfplumber's line finder confirms it or adds what camelot missed."""
    name = "lattice"

    def grids(self, page: Page, found: list[Grid], context: PageContext) -> list[Grid]:
        camelot, settings = context.camelot, context.settings
        plumber = _plumber_grids(page, settings) if (settings.cross_check or camelot is None) else []
        if camelot is None:
            for g in plumber:
                g.crosscheck = "pdfplumber only (camelot not run)"
            return plumber
        for grid in camelot:
            grid.crosscheck = _crosscheck(grid, plumber, settings)
        extra = [p for p in plumber if not any(overlap(p.bbox, g.bbox) > 0.5 for g in camelot)]
        for g in extra:
            pictured = any(within(g.bbox, box, 3.0) for box in page.pictures)
            g.crosscheck = "read from a picture by OCR" if pictured else "pdfplumber only: camelot found no table here"
        return camelot + extra


def _crosscheck(grid: Grid, plumber: list[Grid], settings: TableSettings) -> str:
    """What pdfplumber's grids of the page say of camelot's ``grid``."""
    twin = next((p for p in plumber if overlap(p.bbox, grid.bbox) > 0.8), None)
    if not settings.cross_check:
        return "not checked"
    if twin is None:
        return "camelot only: pdfplumber found no table here"
    if twin.shape == grid.shape:
        return f"agree {grid.shape[0]}x{grid.shape[1]}"
    return f"disagree: camelot {grid.shape[0]}x{grid.shape[1]}, pdfplumber {twin.shape[0]}x{twin.shape[1]}"
