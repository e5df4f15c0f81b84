"""Stage 5: case studies (案例) with their chapter, section, pages, text and schools.

A case starts at a "案例 N 标题" line. When the title sits in a boxed frame
the case is the frame's content, continued in the frame at the top of the
following pages; without a frame it runs to the next heading or case.
School names are the report's own: read from its school table and matched
in the text with the short forms the report uses.
"""

from __future__ import annotations

import re

from .layout import center_inside, enclosing, is_photo_caption
from .records import BBox, Case, Cases, Document, Frame, Issue, Line, Sections, Tables
from .schools import SchoolDirectory
from .text import join_fragments, squash, to_halfwidth

STAGE = "cases"
CASE_TITLE = re.compile(r"^案例\s*(?P<num>\d{1,3})\s*[:：.、]?\s*(?P<title>.*)$")


def extract_cases(doc: Document, sections: Sections, tables: Tables) -> Cases:
    issues: list[Issue] = []
    toc_pages = {e.page for e in sections.toc}
    schools = SchoolDirectory.from_tables(tables.tables)
    if not schools.names:
        issues.append(Issue(STAGE, "no school table (学校名称) found: cases have no school names"))
    starts = _case_starts(doc, toc_pages)
    cases = []
    for i, (page_no, line, number, title) in enumerate(starts):
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        region_lines, page_end = _case_lines(doc, tables.frames, sections.sections, page_no, line, nxt)
        title, body = _split_title(title, region_lines, line)
        text = _paragraphs(body)
        chapter, section = enclosing(sections.sections, page_no, line.top)
        cases.append(Case(number, title, chapter, section, page_no, page_end, schools.find(text), text, line.bbox, body))
    issues += _compare_case_toc(cases, sections)
    return Cases(cases, issues)


def _case_starts(doc: Document, toc_pages: set[int]) -> list[tuple[int, Line, int, str]]:
    starts = []
    for page in doc.pages:
        if page.number in toc_pages:
            continue
        for ln in page.lines:
            m = CASE_TITLE.match(ln.text)
            if m and m.group("title") and len(ln.text) <= 60:
                starts.append((page.number, ln, int(m.group("num")), m.group("title").strip()))
    return starts


def _frame_around(frames: list[Frame], page: int, box: BBox) -> Frame | None:
    for f in frames:
        if f.page == page and f.bbox[0] - 2 <= box[0] and f.bbox[2] + 2 >= box[2] and f.bbox[1] - 2 <= box[1] <= f.bbox[3]:
            return f
    return None


def _top_frame(doc: Document, frames: list[Frame], page_no: int) -> Frame | None:
    """A frame that opens the page: the continuation of a case box."""
    if page_no > doc.page_count:
        return None
    page = doc.pages[page_no - 1]
    first_top = min((ln.top for ln in page.lines), default=None)
    for f in frames:
        if f.page == page_no and first_top is not None and f.bbox[1] <= first_top + 2:
            return f
    return None


def _case_lines(doc, frames, sections, page_no, title_line, nxt) -> tuple[list[Line], int]:
    frame = _frame_around(frames, page_no, title_line.bbox)
    page = doc.pages[page_no - 1]
    if frame is not None:
        lines = [ln for ln in page.lines if center_inside(ln, frame.bbox) and ln.top >= title_line.top]
        page_end = page_no
        while True:
            cont = _top_frame(doc, frames, page_end + 1) if frame.bbox[3] > page.height * 0.75 else None
            if cont is None:
                break
            page_end += 1
            page = doc.pages[page_end - 1]
            lines += [ln for ln in page.lines if center_inside(ln, cont.bbox)]
            frame = cont
        return _drop_photo_captions(lines, doc), page_end
    return _unframed_lines(doc, sections, page_no, title_line, nxt)


def _unframed_lines(doc, sections, page_no, title_line, nxt) -> tuple[list[Line], int]:
    stops = [(s.page_start, s.bbox[1]) for s in sections]
    if nxt:
        stops.append((nxt[0], nxt[1].top))
    end = min((s for s in stops if s > (page_no, title_line.top)), default=(doc.page_count + 1, 0))
    lines, page_end = [], page_no
    for page in doc.pages[page_no - 1 : end[0]]:
        for ln in page.lines:
            if (page.number, ln.top) >= (page_no, title_line.top) and (page.number, ln.top) < end:
                lines.append(ln)
                page_end = page.number
    return _drop_photo_captions(lines, doc), page_end


def _drop_photo_captions(lines: list[Line], doc: Document) -> list[Line]:
    sizes = sorted(ln.size for ln in lines)
    body_size = sizes[len(sizes) // 2] if sizes else 0
    return [ln for ln in lines if not is_photo_caption(ln, doc.pages[ln.page - 1], body_size)]


def _split_title(title: str, lines: list[Line], title_line: Line) -> tuple[str, list[Line]]:
    body = [ln for ln in lines if ln is not title_line]
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
            issues.append(Issue(STAGE, f"案例目录 lists 案例{number} '{entry.title}' but the body has no such case", entry.page))
    for case in cases:
        entry = listed.get(case.case_no)
        if entry and squash(to_halfwidth(entry.title)) != squash(to_halfwidth(case.title)):
            issues.append(Issue(STAGE, f"案例目录 title '{entry.title}' differs from 案例{case.case_no} '{case.title}'", case.page_start))
    return issues
