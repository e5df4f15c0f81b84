"""Stage 3: every table on every page.

* Fully ruled tables: camelot lattice gives the grid and merged regions;
  pdfplumber's line-based finder runs on the same page and the two are
  cross-checked (a table only one of them sees is kept and marked).
* Tables drawn with horizontal rules only (三线表): rows from the rules and
  the text lines between them, columns from the gaps in the text.
* Single-cell boxed frames (case-study boxes) are returned as frames, not tables.
* A table continued at the top of the next page with the same columns is
  joined to its start; a repeated header row is dropped.

Cell text always comes from the cleaned characters of the page stage.
"""

from __future__ import annotations

import bisect
import logging
import re
import warnings
from dataclasses import dataclass

from .config import TableSettings
from .limits import Budget, LimitExceeded
from .lines import build_lines, mean_confidence
from .rules import ruled_cells, snap, snapper
from .records import BBox, Cell, Char, Document, Frame, Issue, Page, Table, Tables
from .text import join_fragments, squash

STAGE = "tables"
CAPTION = re.compile(r"^(?P<label>附表|图表|续表|表)\s*(?P<num>\d{1,3}|[一二三四五六七八九十]{1,3})?(?P<sub>[-－.]\d{1,2})?\s*[:：]?\s*(?P<title>.*)$")
APPENDIX_HEADING = re.compile(r"^附\s*表\s*(?P<num>\d{1,2})")
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


def extract_tables(doc: Document, settings: TableSettings, budget: Budget | None = None) -> Tables:
    issues: list[Issue] = []
    budget = budget or Budget(path=str(doc.path))
    candidates = [p for p in doc.pages if _is_candidate(p, settings) and not _too_dense(p, settings, issues)]
    budget.check(STAGE)
    camelot_grids = _camelot_grids(doc, candidates, settings, issues, budget)
    tables: list[Table] = []
    frames: list[Frame] = []
    for page in candidates:
        budget.check(STAGE, page.number)
        page_grids = _reconcile_finders(page, camelot_grids.get(page.number), settings)
        page_grids += _open_rule_grids(page, page_grids, settings)
        for grid in page_grids:
            table = _table_from_grid(page, grid)
            if _is_frame(table):
                frames.append(Frame(page.number, grid.bbox))
            elif grid.shape[1] > 1 or not grid.crosscheck.startswith("pdfplumber only"):
                tables.append(table)  # (a single column seen by pdfplumber alone is underlining, not a table)
        frames += _filled_frames(page, page_grids)
    for table in tables:
        table.caption = _caption(doc.pages[table.pages[0] - 1], table.bbox, settings)
    tables = _join_continuations(tables, doc, settings)
    _assign_ids(tables, doc)
    for t in tables:
        if t.crosscheck.startswith("disagree") or "only" in t.crosscheck:
            issues.append(Issue(STAGE, f"table {t.table_id}: {t.crosscheck}", t.pages[0]))
    return Tables(tables=tables, frames=frames, issues=issues)


# ---------------------------------------------------------------- candidates


def _is_candidate(page: Page, settings: TableSettings) -> bool:
    if len(page.rules) >= settings.min_rules:
        return True
    return any(CAPTION.match(ln.text) and len(ln.text) < 60 for ln in page.lines)


def _too_dense(page: Page, settings: TableSettings, issues: list[Issue]) -> bool:
    """A grid of rules too dense to be a table (a glyph chart, a hatch pattern): the cell finders would
    take minutes on it, so the page is not searched and a warning says so. The grid's size is its
    distinct rule positions: rows times columns."""
    rows = {round(s.top) for s in page.rules if s.horizontal}
    columns = {round(s.x0) for s in page.rules if not s.horizontal}
    crossings = len(rows) * len(columns)
    if crossings <= settings.max_rule_crossings:
        return False
    issues.append(Issue(STAGE, f"a grid of {len(rows)} x {len(columns)} ruling lines on the page: not searched for "
                               "tables (max_rule_crossings)", page.number, "missing"))
    return True


# ---------------------------------------------------------------- lattice grids


def _camelot_grids(doc: Document, pages: list[Page], settings: TableSettings, issues: list[Issue],
                   budget: Budget) -> dict[int, list[Grid]]:
    """camelot's lattice grids of the pages whose rules cross like a table's, a few pages per call.

    camelot's layout analysis is compiled code that a time limit cannot interrupt,
    so pages with more characters than ``camelot_max_chars`` are left to
    pdfplumber's finder, and the budget is checked between calls.
    """
    # camelot reads strokes from the file: an OCRed page has none (its rules come from the image).
    # A lone box (a case-study frame) is left to pdfplumber's finder, which sees it as well.
    ruled = [p for p in pages if p.source != "ocr" and _has_lattice(p, settings.snap_tolerance)]
    crowded = [p for p in ruled if len(p.chars) > settings.camelot_max_chars]
    for p in crowded:
        issues.append(Issue(STAGE, f"{len(p.chars)} characters on the page: camelot not run (camelot_max_chars), "
                                   "tables from pdfplumber's finder only", p.number))
    ruled = [p for p in ruled if len(p.chars) <= settings.camelot_max_chars]
    if not ruled:
        return {}
    out: dict[int, list[Grid]] = {}
    logging.getLogger("camelot").setLevel(logging.ERROR)
    step = max(1, settings.camelot_pages_per_call)
    for start in range(0, len(ruled), step):
        chunk = ruled[start:start + step]
        budget.check(STAGE, chunk[0].number)
        height = {p.number: p.height for p in chunk}
        for number, found in _camelot_tables(doc, [p.number for p in chunk], settings, issues).items():
            out[number] = [g for g in (_grid_from_camelot(t, number, height[number]) for t in found) if g]
    return out


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
        issues.append(Issue(STAGE, f"camelot lattice failed ({type(exc).__name__}: {exc}); using pdfplumber only",
                            page_numbers[0]))
        return {}
    tables: dict[int, list] = {n: [] for n in page_numbers}
    for table in found:
        tables[table.page].append(table)
    return tables


def _has_lattice(page: Page, tolerance: float) -> bool:
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
    return [g for g in (_grid_from_cells(page.number, cells, "lattice") for cells in tables) if g]


def _grid_from_cells(page_number: int, boxes: list[BBox], kind: str) -> Grid | None:
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


def _overlap(a: BBox, b: BBox) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / area if area > 0 else 0.0


def _reconcile_finders(page: Page, camelot: list[Grid] | None, settings: TableSettings) -> list[Grid]:
    """camelot's grid is kept; pdfplumber's line finder confirms it or adds what camelot missed."""
    plumber = _plumber_grids(page, settings) if (settings.cross_check or camelot is None) else []
    if camelot is None:
        for g in plumber:
            g.crosscheck = "pdfplumber only (camelot not run)"
        return plumber
    for grid in camelot:
        twin = next((p for p in plumber if _overlap(p.bbox, grid.bbox) > 0.8), None)
        if not settings.cross_check:
            grid.crosscheck = "not checked"
        elif twin is None:
            grid.crosscheck = "camelot only: pdfplumber found no table here"
        elif twin.shape == grid.shape:
            grid.crosscheck = f"agree {grid.shape[0]}x{grid.shape[1]}"
        else:
            grid.crosscheck = f"disagree: camelot {grid.shape[0]}x{grid.shape[1]}, pdfplumber {twin.shape[0]}x{twin.shape[1]}"
    extra = [p for p in plumber if not any(_overlap(p.bbox, g.bbox) > 0.5 for g in camelot)]
    for g in extra:
        g.crosscheck = "pdfplumber only: camelot found no table here"
    return camelot + extra


# ---------------------------------------------------------------- 三线表


def _open_rule_grids(page: Page, ruled: list[Grid], settings: TableSettings) -> list[Grid]:
    """Tables bounded by horizontal rules without vertical ones."""
    verticals = [s for s in page.rules if not s.horizontal]
    free = [
        s for s in page.rules
        if s.horizontal and s.x1 - s.x0 > 60 and not any(_inside_bbox(s, g.bbox) for g in ruled)
        and not any(_inside_bbox(s, box, margin=3) for box in page.filled)
    ]
    groups: list[list] = []
    for seg in sorted(free, key=lambda s: (round(s.x0), round(s.x1), s.top)):
        for group in groups:
            if abs(group[0].x0 - seg.x0) < 5 and abs(group[0].x1 - seg.x1) < 5:
                group.append(seg)
                break
        else:
            groups.append([seg])
    grids = []
    for group in groups:
        group = _dedupe_rules(sorted(group, key=lambda s: s.top))
        if len(group) < settings.min_open_rules:
            continue
        region = (group[0].x0, group[0].top, group[0].x1, group[-1].top)
        if any(v.x0 > region[0] + 3 and v.x0 < region[2] - 3 and v.top < region[3] and v.bottom > region[1] for v in verticals):
            continue  # vertical rules inside: a lattice table or a figure, not a 三线表
        grid = _open_grid(page, region, [s.top for s in group])
        if grid:
            grids.append(grid)
    return grids


def _dedupe_rules(rules: list) -> list:
    out = []
    for r in rules:
        if not out or r.top - out[-1].top > 2:
            out.append(r)
    return out


def _inside_bbox(seg, bbox: BBox, margin: float = 2.0) -> bool:
    return seg.x0 >= bbox[0] - margin and seg.x1 <= bbox[2] + margin and seg.top >= bbox[1] - margin and seg.bottom <= bbox[3] + margin


def _open_grid(page: Page, region: BBox, rule_tops: list[float]) -> Grid | None:
    chars = [c for c in page.chars if c.text.strip() and _char_in(c, region)]
    if not chars:
        return None
    ys = [rule_tops[0]]
    for upper, lower in zip(rule_tops, rule_tops[1:]):
        band = [c for c in chars if upper <= (c.top + c.bottom) / 2 <= lower]
        lines = build_lines(band, page.number)
        # The first band is the header: one row however many lines it wraps to.
        if upper != rule_tops[0] and len(lines) > 1:
            for prev, nxt in zip(lines, lines[1:]):
                if nxt.top - prev.bottom > -1 and abs(nxt.top - prev.top) > 2:
                    ys.append((prev.bottom + nxt.top) / 2)
        ys.append(lower)
    ys = snap(sorted(set(ys)))
    xs = _column_bounds(chars, region)
    if len(xs) < 3 or len(ys) < 3:
        return None
    spans = [(r, c, 1, 1) for r in range(len(ys) - 1) for c in range(len(xs) - 1)]
    return Grid(page.number, xs, ys, spans, "rules")


def _column_bounds(chars: list[Char], region: BBox) -> list[float]:
    """Column boundaries at vertical gaps that no character crosses."""
    size = sorted(c.size for c in chars)[len(chars) // 2]
    spans = sorted((c.x0, c.x1) for c in chars)
    bounds = [region[0]]
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach > 0.9 * size:
            bounds.append((reach + x0) / 2)
        reach = max(reach, x1)
    bounds.append(region[2])
    return bounds


def _char_in(c: Char, box: BBox) -> bool:
    cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


# ---------------------------------------------------------------- frames


def _is_frame(table: Table | None) -> bool:
    """A box with one block of text in it (case studies, notes), or an empty box."""
    return table is None or sum(1 for c in table.cells if c.text) <= 1


def _filled_frames(page: Page, grids: list[Grid]) -> list[Frame]:
    """Filled rectangles holding several text lines, outside any table (boxes drawn without rules)."""
    frames = []
    for box in page.filled:
        if any(_overlap(box, g.bbox) > 0.5 for g in grids):
            continue
        inside = [ln for ln in page.lines if _char_in(Char("", *ln.bbox, 0, False), box)]
        if len(inside) >= 2 and box[2] - box[0] > page.width * 0.4:
            frames.append(Frame(page.number, box))
    return frames


# ---------------------------------------------------------------- cell text


def _cell_box(grid: Grid, span: tuple[int, int, int, int]) -> BBox:
    r, c, rs, cs = span
    return (grid.xs[c], grid.ys[r], grid.xs[c + cs], grid.ys[r + rs])


def _table_from_grid(page: Page, grid: Grid) -> Table | None:
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
        source = "ocr" if page.source == "ocr" else "text"
        cells.append(Cell(r, c, rs, cs, text, page.number, _cell_box(grid, span), source, mean_confidence(chars)))
    if not any(cell.text for cell in cells):
        return None
    table = Table("", "", [page.number], grid.kind, n_rows, n_cols, cells, grid.bbox, crosscheck=grid.crosscheck,
                  source=page.source)
    table.header_rows = _header_rows(table)
    return table


def _header_rows(table: Table) -> int:
    """Leading rows without any numeric cell (at most 4); 1 when no row has numbers."""
    grid = table.grid()
    for i, row in enumerate(grid[:5]):
        if any(NUMERIC.match(t.replace(" ", "")) for t in row if t and i > 0):
            return max(1, i)
    return 1


# ---------------------------------------------------------------- captions and ids


def _caption(page: Page, bbox: BBox, settings: TableSettings) -> str:
    above = [ln for ln in page.lines if ln.bottom <= bbox[1] + 1 and bbox[1] - ln.bottom <= settings.caption_distance
             and ln.bbox[2] > bbox[0] and ln.bbox[0] < bbox[2]]
    for ln in sorted(above, key=lambda x: -x.bottom):
        if CAPTION.match(ln.text) and len(ln.text) < 60:
            return ln.text
    for ln in sorted(above, key=lambda x: -x.bottom)[:4]:
        if ln.text.rstrip().endswith("表") and len(ln.text) < 40:
            return ln.text
    below = [ln for ln in page.lines if ln.top >= bbox[3] - 1 and ln.top - bbox[3] <= settings.caption_distance / 2]
    for ln in sorted(below, key=lambda x: x.top)[:1]:
        m = CAPTION.match(ln.text)
        if m and m.group("label") != "续表" and len(ln.text) < 60:
            return ln.text
    return ""


def _caption_id(caption: str, page: Page, bbox: BBox) -> str:
    m = CAPTION.match(caption)
    if not m or not m.group("num"):
        return ""
    label, num = m.group("label"), m.group("num")
    if label == "续表":
        return ""
    if label == "表":
        for ln in page.lines:
            h = APPENDIX_HEADING.match(ln.text)
            if h and h.group("num") == num and ln.bottom <= bbox[1]:
                return "附表" + num
    return label + num + (m.group("sub") or "").replace("－", "-").replace(".", "-")


def _assign_ids(tables: list[Table], doc: Document) -> None:
    used: set[str] = set()
    unnamed = 0
    for t in tables:
        tid = _caption_id(t.caption, doc.pages[t.pages[0] - 1], t.bbox)
        if not tid or tid in used:
            unnamed += 1
            tid = f"T{unnamed}" if not tid else f"{tid}-{unnamed}"
        used.add(tid)
        t.table_id = tid


# ---------------------------------------------------------------- continuations


def _join_continuations(tables: list[Table], doc: Document, settings: TableSettings) -> list[Table]:
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
