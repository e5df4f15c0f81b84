"""Stage 1: read the PDF into cleaned pages (lines, rules, boxes, images).

Opening and repair live in pipeline.opening, the reading of one page in
pipeline.page_reader, character hygiene in pipeline.hygiene. This module
runs them over the document: each page is read on its own (a page that
cannot be read is skipped with a warning, the others are read), pages whose
text runs turned are read again from a copy that shows them upright, pages
without a usable text layer are OCRed (pipeline.ocr), and running headers,
footers and page numbers are removed. Limits (time, memory, pages, pixels)
are checked between pages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import OcrSettings, PageSettings
from ..errors import ReportError
from ..files import file_sha256
from ..forked.page_workers import read_pages
from ..limits import Budget, LimitExceeded
from ..records import Document, Issue, Page, said
from ..words import RECORDS, word, words
from .hygiene import image_share, remove_running_lines, unusable_reason
from .lines import build_lines
from .opening import close, open_pdf, refuse_non_pdf, turned_copy
from .pictures import read_pictures
from .reader import read_page

if TYPE_CHECKING:
    from . import ocr as O

STAGE = "pages"


def extract_pages(path: Path, settings: PageSettings, password: str | None = None, report_id: str | None = None,
                  ocr: OcrSettings | None = None, budget: Budget | None = None, cores: int = 1,
                  meanwhile: Callable[[], None] | None = None) -> Document:
    """Open ``path`` and return the cleaned document; raise ReportError when it cannot be read.

    With ``cores`` of two or more the pages are read by forked page workers while ``meanwhile`` runs here."""
    path = Path(path)
    budget = budget or Budget(path=str(path))
    refuse_non_pdf(path)
    sha = file_sha256(path)
    opened = open_pdf(path, password, budget.limits.max_pages)
    pdf = opened.pdf
    try:
        meta = _metadata(pdf)
        doc = Document(
            report_id=report_id or path.stem,
            path=path,
            sha256=sha,
            page_count=len(opened.entries),
            producer=str(meta.get("Producer", "")),
            creator=str(meta.get("Creator", "")),
            title=str(meta.get("Title", "")),
            pages=[],
            password=password,
            repaired=opened.repaired,
            scratch=opened.scratch,
        )
        doc.issues += opened.issues
        doc.pages, issues = read_pages(opened.entries, lambda entry: _read_and_close(entry, settings), budget, STAGE,
                                       reopen=lambda: open_pdf(doc.readable_path, password, budget.limits.max_pages).entries,
                                       workers=cores, meanwhile=meanwhile)
        doc.issues += issues
    finally:
        close(pdf)
    _size_skipped(doc.pages)
    _read_turned(doc, settings, budget)
    scanned = _ocr_pages(doc, ocr or OcrSettings(), budget, cores)
    remove_running_lines(doc.pages, settings)
    read_pictures(doc, ocr or OcrSettings(), budget, scanned)
    return doc


def _read_and_close(entry, settings: PageSettings) -> tuple[Page, list[Issue]]:
    """One page and the issues reading it raised (page_workers.read_pages reads them all, here or in workers)."""
    page, issues = read_page(entry, settings)
    if entry.page is not None:
        entry.page.close()
    return page, issues


def _metadata(pdf) -> dict:
    try:
        return pdf.metadata or {}
    except Exception:  # a damaged /Info dictionary costs only the metadata
        return {}


def _size_skipped(pages: list[Page]) -> None:
    """A page skipped for its boxes takes the size of the nearest readable page (A4 when there is none)."""
    sized = [p for p in pages if p.width > 0 and p.height > 0]
    for page in pages:
        if page.width <= 0 or page.height <= 0:
            near = min(sized, key=lambda p: abs(p.number - page.number), default=None)
            page.width, page.height = (near.width, near.height) if near else (595.0, 842.0)


# ---------------------------------------------------------------- turned pages


def _read_turned(doc: Document, settings: PageSettings, budget: Budget) -> None:
    """Pages whose text runs down, up or upside down are read again from a copy whose /Rotate shows them
    upright, so text, rules and tables come out as on an upright page. The later stages (camelot, OCR,
    the audit's images) read that copy too, so they see the same pages."""
    turns = {p.number: p.turn for p in doc.pages if p.turn}
    if not turns:
        return
    opened = turned_copy(doc, turns, budget.limits.max_pages)
    try:
        for entry in opened.entries:
            if entry.number not in turns:
                continue
            budget.check(STAGE, entry.number)
            before = doc.pages[entry.number - 1]
            page, _ = read_page(entry, settings)
            page.rotation, page.turn = before.rotation, turns[entry.number]
            page.notes.insert(0, f"its text runs turned as displayed: read turned {turns[entry.number]}° clockwise")
            doc.pages[entry.number - 1] = page  # (its issues were raised by the first reading)
            if entry.page is not None:
                entry.page.close()
    finally:
        close(opened.pdf)


# ---------------------------------------------------------------- OCR


def _ocr_pages(doc: Document, settings: OcrSettings, budget: Budget, cores: int = 1) -> set[int]:
    """Replace the text of pages without a usable text layer by OCR; the numbers of those pages, read or not (a
    picture on them is the page itself, never a table pasted on a text page)."""
    wanted = [(p, r) for p in doc.pages if (r := _ocr_reason(p, settings))]
    scanned = {p.number for p, _ in wanted}
    if not wanted:
        return scanned
    if settings.mode == "off":
        _report_skipped(doc, wanted, word("pages.ocr_off"))
        return scanned
    # imported when a page needs it: OpenCV takes a fifth of a second to import
    from . import ocr as O

    problem = O.engine_problem(settings)
    if problem:
        if len(wanted) == len(doc.pages):
            raise ReportError.saying(STAGE, "error.no_text_no_ocr", str(doc.path), why=problem)
        _report_skipped(doc, wanted, problem)
        return scanned
    O.use_threads(cores)
    cap = budget.limits.ocr_max_pages or len(doc.pages)  # 0: no limit
    carried: dict = {}  # the closed columns (单位, 序号) of the last OCRed table, for its continuation
    with O.PageRenderer(doc.readable_path, doc.password, budget.limits) as renderer:
        for page, reason in wanted:
            budget.check(STAGE, page.number)
            if budget.ocr_pages >= cap:
                _report_skipped(doc, [(page, reason)], word("pages.ocr_limit", cap=cap))
                continue
            _ocr_one(doc, page, reason, renderer, settings, budget, carried)
    return scanned


def _ocr_reason(page: Page, settings: OcrSettings) -> dict | None:
    if page.damage:
        return None  # a page skipped, or text drawn with fonts that are gone: a rendering shows no more
    if page.source == "ocr":
        return None  # the file's own OCR layer
    if not page.chars and not page.images and not page.rules and not page.filled:
        return None  # nothing drawn that could be text
    return unusable_reason([c.text for c in page.chars], image_share(page), settings)


def _report_skipped(doc: Document, wanted: list[tuple[Page, dict]], why: dict | str) -> None:
    for page, reason in wanted:
        doc.issues.append(said(STAGE, "pages.not_ocred", page.number, "missing", reason=reason, why=why))


def _ocr_one(doc: Document, page: Page, reason: dict, renderer: O.PageRenderer, settings: OcrSettings, budget: Budget,
             carried: dict) -> None:
    from . import ocr as O

    limits = budget.limits
    bomb = next(((w, h) for w, h in page.image_sizes if w * h > limits.max_image_pixels), None)
    if bomb:
        doc.issues.append(said(STAGE, "pages.image_too_big", page.number, "missing", reason=reason, width=bomb[0],
                                     height=bomb[1], limit=limits.max_image_pixels))
        return
    budget.ocr_pages += 1
    try:
        result = O.ocr_page(renderer, page.number, page.width, page.height, settings, _ocr_timeout(budget), carried,
                            _scan_dpi(page, settings.dpi))
    except LimitExceeded:
        raise
    except ReportError as exc:
        doc.issues.append(said(STAGE, "pages.ocr_failed", page.number, "missing", reason=reason, why=exc.why))
        return
    if result is None:
        page.notes.append(f"{words(RECORDS).said(reason)}; the rendered page is blank")
        return
    page.chars = result.chars
    page.lines = build_lines(result.chars, page.number, source="ocr")
    if not any(not s.horizontal for s in page.rules):
        page.rules = result.rules  # a scan has no drawn rules; drawn ones are more exact when present
    page.source = "ocr" if page.lines else "empty"
    page.ocr_confidence = result.confidence
    doc.issues += [said(STAGE, warning["key"], page.number, **warning.get("fields", {})) for warning in result.warnings]
    page.notes.append(f"{words(RECORDS).said(reason)}: OCRed by {settings.engine}" + (f", {result.note}" if result.note else ""))


def _scan_dpi(page: Page, dpi: int) -> int:
    """The OCR resolution for a page: ``dpi``, or the resolution a scanned page was made at when that is lower
    (rendering a 150-dpi scan at 300 dpi only interpolates its pixels, and Tesseract reads them worse)."""
    native = [round(w / max((x1 - x0) / 72, 1e-6)) for (x0, _, x1, _), (w, _) in zip(page.images, page.image_sizes)
              if w and (x1 - x0) * page.height >= 0.5 * page.width * page.height]
    return max(min([dpi, *native]), 72) if native else dpi


def _ocr_timeout(budget: Budget) -> float:
    remaining = budget.remaining()
    timeout = budget.limits.ocr_page_seconds
    return max(1.0, min(timeout, remaining)) if remaining is not None else timeout
