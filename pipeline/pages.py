"""Stage 1: read the PDF into cleaned pages (lines, rules, boxes, images).

Character hygiene happens here once: fake-bold duplicates removed,
invisible (white) and clipped glyphs dropped, radicals mapped to ideographs;
running headers, footers and page numbers are removed and the printed page
number kept.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from statistics import median

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect

from .config import PageSettings
from .errors import ReportError
from .output import file_sha256
from .records import BBox, Char, Document, Issue, Line, Page, Segment
from .text import map_radicals

STAGE = "pages"
BOLD_FONT = re.compile(r"bold|heavy|black|semibold|demi|,b$|-b$|黑体|粗", re.I)
PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?(\d{1,4}|[ivxlcIVXLC]{1,6})(?:\s*页)?(?:\s*/\s*\d+)?[-—–－\s]*$")
WHITE = {(1,), (1.0,), (1, 1, 1), (1.0, 1.0, 1.0), (0, 0, 0, 0), (0.0, 0.0, 0.0, 0.0)}


def extract_pages(path: Path, settings: PageSettings, password: str | None = None, report_id: str | None = None) -> Document:
    """Open ``path`` and return the cleaned document; raise ReportError when it cannot be read."""
    path = Path(path)
    sha = file_sha256(path)
    try:
        pdf = pdfplumber.open(path, password=password or "")
    except PDFPasswordIncorrect as exc:
        raise ReportError(STAGE, "the PDF is encrypted: pass the right --password", str(path)) from exc
    except Exception as exc:  # pdfminer raises many types for broken files
        raise ReportError(STAGE, f"not a readable PDF ({type(exc).__name__}: {exc})", str(path)) from exc
    with pdf:
        try:
            raw_pages = pdf.pages
        except Exception as exc:
            raise ReportError(STAGE, f"the page tree cannot be read ({type(exc).__name__}: {exc})", str(path)) from exc
        if not raw_pages:
            raise ReportError(STAGE, "the PDF has no pages", str(path))
        if len(raw_pages) > settings.max_pages:
            raise ReportError(STAGE, f"{len(raw_pages)} pages exceed the limit of {settings.max_pages}", str(path))
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
        for raw in raw_pages:
            doc.pages.append(_read_page(raw, settings, doc))
            raw.close()
    _remove_running_lines(doc.pages, settings)
    return doc


def _read_page(raw, settings: PageSettings, doc: Document) -> Page:
    page = Page(number=raw.page_number, width=float(raw.width), height=float(raw.height), rotation=int(raw.rotation or 0) % 360)
    try:
        chars = raw.chars
        edges = raw.edges
        rects = raw.rects
        images = raw.images
    except Exception as exc:
        doc.issues.append(Issue(STAGE, f"page content cannot be parsed ({type(exc).__name__}: {exc})", raw.page_number))
        page.source = "empty"
        return page
    page.chars = _clean_chars(_dedupe(chars, settings.dedupe_tolerance), page)
    page.lines = build_lines(page.chars, page.number, settings.space_gap)
    page.rules = _segments(edges)
    page.filled = sorted({
        (round(r["x0"], 1), round(r["top"], 1), round(r["x1"], 1), round(r["bottom"], 1))
        for r in rects if r["width"] > 20 and r["height"] > 20
    })
    page.images = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in images]
    if not page.lines:
        page.source = "empty"
    return page


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
        if c["x1"] < 0 or c["x0"] > page.width or c["bottom"] < 0 or c["top"] > page.height:
            continue  # clipped away: outside the page
        color = c.get("non_stroking_color")
        if isinstance(color, (list, tuple)) and tuple(color) in WHITE:
            continue  # white text is invisible on paper
        cleaned.append(
            Char(
                text=map_radicals(text),
                x0=float(c["x0"]),
                top=float(c["top"]),
                x1=float(c["x1"]),
                bottom=float(c["bottom"]),
                size=float(c.get("size") or (c["bottom"] - c["top"]) or 1.0),
                bold=_is_bold(str(c.get("fontname", ""))),
            )
        )
    return cleaned


def build_lines(chars: list[Char], page_number: int, space_gap: float = 0.6, source: str = "text") -> list[Line]:
    """Group glyphs into visual lines; far-apart runs on one baseline become separate lines."""
    lines: list[Line] = []
    for row in _rows(chars):
        row.sort(key=lambda c: c.x0)
        run: list[Char] = []
        for ch in row:
            if run and ch.x0 - run[-1].x1 > 2.5 * max(ch.size, run[-1].size):
                lines.append(_make_line(run, page_number, space_gap, source))
                run = []
            run.append(ch)
        if run:
            lines.append(_make_line(run, page_number, space_gap, source))
    lines = [line for line in lines if line.text]
    lines.sort(key=lambda ln: (round(ln.top), ln.bbox[0]))
    return lines


def _rows(chars: list[Char]) -> list[list[Char]]:
    rows: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c.top, c.x0)):
        if rows:
            last = rows[-1]
            anchor = last[0]
            mid = (ch.top + ch.bottom) / 2
            if anchor.top - 1 <= mid <= anchor.bottom + 1 and abs(ch.top - anchor.top) < 0.6 * max(anchor.size, 1):
                last.append(ch)
                continue
        rows.append([ch])
    return rows


def _make_line(run: list[Char], page_number: int, space_gap: float, source: str) -> Line:
    text, boxes = _spaced_text(run, space_gap)
    visible = [c for c in run if c.text.strip()] or run
    return Line(
        page=page_number,
        text=text,
        bbox=(min(c.x0 for c in run), min(c.top for c in run), max(c.x1 for c in run), max(c.bottom for c in run)),
        size=round(median(c.size for c in visible), 1),
        bold=sum(c.bold for c in visible) * 2 > len(visible),
        source=source,
        boxes=boxes,
    )


def _spaced_text(run: list[Char], space_gap: float) -> tuple[str, list[BBox | None]]:
    """The line's text, one space for a wide gap or a run of spaces, and each character's box."""
    out: list[tuple[str, BBox | None]] = []
    prev: Char | None = None
    for ch in run:
        if prev is not None and ch.text != " " and prev.text != " " and ch.x0 - prev.x1 > space_gap * max(ch.size, 1):
            out.append((" ", None))
        for letter in ch.text:
            out.append((" ", None) if letter.isspace() else (letter, (ch.x0, ch.top, ch.x1, ch.bottom)))
        prev = ch
    collapsed: list[tuple[str, BBox | None]] = []
    for letter, box in out:
        if letter == " " and (not collapsed or collapsed[-1][0] == " "):
            continue
        collapsed.append((letter, box))
    while collapsed and collapsed[-1][0] == " ":
        collapsed.pop()
    return "".join(c[0] for c in collapsed), [c[1] for c in collapsed]


def _segments(edges: list[dict]) -> list[Segment]:
    seen = set()
    out = []
    for e in edges:
        seg = Segment(round(e["x0"], 1), round(e["top"], 1), round(e["x1"], 1), round(e["bottom"], 1))
        if seg in seen or max(seg.x1 - seg.x0, seg.bottom - seg.top) < 2:
            continue
        seen.add(seg)
        out.append(seg)
    return out


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
