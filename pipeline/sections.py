"""Stage 2: the printed 目录 (and 图表目录/案例目录) and the body headings.

Every disagreement between the table of contents and the body (missing
heading, other title, other page) is a warning.
"""

from __future__ import annotations

import re

from . import template
from .geometry import body_font_size
from .records import Document, Issue, Line, Section, Sections, TocEntry, said
from .text import edit_distance, squash
from .text.numbers import chinese_integer

STAGE = "sections"
TOC_TITLES = {"目录": "section", "目次": "section", "图表目录": "figure", "图目录": "figure", "表目录": "figure", "案例目录": "case"}
TOC_ENTRY = re.compile(r"^(?P<title>.*?\S)\s*(?:[.．·…。_\-—]{2,}|\s{2,}|\s(?=\d+$))\s*(?P<page>\d{1,4})$")
ARABIC = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\s*(?P<title>[\u4e00-\u9fff“\"《（(].*)$")
CHAPTER_CN = re.compile(r"^第(?P<num>[一二三四五六七八九十]+)[章部篇]\s*(?P<title>.*)$")
LIST_CN = re.compile(r"^(?P<num>[一二三四五六七八九十]+)[、．.]\s*(?P<title>\S.*)$")
PAREN_CN = re.compile(r"^[（(](?P<num>[一二三四五六七八九十]+)[）)]\s*(?P<title>\S.*)$")
APPENDIX = re.compile(r"^附\s*表\s*(?P<num>\d{1,2})\s*(?P<title>.*)$")
NOT_HEADING = re.compile(r"^(图表|图|表|续表|案例)\s*\d")
FIGURE_CAPTION = re.compile(r"^(?P<label>图表|图|表)\s*(?P<num>\d{1,3})\s*(?P<title>.*)$")
# 案例一 / 【案例1】 in a 案例目录 (numbered like the headings, see pipeline.cases)
CASE_ENTRY = re.compile(r"^[【\[［〔]?\s*案例\s*(?P<num>\d{1,3}|[一二三四五六七八九十百]{1,4})\s*[】\]］〕]?\s*[:：.、]?\s*(?P<title>.*)$")
MAX_HEADING_CHARS = 40


def extract_sections(doc: Document) -> Sections:
    toc, toc_pages = parse_toc(doc)
    body_size = body_font_size(doc)
    toc_titles = {squash(e.number + e.title) for e in toc if e.kind == "section"}
    headings = _find_headings(doc, toc_pages, body_size, toc_titles)
    sections = _close_sections(headings, doc)
    issues = _compare_toc(toc, sections, doc)
    issues += _compare_figures(toc, doc, toc_pages)
    if not sections:
        issues.append(said(STAGE, "sections.none", level="missing"))
    return Sections(sections=sections, toc=toc, issues=issues)


def _row_texts(lines: list[Line]) -> list[tuple[str, Line]]:
    """Lines on one baseline joined (a TOC page number far right is a separate run)."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda x: (x.top, x.bbox[0])):
        if rows and abs(rows[-1][0].top - ln.top) < 3:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [(" ".join(x.text for x in sorted(row, key=lambda x: x.bbox[0])), row[0]) for row in rows]


def parse_toc(doc: Document) -> tuple[list[TocEntry], set[int]]:
    entries: list[TocEntry] = []
    toc_pages: set[int] = set()
    kind: str | None = None
    for page in doc.pages:
        rows = _row_texts(page.lines)
        if not rows:
            kind = None
            continue
        first = squash(rows[0][0])
        title = first if first in TOC_TITLES else _ocr_toc_title(first, rows[0][1])
        if title:
            kind = TOC_TITLES[title]
            rows = rows[1:]
        elif kind is None:
            continue
        matches = [(TOC_ENTRY.match(text), line) for text, line in rows]
        if sum(1 for m, _ in matches if m) < max(1, 0.6 * len(rows)):
            kind = None
            continue
        toc_pages.add(page.number)
        for m, line in matches:
            if m:
                number, title = split_number(m.group("title"))
                entries.append(TocEntry(kind, number, title, m.group("page"), page.number, line.bbox))
    return entries, toc_pages


def _ocr_toc_title(text: str, line: Line) -> str | None:
    """The 目录 title an OCR line misreads (案例目录 as 款例目录, 目 录 as 目2二): the nearest title one
    character off, or two with the first right. The page is a 目录 only if most of its rows read as entries."""
    if line.source != "ocr" or not text or len(text) > 6:
        return None
    distance, _, title = min((edit_distance(text, title), -len(title), title) for title in TOC_TITLES)
    return title if distance <= 1 or (distance == 2 and text[0] == title[0]) else None


def split_number(text: str) -> tuple[str, str]:
    """'1.2 立德树人' -> ('1.2', '立德树人'); '附表 3 教学资源表' -> ('附表3', '教学资源表')."""
    text = text.strip()
    for pattern, prefix in ((APPENDIX, "附表"), (ARABIC, ""), (CHAPTER_CN, "第"), (PAREN_CN, ""), (LIST_CN, "")):
        m = pattern.match(text)
        if m:
            number = prefix + m.group("num")
            if prefix == "第":
                number += "章"
            return number, m.group("title").strip()
    m = CASE_ENTRY.match(text)
    if m:
        num = m.group("num")
        number = int(num) if num.isdigit() else chinese_integer(num)
        if number:
            return f"案例{number}", m.group("title").strip()
    m = re.match(r"^(?P<label>图表|图|表)\s*(?P<num>\d{1,3})\s*(?P<title>.*)$", text)
    if m:
        return m.group("label") + m.group("num"), m.group("title").strip()
    return "", text


def _unnumbered_titles() -> set[str]:
    titles = {"前言", "结语", "后记", "附件", "附录", "附表"}
    for ch in template.chapters():
        if ch.number == 0:
            titles.add(ch.title)
            titles.update(squash(a) for a in ch.aliases)
    return titles


def _heading_level(line_text: str) -> tuple[int, str, str] | None:
    text = line_text.strip()
    if NOT_HEADING.match(text):
        return None
    m = APPENDIX.match(text)
    if m:
        return 1, "附表" + m.group("num"), m.group("title").strip()
    m = ARABIC.match(text)
    if m:
        return m.group("num").count(".") + 1, m.group("num"), m.group("title").strip()
    m = CHAPTER_CN.match(text)
    if m:
        return 1, "第" + m.group("num") + "章", m.group("title").strip()
    m = LIST_CN.match(text)
    if m:
        return 1, m.group("num"), m.group("title").strip()
    m = PAREN_CN.match(text)
    if m:
        return 2, "（" + m.group("num") + "）", m.group("title").strip()
    if squash(text) in _unnumbered_titles():
        return 1, "", squash(text)
    return None


def _find_headings(doc: Document, toc_pages: set[int], body_size: float, toc_titles: set[str]) -> list[Section]:
    headings: list[Section] = []
    for page in doc.pages:
        if page.number in toc_pages:
            continue
        for ln in page.lines:
            if len(ln.text) > MAX_HEADING_CHARS:
                continue
            parsed = _heading_level(ln.text)
            if not parsed or (ln.source == "ocr" and _in_ruled_cell(ln, page.rules)):
                continue
            styled = ln.bold or ln.size >= body_size + 1.5
            if not styled and squash(ln.text) not in toc_titles:
                continue
            level, number, title = parsed
            headings.append(Section(level, number, title, page.number, page.number, page.printed, ln.bbox))
    return _relevel(headings)


def _in_ruled_cell(line: Line, rules) -> bool:
    """A line between two vertical rules that span it: a table cell (an OCR line's type size and weight
    cannot tell a numbered table row from a heading)."""
    cy = (line.top + line.bottom) / 2
    sides = [s.x0 for s in rules if not s.horizontal and s.top <= cy <= s.bottom]
    return any(x <= line.bbox[0] + 2 for x in sides) and any(x >= line.bbox[2] - 2 for x in sides)


def _relevel(headings: list[Section]) -> list[Section]:
    """Chinese list numbering (一、) sits one level under 第X章 when both are present."""
    if any(h.number.startswith("第") for h in headings):
        for h in headings:
            if h.number and h.number[0] in "一二三四五六七八九十":
                h.level = 2
            elif h.number.startswith("（"):
                h.level = 3
    return headings


def _starts_page(section: Section, doc: Document) -> bool:
    page = doc.pages[section.page_start - 1]
    return bool(page.lines) and page.lines[0].bbox == section.bbox


def _close_sections(headings: list[Section], doc: Document) -> list[Section]:
    last_page = max((p.number for p in doc.pages if p.lines), default=doc.page_count)
    for i, sec in enumerate(headings):
        sec.page_end = last_page
        for nxt in headings[i + 1 :]:
            if nxt.level <= sec.level:
                sec.page_end = max(sec.page_start, nxt.page_start - 1 if _starts_page(nxt, doc) else nxt.page_start)
                break
    return headings


def _compare_toc(toc: list[TocEntry], sections: list[Section], doc: Document) -> list[Issue]:
    issues: list[Issue] = []
    entries = [e for e in toc if e.kind == "section"]
    if not entries:
        if sections:
            issues.append(said(STAGE, "sections.no_toc"))
        return issues
    by_number = {s.number: s for s in sections if s.number}
    by_title = {squash(s.title): s for s in sections}
    max_level = max(_heading_level(e.number + " " + e.title)[0] if _heading_level(e.number + " " + e.title) else 1 for e in entries)
    matched: set[int] = set()
    for e in entries:
        sec = by_number.get(e.number) if e.number else by_title.get(squash(e.title))
        label = f"{e.number} {e.title}".strip()
        if sec is None:
            issues.append(said(STAGE, "sections.toc_unmatched", e.page, label=label, printed=e.printed_page))
            continue
        matched.add(id(sec))
        if squash(sec.title) != squash(e.title):
            issues.append(said(STAGE, "sections.toc_title", sec.page_start, label=label,
                                heading=f"{sec.number} {sec.title}"))
        if sec.printed_start and sec.printed_start != e.printed_page:
            issues.append(
                said(STAGE, "sections.toc_page", sec.page_start, label=label, printed=e.printed_page,
                     actual=sec.printed_start)
            )
    for sec in sections:
        if id(sec) not in matched and sec.level <= max_level:
            issues.append(said(STAGE, "sections.not_in_toc", sec.page_start, heading=f"{sec.number} {sec.title}"))
    return issues


def _compare_figures(toc: list[TocEntry], doc: Document, toc_pages: set[int]) -> list[Issue]:
    entries = [e for e in toc if e.kind == "figure"]
    if not entries:
        return []
    captions: dict[str, tuple[str, int, str | None]] = {}
    for page in doc.pages:
        if page.number in toc_pages:
            continue
        for ln in page.lines:
            m = FIGURE_CAPTION.match(ln.text)
            if m and len(ln.text) <= 60:
                key = m.group("label") + m.group("num")
                captions.setdefault(key, (m.group("title"), page.number, page.printed))
    issues = []
    for e in entries:
        found = captions.get(e.number)
        if found is None:
            issues.append(said(STAGE, "figures.unmatched", e.page, label=f"{e.number} {e.title}"))
            continue
        title, page_no, printed = found
        if squash(title) != squash(e.title):
            issues.append(said(STAGE, "figures.title", page_no, label=f"{e.number} {e.title}",
                                caption=f"{e.number} {title}"))
        if printed and printed != e.printed_page:
            issues.append(said(STAGE, "figures.page", page_no, number=e.number, printed=e.printed_page,
                               actual=printed))
    return issues
