"""Reading a picture of a table on a text page (a helper of the pages stage, pipeline/pages/pictures.py).

The picture's region of the page is rendered (pypdfium2, at the picture's own resolution within
[MIN_DPI, the OCR dpi]), its ruling lines found in the image, and each ruled table in it read cell by
cell as a scanned page's are (pipeline.pages.ocr.tables); ink outside the grids is read in one call.
The characters and rules come back in page points, marked source="ocr" with their confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ...config import OcrSettings
from ...records import BBox, Char, Segment
from ..lines import mean_confidence
from ..rules import ruled_cells
from . import PageRenderer, bold_lines, erase, find_rules, is_blank, words_to_chars
from .engines import read_words
from .tables import read_cells, read_closed_cells, table_composite, whiten, words_on_page
from .tesseract import Clock, Word

# A picture is rendered at its own resolution, but never below this (Tesseract reads small type badly).
MIN_DPI = 200
# Points of the page around a picture rendered with it.
MARGIN = 4.0
# The quick look for a grid: the picture rendered at this resolution.
GLANCE_DPI = 100
# Pixels darker than this are ink or fill; a grid whose cells are more than this share of them is a chart.
FILLED_LEVEL = 200
MAX_FILLED_SHARE = 0.2
# A table's grid: at least this many cells, covering this share of their bounding rectangle.
MIN_CELLS, MIN_COVERED = 4, 0.98


@dataclass
class PictureRead:
    chars: list[Char]
    rules: list[Segment]
    cells: int  # ruled cells found in the picture
    confidence: float | None  # mean confidence of its characters, 0-100


def picture_dpi(box: BBox, pixel_width: int, settings: OcrSettings) -> int:
    """The resolution to read a picture at: its own (its pixels over its width on the page), within
    [MIN_DPI, settings.dpi] (rendering above its own only interpolates)."""
    native = pixel_width / max((box[2] - box[0]) / 72, 1e-6) if pixel_width else settings.dpi
    return int(min(max(native, MIN_DPI), max(settings.dpi, MIN_DPI)))


def margined(box: BBox, page_size: tuple[float, float]) -> BBox:
    """The picture's box with a margin of paper around it (within the page), so that a rule drawn on the
    picture's very edge is inside the image and stands out from white."""
    return (max(box[0] - MARGIN, 0.0), max(box[1] - MARGIN, 0.0), min(box[2] + MARGIN, page_size[0]),
            min(box[3] + MARGIN, page_size[1]))


def holds_grid(renderer: PageRenderer, number: int, box: BBox, page_size: tuple[float, float],
               settings: OcrSettings) -> bool:
    """Whether the picture holds a ruled table (more than one ruled cell), from a quick low-resolution look."""
    box = margined(box, page_size)
    image, scale = renderer.render_box(number, box, *page_size, GLANCE_DPI)
    return bool(_tables(image, scale, box, page_size, settings))


def read_picture(renderer: PageRenderer, number: int, box: BBox, page_size: tuple[float, float], dpi: int,
                 settings: OcrSettings, timeout: float, carried: dict[str, list[BBox]]) -> PictureRead | None:
    """The picture's tables read cell by cell; None when it holds no ruled table."""
    box = margined(box, page_size)
    image, scale = renderer.render_box(number, box, *page_size, dpi)
    tables, rules, mask = _tables(image, scale, box, page_size, settings, with_mask=True)
    if not tables:
        return None
    clean = erase(image, mask)
    read_dpi, path = round(scale * 72), str(renderer.path)
    clock = Clock(timeout)
    words: list[Word] = []
    for t, cells in enumerate(tables):
        built = table_composite(clean, cells, scale)
        if built:
            composite, slots = built
            cell_words = read_cells(composite, slots, settings, read_dpi, clock, number, path)
            read_closed_cells(clean, slots, cell_words, scale, settings, read_dpi, clock, number, path, carried)
            words += words_on_page(cell_words, slots, t)
        whiten(clean, cells, scale)
    if not is_blank(clean):  # a title or note drawn in the picture beside its grid
        words += read_words(clean, settings, settings.language, settings.psm, read_dpi, clock.left(), number, path)
    local = words_to_chars(words, scale, settings.min_confidence, bold_lines(image, words))
    chars = [replace(c, x0=c.x0 + box[0], x1=c.x1 + box[0], top=c.top + box[1], bottom=c.bottom + box[1]) for c in local]
    shifted = [Segment(s.x0 + box[0], s.top + box[1], s.x1 + box[0], s.bottom + box[1]) for s in rules]
    return PictureRead(chars, shifted, sum(len(cells) for cells in tables), mean_confidence(chars))


def _tables(image: np.ndarray, scale: float, box: BBox, page_size: tuple[float, float], settings: OcrSettings,
            with_mask: bool = False):
    """The ruled tables (cell boxes, points from the picture's corner) of a picture's image; with ``with_mask``
    also its rules and their pixel mask. A rule is as long as a page's shortest rule (min_rule_share of the
    page), not a share of the picture, so strokes of the characters in a small picture are not rules."""
    width_pt, height_pt = box[2] - box[0], box[3] - box[1]
    rules, mask = find_rules(image, scale, settings, page_size)
    found = ruled_cells(rules, width_pt, height_pt, settings.snap_tolerance)
    tables = [cells for cells in found if _is_table(cells, image, mask, scale)]
    return (tables, rules, mask) if with_mask else tables


def _is_table(cells: list[BBox], image: np.ndarray, mask: np.ndarray, scale: float) -> bool:
    """A grid of at least two rows and two columns that fills its rectangle, whose cells are mostly paper: a
    chart's gridlines and the edges of its bars also enclose cells, but side by side bars of different
    heights leave gaps in the rectangle, and bars and slices fill their cells."""
    columns = {round(c[0]) for c in cells} | {round(c[2]) for c in cells}
    rows = {round(c[1]) for c in cells} | {round(c[3]) for c in cells}
    if len(cells) < MIN_CELLS or len(columns) < 3 or len(rows) < 3:
        return False
    left, upper = min(c[0] for c in cells), min(c[1] for c in cells)
    right, lower = max(c[2] for c in cells), max(c[3] for c in cells)
    covered = sum((c[2] - c[0]) * (c[3] - c[1]) for c in cells)
    if covered < MIN_COVERED * (right - left) * (lower - upper):
        return False
    x0, top, x1, bottom = (int(v * scale) for v in (left, upper, right, lower))
    inside = (image[top:bottom, x0:x1] < FILLED_LEVEL) & (mask[top:bottom, x0:x1] == 0)
    return inside.size > 0 and float(inside.mean()) <= MAX_FILLED_SHARE
