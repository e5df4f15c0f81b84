"""Boxes and where things stand on a page: the box helpers every stage shares (a box is ``(x0, top, x1,
bottom)`` in PDF points from the page's top-left corner), and the page-layout questions several stages
ask (body type size, photo captions, enclosing sections)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from .records import BBox, Document, Line, Page, Section


def box_of(row: Mapping) -> BBox:
    """The box of a mapping with x0, top, x1 and bottom (a pdfplumber object, a CSV row)."""
    return float(row["x0"]), float(row["top"]), float(row["x1"]), float(row["bottom"])


def union_bbox(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def rounded(bbox: BBox) -> BBox:
    return tuple(round(v, 1) for v in bbox)  # type: ignore[return-value]


def contains_point(box: BBox, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def centre_inside(inner: BBox, outer: BBox) -> bool:
    """Whether the centre of ``inner`` lies in ``outer`` (a character or line belongs to the cell it centres in)."""
    return contains_point(outer, (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2)


def within(inner: BBox, outer: BBox, margin: float = 2.0) -> bool:
    """Whether ``inner`` lies wholly in ``outer`` grown by ``margin`` on every side."""
    return (inner[0] >= outer[0] - margin and inner[2] <= outer[2] + margin and inner[1] >= outer[1] - margin
            and inner[3] <= outer[3] + margin)


def overlap(a: BBox, b: BBox) -> float:
    """The share of the smaller box that the two boxes have in common."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / area if area > 0 else 0.0


def body_font_size(doc: Document) -> float:
    """The type size most text is set in."""
    sizes: Counter[float] = Counter()
    for page in doc.pages:
        for ln in page.lines:
            sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 12.0


def is_photo_caption(line: Line, page: Page, body_size: float) -> bool:
    """A line right under a picture, in a smaller type than the text around it."""
    if line.size >= body_size:
        return False
    return any(
        0 <= line.top - img[3] <= 30 and img[0] - 5 <= line.bbox[0] and line.bbox[2] <= img[2] + 60
        for img in page.images
    )


def enclosing(sections: list[Section], page: int, top: float) -> tuple[str, str]:
    """The chapter (level 1) and section (level 2) headings in force at a point of the document."""
    chapter = section = ""
    for s in sections:
        if (s.page_start, s.bbox[1]) > (page, top):
            break
        label = f"{s.number} {s.title}".strip()
        if s.level == 1:
            chapter, section = label, ""
        elif s.level == 2:
            section = label
    return chapter, section
