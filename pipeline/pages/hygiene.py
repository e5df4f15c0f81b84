"""Character hygiene of the page stage: what a reader cannot see is dropped, what repeats on every page
(running headers, footers, page numbers) is removed, and glyph forms are unified.

Per page (``visible``, ``dedupe``, ``clean_chars``): invisible glyphs dropped (render mode 3/7, white
text not on a dark fill or image, glyphs outside the page or its crop box) — except an invisible
layer over a page-sized image, which is a scan's own OCR and is kept; fake-bold duplicates removed;
radicals and compatibility ideographs mapped to unified ideographs. Per document
(``remove_running_lines``): running headers/footers and page numbers, keeping the printed number.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ..config import OcrSettings, PageSettings
from ..geometry import box_of, contains_point, within
from ..records import Char, Line, Page, Segment
from ..text import GARBLED, garbled_ratio, map_radicals
from ..words import word

BOLD_FONT = re.compile(r"bold|heavy|black|semibold|demi|,b$|-b$|黑体|粗", re.I)
PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?(\d{1,4}|[ivxlcIVXLC]{1,6})(?:\s*页)?(?:\s*/\s*\d+)?[-—–－\s]*$")
WHITE = {(1,), (1.0,), (1, 1, 1), (1.0, 1.0, 1.0), (0, 0, 0, 0), (0.0, 0.0, 0.0, 0.0)}


def visible(chars: list[dict], invisible: set[tuple], page: Page, rects: list[dict], cropbox) -> list[dict]:
    """Drop glyphs a reader cannot see; keep an invisible OCR layer over a scanned page.
    ``invisible`` holds the keys (``glyph_key``) of glyphs drawn in render mode 3/7."""
    hidden = [c for c in chars if glyph_key(c) in invisible] if invisible else []
    if hidden:
        shown = [c for c in chars if glyph_key(c) not in invisible]
        if not any((c.get("text") or "").strip() for c in shown) and image_share(page) >= 0.5:
            page.source = "ocr"
            page.notes.append(f"{len(hidden)} invisible characters over a page image kept (the file's own OCR layer)")
            return chars
        page.notes.append(f"{len(hidden)} invisible characters (text render mode 3/7) dropped")
        chars = shown
    dark = [box_of(r) for r in rects if r.get("fill") and not _is_white(r.get("non_stroking_color"))]
    kept = []
    white = clipped = 0
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if not (cropbox[0] <= cx <= cropbox[2] and cropbox[1] <= cy <= cropbox[3]):
            clipped += 1
            continue
        if _is_white(c.get("non_stroking_color")) and not any(contains_point(b, cx, cy) for b in dark + page.images):
            white += 1
            continue
        kept.append(c)
    if white:
        page.notes.append(f"{white} white characters on a white background dropped")
    if clipped:
        page.notes.append(f"{clipped} characters outside the page or its crop box dropped")
    return kept


def glyph_key(obj) -> tuple:
    """A glyph's identity in pdfminer's layout objects and pdfplumber's char dicts alike: its text and text
    matrix (pdfplumber moves a char's box with the page's MediaBox; the matrix stays as drawn)."""
    text, matrix = (obj.get("text"), obj.get("matrix")) if isinstance(obj, dict) else (obj.get_text(), obj.matrix)
    return (text, tuple(round(float(v), 2) for v in matrix or ()))






def _is_white(color) -> bool:
    return isinstance(color, (list, tuple)) and tuple(color) in WHITE


def image_share(page: Page) -> float:
    """Share of the page area covered by images (overlaps counted once per image, capped at 1)."""
    area = max(page.width * page.height, 1.0)
    covered = 0.0
    for x0, top, x1, bottom in page.images:
        w = max(0.0, min(x1, page.width) - max(x0, 0.0))
        h = max(0.0, min(bottom, page.height) - max(top, 0.0))
        covered += w * h
    return min(covered / area, 1.0)


def unusable_reason(texts: list[str], image_share: float, settings: OcrSettings) -> dict | None:
    """Why a page's text layer cannot be used (so it is OCRed), as a catalogue word; None when it is fine."""
    visible = [t for t in texts if t.strip()]
    if not visible:
        return word("pages.no_text_layer")
    joined = "".join(visible)
    share = garbled_ratio(joined)
    if share >= settings.garbled_share:
        return word("pages.garbled", share=f"{share:.0%}")
    readable = len(GARBLED.sub("", joined).strip())
    if readable < settings.min_chars and image_share >= 0.5:
        return word("pages.few_chars", count=readable)
    return None


def dedupe(chars: list[dict], tolerance: float) -> list[dict]:
    """Drop fake-bold duplicates: the same glyph drawn again within ``tolerance`` points."""
    seen: dict[tuple[str, int, int], list[dict]] = {}
    kept = []
    for c in chars:
        text = c.get("text", "")
        bx, by = int(c["x0"] // tolerance), int(c["top"] // tolerance)
        twins = [
            o for dx in (-1, 0, 1) for dy in (-1, 0, 1) for o in seen.get((text, bx + dx, by + dy), ())
            if abs(o["x0"] - c["x0"]) <= tolerance and abs(o["top"] - c["top"]) <= tolerance
        ]
        if twins and text.strip():
            continue
        seen.setdefault((text, bx, by), []).append(c)
        kept.append(c)
    return kept


@lru_cache(maxsize=1024)  # a page has a few fonts and thousands of characters
def is_bold(fontname: str) -> bool:
    return bool(BOLD_FONT.search(fontname.split("+")[-1]))


def clean_chars(chars: list[dict], page: Page) -> list[Char]:
    cleaned = []
    for c in chars:
        text = c.get("text") or ""
        if not text.strip() and text != " ":
            continue
        cleaned.append(
            Char(
                text=map_radicals(text),
                x0=float(c["x0"]),
                top=float(c["top"]),
                x1=float(c["x1"]),
                bottom=float(c["bottom"]),
                size=float(c.get("size") or (c["bottom"] - c["top"]) or 1.0),
                bold=is_bold(str(c.get("fontname", ""))),
                source=page.source if page.source == "ocr" else "text",
            )
        )
    return cleaned


# ---------------------------------------------------------------- running headers and footers


def _signature(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _band(line: Line, page: Page, share: float) -> str | None:
    if line.bottom <= page.height * share:
        return "top"
    if line.top >= page.height * (1 - share):
        return "bottom"
    return None


def remove_running_lines(pages: list[Page], settings: PageSettings) -> None:
    """Drop running headers/footers and page numbers; keep the printed number on the page.

    Only lines alone on their baseline and outside ruled tables qualify, so a
    table header repeated at the top of continuation pages is never taken
    for a running header.
    """
    candidates = {page.number: _margin_lines(page, settings) for page in pages}
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_signature(ln.text) for ln, _ in candidates[page.number]})
    threshold = max(2, settings.repeat_share * len(pages))
    running = {sig for sig, n in counts.items() if n >= threshold}
    for page in pages:
        removed: list[Line] = []
        for ln, band in candidates[page.number]:
            number = PAGE_NUMBER.match(ln.text)
            if number and _plausible_page_number(number.group(1), len(pages)) and (band == "bottom" or page.printed is None):
                page.printed = page.printed or number.group(1)
                removed.append(ln)
            elif _signature(ln.text) in running and not number:
                removed.append(ln)
        if not removed:
            continue
        page.lines = [ln for ln in page.lines if ln not in removed]
        page.chars = [c for c in page.chars if not any(within(c.bbox, ln.bbox, 0.5) for ln in removed)]
        page.rules = [s for s in page.rules if not _is_running_rule(s, removed, page)]


def _margin_lines(page: Page, settings: PageSettings) -> list[tuple[Line, str]]:
    out = []
    for ln in page.lines:
        band = _band(ln, page, settings.margin_band)
        if not band:
            continue
        cy = (ln.top + ln.bottom) / 2
        alone = not any(o is not ln and o.top < cy < o.bottom for o in page.lines)
        in_table = any(not s.horizontal and s.top < cy < s.bottom and ln.bbox[0] - 20 <= s.x0 <= ln.bbox[2] + 20 for s in page.rules)
        if alone and not in_table:
            out.append((ln, band))
    return out


def _plausible_page_number(text: str, page_count: int) -> bool:
    return not text.isdigit() or int(text) <= page_count + 20


def _is_running_rule(seg: Segment, removed: list[Line], page: Page) -> bool:
    """A rule that separates a running header/footer from the body."""
    if not seg.horizontal or seg.x1 - seg.x0 < page.width * 0.4:
        return False
    return any(ln.top - 4 <= seg.top <= ln.bottom + 12 or ln.top - 12 <= seg.top <= ln.top for ln in removed)
