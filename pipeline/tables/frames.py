"""Boxed text blocks (case-study boxes, notes): frames, never tables.

A frame's kind says how it is drawn:

* "filled": a rectangle object holds it (a tinted background; the page stage hands rectangles over
  without their paint, so an outlined rectangle object counts here too);
* "box": its outline is drawn as rules: four sides, or three when it runs on over a page break (a
  browser draws no bottom under the first part and no top over the rest);
* "band": a rule above and a rule below of one extent and nothing but lines of text between them; a
  band that runs on over a page break is a rule with text down to the foot of one page and a rule of
  the same extent under the text at the head of the next.
"""

from __future__ import annotations

from statistics import median

from ..geometry import centre_inside, overlap
from ..records import BBox, Frame, Line, Page, Segment, Table
from .captions import CAPTION
from .grid import Grid

# A frame is at least this share of the page wide.
MIN_WIDTH_SHARE = 0.4
# At least this share of a frame's lines are running text (lines over most of its width).
RUNNING_SHARE = 0.5
# An open box's sides are at least this tall (points: two lines of text), and a page with more such
# vertical rules than MAX_SIDES holds a chart or a grid, not boxes.
MIN_SIDE = 24.0
MAX_SIDES = 200
# A running header's (footer's) rule stands in this share of the page height from its top (bottom).
FURNITURE_SHARE = 0.12
# Coordinates of a frame's sides agree within this (points).
SIDE_TOLERANCE = 3.0


def is_frame(table: Table | None) -> bool:
    """A box with one block of text in it (case studies, notes), or an empty box."""
    return table is None or sum(1 for c in table.cells if c.text) <= 1


def frame_kind(page: Page, bbox: BBox) -> str:
    """How a closed frame is drawn. Rectangle objects of the box's size: one is a fill (an outlined
    rectangle object reads the same: the page stage keeps no paint); two nested ones are a border
    painted as a ring, a band when the ring has no thickness at the sides. None: rules, a box."""
    rects = [r for r in page.filled if all(abs(a - b) <= SIDE_TOLERANCE for a, b in zip(r, bbox))]
    outer = (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects)) if rects else None
    inner = [r for r in rects if r != outer]
    if not rects:
        return "box"
    if not inner or outer not in rects:
        return "filled"
    ring = (max(r[0] for r in inner), max(r[1] for r in inner), min(r[2] for r in inner), min(r[3] for r in inner))
    sides = max(ring[0] - outer[0], outer[2] - ring[2])
    return "band" if sides < 0.3 and max(ring[1] - outer[1], outer[3] - ring[3]) >= 0.3 else "box"


def distinct_frames(frames: list[Frame]) -> list[Frame]:
    """One frame per box: a box drawn twice (a fill and an outline, a ring's two edges) is found twice."""
    out: list[Frame] = []
    for f in frames:
        if not any(o.page == f.page and overlap(o.bbox, f.bbox) > 0.9 and _similar(o.bbox, f.bbox) for o in out):
            out.append(f)
    return out


def _similar(a: BBox, b: BBox) -> bool:
    return all(abs(x - y) <= 2 * SIDE_TOLERANCE for x, y in zip(a, b))


def filled_frames(page: Page, grids: list[Grid]) -> list[Frame]:
    """Rectangles holding several text lines, outside any table (boxes drawn without rules)."""
    frames = []
    for box in page.filled:
        if any(overlap(box, g.bbox) > 0.5 for g in grids):
            continue
        if len(_lines_in(page, box)) >= 2 and box[2] - box[0] > page.width * MIN_WIDTH_SHARE:
            frames.append(Frame(page.number, box, frame_kind(page, box)))
    return frames


def band_frames(page: Page, groups: list[list[Segment]], rules: list[Segment], grids: list[Grid]) -> list[Frame]:
    """Text between the first and the last of a group of rules of one extent that is no table (else
    between two rules of it that follow each other): two or more lines in one column, most of them
    running text, no vertical rule between."""
    verticals = [s for s in rules if not s.horizontal]
    frames = []
    for group in groups:
        if len(group) < 2:
            continue
        candidates = [(group[0], group[-1])] + (list(zip(group, group[1:])) if len(group) > 2 else [])
        for i, (upper, lower) in enumerate(candidates):
            box = (min(upper.x0, lower.x0), upper.top, max(upper.x1, lower.x1), lower.top)
            crossed = any(box[0] + SIDE_TOLERANCE < v.x0 < box[2] - SIDE_TOLERANCE and v.top < box[3] and v.bottom > box[1]
                          for v in verticals)
            if not crossed and _text_block(page, box, grids):
                frames.append(Frame(page.number, box, "band"))
                if i == 0:
                    break  # the whole group is one band
    return frames


def page_furniture(rule: Segment, page: Page) -> bool:
    """A rule under a running header or over a running footer: at the top (bottom) of the page with
    nothing but a line or two of smaller type beyond it (on a one-page document the page stage cannot
    tell it repeats). Not a rule under a caption (a table may open the page)."""
    if not rule.horizontal or not page.lines:
        return False
    body = median(ln.size for ln in page.lines)
    above = [ln for ln in page.lines if ln.bottom <= rule.top + 1]
    below = [ln for ln in page.lines if ln.top >= rule.top - 1]
    for beyond, near_edge in ((above, rule.top < page.height * FURNITURE_SHARE),
                              (below, rule.top > page.height * (1 - FURNITURE_SHARE))):
        if near_edge and 0 < len(beyond) <= 2 and all(ln.size < body and not CAPTION.match(ln.text) for ln in beyond):
            return True
    return False


def open_boxes(page: Page, rules: list[Segment], grids: list[Grid]) -> list[Frame]:
    """Boxes with three sides: two vertical rules of one extent joined by a rule at their top (the box
    runs on to the next page) or at their bottom (it ran on from the previous page)."""
    verticals = [s for s in rules if not s.horizontal]
    sides = [v for v in verticals if v.bottom - v.top >= MIN_SIDE]
    horizontals = [s for s in rules if s.horizontal]
    if len(sides) > MAX_SIDES:
        return []  # a chart or a pattern, not a box (and pairing them up would take long)
    frames = []
    for i, left in enumerate(sides):
        for right in sides[i + 1:]:
            if right.x0 < left.x0:
                left, right = right, left
            if right.x0 - left.x0 < page.width * MIN_WIDTH_SHARE or not _near(left.top, right.top) or not _near(left.bottom, right.bottom):
                continue
            joins = [h.top for h in horizontals if _near(h.x0, left.x0) and _near(h.x1, right.x0)]
            top, bottom = min(left.top, right.top), max(left.bottom, right.bottom)
            closed_top, closed_bottom = any(_near(y, top) for y in joins), any(_near(y, bottom) for y in joins)
            if closed_top == closed_bottom:
                continue  # a closed box (the grid finders see it) or two loose rules
            box = (left.x0, top, right.x0, bottom)
            inner = [v for v in verticals
                     if left.x0 + SIDE_TOLERANCE < v.x0 < right.x0 - SIDE_TOLERANCE and v.top < bottom and v.bottom > top]
            if not inner and _text_block(page, box, grids):
                frames.append(Frame(page.number, box, "box"))
    return frames


def continued_bands(pages: list[Page], lone_rules: dict[int, list[Segment]], grids: dict[int, list[Grid]]) -> list[Frame]:
    """Bands over a page break: a lone rule with text under it down to where the text of a page ends, and
    a lone rule of the same extent under the text that opens the next page (not at the same height: a
    rule under every page's title is page furniture)."""
    foot = median(max(ln.bottom for ln in p.lines) for p in pages if p.lines) if any(p.lines for p in pages) else 0.0
    head = median(min(ln.top for ln in p.lines) for p in pages if p.lines) if any(p.lines for p in pages) else 0.0
    frames = []
    for page, nxt in zip(pages, pages[1:]):
        if nxt.number != page.number + 1 or not page.lines or not nxt.lines:
            continue
        page_foot = max(ln.bottom for ln in page.lines)
        next_head = min(ln.top for ln in nxt.lines)
        size = median(ln.size for ln in page.lines)
        if page_foot < foot - 2 * size or next_head > head + 2 * size:
            continue  # the text stops short of the foot of the page, or the next page opens lower: no run-on
        for upper in lone_rules.get(page.number, []):
            first = (upper.x0, upper.top, upper.x1, page_foot + 1)
            for lower in lone_rules.get(nxt.number, []):
                rest = (lower.x0, next_head - 1, lower.x1, lower.top)
                if (_near(upper.x0, lower.x0) and _near(upper.x1, lower.x1) and not _near(upper.top, lower.top)
                        and _text_block(page, first, grids.get(page.number, []), min_lines=1)
                        and _text_block(nxt, rest, grids.get(nxt.number, []), min_lines=1)
                        and len(_lines_in(page, first)) + len(_lines_in(nxt, rest)) >= 2):
                    frames += [Frame(page.number, first, "band"), Frame(nxt.number, rest, "band")]
    return frames


def _text_block(page: Page, box: BBox, grids: list[Grid], min_lines: int = 2) -> bool:
    if box[2] - box[0] < page.width * MIN_WIDTH_SHARE or any(overlap(box, g.bbox) > 0.5 for g in grids):
        return False
    lines = _lines_in(page, box)
    if len(lines) < min_lines:
        return False
    width = box[2] - box[0]
    running = [ln for ln in lines if ln.bbox[2] - ln.bbox[0] >= 0.6 * width]
    return len(running) >= RUNNING_SHARE * len(lines) and not _columns(page, box)


def _columns(page: Page, box: BBox) -> bool:
    """Text set in two or more columns: a vertical gap wider than two characters that no line crosses."""
    chars = [c for c in page.chars if c.text.strip() and centre_inside(c.bbox, box)]
    if not chars:
        return False
    size = sorted(c.size for c in chars)[len(chars) // 2]
    reach = None
    for x0, x1 in sorted((c.x0, c.x1) for c in chars):
        if reach is not None and x0 - reach > 2 * size:
            return True
        reach = x1 if reach is None else max(reach, x1)
    return False


def _lines_in(page: Page, box: BBox) -> list[Line]:
    return [ln for ln in page.lines if centre_inside(ln.bbox, box)]


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= SIDE_TOLERANCE
