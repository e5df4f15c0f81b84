"""Reading one page of the PDF into a cleaned Page (the page stage's unit of work).

``read_page`` takes one entry of the page tree (pipeline.opening) and returns the Page
and the issues it raised; it touches nothing else, so it runs the same in this
process or in a worker. A page that cannot be read (its boxes, resources or
content) comes back empty with a ``missing`` issue naming the page and the cause;
text drawn with fonts the page does not have is dropped with a ``missing`` issue
(PDFium would draw it with a stand-in font, so OCR cannot recover it either).

Coordinates are PDF points from the top-left of the page as displayed. A page whose
text runs down, up or upside down as displayed gets ``turn`` (degrees clockwise that
would show it upright); the page stage re-reads such pages from a turned copy.
"""

from __future__ import annotations

import math
from collections import Counter

from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.psparser import literal_name
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import PdfminerException

from ..config import PageSettings
from ..limits import LimitExceeded
from ..records import Issue, Page, said
from .hygiene import clean_chars, dedupe, glyph_key, visible
from .lines import build_lines
from .opening import PageEntry, describe
from .rules import segments_from_edges

STAGE = "pages"
INVISIBLE_MODES = {3, 7}  # text render modes that paint nothing
# A page is turned when at least this share of its characters (and this many) run one other way.
TURN_SHARE, TURN_MIN_CHARS = 0.6, 10


class _Aggregator(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, also noting glyphs drawn invisibly (render mode 3/7), glyphs drawn
    with a font the page does not have, and how many text-showing operators ran."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.render_mode = 0
        self.invisible: set[tuple] = set()
        self.fontless: set[tuple] = set()
        self.shown = 0

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:
        self.render_mode = textstate.render
        self.shown += bool(seq)
        super().render_string(textstate, seq, ncs, graphicstate)

    def render_char(self, matrix, font, *args, **kwargs) -> float:
        adv = super().render_char(matrix, font, *args, **kwargs)
        if self.cur_item._objs:
            if self.render_mode in INVISIBLE_MODES:
                self.invisible.add(glyph_key(self.cur_item._objs[-1]))
            if getattr(font, "missing_as", None):
                self.fontless.add(glyph_key(self.cur_item._objs[-1]))
        return adv


class _Interpreter(PDFPageInterpreter):
    """Notes the font names a page selects but its resources do not define."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing_fonts: set[str] = set()

    def do_Tf(self, fontid, fontsize) -> None:
        name = literal_name(fontid)
        super().do_Tf(fontid, fontsize)
        if name not in self.fontmap:
            self.missing_fonts.add(str(name))
            self.textstate.font.missing_as = str(name)


def _layout(raw) -> tuple[_Aggregator, _Interpreter]:
    """Lay the page out (as pdfplumber would), keeping what the device and interpreter noted."""
    device = _Aggregator(raw.pdf.rsrcmgr, pageno=raw.page_number, laparams=raw.pdf.laparams)
    interpreter = _Interpreter(raw.pdf.rsrcmgr, device)
    try:
        interpreter.process_page(raw.page_obj)
    except LimitExceeded:
        raise
    except Exception as exc:
        raise PdfminerException(exc) from exc
    raw._layout = device.get_result()  # pdfplumber reads its objects from this cached layout
    return device, interpreter


def skipped_page(number: int, problem: str) -> tuple[Page, list[Issue]]:
    """An empty page for one that cannot be read (its size is filled in from its neighbours)."""
    page = Page(number=number, width=0.0, height=0.0, rotation=0, source="empty")
    page.damage = problem
    return page, [said(STAGE, "pages.skipped", number, "missing", problem=problem)]


def read_page(entry: PageEntry, settings: PageSettings) -> tuple[Page, list[Issue]]:
    """One page of the tree: its cleaned characters, lines, rules, boxes and images, and its issues."""
    raw = entry.page
    if raw is None:
        return skipped_page(entry.number, entry.problem or "the page cannot be read")
    page = Page(number=entry.number, width=float(raw.width), height=float(raw.height),
                rotation=int(raw.rotation or 0) % 360)
    issues: list[Issue] = []
    try:
        device, interpreter = _layout(raw)
        chars, edges, rects, images = raw.chars, raw.edges, raw.rects, raw.images
    except LimitExceeded:
        raise
    except Exception as exc:
        page.source = "empty"
        page.damage = f"its content cannot be parsed ({describe(exc)})"
        issues.append(said(STAGE, "pages.unparsed", entry.number, "missing", why=describe(exc)))
        return page, issues + _font_issues(raw, entry.number)
    issues += _font_issues(raw, entry.number)
    origin = (float(raw.bbox[0]), float(raw.bbox[1]))  # a box not at (0, 0): coordinates from its corner
    chars, edges, rects, images = (_shifted(objs, origin) for objs in (chars, edges, rects, images))
    cropbox = _shifted_box(raw.cropbox, origin)
    if device.fontless:
        chars = [c for c in chars if glyph_key(c) not in device.fontless]
        page.damage = "its text is drawn with fonts that are not in its resources"
        issues.append(said(STAGE, "pages.fontless", entry.number, "missing", count=len(device.fontless),
                           fonts=", ".join(sorted(interpreter.missing_fonts))))
    elif device.shown and not chars:
        issues.append(said(STAGE, "pages.no_chars", entry.number, "missing", count=device.shown))
    page.turn = text_turn(chars)
    page.images = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in images]
    page.image_sizes = [_pixel_size(i) for i in images]
    chars = visible(chars, device.invisible, page, rects, cropbox)
    page.chars = clean_chars(dedupe(chars, settings.dedupe_tolerance), page)
    page.lines = build_lines(page.chars, page.number, settings.space_gap)
    page.rules = segments_from_edges(edges)
    page.filled = sorted({
        (round(r["x0"], 1), round(r["top"], 1), round(r["x1"], 1), round(r["bottom"], 1))
        for r in rects if r["width"] > 20 and r["height"] > 20
    })
    if not page.lines:
        page.source = "empty"
    return page, issues


FONT_LEVELS = {"font.unloaded": "missing"}  # a font that cannot be loaded loses its text


def _font_issues(raw, number: int) -> list[Issue]:
    take = getattr(raw.pdf.rsrcmgr, "take_problems", None)
    return [said(STAGE, problem["key"], number, FONT_LEVELS.get(problem["key"], "warning"), **problem.get("fields", {}))
            for problem in (take() if take else [])]


def text_turn(chars: list[dict]) -> int:
    """Degrees (clockwise) that would show the page's text upright: 0, 90, 180 or 270.

    Each glyph's text matrix gives the direction its line runs in as displayed; the page is
    turned when most glyphs run one other way (a rotated table header alone does not turn it).
    """
    runs: Counter[int] = Counter()
    for c in chars:
        if not (c.get("text") or "").strip() or not c.get("matrix"):
            continue
        a, b = c["matrix"][0], c["matrix"][1]
        runs[round(math.degrees(math.atan2(b, a)) / 90) % 4 * 90] += 1
    if not runs:
        return 0
    angle, count = runs.most_common(1)[0]
    if angle == 0 or count < TURN_MIN_CHARS or count < TURN_SHARE * sum(runs.values()):
        return 0
    return angle  # text running up (90) reads upright once the page is turned clockwise by 90


def _shifted(objs: list[dict], origin: tuple[float, float]) -> list[dict]:
    if origin == (0.0, 0.0):
        return objs
    dx, dy = origin
    return [{**o, "x0": o["x0"] - dx, "x1": o["x1"] - dx, "top": o["top"] - dy, "bottom": o["bottom"] - dy} for o in objs]


def _shifted_box(box, origin: tuple[float, float]) -> tuple[float, float, float, float]:
    dx, dy = origin
    return (float(box[0]) - dx, float(box[1]) - dy, float(box[2]) - dx, float(box[3]) - dy)


def _pixel_size(image: dict) -> tuple[int, int]:
    try:
        width, height = image.get("srcsize") or (0, 0)
        return int(width or 0), int(height or 0)
    except (TypeError, ValueError):
        return 0, 0
