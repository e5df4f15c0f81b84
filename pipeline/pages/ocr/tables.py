"""Reading the cells of a ruled table found in a page image (a helper of pipeline.ocr).

Each non-empty cell's ink is copied onto a line of its own in one composite image, read by the Chinese
model and again by the Latin model (which reads lone numbers better); cells under a closed column's
header (pipeline.ocr_cells) are read once more against their set. Words are mapped back to the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from ...config import OcrSettings
from ...records import BBox, Segment
from ...text import is_cjk
from .cells import closed_cells, closed_set, nearest
from .engines import closed_readings, read_words, second_reading
from .tesseract import Clock, Word

# Pixels darker than this are ink when cropping a table cell to its content.
INK_LEVEL = 160
# A table cell read as a number, and the characters that may follow a number in a cell (2023年).
NUMBER_CELL = re.compile(r"^[-+]?(?=[\d,.]*\d)[\d,.]+%?$")
NUMBER_SUFFIXES = set("年月日时分秒万亿元个人次项门件名所家")
# A bracket or bar from a cell's edge stuck to a number.
EDGE_MARKS = re.compile(r"^[\[\]|(){}]+(?=[-+]?[\d.,]+%?$)|(?<=\d)[\[\]|(){}]+$")
# Closed-set cells are read again enlarged (zoom, binarised): small noisy glyphs are what Tesseract
# misreads (个 as 人); the first of these readings is trusted most.
CLOSED_READINGS = ((3, True), (2, False))


@dataclass
class Slot:
    """Where one cell's ink sits in the composite image, and where it came from on the page image."""

    x: int
    y: int
    width: int
    height: int
    page_left: int
    page_top: int
    cell: BBox = (0.0, 0.0, 0.0, 0.0)  # the table cell (PDF points) whose ink this is


def _ink_box(image: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return None
    ys, xs = np.nonzero(image[y0:y1, x0:x1] < INK_LEVEL)
    if not len(xs):
        return None
    pad = 3
    return (max(x0 + int(xs.min()) - pad, x0), max(y0 + int(ys.min()) - pad, y0),
            min(x0 + int(xs.max()) + pad + 1, x1), min(y0 + int(ys.max()) + pad + 1, y1))


def table_composite(image: np.ndarray, cells: list[BBox], scale: float) -> tuple[np.ndarray, list[Slot]] | None:
    """One image with each non-empty cell's ink on a line of its own, in reading order.

    Read as one block, cells cannot run into each other: text centred in a
    merged cell no longer sits between two table rows (where Tesseract's line
    finder takes the rows above and below for one tall line), and a column of
    single digits is no longer taken for vertical text.
    """
    inset = max(int(scale), 2)  # stay clear of what is left of the erased rules
    gap, margin = int(6 * scale), int(6 * scale)
    slots: list[Slot] = []
    y = margin
    for x0, top, x1, bottom in sorted(cells, key=lambda b: (round(b[1]), b[0])):
        box = (int(x0 * scale) + inset, int(top * scale) + inset, int(x1 * scale) - inset, int(bottom * scale) - inset)
        ink = _ink_box(image, box)
        if ink:
            slots.append(Slot(margin, y, ink[2] - ink[0], ink[3] - ink[1], ink[0], ink[1], (x0, top, x1, bottom)))
            y += ink[3] - ink[1] + gap
    if not slots:
        return None
    composite = np.full((y + margin, max(s.width for s in slots) + 2 * margin), 255, dtype=np.uint8)
    for s in slots:
        composite[s.y:s.y + s.height, s.x:s.x + s.width] = image[s.page_top:s.page_top + s.height, s.page_left:s.page_left + s.width]
    return composite, slots


def _by_slot(words: list[Word], slots: list[Slot]) -> dict[int, list[Word]]:
    out: dict[int, list[Word]] = {}
    for w in words:
        cy = w.top + w.height / 2
        index = next((i for i, s in enumerate(slots) if s.y <= cy <= s.y + s.height), None)
        if index is not None:
            out.setdefault(index, []).append(w)
    return out


def _is_number(words: list[Word]) -> bool:
    return bool(NUMBER_CELL.match("".join(w.text for w in words)))


def _unbracketed(words: list[Word]) -> list[Word]:
    """A number the Latin model reads with a bracket or bar from the cell's edge stuck to it (]1 for 11 is
    not fixable, but 1] and |25 are): the stray mark dropped."""
    return [Word(EDGE_MARKS.sub("", w.text) or w.text, w.left, w.top, w.width, w.height, w.confidence, w.line_key)
            for w in words]


def _reads_as_text(words: list[Word]) -> bool:
    """Chinese text, or a number with a counting or date character (2023年) that the Latin model cannot read."""
    hanzi = [ch for w in words for ch in w.text if is_cjk(ch)]
    return len(hanzi) >= 2 or any(ch in NUMBER_SUFFIXES for ch in hanzi)


def read_cells(composite: np.ndarray, slots: list[Slot], settings: OcrSettings, dpi: int, clock: Clock,
                page: int, path: str) -> dict[int, list[Word]]:
    """Each cell's words: the Chinese model's, or the digits model's when the cell holds a number.

    The Chinese model misreads short numbers on their own (674 as 0714, 18 as 了8);
    the Latin model reads them right and cannot read Chinese, so a cell whose
    Latin reading is a number and whose Chinese reading is not Chinese text is
    taken from the Latin reading (a lone misread character such as 了 is not text).
    """
    chinese = _by_slot(read_words(composite, settings, settings.language, settings.table_psm, dpi, clock.left(), page, path), slots)
    if not second_reading(settings):
        return chinese
    latin = _by_slot(read_words(composite, settings, settings.digits_language, settings.table_psm, dpi, clock.left(), page, path),
                     slots)
    for index, words in latin.items():
        words = _unbracketed(words)
        if _is_number(words) and not _reads_as_text(chinese.get(index, [])):
            chinese[index] = words
    return chinese


def read_closed_cells(image: np.ndarray, slots: list[Slot], cell_words: dict[int, list[Word]], scale: float,
                       settings: OcrSettings, dpi: int, clock: Clock, page: int, path: str,
                       carried: dict[str, list[BBox]]) -> list[str]:
    """Cells under a closed column's header (units, row numbers) read again against their set, enlarged
    (CLOSED_READINGS); the corrections made ("大→人").
    ``cell_words`` is updated in place."""
    texts = ["".join(w.text for w in cell_words.get(i, [])) for i in range(len(slots))]
    corrections = []
    for kind, indexes in closed_cells([s.cell for s in slots], texts, carried).items():
        allowed = closed_set(kind)
        built = table_composite(image, [slots[i].cell for i in indexes], scale)
        if not built:
            continue
        composite, sub_slots = built
        language = settings.language if kind == "unit" else (settings.digits_language or settings.language)
        readings = [_read_zoomed(composite, sub_slots, zoom, binary, language, allowed.whitelist, settings, dpi, clock,
                                 page, path) for zoom, binary in closed_readings(settings, CLOSED_READINGS)]
        index_of = {slots[i].cell: i for i in indexes}
        for j, sub in enumerate(sub_slots):
            i = index_of[sub.cell]
            reread = [reading.get(j, []) for reading in readings]
            text, correction = nearest(texts[i], ["".join(w.text for w in words) for words in reread], allowed)
            slot = slots[i]
            if correction is None:
                if text and allowed.holds(text):  # a member as first read: one word, kept even when a lone mark (:)
                    confidence = max((w.confidence for w in cell_words.get(i, [])), default=0.0)
                    cell_words[i] = [Word(text, slot.x, slot.y, slot.width, slot.height, confidence, ("closed", kind, i))]
                continue
            corrections.append(correction)
            confidence = min((w.confidence for words in reread for w in words), default=0.0)
            cell_words[i] = [Word(text, slot.x, slot.y, slot.width, slot.height, confidence, ("closed", kind, i))]
    return corrections


def _read_zoomed(composite: np.ndarray, slots: list[Slot], zoom: int, binary: bool, language: str, whitelist: str,
                 settings: OcrSettings, dpi: int, clock: Clock, page: int, path: str) -> dict[int, list[Word]]:
    """Each slot's words, read from the composite enlarged ``zoom`` times (and binarised) with a whitelist."""
    large = cv2.resize(composite, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    if binary:
        _, large = cv2.threshold(large, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    read = read_words(large, settings, language, settings.table_psm, zoom * dpi, clock.left(), page, path, whitelist=whitelist)
    return _by_slot([Word(w.text, w.left / zoom, w.top / zoom, w.width / zoom, w.height / zoom, w.confidence, w.line_key)
                     for w in read], slots)


def words_on_page(cell_words: dict[int, list[Word]], slots: list[Slot], table: int) -> list[Word]:
    """Composite coordinates back to the page image; each word stays inside its cell."""
    out = []
    for index, words in sorted(cell_words.items()):
        slot = slots[index]
        for w in words:
            left = slot.page_left + max(w.left - slot.x, 0)
            width = min(w.width, slot.x + slot.width - max(w.left, slot.x))
            out.append(Word(w.text, left, slot.page_top + max(w.top - slot.y, 0), max(width, 1), w.height, w.confidence,
                            ("table", table, index, w.line_key)))
    return out


def whiten(image: np.ndarray, cells: list[BBox], scale: float) -> None:
    x0, top = min(c[0] for c in cells), min(c[1] for c in cells)
    x1, bottom = max(c[2] for c in cells), max(c[3] for c in cells)
    image[int(top * scale):int(bottom * scale) + 1, int(x0 * scale):int(x1 * scale) + 1] = 255


def unread_headers(slots: list[Slot], cell_words: dict[int, list[Word]]) -> list[tuple[str, int]]:
    """("column" or "row", its 1-based position) of each header cell holding ink that OCR read nothing from,
    where values depend on it: a cell of the table's top row with two or more numbers read under it (a
    column's year), or the first cell with ink of a row below whose other cells hold a number read (the
    row's name). (A chart's bars or a list of names lose no values.)"""
    if not slots:
        return []
    texts = {i: "".join(w.text for w in words).strip() for i, words in cell_words.items()}
    read = {i for i, text in texts.items() if text}
    numbers = {i for i, text in texts.items() if NUMBER_CELL.match(text)}
    top = min(s.cell[1] for s in slots)
    columns = sorted({round(s.cell[0]) for s in slots})
    out = []
    for i, s in enumerate(slots):
        if abs(s.cell[1] - top) <= 1 and i not in read:
            if sum(1 for j in numbers if slots[j].cell[1] > top + 1 and _under(slots[j].cell, s.cell)) >= 2:
                out.append(("column", _position(columns, s.cell[0])))
    rows: dict[int, list[int]] = {}
    for i, s in enumerate(slots):
        if s.cell[1] - top > 1:
            rows.setdefault(round(s.cell[1]), []).append(i)
    for number, (_, members) in enumerate(sorted(rows.items()), start=2):
        first, *rest = sorted(members, key=lambda i: slots[i].cell[0])
        if first not in read and any(i in numbers for i in rest):
            out.append(("row", number))
    return out


def _under(cell: BBox, header: BBox) -> bool:
    return header[0] - 1 <= (cell[0] + cell[2]) / 2 <= header[2] + 1


def _position(starts: list[int], x: float) -> int:
    return min(range(len(starts)), key=lambda k: abs(starts[k] - x)) + 1


# ---------------------------------------------------------------- rules the line finder missed

# A stretch of a rule is drawn when this share of its pixels' rows (columns) holds a pixel darker than DRAWN_LEVEL
# within a couple of pixels of the rule's line: a text line crossing a merged cell's inner edge covers far less.
DRAWN_SHARE = 0.8
DRAWN_LEVEL = 190
# A rule is carried on to a crossing rule at most this far (points).
MAX_GAP = 120.0


def completed_rules(image: np.ndarray, rules: list[Segment], scale: float, tolerance: float = 3.0
                    ) -> tuple[list[Segment], list[Segment]]:
    """The rules with each one carried on to the crossing rules it stops short of, where the image shows it
    drawn there (a border broken by blur or JPEG is too short for the line finder: the cells on either side of
    it would merge, and a column lose its header); and the pieces added."""
    horizontals = [s for s in rules if s.horizontal]
    verticals = [s for s in rules if not s.horizontal]
    added = []
    for seg in verticals:
        x = (seg.x0 + seg.x1) / 2
        ys = [h.top for h in horizontals if h.x0 - tolerance <= x <= h.x1 + tolerance]
        for start, stops in ((seg.top, sorted((y for y in ys if y < seg.top - tolerance), reverse=True)),
                             (seg.bottom, sorted(y for y in ys if y > seg.bottom + tolerance))):
            end = _reach(image, scale, start, stops, lambda a, b, x=x: _drawn(image, scale, x, a, b, vertical=True))
            if end is not None:
                added.append(Segment(x, min(start, end), x, max(start, end)))
    for seg in horizontals:
        y = seg.top
        xs = [v.x0 for v in verticals if v.top - tolerance <= y <= v.bottom + tolerance]
        for start, stops in ((seg.x0, sorted((x for x in xs if x < seg.x0 - tolerance), reverse=True)),
                             (seg.x1, sorted(x for x in xs if x > seg.x1 + tolerance))):
            end = _reach(image, scale, start, stops, lambda a, b, y=y: _drawn(image, scale, y, a, b, vertical=False))
            if end is not None:
                added.append(Segment(min(start, end), y, max(start, end), y))
    return rules + added, added


def _reach(image: np.ndarray, scale: float, start: float, stops: list[float], drawn) -> float | None:
    """The farthest of ``stops`` (nearest first) the rule is drawn to from ``start``, stop by stop; None when not the first."""
    end = None
    for stop in stops:
        if abs(stop - start) > MAX_GAP or not drawn(end if end is not None else start, stop):
            break
        end = stop
    return end


def _drawn(image: np.ndarray, scale: float, across: float, a: float, b: float, vertical: bool) -> bool:
    """Whether a rule is drawn along ``across`` (points) from ``a`` to ``b``: nearly every pixel step has ink on the line."""
    lo, hi = sorted((a, b))
    centre, first, last = int(round(across * scale)), int(lo * scale) + 1, int(hi * scale)
    if last - first < 3:
        return False
    half = max(int(scale), 2)
    band = image[first:last, max(centre - half, 0):centre + half + 1] if vertical else \
        image[max(centre - half, 0):centre + half + 1, first:last].T
    if not band.size:
        return False
    return float((band.min(axis=1) < DRAWN_LEVEL).mean()) >= DRAWN_SHARE
