"""Continuous text to read numbers in: the narrative (headings, tables, captions and case boxes taken out)
and each case, with every character's page and box, split into paragraphs and sentences."""

from __future__ import annotations

from dataclasses import dataclass

from ..geometry import body_font_size, centre_inside, is_photo_caption
from ..records import BBox, Cases, Document, Line, Sections, Tables
from ..sections import FIGURE_CAPTION
from ..tables import CAPTION

SENTENCE_END = "。！？；!?;\n"
STATEMENT_END = "。！？!?\n"  # a full stop: the clauses of one statement may run over several "；"


@dataclass
class Passage:
    """Continuous text (the narrative, or one case) with each character's page and box."""

    text: str
    where: list[tuple[int, BBox] | None]
    case_no: int | None
    paragraph_starts: set[int]

    def paragraph_start(self, pos: int) -> int:
        return max((s for s in self.paragraph_starts if s <= pos), default=0)

    def paragraph_end(self, pos: int) -> int:
        return min((s for s in self.paragraph_starts if s > pos), default=len(self.text))

    def statement_start(self, pos: int) -> int:
        start = max((i + 1 for i in range(self.paragraph_start(pos), pos) if self.text[i] in STATEMENT_END), default=0)
        return max(start, self.paragraph_start(pos))


def passage(lines: list[Line], case_no: int | None) -> Passage:
    chars: list[str] = []
    where: list[tuple[int, BBox] | None] = []
    starts: set[int] = set()
    left = {}
    for ln in lines:
        left[ln.page] = min(left.get(ln.page, ln.bbox[0]), ln.bbox[0])
    for ln in lines:
        new_paragraph = ln.bbox[0] - left[ln.page] > 1.5 * ln.size
        if chars and new_paragraph:
            chars.append("\n")
            where.append(None)
        if new_paragraph or not chars:
            starts.add(len(chars))
        elif chars and chars[-1].isascii() and chars[-1].isalnum() and ln.text[:1].isascii() and ln.text[:1].isalnum():
            chars.append(" ")
            where.append(None)
        boxes = ln.boxes or [ln.bbox] * len(ln.text)
        for ch, box in zip(ln.text, boxes):
            chars.append(ch)
            where.append((ln.page, box) if box else None)
    return Passage("".join(chars), where, case_no, starts)


def narrative_lines(doc: Document, sections: Sections, tables: Tables, cases: Cases) -> list[Line]:
    toc_pages = {e.page for e in sections.toc}
    body_size = body_font_size(doc)
    headings = {(s.page_start, s.bbox) for s in sections.sections}
    table_boxes: dict[int, list[BBox]] = {}
    for t in tables.tables:
        for c in t.cells:
            table_boxes.setdefault(c.page, []).append(c.bbox)
    frame_boxes: dict[int, list[BBox]] = {}
    for f in tables.frames:
        frame_boxes.setdefault(f.page, []).append(f.bbox)
    case_lines = {id(ln) for case in cases.cases for ln in case.lines + case.heading}
    case_titles = {(c.page_start, c.bbox) for c in cases.cases}
    lines = []
    for page in doc.pages:
        if page.number in toc_pages:
            continue
        for ln in page.lines:
            if (page.number, ln.bbox) in headings or (page.number, ln.bbox) in case_titles or id(ln) in case_lines:
                continue
            if any(centre_inside(ln.bbox, b) for b in table_boxes.get(page.number, []) + frame_boxes.get(page.number, [])):
                continue
            if (FIGURE_CAPTION.match(ln.text) or CAPTION.match(ln.text)) and len(ln.text) < 60:
                continue
            if is_photo_caption(ln, page, body_size) or (ln.size < body_size - 0.5 and len(ln.text) < 40):
                continue
            lines.append(ln)
    return lines


def sentences(p: Passage) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, ch in enumerate(p.text):
        if ch in SENTENCE_END:
            if i + 1 > start:
                spans.append((start, i + 1))
            start = i + 1
    if start < len(p.text):
        spans.append((start, len(p.text)))
    return spans
