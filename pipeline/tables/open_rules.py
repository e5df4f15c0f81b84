"""Tables drawn with horizontal rules only (三线表): a top rule, one under the header, a bottom rule (and
sometimes rules between groups of rows). Browsers and WPS draw each rule as one segment per cell: the
rules are merged first. The header band is one row; the rows of the other bands come from their text
lines (text_rows.py); columns from the vertical gaps no character crosses."""

from __future__ import annotations

from ..config import TableSettings
from ..geometry import centre_inside, within
from ..pages.rules import merge_rules
from ..records import BBox, Char, Line, Page, Segment
from .captions import CAPTION
from .grid import Grid
from .strategy import GridStrategy, PageContext
from .text_rows import band_layout

# A rule shorter than this (points) is underlining or a tick, not the edge of a table.
MIN_RULE_LENGTH = 60.0
# The rules of one table cover at least this share of its widest rule, and share an end with it (points).
EXTENT_SHARE = 0.75
END_TOLERANCE = 5.0
# Columns stand apart by a gap this many type sizes wide that no character crosses (a word space is
# about a third of one).
COLUMN_GAP = 0.6
# A line this wide (share of the rules) and this long between two rules is running text, not a table row.
RUNNING_SHARE = 0.95
RUNNING_CHARS = 25


def table_rules(page: Page, settings: TableSettings) -> list[Segment]:
    """The page's rules as a reader sees them: per-cell pieces, double rules and thin bars merged, and
    underlining (a rule just under a line of text, no wider than it) left out."""
    tol = settings.snap_tolerance
    return [s for s in merge_rules(page.rules, tol, tol, 2 * tol) if not _underline(s, page)]


def _running(line: Line, width: float) -> bool:
    """A line of running text across the rules: wide, long, words rather than figures, and without the
    wide gaps of a row of cells."""
    digits = sum(ch.isdigit() for ch in line.text)
    return (line.bbox[2] - line.bbox[0] >= RUNNING_SHARE * width and len(line.text) >= RUNNING_CHARS
            and digits <= 0.1 * len(line.text) and _widest_gap(line) <= line.size)


def _underline(rule: Segment, page: Page) -> bool:
    """A rule just under a line of running text (no wide gaps: not a row of column labels), no wider."""
    return rule.horizontal and any(
        -2.0 <= rule.top - ln.bottom <= 3.0 and ln.bbox[0] - ln.size <= rule.x0 and rule.x1 <= ln.bbox[2] + ln.size
        and _widest_gap(ln) <= 1.5 * ln.size
        for ln in page.lines
    )


def _widest_gap(line: Line) -> float:
    boxes = [b for b in line.boxes if b is not None]
    return max((b[0] - a[2] for a, b in zip(boxes, boxes[1:])), default=0.0)


class OpenRules(GridStrategy):
    """For each group of rules outside the grids found, its table when the rules bound one without vertical
    rules. A table cut after its header may go on on the next page (``context.page_follows``)."""
    name = "open_rules"

    def grids(self, page: Page, found: list[Grid], context: PageContext) -> list[Grid]:
        verticals = [s for s in context.rules if not s.horizontal]
        grids = [_group_grid(page, group, verticals, context) for group in rule_groups(page, context.rules, found)]
        return [g for g in grids if g]


def _group_grid(page: Page, group: list[Segment], verticals: list[Segment], context: PageContext) -> Grid | None:
    region = (min(s.x0 for s in group), group[0].top, max(s.x1 for s in group), group[-1].top)
    tops = [s.top for s in group]
    bottom = _cut_at_page_end(page, group) if len(group) == 2 and context.page_follows else None
    if bottom is not None:  # the rest of the table, and its bottom rule, are on the next page
        region, tops = region[:3] + (bottom,), tops + [bottom]
    if len(tops) < context.settings.min_open_rules or any(
        region[0] + 3 < v.x0 < region[2] - 3 and v.top < region[3] and v.bottom > region[1] for v in verticals
    ):
        return None  # too few rules, or vertical rules inside: a lattice table or a figure
    return _open_grid(page, region, tops)


def _cut_at_page_end(page: Page, group: list[Segment]) -> float | None:
    """Where a 三线表 that a page break cuts after its header ends on this page: a top rule and a rule
    under a header band of a line or two, then rows (no running text, no caption, nothing beside them)
    down to the end of the page's text. None when the page does not end that way."""
    top, header = group[0].top, group[1].top
    x0, x1 = min(s.x0 for s in group), max(s.x1 for s in group)
    lines_above = [ln for ln in page.lines if top < (ln.top + ln.bottom) / 2 < header]
    below = [ln for ln in page.lines if (ln.top + ln.bottom) / 2 > header]
    if not lines_above or len(below) < 2:
        return None
    size = max(ln.size for ln in lines_above)
    labels = sum(len([w for w in ln.text.split() if w]) for ln in lines_above)
    if header - top > 4 * size or labels < 2:  # a header names two columns or more
        return None
    if any(not x0 - 1 <= (ln.bbox[0] + ln.bbox[2]) / 2 <= x1 + 1 or _running(ln, x1 - x0) or CAPTION.match(ln.text)
           for ln in below):
        return None
    return max(ln.bottom for ln in below) + 1


def rule_groups(page: Page, rules: list[Segment], ruled: list[Grid], split_at_running: bool = True) -> list[list[Segment]]:
    """Horizontal rules of one extent, top to bottom, outside the lattice tables and filled boxes of the
    page, split where a caption or running text stands between two of them (two tables one above the
    other). One extent: each rule shares an end with the widest and covers most of it (a rule under a
    cell merged over rows is missing where that cell is)."""
    free = [
        s for s in rules
        if s.horizontal and s.x1 - s.x0 > MIN_RULE_LENGTH and not any(within(s.bbox, g.bbox) for g in ruled)
        and not any(within(s.bbox, box, 3) for box in page.filled)
    ]
    groups: list[list[Segment]] = []
    for seg in sorted(free, key=lambda s: (-(s.x1 - s.x0), s.top)):
        for group in groups:
            widest = group[0]
            inside = widest.x0 - END_TOLERANCE <= seg.x0 and seg.x1 <= widest.x1 + END_TOLERANCE
            one_end = abs(seg.x0 - widest.x0) <= END_TOLERANCE or abs(seg.x1 - widest.x1) <= END_TOLERANCE
            if inside and one_end and seg.x1 - seg.x0 >= EXTENT_SHARE * (widest.x1 - widest.x0):
                group.append(seg)
                break
        else:
            groups.append([seg])
    return [part for g in groups
            for part in _split_at_text(page, _dedupe_rules(sorted(g, key=lambda s: s.top)), split_at_running)]


def _split_at_text(page: Page, group: list[Segment], at_running: bool) -> list[list[Segment]]:
    """Split at a caption between two rules, and (for tables, not for bands of running text) at running text."""
    parts = [[group[0]]]
    for upper, lower in zip(group, group[1:]):
        width = max(upper.x1 - upper.x0, lower.x1 - lower.x0)
        x0, x1 = min(upper.x0, lower.x0), max(upper.x1, lower.x1)
        between = [ln for ln in page.lines if upper.top < (ln.top + ln.bottom) / 2 < lower.top
                   and x0 <= (ln.bbox[0] + ln.bbox[2]) / 2 <= x1]
        if any(CAPTION.match(ln.text) and len(ln.text) < 60 for ln in between) or at_running and any(
            _running(ln, width) for ln in between
        ):
            parts.append([lower])
        else:
            parts[-1].append(lower)
    return parts


def _dedupe_rules(rules: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for r in rules:
        if not out or r.top - out[-1].top > 2:
            out.append(r)
    return out


def _open_grid(page: Page, region: BBox, rule_tops: list[float]) -> Grid | None:
    chars = [c for c in page.chars if c.text.strip() and centre_inside(c.bbox, region)]
    if not chars:
        return None
    xs = column_bounds(chars, region)
    if len(xs) < 3:
        return None
    n_cols = len(xs) - 1
    ys = [rule_tops[0]]
    spans = []
    for i, (upper, lower) in enumerate(zip(rule_tops, rule_tops[1:])):
        band = [c for c in chars if upper <= (c.top + c.bottom) / 2 <= lower]
        if i == 0:  # the header: one row however many lines it wraps to
            band_ys, cells = [upper, lower], [(0, c, 1, 1) for c in range(n_cols)]
        else:
            band_ys, cells = band_layout(band, xs, upper, lower, page.number)
        offset = len(ys) - 1
        spans += [(r + offset, c, rs, cs) for r, c, rs, cs in cells]
        ys += band_ys[1:]
    if len(ys) < 3:
        return None
    return Grid(page.number, xs, ys, sorted(spans), "rules")


def column_bounds(chars: list[Char], region: BBox) -> list[float]:
    """Column boundaries at vertical gaps that no character crosses."""
    size = sorted(c.size for c in chars)[len(chars) // 2]
    spans = sorted((c.x0, c.x1) for c in chars)
    bounds = [region[0]]
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach > COLUMN_GAP * size:
            bounds.append((reach + x0) / 2)
        reach = max(reach, x1)
    bounds.append(region[2])
    return bounds
