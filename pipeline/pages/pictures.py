"""Tables pasted as pictures on text pages (a step of the pages stage, after the running lines are removed).

Many reports paste their appendix tables from the national data platform as images under a text caption.
A picture is taken for a table when it sits under a table caption (表N …), or when a quick low-resolution
look finds a ruled grid in it (a chart's gridlines and bars are not one: pipeline.pages.ocr.pictures);
every picture of an appendix page (at or after the first 附表N heading) is looked at. Such a picture is
read by OCR: its rules join the page's rules and its characters the page's characters, marked
source="ocr" with their confidence, so the table and indicator stages take it like any other table.
Each picture read, and each one under a table caption that could not be read, is a warning naming the
table and the page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..config import OcrSettings
from ..errors import ReportError
from ..geometry import centre_inside
from ..limits import Budget, LimitExceeded
from ..records import BBox, Document, Page, said
from ..words import RECORDS, page_word, word, words
from .lines import build_lines

if TYPE_CHECKING:
    from . import ocr as O

STAGE = "pages"
TABLE_CAPTION = re.compile(r"^(?P<label>附\s*表|续\s*表|图\s*表|表)\s*(?P<num>\d{1,3}|[一二三四五六七八九十]{1,3})")
APPENDIX_HEADING = re.compile(r"^(附\s*表\s*\d{1,2}|附\s*录|附\s*件)")
# A picture smaller than this (points) is a logo, an icon or a stamp, never a table.
MIN_WIDTH, MIN_HEIGHT = 100.0, 40.0
# A picture holding this many characters of the text layer is read from the text layer.
MAX_TEXT_INSIDE = 10
# Captions are looked for this far (points) above a picture.
CAPTION_DISTANCE = 90.0


def read_pictures(doc: Document, settings: OcrSettings, budget: Budget, scanned: set[int] = frozenset()) -> None:
    """Read the table pictures of the document's text pages onto their pages, with a warning for each. ``scanned``:
    the pages OCR read whole (or tried to): their picture is the page, not a table pasted on it."""
    if settings.mode == "off":
        return
    candidates = [c for c in _candidates(doc, budget.limits.max_image_pixels) if c[0].number not in scanned]
    if not candidates:
        return  # (OCR's modules are imported only when a picture may be a table: OpenCV takes a while)
    from . import ocr as O

    problem = O.engine_problem(settings)
    if problem:  # a picture under a table caption is said to be unread; others may be photos
        doc.issues += [said(STAGE, "picture.unread", page.number, "missing", table=title,
                            page=page_word(page.number, page.printed), why=problem)
                       for page, _, _, title, likely in candidates if likely]
        return
    from .ocr import pictures as P

    carried: dict = {}  # the closed columns (单位, 序号) of the last table read, for its continuation
    previous = (0, "")  # the page and caption of the last picture read as a table
    with O.PageRenderer(doc.readable_path, doc.password, budget.limits) as renderer:
        for page, box, pixels, title, likely in candidates:
            budget.check(STAGE, page.number)
            if not likely and not P.holds_grid(renderer, page.number, box, (page.width, page.height), settings):
                continue
            continued = previous[1] and previous[0] in (page.number, page.number - 1)
            name = title or (words(RECORDS)("picture.continued", caption=previous[1]) if continued else "")
            if _read_one(doc, page, box, pixels, renderer, settings, budget, carried, name, likely):
                previous = (page.number, title or (previous[1] if continued else ""))


def _candidates(doc: Document, max_pixels: int) -> list[tuple[Page, BBox, int, str, bool]]:
    """(page, box, pixel width, caption, likely) of the pictures that may be tables: ``likely`` when under a table
    caption (read, and a warning when no table can be read from it), else to be looked at for a grid. A 图表
    caption is as often a chart's, and an appendix page may hold a seal or a logo: only its grid makes such a
    picture a table; a picture with a figure's caption under it is not looked at, but on an appendix page."""
    appendix_from = _appendix_start(doc)
    out = []
    for page, box, pixels in _pictures(doc, max_pixels):
        if page.source == "ocr" or page.damage:
            continue
        title = _caption_above(page, box)
        likely = bool(title) and not title.startswith("图")
        if likely or page.number >= appendix_from or not _figure_caption_below(page, box):
            out.append((page, box, pixels, title, likely))
    return out


def _pictures(doc: Document, max_pixels: int) -> list[tuple[Page, BBox, int]]:
    """(page, picture box, its pixel width) of every picture large enough to be a table, not covered by text, and
    within the pixel limit (a larger one, a decompression bomb, is never rendered: max_image_pixels)."""
    out = []
    for page in doc.pages:
        for box, (pixel_width, pixel_height) in zip(page.images, page.image_sizes or [(0, 0)] * len(page.images)):
            if box[2] - box[0] < MIN_WIDTH or box[3] - box[1] < MIN_HEIGHT or pixel_width * pixel_height > max_pixels:
                continue
            if sum(1 for c in page.chars if centre_inside(c.bbox, box)) >= MAX_TEXT_INSIDE:
                continue
            out.append((page, _on_page(box, page), pixel_width))
    return out


def _on_page(box: BBox, page: Page) -> BBox:
    return (max(box[0], 0.0), max(box[1], 0.0), min(box[2], page.width), min(box[3], page.height))


def _appendix_start(doc: Document) -> int:
    """The first page of the appendix: the first page with an appendix heading (附表1, 附录, 附件) that is not a
    目录 (a page listing several of them); beyond the last page when there is none."""
    for page in doc.pages:
        headings = sum(1 for line in page.lines if APPENDIX_HEADING.match(line.text))
        if 1 <= headings <= 2:
            return page.number
    return len(doc.pages) + 1


def _figure_caption_below(page: Page, box: BBox) -> bool:
    """A line right under the picture, centred on it or naming a figure (图…), that is not a table's caption: the
    picture is a photo's or a chart's, and is not looked at (decoding every photo of a report would cost
    more than reading its text)."""
    middle = (box[0] + box[2]) / 2
    return any(0 <= ln.top - box[3] <= 30 and ln.bbox[2] > box[0] and ln.bbox[0] < box[2]
               and (abs((ln.bbox[0] + ln.bbox[2]) / 2 - middle) <= 15 or ln.text.startswith("图"))
               and not (TABLE_CAPTION.match(ln.text) and not ln.text.startswith("图")) for ln in page.lines)


def _caption_above(page: Page, box: BBox) -> str:
    """The table caption nearest above the picture (表3 教学资源表), '' when there is none."""
    above = [ln for ln in page.lines if ln.bottom <= box[1] + 2 and box[1] - ln.bottom <= CAPTION_DISTANCE
             and ln.bbox[2] > box[0] and ln.bbox[0] < box[2]]
    for line in sorted(above, key=lambda ln: -ln.bottom):
        if TABLE_CAPTION.match(line.text) and len(line.text) < 60:
            return " ".join(line.text.split())
    return ""


def _read_one(doc: Document, page: Page, box: BBox, pixels: int, renderer: O.PageRenderer, settings: OcrSettings,
              budget: Budget, carried: dict, name: str, likely: bool) -> bool:
    """Read one picture onto its page; whether it was read as a table. A picture under a table caption
    (``likely``) that holds no grid that can be read is a warning."""
    from .ocr import pictures as P

    where = page_word(page.number, page.printed)
    table = name or word("picture.table")
    dpi = P.picture_dpi(box, pixels, settings)
    try:
        read = P.read_picture(renderer, page.number, box, (page.width, page.height), dpi, settings, _seconds(budget),
                              carried)
    except LimitExceeded:
        raise
    except ReportError as exc:
        doc.issues.append(said(STAGE, "picture.unread", page.number, "missing", table=table, page=where, why=exc.why))
        return False
    if read is None or not read.chars:
        if likely:
            doc.issues.append(said(STAGE, "picture.unread", page.number, "missing", table=table, page=where,
                                   why=word("picture.no_grid")))
        return False
    page.chars = page.chars + read.chars
    page.lines = sorted(page.lines + build_lines(read.chars, page.number, source="ocr"),
                        key=lambda ln: (round(ln.top), ln.bbox[0]))
    page.rules = page.rules + read.rules
    page.pictures.append(box)
    confidence = f"{read.confidence:.0f}" if read.confidence is not None else "?"
    page.notes.append(f"a picture at ({', '.join(f'{v:.0f}' for v in box)}) read by OCR at {dpi} dpi: "
                      f"{read.cells} cells, mean confidence {confidence}")
    doc.issues.append(said(STAGE, "picture.read", page.number, table=table, page=where, confidence=confidence))
    return True


def _seconds(budget: Budget) -> float:
    """Tesseract's time for one picture: a page's (ocr_page_seconds), within what is left of the report's budget."""
    remaining = budget.remaining()
    limit = budget.limits.ocr_page_seconds
    return max(1.0, min(limit, remaining)) if remaining is not None else limit
