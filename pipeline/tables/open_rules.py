"""Tables drawn with horizontal rules only (三线表): rows from the rules and the text lines between them."""

from __future__ import annotations

from ..config import TableSettings
from ..lines import build_lines
from ..records import BBox, Char, Page
from ..rules import snap
from .grid import Grid, char_in, inside_bbox


def open_rule_grids(page: Page, ruled: list[Grid], settings: TableSettings) -> list[Grid]:
    """Tables bounded by horizontal rules without vertical ones."""
    verticals = [s for s in page.rules if not s.horizontal]
    free = [
        s for s in page.rules
        if s.horizontal and s.x1 - s.x0 > 60 and not any(inside_bbox(s, g.bbox) for g in ruled)
        and not any(inside_bbox(s, box, margin=3) for box in page.filled)
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


def _open_grid(page: Page, region: BBox, rule_tops: list[float]) -> Grid | None:
    chars = [c for c in page.chars if c.text.strip() and char_in(c, region)]
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
