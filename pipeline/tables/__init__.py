"""Stage 3: every table on every page.

Each way of finding a table's grid is a ``GridStrategy`` (strategy.py): ``grids(page, found, context)``
gives the grids it finds beside ``found``, those of the strategies before it, from what the page's
``PageContext`` holds (settings, camelot's grids of the page, its rules, whether a page follows).
``STRATEGIES`` runs them on every page, in this order:

* Fully ruled tables (lattice.py): camelot lattice gives the grid and merged
  regions (camelot runs over the document's pages beforehand); pdfplumber's line-based
  finder runs on the same page and the two are cross-checked (a table only one of them
  sees is kept and marked).
* Tables drawn with horizontal rules only (三线表, open_rules.py): rows from the
  rules and the text lines between them (text_rows.py), columns from the gaps in the text;
  rules inside the grids found before are not theirs.
* Tables without any rules (text_tables.py), found from a header row of 序号 / 指标 / 单位 /
  year words, rows and columns as in a 三线表 body, outside the grids found before.

Then:

* Boxed text (case-study boxes, frames.py: filled, outlined with rules on three or four sides,
  or a band between a rule above and a rule below, also over a page break) is returned as frames,
  never as tables.
* Captions and ids (captions.py); a table continued at the top of the next page
  with the same columns is joined to its start, a repeated header row dropped
  (continuations.py).

Cell text always comes from the cleaned characters of the page stage (grid.py).
"""

from __future__ import annotations

from ..config import TableSettings
from ..geometry import within
from ..limits import Budget
from ..records import Document, Frame, Issue, Page, Segment, Table, Tables, said
from .captions import CAPTION, assign_ids, caption
from .continuations import join_continuations
from .frames import SIDE_TOLERANCE as SIDE
from .frames import band_frames, continued_bands, distinct_frames, filled_frames, frame_kind, is_frame, open_boxes, page_furniture
from .grid import Grid, table_from_grid
from .lattice import Lattice, camelot_grids, has_lattice
from .open_rules import OpenRules, rule_groups, table_rules
from .strategy import GridStrategy, PageContext
from .text_tables import TextTables, may_hold_header

__all__ = ["CAPTION", "STRATEGIES", "GridStrategy", "PageContext", "extract_tables", "has_lattice"]
STAGE = "tables"

STRATEGIES: tuple[GridStrategy, ...] = (Lattice(), OpenRules(), TextTables())


def extract_tables(doc: Document, settings: TableSettings, budget: Budget | None = None, cores: int = 1) -> Tables:
    """``cores``: processes camelot's calls may be split over (a lone report's spare cores)."""
    issues: list[Issue] = []
    budget = budget or Budget(path=str(doc.path))
    candidates = [p for p in doc.pages if _is_candidate(p, settings) and not _too_dense(p, settings, issues)]
    budget.check(STAGE)
    lattice = camelot_grids(doc, candidates, settings, issues, budget, cores)
    tables: list[Table] = []
    frames: list[Frame] = []
    lone_rules: dict[int, list[Segment]] = {}
    grids: dict[int, list[Grid]] = {}
    for page in candidates:
        budget.check(STAGE, page.number)
        page_tables, page_frames, lone_rules[page.number], grids[page.number] = _page_tables(
            page, lattice, settings, page.number < len(doc.pages))
        tables += page_tables
        frames += page_frames
    for page in doc.pages:  # a band running on over a page break may have a single rule on a page
        if page.number not in lone_rules and page.rules:
            free = [s for s in table_rules(page, settings) if not page_furniture(s, page)]
            lone_rules[page.number] = [g[0] for g in rule_groups(page, free, [], split_at_running=False) if len(g) == 1]
    frames += continued_bands(doc.pages, lone_rules, grids)
    for table in tables:
        table.caption = caption(doc.pages[table.pages[0] - 1], table.bbox, settings)
    tables = join_continuations(tables, doc, settings)
    assign_ids(tables, doc)
    for t in tables:
        if t.crosscheck.startswith("disagree") or "only" in t.crosscheck:
            issues.append(said(STAGE, "tables.crosscheck", t.pages[0], table=t.table_id, crosscheck=t.crosscheck))
    return Tables(tables=tables, frames=frames, issues=issues)


def _page_tables(page: Page, lattice: dict[int, list[Grid]], settings: TableSettings, page_follows: bool = False
                 ) -> tuple[list[Table], list[Frame], list[Segment], list[Grid]]:
    """The tables and frames of one page, its lone rules (a band running on over a page break has one
    on each page) and the grids found. ``page_follows``: another page comes after it (a table may go on)."""
    rules = table_rules(page, settings)
    context = PageContext(settings, lattice.get(page.number), rules, page_follows)
    page_grids: list[Grid] = []
    for strategy in STRATEGIES:
        page_grids += strategy.grids(page, page_grids, context)
    tables, frames = [], []
    for grid in page_grids:
        table = table_from_grid(page, grid)
        if is_frame(table):
            frames.append(Frame(page.number, grid.bbox, frame_kind(page, grid.bbox)))
        elif grid.shape[1] > 1 or not grid.crosscheck.startswith("pdfplumber only"):
            tables.append(table)  # (a single column seen by pdfplumber alone is underlining, not a table)
    frames += filled_frames(page, page_grids)
    frames += open_boxes(page, rules, page_grids)
    taken = [g.bbox for g in page_grids] + [f.bbox for f in frames]
    free = [s for s in rules if not any(within(s.bbox, box, SIDE) for box in taken) and not page_furniture(s, page)]
    groups = rule_groups(page, free, [], split_at_running=False)
    frames += band_frames(page, groups, rules, page_grids)
    lone = [g[0] for g in groups if len(g) == 1]
    return tables, distinct_frames(frames), lone, page_grids


def _is_candidate(page: Page, settings: TableSettings) -> bool:
    if len(page.rules) >= settings.min_rules:
        return True
    return any(CAPTION.match(ln.text) and len(ln.text) < 60 for ln in page.lines) or may_hold_header(page)


def _too_dense(page: Page, settings: TableSettings, issues: list[Issue]) -> bool:
    """A grid of rules too dense to be a table (a glyph chart, a hatch pattern): the cell finders would
    take minutes on it, so the page is not searched and a warning says so. The grid's size is its
    distinct rule positions: rows times columns."""
    rows = {round(s.top) for s in page.rules if s.horizontal}
    columns = {round(s.x0) for s in page.rules if not s.horizontal}
    crossings = len(rows) * len(columns)
    if crossings <= settings.max_rule_crossings:
        return False
    issues.append(said(STAGE, "tables.grid", page.number, "missing", rows=len(rows), columns=len(columns)))
    return True
