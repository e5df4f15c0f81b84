"""Table captions (表N, 附表N, 图表N, 续表) and the table ids taken from them."""

from __future__ import annotations

import re

from ..config import TableSettings
from ..records import BBox, Document, Page, Table

CAPTION = re.compile(r"^(?P<label>附表|图表|续表|表)\s*(?P<num>\d{1,3}|[一二三四五六七八九十]{1,3})?"
                     r"(?P<sub>[-－.]\d{1,2})?\s*[:：]?\s*(?P<title>.*)$")
APPENDIX_HEADING = re.compile(r"^附\s*表\s*(?P<num>\d{1,2})")


def caption(page: Page, bbox: BBox, settings: TableSettings) -> str:
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


def assign_ids(tables: list[Table], doc: Document) -> None:
    used: set[str] = set()
    unnamed = 0
    for t in tables:
        tid = _caption_id(t.caption, doc.pages[t.pages[0] - 1], t.bbox)
        if not tid or tid in used:
            unnamed += 1
            tid = f"T{unnamed}" if not tid else f"{tid}-{unnamed}"
        used.add(tid)
        t.table_id = tid
