"""Ruling lines: drawn edges into Segments, clustering of rule positions, and the cells that rules enclose.

Shared by the page stage (drawn rules), OCR (rules found in a page image) and the table stage.
"""

from __future__ import annotations

import bisect
from types import SimpleNamespace

from .records import BBox, Segment


def segments_from_edges(edges: list[dict]) -> list[Segment]:
    seen = set()
    out = []
    for e in edges:
        seg = Segment(round(e["x0"], 1), round(e["top"], 1), round(e["x1"], 1), round(e["bottom"], 1))
        if seg in seen or max(seg.x1 - seg.x0, seg.bottom - seg.top) < 2:
            continue
        seen.add(seg)
        out.append(seg)
    return out


def snap(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def snapper(values: list[float], tolerance: float):
    """Map each of ``values`` to the first value of its cluster (as ``snap`` clusters them)."""
    anchors = snap(sorted(set(values)), tolerance)
    return lambda v: anchors[bisect.bisect_right(anchors, v) - 1]


def ruled_cells(rules: list[Segment], width: float, height: float, snap_tolerance: float) -> list[list[BBox]]:
    """The cells of each fully ruled table that pdfplumber's line finder sees in these rules."""
    from pdfplumber.table import TableFinder

    edges = []
    for s in rules:
        orientation = "h" if s.horizontal else "v"
        top, bottom = (s.top, s.top) if orientation == "h" else (s.top, s.bottom)
        x0, x1 = (s.x0, s.x1) if orientation == "h" else (s.x0, s.x0)
        edges.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
                      "orientation": orientation, "object_type": "line"})
    shim = SimpleNamespace(edges=edges, bbox=(0, 0, width, height))
    finder = TableFinder(shim, {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": snap_tolerance})
    return [list(t.cells) for t in finder.tables]
