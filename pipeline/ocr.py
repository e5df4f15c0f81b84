"""OCR for pages without a usable text layer (a helper of the pages stage).

A page is rendered with pypdfium2 at a scale capped by a pixel budget (so no
page can explode memory), its ruling lines are found in the image with
OpenCV morphology and returned as Segments in PDF points (so the table stage
finds scanned tables the way it finds drawn ones), and the lines are erased.
Each ruled table is read cell by cell (see _table_composite), the rest of
the page in one Tesseract call (TSV output: words with boxes and
confidences). Words become Chars marked source="ocr" with their confidence.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from .config import Limits, OcrSettings
from .errors import ReportError
from .lines import mean_confidence
from .records import BBox, Char, Segment
from .deskew import deskew, erase_leaders
from .ocr_cells import closed_cells, closed_set, nearest
from .rules import ruled_cells
from .text import GARBLED, garbled_ratio, is_cjk

STAGE = "pages"
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
# A rendered page whose darkest pixel is lighter than this is blank: nothing to read.
BLANK_LEVEL = 200
# Pixels darker than this are ink when cropping a table cell to its content.
INK_LEVEL = 160
# An OCR line whose strokes are this many times as wide as the page's typical line's is bold.
BOLD_RATIO = 1.4
# Closed-set cells are read again enlarged (zoom, binarised): small noisy glyphs are what Tesseract
# misreads (个 as 人); the first of these readings is trusted most.
CLOSED_READINGS = ((3, True), (2, False))
# A word of one character that is only this (line residue, specks) is noise unless OCR is sure.
# (Dashes are not: a lone "-" in a table cell means "no value".)
SPECKS = set("|丨｜_~`'\"“”‘’.,:;·、，。")
# A table cell read as a number, and the characters that may follow a number in a cell (2023年).
NUMBER_CELL = re.compile(r"^[-+]?(?=[\d,.]*\d)[\d,.]+%?$")
NUMBER_SUFFIXES = set("年月日时分秒万亿元个人次项门件名所家")
# Tesseract puts a quote before a word that follows a wide gap (a table column): a closing quote
# cannot open a word, and no quote belongs on a bare number.
EDGE_MARKS = re.compile(r"^[\[\]|(){}]+(?=[-+]?[\d.,]+%?$)|(?<=\d)[\[\]|(){}]+$")
STRAY_QUOTES = re.compile(r"^[”’]+|^[“‘\"']+(?=[-+]?[\d.,]+%?$)|(?<=\d)[“”‘’\"']+$")


@dataclass
class Word:
    text: str
    left: float
    top: float
    width: float
    height: float
    confidence: float
    line_key: tuple  # words with the same key are on one OCR line


@dataclass
class OcrPage:
    chars: list[Char]
    rules: list[Segment]
    confidence: float | None  # mean word confidence, 0-100
    scale: float  # image pixels per PDF point
    note: str = ""


# ---------------------------------------------------------------- deciding


def unusable_reason(texts: list[str], image_share: float, settings: OcrSettings) -> str | None:
    """Why a page's text layer cannot be used (so it is OCRed), or None when it is fine."""
    visible = [t for t in texts if t.strip()]
    if not visible:
        return "no text layer"
    joined = "".join(visible)
    share = garbled_ratio(joined)
    if share >= settings.garbled_share:
        return f"text layer unreadable ({share:.0%} (cid:N), private-use or U+FFFD characters)"
    readable = len(GARBLED.sub("", joined).strip())
    if readable < settings.min_chars and image_share >= 0.5:
        return f"only {readable} characters of text over a page-sized image"
    return None


# ---------------------------------------------------------------- tesseract


def tesseract_problem(language: str) -> str | None:
    """Why Tesseract cannot OCR ``language`` here (with how to install it), or None."""
    return _tesseract_problem(language, shutil.which("tesseract"))


@lru_cache(maxsize=8)
def _tesseract_problem(language: str, binary: str | None) -> str | None:
    if binary is None:
        return f"Tesseract is not installed; install it with: {INSTALL_HINT}"
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract does not run ({exc}); reinstall it with: {INSTALL_HINT}"
    missing = [lang for lang in language.split("+") if lang not in listed]
    if missing:
        return f"Tesseract has no '{'+'.join(missing)}' language data; install it with: {INSTALL_HINT}"
    return None


def run_tesseract(image: np.ndarray, language: str, psm: int, dpi: int, timeout: float, page: int, path: str,
                  whitelist: str = "") -> list[Word]:
    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ReportError(STAGE, "the page image could not be encoded for OCR", path, page)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one thread per page is faster than Tesseract's default
    command = ["tesseract", "stdin", "stdout", "-l", language, "--psm", str(psm), "--dpi", str(max(dpi, 1))]
    if whitelist:
        command += ["-c", f"tessedit_char_whitelist={whitelist}"]
    command.append("tsv")
    try:
        done = subprocess.run(command, input=png.tobytes(), capture_output=True, timeout=max(timeout, 0.1), env=env)
    except subprocess.TimeoutExpired as exc:
        raise ReportError(STAGE, "OCR of the page took too long (limit ocr_page_seconds)", path, page) from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ReportError(STAGE, f"Tesseract failed: {message[0]}", path, page)
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[Word]:
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = STRAY_QUOTES.sub("", (row.get("text") or "").strip())
        if row.get("level") != "5" or not text:
            continue
        try:
            box = [float(row[k]) for k in ("left", "top", "width", "height", "conf")]
            key = tuple(int(row[k]) for k in ("page_num", "block_num", "par_num", "line_num"))
        except (KeyError, TypeError, ValueError):
            continue
        words.append(Word(text, *box, line_key=key))  # type: ignore[arg-type]
    return words


# ---------------------------------------------------------------- the page image


class PageRenderer:
    """Renders pages of one PDF with pypdfium2, within a pixel budget."""

    def __init__(self, path: Path, password: str | None, limits: Limits):
        self.path = path
        self.password = password
        self.limits = limits
        self._pdf = None

    def __enter__(self) -> "PageRenderer":
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
                raise ReportError(STAGE, f"the page cannot be rendered for OCR (pdfium: {exc})", str(self.path)) from exc
        return self._pdf

    def scale_for(self, width_pt: float, height_pt: float, dpi: int) -> float:
        """Pixels per point: the OCR resolution, lowered so the image stays within max_render_pixels."""
        wanted = dpi / 72
        area = max(width_pt * height_pt, 1.0)
        return min(wanted, (self.limits.max_render_pixels / area) ** 0.5)

    def render(self, number: int, width_pt: float, height_pt: float, dpi: int) -> tuple[np.ndarray, float]:
        """A grayscale image of the page as displayed (rotation applied), and its scale."""
        import pypdfium2 as pdfium

        scale = self.scale_for(width_pt, height_pt, dpi)
        try:
            page = self._document()[number - 1]
            try:
                bitmap = page.render(scale=scale, grayscale=True)
                image = np.array(bitmap.to_numpy(), copy=True)
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise ReportError(STAGE, f"the page cannot be rendered for OCR (pdfium: {exc})", str(self.path), number) from exc
        if image.ndim == 3:
            image = image[:, :, 0]
        return image, scale


def is_blank(image: np.ndarray) -> bool:
    return int(image.min()) > BLANK_LEVEL


# ---------------------------------------------------------------- ruling lines


def find_rules(image: np.ndarray, scale: float, settings: OcrSettings) -> tuple[list[Segment], np.ndarray]:
    """Horizontal and vertical ruling lines (in PDF points) and their pixel mask."""
    ink = cv2.adaptiveThreshold(255 - image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    height, width = ink.shape
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
    return len(word.text) == 1 and word.text in SPECKS and word.confidence < 80


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
    typical = float(np.median([width for width in widths.values()]))
    return {key for key, width in widths.items() if width >= ratio * typical and width >= 2}


def _runs(ink: np.ndarray) -> list[int]:
    """Lengths of the runs of ink along each row."""
    steps = np.diff(np.pad(ink.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts, ends = np.nonzero(steps == 1)[1], np.nonzero(steps == -1)[1]
    return (ends - starts).tolist()


# ---------------------------------------------------------------- ruled tables


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


def _table_composite(image: np.ndarray, cells: list[BBox], scale: float) -> tuple[np.ndarray, list[Slot]] | None:
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


def _read_cells(composite: np.ndarray, slots: list[Slot], settings: OcrSettings, dpi: int, clock: "_Clock",
                page: int, path: str) -> dict[int, list[Word]]:
    """Each cell's words: the Chinese model's, or the digits model's when the cell holds a number.

    The Chinese model misreads short numbers on their own (674 as 0714, 18 as 了8);
    the Latin model reads them right and cannot read Chinese, so a cell whose
    Latin reading is a number and whose Chinese reading is not Chinese text is
    taken from the Latin reading (a lone misread character such as 了 is not text).
    """
    chinese = _by_slot(run_tesseract(composite, settings.language, settings.table_psm, dpi, clock.left(), page, path), slots)
    if not settings.digits_language or tesseract_problem(settings.digits_language):
        return chinese
    latin = _by_slot(run_tesseract(composite, settings.digits_language, settings.table_psm, dpi, clock.left(), page, path), slots)
    for index, words in latin.items():
        words = _unbracketed(words)
        if _is_number(words) and not _reads_as_text(chinese.get(index, [])):
            chinese[index] = words
    return chinese


def _read_closed_cells(image: np.ndarray, slots: list[Slot], cell_words: dict[int, list[Word]], scale: float,
                       settings: OcrSettings, dpi: int, clock: "_Clock", page: int, path: str,
                       carried: dict[str, list[BBox]]) -> list[str]:
    """Cells under a closed column's header (units, row numbers) read again against their set, enlarged
    (CLOSED_READINGS); the corrections made ("大→人").
    ``cell_words`` is updated in place."""
    texts = ["".join(w.text for w in cell_words.get(i, [])) for i in range(len(slots))]
    corrections = []
    for kind, indexes in closed_cells([s.cell for s in slots], texts, carried).items():
        allowed = closed_set(kind)
        built = _table_composite(image, [slots[i].cell for i in indexes], scale)
        if not built:
            continue
        composite, sub_slots = built
        language = settings.language if kind == "unit" else (settings.digits_language or settings.language)
        readings = [_read_zoomed(composite, sub_slots, zoom, binary, language, allowed.whitelist, settings, dpi, clock,
                                 page, path) for zoom, binary in CLOSED_READINGS]
        index_of = {slots[i].cell: i for i in indexes}
        for j, sub in enumerate(sub_slots):
            i = index_of[sub.cell]
            reread = [reading.get(j, []) for reading in readings]
            text, correction = nearest(texts[i], ["".join(w.text for w in words) for words in reread], allowed)
            if correction is None:
                continue
            corrections.append(correction)
            confidence = min((w.confidence for words in reread for w in words), default=0.0)
            slot = slots[i]
            cell_words[i] = [Word(text, slot.x, slot.y, slot.width, slot.height, confidence, ("closed", kind, i))]
    return corrections


def _read_zoomed(composite: np.ndarray, slots: list[Slot], zoom: int, binary: bool, language: str, whitelist: str,
                 settings: OcrSettings, dpi: int, clock: "_Clock", page: int, path: str) -> dict[int, list[Word]]:
    """Each slot's words, read from the composite enlarged ``zoom`` times (and binarised) with a whitelist."""
    large = cv2.resize(composite, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    if binary:
        _, large = cv2.threshold(large, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    read = run_tesseract(large, language, settings.table_psm, zoom * dpi, clock.left(), page, path, whitelist=whitelist)
    return _by_slot([Word(w.text, w.left / zoom, w.top / zoom, w.width / zoom, w.height / zoom, w.confidence, w.line_key)
                     for w in read], slots)


def _words_on_page(cell_words: dict[int, list[Word]], slots: list[Slot], table: int) -> list[Word]:
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


def _whiten(image: np.ndarray, cells: list[BBox], scale: float) -> None:
    x0, top = min(c[0] for c in cells), min(c[1] for c in cells)
    x1, bottom = max(c[2] for c in cells), max(c[3] for c in cells)
    image[int(top * scale):int(bottom * scale) + 1, int(x0 * scale):int(x1 * scale) + 1] = 255


# ---------------------------------------------------------------- one page


class _Clock:
    """The seconds left for Tesseract on one page (several calls share them)."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


def ocr_page(renderer: PageRenderer, number: int, width_pt: float, height_pt: float, settings: OcrSettings,
             timeout: float, carried: dict[str, list[BBox]] | None = None, dpi: int | None = None) -> OcrPage | None:
    """OCR one page; None when the rendered page is blank.

    Ruled tables found in the image are read cell by cell (one Tesseract call
    per table, see _table_composite); the rest of the page in one call with
    automatic layout.
    """
    wanted = dpi or settings.dpi
    image, scale = renderer.render(number, width_pt, height_pt, wanted)
    notes = [f"rendered at {scale * 72:.0f} dpi (pixel budget)"] if scale * 72 < wanted - 0.5 else []
    if wanted < settings.dpi:
        notes.append(f"read at the scan's {wanted} dpi")
    if is_blank(image):
        return None
    image, angle = deskew(image, settings.max_skew)
    if angle:
        notes.append(f"deskewed by {angle:+.2f}°")
    rules, mask = find_rules(image, scale, settings)
    clean = erase(image, mask)
    clock, dpi, path = _Clock(timeout), round(scale * 72), str(renderer.path)
    words: list[Word] = []
    corrections: list[str] = []
    tables = [cells for cells in ruled_cells(rules, width_pt, height_pt, settings.snap_tolerance) if len(cells) > 1]
    for t, cells in enumerate(tables):
        built = _table_composite(clean, cells, scale)
        if built:
            composite, slots = built
            cell_words = _read_cells(composite, slots, settings, dpi, clock, number, path)
            corrections += _read_closed_cells(clean, slots, cell_words, scale, settings, dpi, clock, number, path,
                                              carried if carried is not None else {})
            words += _words_on_page(cell_words, slots, t)
        _whiten(clean, cells, scale)
    if not is_blank(clean):
        text_image, leaders = erase_leaders(clean, scale)
        if leaders:
            notes.append(f"{leaders} dotted leaders erased")
        page_words = run_tesseract(text_image, settings.language, settings.psm, dpi, clock.left(), number, path)
        orphans = _orphans(text_image, page_words, scale)
        built = _table_composite(text_image, orphans, scale) if orphans else None
        if built:
            composite, slots = built
            words += _words_on_page(_read_cells(composite, slots, settings, dpi, clock, number, path), slots, len(tables))
        words += page_words
    if corrections:
        notes.append(f"{len(corrections)} cells read against their closed set ({_tally(corrections)})")
    chars = words_to_chars(words, scale, settings.min_confidence, bold_lines(image, words))
    return OcrPage(chars, rules, mean_confidence(chars), scale, "; ".join(notes))


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
