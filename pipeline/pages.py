"""Stage 1: read the PDF into cleaned pages (lines, rules, boxes, images).

Character hygiene happens here once: fake-bold duplicates removed,
invisible glyphs dropped (white text not on a dark fill or image, text
render mode 3/7), glyphs outside the page or its crop box dropped, radicals
and compatibility ideographs mapped to unified ideographs; running headers,
footers and page numbers are removed and the printed page number kept.

Invisible text over a page-sized image is an earlier OCR of a scan: it is
kept (the page is marked source="ocr") rather than OCRed again. Pages
without a usable text layer are OCRed (pipeline.ocr). Limits (time, memory,
pages, pixels) are checked between pages.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect, PDFXRefFallback
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import PdfminerException

from . import ocr as O
from .config import OcrSettings, PageSettings
from .errors import ReportError
from .limits import Budget, LimitExceeded
from .output import file_sha256
from .lines import build_lines
from .page_workers import read_pages
from .records import BBox, Char, Document, Issue, Line, Page, Segment
from .rules import segments_from_edges
from .text import map_radicals

STAGE = "pages"
BOLD_FONT = re.compile(r"bold|heavy|black|semibold|demi|,b$|-b$|黑体|粗", re.I)
PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?(\d{1,4}|[ivxlcIVXLC]{1,6})(?:\s*页)?(?:\s*/\s*\d+)?[-—–－\s]*$")
WHITE = {(1,), (1.0,), (1, 1, 1), (1.0, 1.0, 1.0), (0, 0, 0, 0), (0.0, 0.0, 0.0, 0.0)}
CATALOG = re.compile(rb"(\d+)\s+(\d+)\s+obj\s*<<(?:(?!endobj).){0,600}?/Type\s*/Catalog", re.S)
INVISIBLE_MODES = {3, 7}  # text render modes that paint nothing
SIGNATURES = {  # what a file that is not a PDF starts with
    b"<!doctype html": "an HTML page", b"<html": "an HTML page", b"<?xml": "an XML file",
    b"\x89png": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"pk\x03\x04": "a ZIP archive (an Office document?)",
    b"\xd0\xcf\x11\xe0": "an old Office document", b"{\\rtf": "an RTF document", b"gif8": "a GIF image",
}


def extract_pages(path: Path, settings: PageSettings, password: str | None = None, report_id: str | None = None,
                  ocr: OcrSettings | None = None, budget: Budget | None = None) -> Document:
    """Open ``path`` and return the cleaned document; raise ReportError when it cannot be read."""
    path = Path(path)
    budget = budget or Budget(path=str(path))
    _refuse_non_pdf(path)
    sha = file_sha256(path)
    pdf, repair = _open(path, password)
    try:
        raw_pages = _page_list(pdf, path, budget.limits.max_pages)
        meta = pdf.metadata or {}
        doc = Document(
            report_id=report_id or path.stem,
            path=path,
            sha256=sha,
            page_count=len(raw_pages),
            producer=str(meta.get("Producer", "")),
            creator=str(meta.get("Creator", "")),
            title=str(meta.get("Title", "")),
            pages=[],
            password=password,
        )
        if repair:
            doc.repaired, doc.scratch = repair.path, repair.folder
            doc.issues.append(Issue(STAGE, repair.note, level="missing"))
        if any(isinstance(x, PDFXRefFallback) for x in getattr(pdf.doc, "xrefs", [])):
            doc.issues.append(Issue(STAGE, "the cross-reference table is damaged or missing: objects were recovered by scanning the file"))
        doc.pages, issues = read_pages(raw_pages, lambda raw: _read_and_close(raw, settings, doc), budget, STAGE,
                                       reopen=lambda: _reopen(doc, budget.limits.max_pages))
        doc.issues += issues
    finally:
        _close(pdf)
    _ocr_pages(doc, ocr or OcrSettings(), budget)
    _remove_running_lines(doc.pages, settings)
    return doc


# ---------------------------------------------------------------- opening


def _refuse_non_pdf(path: Path) -> None:
    """Clear errors for what is certainly not a PDF: a missing or empty file, HTML or images named .pdf."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise ReportError(STAGE, f"the file cannot be read ({exc.strerror or exc})", str(path)) from exc
    if size == 0:
        raise ReportError(STAGE, "the file is empty (0 bytes)", str(path))
    if b"%PDF-" in head:
        return
    start = head.lstrip().lower()
    kind = next((name for sig, name in SIGNATURES.items() if start.startswith(sig)), None)
    if kind:
        raise ReportError(STAGE, f"not a PDF: the file is {kind} with a .pdf name", str(path))


@dataclass
class Repair:
    path: Path
    folder: tempfile.TemporaryDirectory
    note: str


def _open(path: Path, password: str | None):
    """pdfplumber's PDF, and the repair it needed (None for a sound file)."""
    try:
        return pdfplumber.open(path, password=password or ""), None
    except LimitExceeded:
        raise
    except Exception as exc:  # pdfplumber wraps pdfminer's many error types
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            message = ("the password given does not open this encrypted PDF" if password
                       else "the PDF is encrypted: give its password with --password")
            raise ReportError(STAGE, message, str(path)) from exc
        if isinstance(cause, PDFEncryptionError):
            raise ReportError(STAGE, f"the PDF is encrypted with a method that cannot be read ({cause})", str(path)) from exc
        repair = _repair_truncated(path)
        if repair:
            try:
                return pdfplumber.open(repair.path, password=password or ""), repair
            except LimitExceeded:
                repair.folder.cleanup()
                raise
            except Exception:
                repair.folder.cleanup()
        raise ReportError(STAGE, _unreadable(path, cause), str(path)) from exc


def _is_truncated(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - 1024, 0))
        return b"%%EOF" not in fh.read()


def _repair_truncated(path: Path) -> Repair | None:
    """A cut-off download keeps its first objects: close the last one and add a trailer naming the catalog."""
    if not _is_truncated(path):
        return None
    data = path.read_bytes()
    catalog = CATALOG.search(data)
    if not catalog:
        return None
    folder = tempfile.TemporaryDirectory(prefix="vetreport-repair-")
    repaired = Path(folder.name) / path.name
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root %s %s R >>\n%%%%EOF\n" % (catalog.group(1), catalog.group(2))
    repaired.write_bytes(data + tail)
    note = ("the file is truncated (it ends without %%EOF: an incomplete download?); read from a repaired copy, "
            "content after the cut is missing")
    return Repair(repaired, folder, note)


def _read_and_close(raw, settings: PageSettings, doc: Document) -> tuple[Page, list[Issue]]:
    """One page (page_workers.read_pages reads them all, here or in workers) and the issues it raised."""
    before = len(doc.issues)
    page = _read_page(raw, settings, doc)
    raw.close()
    issues = doc.issues[before:]
    del doc.issues[before:]
    return page, issues


def _reopen(doc: Document, max_pages: int) -> list:
    """The raw pages of the file ``doc`` is read from, opened again (by a page worker)."""
    pdf, _ = _open(doc.readable_path, doc.password)
    return _page_list(pdf, doc.path, max_pages)


def _close(pdf) -> None:
    """Close the file without pdfplumber's close(), which walks the page tree again: on a broken tree
    that raises a second error in place of the first, clear one."""
    pdf.flush_cache()
    if not pdf.stream_is_external:
        pdf.stream.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
    text = str(exc).strip() or "no details"
    return f"{type(exc).__name__}: {text[:200]}"


def _unreadable(path: Path, cause: BaseException) -> str:
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        return f"not a PDF: it has no %PDF header and starts with {head[:24]!r}"
    truncated = "; the file is truncated (it ends without %%EOF: an incomplete download?)" if _is_truncated(path) else ""
    return f"not a readable PDF ({_describe(cause)}){truncated}"


def _page_list(pdf, path: Path, max_pages: int) -> list:
    _refuse_too_many_pages(pdf, path, max_pages)
    try:
        raw_pages = pdf.pages
    except LimitExceeded:
        raise
    except Exception as exc:
        raise ReportError(STAGE, f"the page tree cannot be read ({_describe(exc)})", str(path)) from exc
    if not raw_pages:
        raise ReportError(STAGE, "the PDF has no pages (its page tree is empty or broken)", str(path))
    return raw_pages


def _refuse_too_many_pages(pdf, path: Path, max_pages: int) -> None:
    """Count pages without loading them, stopping one past the limit (a page tree's /Count can lie)."""
    from pdfminer.pdfpage import PDFPage

    if max_pages <= 0:
        return  # no limit
    try:
        seen = sum(1 for _ in islice(PDFPage.create_pages(pdf.doc), max_pages + 1))
    except LimitExceeded:
        raise
    except Exception:
        return  # a broken page tree: reading it says what is wrong
    if seen > max_pages:
        declared = _declared_page_count(pdf)
        count = str(declared) if declared > max_pages else f"more than {max_pages}"
        raise LimitExceeded(STAGE, f"{count} pages exceed the limit of {max_pages} (limit max_pages)", str(path))


def _declared_page_count(pdf) -> int:
    """The page tree's /Count (0 when it cannot be read)."""
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"]).get("Count"))
        return int(count) if isinstance(count, (int, float)) else 0
    except Exception:
        return 0


# ---------------------------------------------------------------- one page


class _RenderModeAggregator(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, also collecting the glyphs drawn in an invisible text render mode."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.render_mode = 0
        self.invisible: set[tuple] = set()

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:
        self.render_mode = textstate.render
        super().render_string(textstate, seq, ncs, graphicstate)

    def render_char(self, *args, **kwargs) -> float:
        adv = super().render_char(*args, **kwargs)
        if self.render_mode in INVISIBLE_MODES and self.cur_item._objs:
            self.invisible.add(_glyph_key(self.cur_item._objs[-1]))
        return adv


def _glyph_key(obj) -> tuple:
    if isinstance(obj, dict):
        return (obj.get("text"), round(obj["x0"], 2), round(obj["y0"], 2), round(obj["x1"], 2), round(obj["y1"], 2))
    return (obj.get_text(), round(obj.x0, 2), round(obj.y0, 2), round(obj.x1, 2), round(obj.y1, 2))


def _layout_with_render_modes(raw) -> set[tuple]:
    """Lay the page out (as pdfplumber would) and return the keys of its invisible glyphs."""
    device = _RenderModeAggregator(raw.pdf.rsrcmgr, pageno=raw.page_number, laparams=raw.pdf.laparams)
    try:
        PDFPageInterpreter(raw.pdf.rsrcmgr, device).process_page(raw.page_obj)
    except LimitExceeded:
        raise
    except Exception as exc:
        raise PdfminerException(exc) from exc
    raw._layout = device.get_result()  # pdfplumber reads its objects from this cached layout
    return device.invisible


def _read_page(raw, settings: PageSettings, doc: Document) -> Page:
    page = Page(number=raw.page_number, width=float(raw.width), height=float(raw.height), rotation=int(raw.rotation or 0) % 360)
    try:
        invisible = _layout_with_render_modes(raw)
        chars = raw.chars
        edges = raw.edges
        rects = raw.rects
        images = raw.images
    except LimitExceeded:
        raise
    except Exception as exc:
        doc.issues.append(Issue(STAGE, f"page content cannot be parsed ({_describe(exc)}); its text is missing",
                                raw.page_number, "missing"))
        page.source = "empty"
        return page
    page.images = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in images]
    page.image_sizes = [_pixel_size(i) for i in images]
    chars = _visible(chars, invisible, page, rects, raw.cropbox)
    page.chars = _clean_chars(_dedupe(chars, settings.dedupe_tolerance), page)
    page.lines = build_lines(page.chars, page.number, settings.space_gap)
    page.rules = segments_from_edges(edges)
    page.filled = sorted({
        (round(r["x0"], 1), round(r["top"], 1), round(r["x1"], 1), round(r["bottom"], 1))
        for r in rects if r["width"] > 20 and r["height"] > 20
    })
    if not page.lines:
        page.source = "empty"
    return page


def _visible(chars: list[dict], invisible: set[tuple], page: Page, rects: list[dict], cropbox) -> list[dict]:
    """Drop glyphs a reader cannot see; keep an invisible OCR layer over a scanned page."""
    hidden = [c for c in chars if _glyph_key(c) in invisible] if invisible else []
    if hidden:
        shown = [c for c in chars if _glyph_key(c) not in invisible]
        if not any((c.get("text") or "").strip() for c in shown) and image_share(page) >= 0.5:
            page.source = "ocr"
            page.notes.append(f"{len(hidden)} invisible characters over a page image kept (the file's own OCR layer)")
            return chars
        page.notes.append(f"{len(hidden)} invisible characters (text render mode 3/7) dropped")
        chars = shown
    dark = [_box(r) for r in rects if r.get("fill") and not _is_white(r.get("non_stroking_color"))]
    kept = []
    white = clipped = 0
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if not (cropbox[0] <= cx <= cropbox[2] and cropbox[1] <= cy <= cropbox[3]):
            clipped += 1
            continue
        if _is_white(c.get("non_stroking_color")) and not any(_contains(b, cx, cy) for b in dark + page.images):
            white += 1
            continue
        kept.append(c)
    if white:
        page.notes.append(f"{white} white characters on a white background dropped")
    if clipped:
        page.notes.append(f"{clipped} characters outside the page or its crop box dropped")
    return kept


def _pixel_size(image: dict) -> tuple[int, int]:
    try:
        width, height = image.get("srcsize") or (0, 0)
        return int(width or 0), int(height or 0)
    except (TypeError, ValueError):
        return 0, 0


def _box(obj: dict) -> BBox:
    return (obj["x0"], obj["top"], obj["x1"], obj["bottom"])


def _contains(box: BBox, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


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


# ---------------------------------------------------------------- OCR


def _ocr_pages(doc: Document, settings: OcrSettings, budget: Budget) -> None:
    """Replace the text of pages without a usable text layer by OCR."""
    wanted = [(p, r) for p in doc.pages if (r := _ocr_reason(p, settings))]
    if not wanted:
        return
    if settings.mode == "off":
        _report_skipped(doc, wanted, "OCR is off")
        return
    problem = O.tesseract_problem(settings.language)
    if problem:
        if len(wanted) == len(doc.pages):
            raise ReportError(STAGE, f"no page has a usable text layer and OCR is unavailable: {problem}", str(doc.path))
        _report_skipped(doc, wanted, problem)
        return
    cap = budget.limits.ocr_max_pages or len(doc.pages)  # 0: no limit
    with O.PageRenderer(doc.readable_path, doc.password, budget.limits) as renderer:
        for page, reason in wanted:
            budget.check(STAGE, page.number)
            if budget.ocr_pages >= cap:
                _report_skipped(doc, [(page, reason)], f"the OCR page limit ({cap}, limit ocr_max_pages) is reached")
                continue
            _ocr_one(doc, page, reason, renderer, settings, budget)


def _ocr_reason(page: Page, settings: OcrSettings) -> str | None:
    if page.source == "ocr":
        return None  # the file's own OCR layer
    if not page.chars and not page.images and not page.rules and not page.filled:
        return None  # nothing drawn that could be text
    return O.unusable_reason([c.text for c in page.chars], image_share(page), settings)


def _report_skipped(doc: Document, wanted: list[tuple[Page, str]], why: str) -> None:
    for page, reason in wanted:
        doc.issues.append(Issue(STAGE, f"{reason}; not OCRed: {why}; the page's text is missing", page.number, "missing"))


def _ocr_one(doc: Document, page: Page, reason: str, renderer: "O.PageRenderer", settings: OcrSettings, budget: Budget) -> None:
    limits = budget.limits
    bomb = next(((w, h) for w, h in page.image_sizes if w * h > limits.max_image_pixels), None)
    if bomb:
        doc.issues.append(Issue(STAGE, f"{reason}; not OCRed: an embedded image of {bomb[0]}x{bomb[1]} pixels exceeds "
                                       f"the limit of {limits.max_image_pixels} (limit max_image_pixels)", page.number, "missing"))
        return
    budget.ocr_pages += 1
    try:
        result = O.ocr_page(renderer, page.number, page.width, page.height, settings, _ocr_timeout(budget))
    except LimitExceeded:
        raise
    except ReportError as exc:
        doc.issues.append(Issue(STAGE, f"{reason}; OCR failed: {exc.message}", page.number, "missing"))
        return
    if result is None:
        page.notes.append(f"{reason}; the rendered page is blank")
        return
    page.chars = result.chars
    page.lines = build_lines(result.chars, page.number, source="ocr")
    if not any(not s.horizontal for s in page.rules):
        page.rules = result.rules  # a scan has no drawn rules; drawn ones are more exact when present
    page.source = "ocr" if page.lines else "empty"
    page.ocr_confidence = result.confidence
    page.notes.append(f"{reason}: OCRed" + (f", {result.note}" if result.note else ""))


def _ocr_timeout(budget: Budget) -> float:
    remaining = budget.remaining()
    timeout = budget.limits.ocr_page_seconds
    return max(1.0, min(timeout, remaining)) if remaining is not None else timeout


def _dedupe(chars: list[dict], tolerance: float) -> list[dict]:
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


def _is_bold(fontname: str) -> bool:
    return bool(BOLD_FONT.search(fontname.split("+")[-1]))


def _clean_chars(chars: list[dict], page: Page) -> list[Char]:
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
                bold=_is_bold(str(c.get("fontname", ""))),
                source=page.source if page.source == "ocr" else "text",
            )
        )
    return cleaned


def _signature(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _band(line: Line, page: Page, share: float) -> str | None:
    if line.bottom <= page.height * share:
        return "top"
    if line.top >= page.height * (1 - share):
        return "bottom"
    return None


def _remove_running_lines(pages: list[Page], settings: PageSettings) -> None:
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
        page.chars = [c for c in page.chars if not any(_inside(c, ln) for ln in removed)]
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


def _inside(ch: Char, line: Line) -> bool:
    x0, top, x1, bottom = line.bbox
    return ch.x0 >= x0 - 0.5 and ch.x1 <= x1 + 0.5 and ch.top >= top - 0.5 and ch.bottom <= bottom + 0.5


def _is_running_rule(seg: Segment, removed: list[Line], page: Page) -> bool:
    """A rule that separates a running header/footer from the body."""
    if not seg.horizontal or seg.x1 - seg.x0 < page.width * 0.4:
        return False
    return any(ln.top - 4 <= seg.top <= ln.bottom + 12 or ln.top - 12 <= seg.top <= ln.top for ln in removed)
