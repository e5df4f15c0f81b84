"""Values to read by eye: a finding that uses an appendix value read by OCR carries that value's source and
confidence, and one whose value is in doubt (pipeline.indicators.doubt: a low confidence, or a value its
row's unit rules out) is never a match or a mismatch: its verdict is `unreadable`."""

from __future__ import annotations

import pandas as pd

from ..records import BBox
from .explain import as_read
from .findings import Finding

# Verdicts that say nothing of the value: they stand whatever OCR read.
STANDING = ("unverifiable",)


def cell_key(page, bbox) -> tuple:
    return (int(page), *(round(float(v), 1) for v in bbox))


def read_cells(frame: pd.DataFrame) -> dict[tuple, tuple[str, float | None, str]]:
    """(page, bbox) of every appendix value -> (source, OCR confidence, doubt)."""
    if frame.empty or "source" not in frame:
        return {}
    out = {}
    for row in frame.itertuples(index=False):
        confidence = None if pd.isna(row.ocr_confidence) else float(row.ocr_confidence)
        said = getattr(row, "doubt_word", None)
        said = said if isinstance(said, dict) else (row.doubt or "")  # the doubt in words, else as written
        out[cell_key(row.page, (row.x0, row.top, row.x1, row.bottom))] = (row.source, confidence, said)
    return out


def mark_unreadable(findings: list[Finding], frame: pd.DataFrame) -> int:
    """Each finding's source and lowest OCR confidence from the cells it uses; `unreadable` when one is in doubt.
    How many were made unreadable."""
    cells = read_cells(frame)
    count = 0
    for finding in findings:
        used = [cells.get(cell_key(page, box)) for page, box in _cells_of(finding)]
        used = [u for u in used if u is not None]
        ocr = [u for u in used if u[0] == "ocr"]
        finding.source = "ocr" if ocr else "text"
        confidences = [u[1] for u in ocr if u[1] is not None]
        finding.ocr_confidence = min(confidences) if confidences else None
        doubts = [u[2] for u in ocr if u[2]]
        if doubts and finding.verdict not in STANDING:
            finding.explain_more(as_read(finding.verdict, doubts))
            finding.verdict = "unreadable"
            count += 1
    return count


def _cells_of(finding: Finding) -> list[tuple[int, BBox]]:
    out = []
    if finding.table_page is not None and finding.table_bbox is not None:
        out.append((finding.table_page, finding.table_bbox))
    if finding.other_page is not None and finding.other_bbox is not None:
        out.append((finding.other_page, finding.other_bbox))
    return out
