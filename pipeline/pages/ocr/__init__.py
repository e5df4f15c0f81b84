"""OCR for pages without a usable text layer (a helper of the pages stage).

A page is rendered in colour with pypdfium2 at a scale capped by a pixel budget (so no
page can explode memory), made readable when photographed (red seal ink, perspective and uneven
light undone: pipeline.pages.ocr.photo) and straightened, its ruling lines are found in the image with
OpenCV morphology and returned as Segments in PDF points (so the table stage
finds scanned tables the way it finds drawn ones), and the lines are erased.
Each ruled table is read cell by cell (tables.py), the rest of the page in
one call of the OCR engine (engines.py: Tesseract or PP-OCR; words with
boxes and confidences). Words become Chars marked source="ocr" with their
confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ...config import Limits, OcrSettings
from ...errors import ReportError
from ...records import BBox, Char, Segment
from ...text import join_fragments
from ...words import RECORDS, page_word, word
from ...words import words as catalogue
from ..lines import mean_confidence
from ..rules import ruled_cells
from .deskew import deskew, erase_leaders
from .engines import engine_problem, read_words, use_threads  # noqa: F401 (used by callers)
from .photo import prepare
from .tables import completed_rules, read_cells, read_closed_cells, table_composite, unread_headers, whiten, words_on_page
from .tesseract import Clock, Word, parse_tsv, run_tesseract, tesseract_problem  # noqa: F401 (used by callers)

STAGE = "pages"
# A rendered page whose darkest pixel is lighter than this is blank: nothing to read.
BLANK_LEVEL = 200
# Pixels darker than this are ink.
INK_LEVEL = 160
# An OCR line whose strokes are this many times as wide as the page's typical line's is bold.
BOLD_RATIO = 1.4
# A word of one character that is only this (line residue, specks) is noise unless OCR is sure.
# (Dashes are not: a lone "-" in a table cell means "no value".)
SPECKS = set("|丨｜_~`'\"“”‘’.,:;·、，。")


@dataclass
class OcrPage:
    chars: list[Char]
    rules: list[Segment]
    confidence: float | None  # mean word confidence, 0-100
    scale: float  # image pixels per PDF point
    note: str = ""
    warnings: list[dict] = field(default_factory=list)  # what a person must know: catalogue words (words.word)


# ---------------------------------------------------------------- deciding


# ---------------------------------------------------------------- the page image


class PageRenderer:
    """Renders pages of one PDF with pypdfium2, within a pixel budget."""

    def __init__(self, path: Path, password: str | None, limits: Limits):
        self.path = path
        self.password = password
        self.limits = limits
        self._pdf = None

    def __enter__(self) -> PageRenderer:
        return self

    def __exit__(self, *exc) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def _document(self):
        if self._pdf is None:
            import pypdfium2 as pdfium

            try:
                self._pdf = pdfium.PdfDocument(str(self.path), password=self.password)
            except pdfium.PdfiumError as exc:
                raise ReportError.saying(STAGE, "error.page_unrendered", str(self.path), why=str(exc)) from exc
        return self._pdf

    def scale_for(self, width_pt: float, height_pt: float, dpi: int) -> float:
        """Pixels per point: the OCR resolution, lowered so the image stays within max_render_pixels."""
        wanted = dpi / 72
        area = max(width_pt * height_pt, 1.0)
        return min(wanted, (self.limits.max_render_pixels / area) ** 0.5)

    def render(self, number: int, width_pt: float, height_pt: float, dpi: int) -> tuple[np.ndarray, float]:
        """An RGB image of the page as displayed (rotation applied), and its scale."""
        import pypdfium2 as pdfium

        scale = self.scale_for(width_pt, height_pt, dpi)
        try:
            page = self._document()[number - 1]
            try:
                bitmap = page.render(scale=scale, rev_byteorder=True)
                image = np.array(bitmap.to_numpy()[:, :, :3], copy=True)
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise ReportError.saying(STAGE, "error.page_unrendered", str(self.path), number, why=str(exc)) from exc
        return image, scale

    def render_box(self, number: int, box: BBox, width_pt: float, height_pt: float, dpi: int) -> tuple[np.ndarray, float]:
        """A grayscale image of one region of the page as displayed (``box``: points from its top-left), and
        its scale; within the same pixel budget as a page."""
        import pypdfium2 as pdfium

        x0, top, x1, bottom = box
        scale = self.scale_for(x1 - x0, bottom - top, dpi)
        crop = (max(x0, 0.0), max(height_pt - bottom, 0.0), max(width_pt - x1, 0.0), max(top, 0.0))
        try:
            page = self._document()[number - 1]
            try:
                image = np.array(page.render(scale=scale, grayscale=True, crop=crop).to_numpy(), copy=True)
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise ReportError.saying(STAGE, "error.picture_unrendered", str(self.path), number, why=str(exc)) from exc
        return (image[:, :, 0] if image.ndim == 3 else image), scale


def is_blank(image: np.ndarray) -> bool:
    return int(image.min()) > BLANK_LEVEL


# ---------------------------------------------------------------- ruling lines


def find_rules(image: np.ndarray, scale: float, settings: OcrSettings,
               page_size: tuple[float, float] | None = None) -> tuple[list[Segment], np.ndarray]:
    """Horizontal and vertical ruling lines (in PDF points) and their pixel mask. A rule is at least
    min_rule_share of the image's width / height, or of ``page_size``'s (points) when the image is a part of a page."""
    ink = cv2.adaptiveThreshold(255 - image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    height, width = ink.shape
    if page_size is not None:
        width, height = page_size[0] * scale, page_size[1] * scale
    h_len = max(int(width * settings.min_rule_share), 10)
    v_len = max(int(height * settings.min_rule_share), 10)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    segments = _segments(horizontal, scale, horizontal=True) + _segments(vertical, scale, horizontal=False)
    mask = cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))
    return segments, mask


def _segments(mask: np.ndarray, scale: float, horizontal: bool) -> list[Segment]:
    # close one- or two-pixel breaks (scan noise, anti-aliasing) before taking components
    kernel = np.ones((1, 5) if horizontal else (5, 1), np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(mask, kernel), connectivity=8)
    out = []
    for x, y, w, h, _area in stats[1:count]:
        if horizontal:
            mid = (y + h / 2) / scale
            out.append(Segment(round(x / scale, 1), round(mid, 1), round((x + w) / scale, 1), round(mid, 1)))
        else:
            mid = (x + w / 2) / scale
            out.append(Segment(round(mid, 1), round(y / scale, 1), round(mid, 1), round((y + h) / scale, 1)))
    return out


def _draw(mask: np.ndarray, segments: list[Segment], scale: float) -> None:
    """Rules added to the mask of rules to erase (as thick as find_rules' mask)."""
    for s in segments:
        cv2.line(mask, (round(s.x0 * scale), round(s.top * scale)), (round(s.x1 * scale), round(s.bottom * scale)), 255, 5)


def erase(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    clean = image.copy()
    clean[mask > 0] = 255
    return clean


# ---------------------------------------------------------------- words to characters


def words_to_chars(words: list[Word], scale: float, min_confidence: float, bold: set[tuple] = frozenset()) -> list[Char]:
    """Each word split evenly into its characters; every character takes its OCR line's height
    (and is bold when its line's key is in ``bold``).

    Tesseract's word boxes for Chinese sometimes reach over the next words; its
    reading order within a line is right. So each box is cut back to where the
    next word starts, which keeps the characters in Tesseract's order.
    """
    lines: dict[tuple, list[Word]] = {}
    for w in words:
        if w.confidence < min_confidence or _is_speck(w):
            continue
        lines.setdefault(w.line_key, []).append(w)
    chars = []
    for members in lines.values():
        # the median word, not the extremes: one tall or low word (a bracket, a comma) does not stretch the line,
        # so an OCR line's size compares with other lines' as a text layer's type size does
        top = float(np.median([w.top for w in members])) / scale
        size = max(float(np.median([w.height for w in members])) / scale, 1.0)
        bottom = top + size
        for w, right in zip(members, _right_edges(members)):
            x = w.left / scale
            step = (right / scale - x) / len(w.text)
            for i, ch in enumerate(w.text):
                chars.append(Char(ch, x + i * step, top, x + (i + 1) * step, bottom, size, w.line_key in bold,
                                  source="ocr", confidence=round(w.confidence, 1)))
    return chars


def _right_edges(words: list[Word]) -> list[float]:
    edges = []
    for w, nxt in zip(words, words[1:] + [None]):
        right = w.left + w.width
        if nxt is not None and w.left < nxt.left < right:
            right = nxt.left - 1
        edges.append(max(right, w.left + 1))
    return edges


def _is_speck(word: Word) -> bool:
    """A lone mark OCR is unsure of, unless it is a table cell's member of a closed set (the unit ":")."""
    closed = isinstance(word.line_key[-1], tuple) and word.line_key[-1][:1] == ("closed",)
    return len(word.text) == 1 and word.text in SPECKS and word.confidence < 80 and not closed


def bold_lines(image: np.ndarray, words: list[Word], ratio: float = BOLD_RATIO) -> set[tuple]:
    """The keys of OCR lines set in a heavier weight than most of the page: their strokes (the median
    run of ink across a row of pixels) are ``ratio`` times the page's median or more."""
    ink = image < INK_LEVEL
    strokes: dict[tuple, list[int]] = {}
    for w in words:
        x0, y0 = max(int(w.left), 0), max(int(w.top), 0)
        crop = ink[y0:y0 + int(w.height) + 1, x0:x0 + int(w.width) + 1]
        if crop.size:
            strokes.setdefault(w.line_key, []).extend(_runs(crop))
    widths = {key: float(np.median(runs)) for key, runs in strokes.items() if len(runs) >= 8}
    if len(widths) < 3:
        return set()
    typical = float(np.median(list(widths.values())))
    return {key for key, width in widths.items() if width >= ratio * typical and width >= 2}


def _runs(ink: np.ndarray) -> list[int]:
    """Lengths of the runs of ink along each row."""
    steps = np.diff(np.pad(ink.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts, ends = np.nonzero(steps == 1)[1], np.nonzero(steps == -1)[1]
    return (ends - starts).tolist()


# ---------------------------------------------------------------- one page


def ocr_page(renderer: PageRenderer, number: int, width_pt: float, height_pt: float, settings: OcrSettings,
             timeout: float, carried: dict[str, list[BBox]] | None = None, dpi: int | None = None) -> OcrPage | None:
    """OCR one page; None when the rendered page is blank.

    Ruled tables found in the image are read cell by cell (one Tesseract call
    per table, see table_composite); the rest of the page in one call with
    automatic layout.
    """
    wanted = dpi or settings.dpi
    colour, scale = renderer.render(number, width_pt, height_pt, wanted)
    notes = [f"rendered at {scale * 72:.0f} dpi (pixel budget)"] if scale * 72 < wanted - 0.5 else []
    if wanted < settings.dpi:
        notes.append(f"read at the scan's {wanted} dpi")
    if is_blank(colour):
        return None
    image, prepared = prepare(colour)
    notes += prepared
    image, angle = deskew(image, settings.max_skew)
    if angle:
        notes.append(f"deskewed by {angle:+.2f}°")
    rules, mask = find_rules(image, scale, settings)
    rules, added = completed_rules(image, rules, scale, settings.snap_tolerance)
    if added:
        _draw(mask, added, scale)
        notes.append(catalogue(RECORDS)("photo.grid_repaired", count=len(added)))
    clean = erase(image, mask)
    clock, dpi, path = Clock(timeout), round(scale * 72), str(renderer.path)
    words: list[Word] = []
    corrections: list[str] = []
    unread: list[tuple[BBox, str, int]] = []  # (table, axis, position) of headers OCR could not read
    tables = [cells for cells in ruled_cells(rules, width_pt, height_pt, settings.snap_tolerance) if len(cells) > 1]
    for t, cells in enumerate(tables):
        built = table_composite(clean, cells, scale)
        if built:
            composite, slots = built
            cell_words = read_cells(composite, slots, settings, dpi, clock, number, path)
            corrections += read_closed_cells(clean, slots, cell_words, scale, settings, dpi, clock, number, path,
                                              carried if carried is not None else {})
            unread += [(_outline(cells), axis, position) for axis, position in unread_headers(slots, cell_words)]
            words += words_on_page(cell_words, slots, t)
        whiten(clean, cells, scale)
    page_words: list[Word] = []
    if not is_blank(clean):
        text_image, leaders = erase_leaders(clean, scale)
        if leaders:
            notes.append(f"{leaders} dotted leaders erased")
        page_words = read_words(text_image, settings, settings.language, settings.psm, dpi, clock.left(), number, path)
        orphans = _orphans(text_image, page_words, scale)
        built = table_composite(text_image, orphans, scale) if orphans else None
        if built:
            composite, slots = built
            words += words_on_page(read_cells(composite, slots, settings, dpi, clock, number, path), slots, len(tables))
        words += page_words
    if corrections:
        notes.append(f"{len(corrections)} cells read against their closed set ({_tally(corrections)})")
    chars = words_to_chars(words, scale, settings.min_confidence, bold_lines(image, words))
    warnings = _unread_warnings(unread, page_words, scale, number)
    return OcrPage(chars, rules, mean_confidence(chars), scale, "; ".join(notes), warnings)


def _outline(cells: list[BBox]) -> BBox:
    return min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells)


def _unread_warnings(unread: list[tuple[BBox, str, int]], page_words: list[Word], scale: float, number: int) -> list[dict]:
    """Each unread header in words: the table named by the line of text right above it (its caption)."""
    out = []
    for box, axis, position in unread:
        caption = _line_above(page_words, box, scale)
        table = word("photo.table_under", caption=caption) if caption else word("photo.table_here")
        out.append(word("photo.header_unread", table=table, page=page_word(number), position=position,
                        axis=word(f"photo.axis.{axis}")))
    return out


def _line_above(page_words: list[Word], box: BBox, scale: float, reach: float = 60.0) -> str:
    """The text of the OCR line closest above ``box`` (PDF points) within ``reach`` points, "" when none."""
    lines: dict[tuple, list[Word]] = {}
    for w in page_words:
        bottom = (w.top + w.height) / scale
        if box[1] - reach <= bottom <= box[1] + 2 and w.left / scale < box[2] and (w.left + w.width) / scale > box[0]:
            lines.setdefault(w.line_key, []).append(w)
    if not lines:
        return ""
    nearest = max(lines.values(), key=lambda ws: max(w.top + w.height for w in ws))
    return join_fragments([w.text for w in sorted(nearest, key=lambda w: w.left)])


def _orphans(image: np.ndarray, words: list[Word], scale: float) -> list[BBox]:
    """Boxes (PDF points) of ink that no OCR word covers: Tesseract's layout drops short isolated text such as
    the page numbers at the end of a 目录's lines. Ink is merged into word-sized blobs first."""
    ink = (image < INK_LEVEL).astype(np.uint8)
    for w in words:  # a word's own line: a character's width either side, a third of its height above and below
        dx, dy = int(w.height) + 2, int(w.height / 3) + 2
        x0, y0 = max(int(w.left) - dx, 0), max(int(w.top) - dy, 0)
        ink[y0:int(w.top + w.height) + dy, x0:int(w.left + w.width) + dx] = 0
    blobs = cv2.dilate(ink, np.ones((max(int(2 * scale), 1), max(int(3 * scale), 1)), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    out = []
    for x, y, w, h, _area in stats[1:count]:
        if 5 * scale <= h <= 30 * scale and 3 * scale <= w <= 120 * scale and ink[y:y + h, x:x + w].sum() >= 6 * scale:
            out.append((x / scale, y / scale, (x + w) / scale, (y + h) / scale))
    return out


def _tally(corrections: list[str]) -> str:
    counts: dict[str, int] = {}
    for c in corrections:
        counts[c] = counts.get(c, 0) + 1
    return ", ".join(f"{c} ×{n}" if n > 1 else c for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
