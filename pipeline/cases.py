"""Stage 5: case studies (案例) with their chapter, section, pages, text and schools.

A case starts at its heading: 案例1 标题, 案例 1：标题, 案例一 标题, 【案例1】标题,
or the number alone with the title on the next line. When the heading sits
in a frame (a box of any kind: filled, border only, or rules above and below,
see the table stage), or a frame opens right under it, the case is the
frame's content, continued in the frame at the top of the following pages;
without a frame it runs to the next heading, case, caption or table, or to a paragraph that opens
with a bold phrase closed by 。 (推进教育数字化改革。2024年…: the run-in heading of the main text).
School names are the report's own: read from its school table and matched
in the text with the short forms the report uses.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .geometry import centre_inside, enclosing, is_photo_caption
from .records import BBox, Case, Cases, Document, Frame, Issue, Line, Page, Sections, Tables, said
from .schools import SchoolDirectory
from .text import join_fragments, squash, to_halfwidth
from .text.numbers import chinese_integer

STAGE = "cases"
CASE_TITLE = re.compile(
    r"^[【\[［〔]?\s*案例\s*(?P<num>\d{1,3}|[一二三四五六七八九十百]{1,4})\s*[】\]］〕]?\s*[:：.、．\-—]?\s*(?P<title>.*)$")
# A title on the line after a bare "案例N" heading is short and is not a sentence.
MAX_TITLE_CHARS = 40
# A run-in heading is at least this many characters before its 。...
MIN_RUN_IN = 2
CAPTION_LINE = re.compile(r"^(图表|图|表|续表|附表)\s*(\d{1,3}|[一二三四五六七八九十]{1,3})(?![\d.])")
# A page with this many case headings, most of them followed by a page number, lists cases (a 案例目录).
MIN_LISTED = 3
PAGE_NUMBER = re.compile(r"^\d{1,3}$")
PAGE_NUMBER_END = re.compile(r"[.·…\s]{2,}\d{1,3}$")
# A bold line this short opening with a section number is a heading (on an OCR'd page).
MAX_HEADING_CHARS = 30
NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,2}\s*[\u4e00-\u9fff]")
# The sides of a case box found in an OCR'd page's rules are at least this share of the page apart, and of
# one extent within SIDE_TOLERANCE points.
MIN_BOX_SHARE = 0.4
SIDE_TOLERANCE = 4.0
# A frame that opens this many line heights under a heading holds that case.
FRAME_GAP_LINES = 2.0


@dataclass
class CaseStart:
    page: int
    heading: Line  # the 案例N line
    number: int
    title: str
    title_lines: list[Line]  # the heading, and the next line when it carries the title


def extract_cases(doc: Document, sections: Sections, tables: Tables) -> Cases:
    issues: list[Issue] = []
    toc_pages = {e.page for e in sections.toc}
    schools = SchoolDirectory.from_tables(tables.tables)
    if not schools.names:
        issues.append(said(STAGE, "cases.no_schools"))
    starts = _case_starts(doc, toc_pages)
    stops = _stops(doc, sections, tables, starts, toc_pages)
    cases = []
    for start in starts:
        region_lines, page_end = _case_lines(doc, tables.frames, stops, start)
        title, body = _split_title(start.title, [ln for ln in region_lines if ln not in start.title_lines], start.title_lines[-1])
        text = _paragraphs(body)
        chapter, section = enclosing(sections.sections, start.page, start.heading.top)
        cases.append(Case(start.number, title, chapter, section, start.page, page_end, schools.find(text), text,
                          start.heading.bbox, body, start.title_lines))
    issues += _compare_case_toc(cases, sections)
    return Cases(cases, issues)


def _case_starts(doc: Document, toc_pages: set[int]) -> list[CaseStart]:
    starts = []
    for page in doc.pages:
        if page.number in toc_pages or _lists_cases(page):
            continue
        for i, ln in enumerate(page.lines):
            m = CASE_TITLE.match(ln.text)
            if not m or len(ln.text) > 60:
                continue
            number = int(m.group("num")) if m.group("num").isdigit() else chinese_integer(m.group("num"))
            if number is None:
                continue
            title, title_lines = m.group("title").strip(), [ln]
            if not title:
                nxt = _title_line(page.lines[i + 1:], ln)
                if nxt is None:
                    continue  # "案例1" alone with no title after it: a reference in the text, not a heading
                title, title_lines = nxt.text.strip(), [ln, nxt]
            starts.append(CaseStart(page.number, ln, number, title, title_lines))
    return starts


def _lists_cases(page: Page) -> bool:
    """A list of cases with their pages (a 案例目录 whose heading OCR misread, so the sections stage does not
    take it for a contents page): three or more case headings, most with a page number at their right."""
    headings = [ln for ln in page.lines if CASE_TITLE.match(ln.text) and len(ln.text) <= 60]
    if len(headings) < MIN_LISTED:
        return False
    numbers = [ln for ln in page.lines if PAGE_NUMBER.match(ln.text.strip())]
    paged = [h for h in headings if _page_number_beside(h, numbers) or PAGE_NUMBER_END.search(h.text)]
    return len(paged) >= 2 * len(headings) / 3


def _page_number_beside(heading: Line, numbers: list[Line]) -> bool:
    return any(n.bbox[0] > heading.bbox[2] and n.top < heading.bottom and n.bottom > heading.top for n in numbers)


def _title_line(following: list[Line], heading: Line) -> Line | None:
    """The line under a bare 案例N heading when it is a title: close below, short, not a sentence."""
    below = [ln for ln in following if ln.top >= heading.bottom - 1]
    if not below:
        return None
    nxt = min(below, key=lambda ln: (ln.top, ln.bbox[0]))
    close = nxt.top - heading.bottom <= 1.5 * max(heading.size, nxt.size)
    if close and len(nxt.text) <= MAX_TITLE_CHARS and not nxt.text.rstrip().endswith(("。", "；", "，")):
        return nxt
    return None


def _stops(doc: Document, sections: Sections, tables: Tables, starts: list[CaseStart], toc_pages: set[int]) -> list[tuple[int, float]]:
    """Where an unboxed case ends at the latest: the next heading, case, caption or table."""
    stops = [(s.page_start, s.bbox[1]) for s in sections.sections]
    stops += [(c.page, c.heading.top) for c in starts]
    stops += [(t.pages[0], t.bbox[1]) for t in tables.tables]
    for page in doc.pages:
        if page.number in toc_pages:
            continue
        stops += [(page.number, ln.top) for ln in page.lines if CAPTION_LINE.match(ln.text) and len(ln.text) <= 60]
        stops += [(page.number, ln.top) for ln in run_in_headings(page)]
        if page.source == "ocr":
            stops += [(page.number, ln.top) for ln in page.lines if _numbered_heading(ln)]
    return sorted(stops)


def _numbered_heading(line: Line) -> bool:
    """A bold short line opening with a section number (2 服务贡献, 2.1 服务国家战略): a heading on an OCR'd page,
    where the sections stage may miss headings OCR misread, so a case without a box still ends at it."""
    text = line.text.strip()
    return line.bold and len(text) <= MAX_HEADING_CHARS and bool(NUMBERED_HEADING.match(text)) and not text.endswith("。")


def run_in_headings(page: Page) -> list[Line]:
    """Indented lines opening with a bold phrase closed by 。 and going on in regular type."""
    if not page.lines or not any(c.bold for c in page.chars):
        return []
    left = min(ln.bbox[0] for ln in page.lines)
    # the page's characters by the height of their centre (with their order on the page, which breaks ties)
    by_centre = sorted(((c.top + c.bottom) / 2, i, c) for i, c in enumerate(page.chars) if c.text.strip())
    centres = [centre for centre, _, _ in by_centre]
    out = []
    for ln in page.lines:
        if ln.bbox[0] - left < ln.size:
            continue
        band = by_centre[bisect_left(centres, ln.top):bisect_right(centres, ln.bottom)]
        inside = sorted((c.x0, i, c) for _, i, c in band if ln.bbox[0] - 1 <= c.x0 and c.x1 <= ln.bbox[2] + 1)
        chars = [c for _, _, c in inside]
        lead = next((i for i, c in enumerate(chars) if not c.bold), len(chars))
        if MIN_RUN_IN < lead < len(chars) and chars[lead - 1].text == "。":
            out.append(ln)
    return out


def _frame_around(frames: list[Frame], page: int, box: BBox) -> Frame | None:
    """The frame holding a heading, or one that opens right under it (a heading printed above its box)."""
    for f in frames:
        if f.page == page and f.bbox[0] - 2 <= box[0] and f.bbox[2] + 2 >= box[2] and f.bbox[1] - 2 <= box[1] <= f.bbox[3]:
            return f
    height = box[3] - box[1]
    for f in frames:
        if f.page == page and 0 <= f.bbox[1] - box[3] <= FRAME_GAP_LINES * height and f.bbox[0] - 2 <= box[0] <= f.bbox[2]:
            return f
    return None


def _top_frame(doc: Document, frames: list[Frame], page_no: int) -> Frame | None:
    """A frame that opens the page: the continuation of a case box."""
    if page_no > doc.page_count:
        return None
    page = doc.pages[page_no - 1]
    first = min(page.lines, key=lambda ln: ln.top, default=None)
    for f in frames:
        if f.page == page_no and first is not None and f.bbox[1] <= first.top + 2:
            return f
    return _ruled_box(page, first.bbox) if first is not None else None


def _ruled_box(page: Page, box: BBox) -> Frame | None:
    """On an OCR'd page, the box whose sides (two vertical rules found in the image, of one extent) enclose
    ``box``: a case box holding a photograph is no frame to the table stage (the photograph's edges are
    rules too, cutting it into cells), yet its sides are there."""
    if page.source != "ocr":
        return None
    sides = [s for s in page.rules if not s.horizontal and s.top <= box[1] + 2 and s.bottom >= box[3] - 2]
    pairs = [(left, right) for left in sides for right in sides
             if left.x0 <= box[0] + 2 and right.x0 >= box[2] - 2 and right.x0 - left.x0 >= MIN_BOX_SHARE * page.width
             and abs(left.top - right.top) <= SIDE_TOLERANCE and abs(left.bottom - right.bottom) <= SIDE_TOLERANCE]
    if not pairs:
        return None
    left, right = min(pairs, key=lambda p: p[1].x0 - p[0].x0)
    return Frame(page.number, (left.x0, max(left.top, right.top), right.x0, min(left.bottom, right.bottom)), "box")


def _case_lines(doc: Document, frames: list[Frame], stops: list[tuple[int, float]], start: CaseStart) -> tuple[list[Line], int]:
    heading = start.title_lines[-1]
    page = doc.pages[start.page - 1]
    frame = (_frame_around(frames, start.page, start.heading.bbox) or _frame_around(frames, start.page, heading.bbox)
             or _ruled_box(page, start.heading.bbox))
    if frame is not None:
        lines = [*start.title_lines] + [ln for ln in page.lines if centre_inside(ln.bbox, frame.bbox) and ln.top >= start.heading.top
                                        and ln not in start.title_lines]
        page_end = start.page
        while True:
            cont = _top_frame(doc, frames, page_end + 1) if frame.bbox[3] > page.height * 0.75 else None
            if cont is None:
                break
            page_end += 1
            page = doc.pages[page_end - 1]
            lines += [ln for ln in page.lines if centre_inside(ln.bbox, cont.bbox)]
            frame = cont
        return _drop_photo_captions(lines, doc), page_end
    return _unframed_lines(doc, stops, start)


def _unframed_lines(doc: Document, stops: list[tuple[int, float]], start: CaseStart) -> tuple[list[Line], int]:
    begin = (start.page, start.heading.top)
    end = min((s for s in stops if s > begin), default=(doc.page_count + 1, 0))
    lines, page_end = [], start.page
    for page in doc.pages[start.page - 1 : end[0]]:
        for ln in page.lines:
            if begin <= (page.number, ln.top) < end:
                lines.append(ln)
                page_end = page.number
    return _drop_photo_captions(lines, doc), page_end


def _drop_photo_captions(lines: list[Line], doc: Document) -> list[Line]:
    sizes = sorted(ln.size for ln in lines)
    body_size = sizes[len(sizes) // 2] if sizes else 0
    return [ln for ln in lines if not is_photo_caption(ln, doc.pages[ln.page - 1], body_size)]


def _split_title(title: str, body: list[Line], title_line: Line) -> tuple[str, list[Line]]:
    # a long title wraps onto a second line in the same bold style
    if body and body[0].bold and title_line.bold and body[0].size == title_line.size and "。" not in body[0].text:
        title = join_fragments([title, body[0].text])
        body = body[1:]
    return title, body


def _paragraphs(lines: list[Line]) -> str:
    """Join wrapped lines; an indented line starts a new paragraph."""
    if not lines:
        return ""
    left = min(ln.bbox[0] for ln in lines)
    paragraphs: list[list[str]] = []
    for ln in lines:
        if not paragraphs or ln.bbox[0] - left > 1.5 * ln.size:
            paragraphs.append([])
        paragraphs[-1].append(ln.text)
    return "\n".join(join_fragments(p) for p in paragraphs)


def _compare_case_toc(cases: list[Case], sections: Sections) -> list[Issue]:
    listed = {int(e.number[2:]): e for e in sections.toc if e.kind == "case" and e.number[2:].isdigit()}
    issues = []
    found = {c.case_no for c in cases}
    for number, entry in sorted(listed.items()):
        if number not in found:
            issues.append(said(STAGE, "cases.toc_unmatched", entry.page, number=number, title=entry.title))
    for case in cases:
        entry = listed.get(case.case_no)
        if entry and squash(to_halfwidth(entry.title)) != squash(to_halfwidth(case.title)):
            issues.append(said(STAGE, "cases.toc_title", case.page_start, listed=entry.title,
                                number=case.case_no, title=case.title))
    return issues
