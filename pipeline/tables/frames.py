"""Boxed or filled text blocks (case-study boxes, notes): frames, never tables."""

from __future__ import annotations

from ..records import Char, Frame, Page, Table
from .grid import Grid, char_in, overlap


def is_frame(table: Table | None) -> bool:
    """A box with one block of text in it (case studies, notes), or an empty box."""
    return table is None or sum(1 for c in table.cells if c.text) <= 1


def filled_frames(page: Page, grids: list[Grid]) -> list[Frame]:
    """Filled rectangles holding several text lines, outside any table (boxes drawn without rules)."""
    frames = []
    for box in page.filled:
        if any(overlap(box, g.bbox) > 0.5 for g in grids):
            continue
        inside = [ln for ln in page.lines if char_in(Char("", *ln.bbox, 0, False), box)]
        if len(inside) >= 2 and box[2] - box[0] > page.width * 0.4:
            frames.append(Frame(page.number, box))
    return frames
