"""Ruling lines: drawn edges into Segments, clustering of rule positions, and the cells that rules enclose.

Shared by the page stage (drawn rules), OCR (rules found in a page image) and the table stage.
"""

from __future__ import annotations

import bisect
from types import SimpleNamespace

from ..records import BBox, Segment


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


def merge_rules(rules: list[Segment], snap_tolerance: float, join_tolerance: float, min_length: float) -> list[Segment]:
    """The ruling lines a reader sees: parallel rules closer than ``snap_tolerance`` are one (a double rule,
    the two long edges of a thin filled rectangle), collinear pieces that touch, overlap or leave a gap of
    at most ``join_tolerance`` are one (per-cell border segments, dashes), and what is still shorter than
    ``min_length`` (the short sides of a thin rectangle) is not a rule. pdfplumber's edge merging does it."""
    from pdfplumber.table import merge_edges

    merged = merge_edges(_edges(rules), snap_tolerance, snap_tolerance, join_tolerance, join_tolerance)
    out = {Segment(round(e["x0"], 1), round(e["top"], 1), round(e["x1"], 1), round(e["bottom"], 1)) for e in merged}
    return sorted((s for s in out if max(s.x1 - s.x0, s.bottom - s.top) >= min_length),
                  key=lambda s: (not s.horizontal, s.top, s.x0))


def _edges(rules: list[Segment]) -> list[dict]:
    """pdfplumber's edge dicts: a horizontal rule at its top, a vertical one at its x0."""
    edges = []
    for s in rules:
        orientation = "h" if s.horizontal else "v"
        top, bottom = (s.top, s.top) if orientation == "h" else (s.top, s.bottom)
        x0, x1 = (s.x0, s.x1) if orientation == "h" else (s.x0, s.x0)
        edges.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
                      "orientation": orientation, "object_type": "line"})
    return edges


def ruled_cells(rules: list[Segment], width: float, height: float, snap_tolerance: float) -> list[list[BBox]]:
    """The cells of each fully ruled table that pdfplumber's line finder sees in these rules."""
    from pdfplumber.table import TableFinder

    shim = SimpleNamespace(edges=_edges(rules), bbox=(0, 0, width, height))
    finder = TableFinder(shim, {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": snap_tolerance})
    return [list(t.cells) for t in finder.tables]
