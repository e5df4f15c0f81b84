"""Page-layout questions several stages ask: body type size, photo captions, enclosing sections."""

from __future__ import annotations

from collections import Counter

from .records import BBox, Document, Line, Page, Section


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


def center_inside(line: Line, box: BBox) -> bool:
    cx, cy = (line.bbox[0] + line.bbox[2]) / 2, (line.top + line.bottom) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


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
