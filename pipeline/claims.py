"""Stage 6: every number stated in the narrative and in the case studies (claims.csv).

Numbers are found by the tokenizer (pipeline.numbers.find_numbers); jieba,
with a dictionary made only of the template's indicator names and their
synonyms (template/claim_terms.csv), links each number to the subject it
describes. Scope — 校均/生均/课均, 近三年, a named school, the year — comes
from the words around the number.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import template
from .layout import body_font_size, center_inside, enclosing, is_photo_caption
from .numbers import NumberToken, find_numbers
from .records import BBox, Cases, Document, Issue, Line, Sections, Tables, union_bbox
from .schools import SchoolDirectory
from .sections import FIGURE_CAPTION
from .tables import CAPTION

STAGE = "claims"
SENTENCE_END = "。！？；!?;\n"
CLAUSE_END = "，,、：:（）()"
AVERAGES = ("校均", "生均", "课均", "人均", "平均")
PERIOD_WORDS = re.compile(r"近年来|近些年|近几年|多年来")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
TOTAL_BEFORE = ("共计", "共有", "共", "合计", "总计", "总数", "累计")
REPORT_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")


@dataclass
class Claim:
    claim_id: str
    section: str
    case_no: int | None
    page: int
    bbox: BBox
    sentence: str
    sentence_page: int
    sentence_bbox: BBox
    value_raw: str
    value: float
    decimals: int
    unit: str
    qualifier: str
    scope_year: int | None
    scope_average: str
    scope_period: str
    scope_school: str
    subject: str
    subject_phrase: str
    field: str  # "value" or "survey_count"
    # where the claim sits in its sentence, for the checks that read neighbours
    sentence_key: tuple = field(default=(), repr=False, compare=False)
    paragraph_key: tuple = field(default=(), repr=False, compare=False)
    position: int = field(default=0, repr=False, compare=False)
    is_total: bool = field(default=False, repr=False, compare=False)
    clause: str = field(default="", repr=False, compare=False)
    before: str = field(default="", repr=False, compare=False)
    first_box: BBox = field(default=(0, 0, 0, 0), repr=False, compare=False)

    @property
    def scope(self) -> str:
        parts = [self.scope_average, self.scope_period, self.scope_school, str(self.scope_year or "")]
        return "; ".join(p for p in parts if p)


@dataclass
class Claims:
    claims: list[Claim]
    report_year: int | None
    n_schools: int | None
    n_schools_source: str
    issues: list[Issue] = field(default_factory=list)


# ---------------------------------------------------------------- passages


@dataclass
class Passage:
    """Continuous text (the narrative, or one case) with each character's page and box."""

    text: str
    where: list[tuple[int, BBox] | None]
    case_no: int | None
    paragraph_starts: set[int]


def _passage(lines: list[Line], case_no: int | None) -> Passage:
    chars: list[str] = []
    where: list[tuple[int, BBox] | None] = []
    starts: set[int] = set()
    left = {}
    for ln in lines:
        left[ln.page] = min(left.get(ln.page, ln.bbox[0]), ln.bbox[0])
    for ln in lines:
        new_paragraph = ln.bbox[0] - left[ln.page] > 1.5 * ln.size
        if chars and new_paragraph:
            chars.append("\n")
            where.append(None)
        if new_paragraph or not chars:
            starts.add(len(chars))
        elif chars and chars[-1].isascii() and chars[-1].isalnum() and ln.text[:1].isascii() and ln.text[:1].isalnum():
            chars.append(" ")
            where.append(None)
        boxes = ln.boxes or [ln.bbox] * len(ln.text)
        for ch, box in zip(ln.text, boxes):
            chars.append(ch)
            where.append((ln.page, box) if box else None)
    return Passage("".join(chars), where, case_no, starts)


def _narrative_lines(doc: Document, sections: Sections, tables: Tables, cases: Cases) -> list[Line]:
    toc_pages = {e.page for e in sections.toc}
    body_size = body_font_size(doc)
    headings = {(s.page_start, s.bbox) for s in sections.sections}
    table_boxes: dict[int, list[BBox]] = {}
    for t in tables.tables:
        for c in t.cells:
            table_boxes.setdefault(c.page, []).append(c.bbox)
    frame_boxes: dict[int, list[BBox]] = {}
    for f in tables.frames:
        frame_boxes.setdefault(f.page, []).append(f.bbox)
    case_lines = {id(ln) for case in cases.cases for ln in case.lines + case.heading}
    case_titles = {(c.page_start, c.bbox) for c in cases.cases}
    lines = []
    for page in doc.pages:
        if page.number in toc_pages:
            continue
        for ln in page.lines:
            if (page.number, ln.bbox) in headings or (page.number, ln.bbox) in case_titles or id(ln) in case_lines:
                continue
            if any(center_inside(ln, b) for b in table_boxes.get(page.number, []) + frame_boxes.get(page.number, [])):
                continue
            if (FIGURE_CAPTION.match(ln.text) or CAPTION.match(ln.text)) and len(ln.text) < 60:
                continue
            if is_photo_caption(ln, page, body_size) or (ln.size < body_size - 0.5 and len(ln.text) < 40):
                continue
            lines.append(ln)
    return lines


# ---------------------------------------------------------------- subject dictionary


@lru_cache(maxsize=1)
def terms() -> dict[str, tuple[str, str]]:
    """Surface term -> (subject, role)."""
    return {r["term"]: (r["subject"], r["role"]) for r in template.read_rows("claim_terms.csv")}


@lru_cache(maxsize=1)
def linked_subjects() -> set[str]:
    subjects = {r["subject"] for r in template.claim_links()}
    return subjects | {r["subject"] for r in template.claim_formulas()}


@lru_cache(maxsize=1)
def _tokenizer():
    """jieba with only the template's terms as its dictionary (fast to load, and nothing else splits them)."""
    import jieba

    jieba.setLogLevel(60)
    words = "\n".join(f"{t} 100000" for t in sorted(terms())) + "\n"
    digest = hashlib.sha1(words.encode("utf-8")).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"vetreport-terms-{digest}.txt"
    if not path.exists():
        tmp = path.with_suffix(f".{id(path)}.tmp")
        tmp.write_text(words, encoding="utf-8")
        tmp.replace(path)
    return jieba.Tokenizer(dictionary=str(path))


IGNORED_IN_TERMS = set("“”\"‘’'「」 \u3000")


def _term_hits(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, term, subject, role) for every dictionary term jieba finds in ``text``.

    Quotes and spaces are taken out first (“双师型”教师 is the term 双师型教师), and
    positions mapped back to ``text``.
    """
    keep = [i for i, ch in enumerate(text) if ch not in IGNORED_IN_TERMS]
    compact = "".join(text[i] for i in keep)
    hits = []
    for word, start, end in _tokenizer().tokenize(compact, HMM=False):
        if word in terms():
            subject, role = terms()[word]
            hits.append((keep[start], keep[end - 1] + 1, word, subject, role))
    return hits


# ---------------------------------------------------------------- extraction


def extract_claims(doc: Document, sections: Sections, tables: Tables, cases: Cases) -> Claims:
    schools = SchoolDirectory.from_tables(tables.tables)
    report_year = _report_year(doc)
    passages = [_passage(_narrative_lines(doc, sections, tables, cases), None)]
    passages += [_passage(case.lines, case.case_no) for case in cases.cases if case.lines]
    claims: list[Claim] = []
    case_schools = {c.case_no: c.schools for c in cases.cases}
    for passage in passages:
        claims += _passage_claims(passage, sections, schools, report_year, case_schools.get(passage.case_no, []))
    claims.sort(key=lambda c: (c.page, c.first_box[1], c.first_box[0]))
    _assign_ids(claims)
    n_schools, source = _school_count(claims, schools)
    issues = [] if claims else [Issue(STAGE, "no numbers found in the narrative")]
    return Claims(claims, report_year, n_schools, source, issues)


def _report_year(doc: Document) -> int | None:
    for text in [doc.title] + [ln.text for p in doc.pages[:2] for ln in p.lines]:
        m = REPORT_YEAR.search(text or "")
        if m:
            return int(m.group(1))
    return None


def _sentences(passage: Passage) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, ch in enumerate(passage.text):
        if ch in SENTENCE_END:
            if i + 1 > start:
                spans.append((start, i + 1))
            start = i + 1
    if start < len(passage.text):
        spans.append((start, len(passage.text)))
    return spans


def _paragraph_start(passage: Passage, pos: int) -> int:
    return max((s for s in passage.paragraph_starts if s <= pos), default=0)


def _passage_claims(passage, sections, schools, report_year, case_schools) -> list[Claim]:
    out: list[Claim] = []
    for s_start, s_end in _sentences(passage):
        sentence = passage.text[s_start:s_end]
        tokens = find_numbers(sentence)
        quantities = [t for t in tokens if t.kind == "quantity" and t.value is not None]
        if not quantities:
            continue
        hits = _term_hits(sentence)
        boxes = [passage.where[i] for i in range(s_start, s_end) if passage.where[i]]
        if not boxes:
            continue
        for token in quantities:
            located = [passage.where[i] for i in range(s_start + token.start, s_start + token.end) if passage.where[i]]
            if not located:
                continue
            page = located[0][0]
            sentence_boxes = [b for p, b in boxes if p == page]
            chapter, section = enclosing(sections.sections, page, located[0][1][1])
            following = [t.start for t in quantities if t.start > token.start]
            subject, phrase, fld = _subject(sentence, token, hits, following[0] if following else len(sentence))
            out.append(Claim(
                claim_id="", section=section or chapter, case_no=passage.case_no, page=page,
                bbox=union_bbox([b for p, b in located if p == page and abs(b[1] - located[0][1][1]) < 3]),
                sentence=sentence.strip(), sentence_page=page, sentence_bbox=union_bbox(sentence_boxes),
                value_raw=token.raw.strip(), value=token.value, decimals=token.decimals, unit=token.unit,
                qualifier=token.qualifier,
                scope_year=_year(passage, s_start, token, tokens) or report_year,
                scope_average=_average(sentence, token),
                scope_period=_period(sentence, token, tokens),
                scope_school=_school(passage, s_start, sentence, token, schools, case_schools),
                subject=subject, subject_phrase=phrase, field=fld,
                sentence_key=(passage.case_no or 0, s_start), position=token.start,
                paragraph_key=(passage.case_no or 0, _paragraph_start(passage, s_start)),
                is_total=_is_total(sentence, token), clause=_clause(sentence, token),
                before=sentence[: token.start], first_box=located[0][1],
            ))
    return out


def _clause_bounds(sentence: str, token: NumberToken) -> tuple[int, int]:
    start = max((i + 1 for i, ch in enumerate(sentence[: token.start]) if ch in CLAUSE_END), default=0)
    end = next((i for i in range(token.end, len(sentence)) if sentence[i] in CLAUSE_END + SENTENCE_END), len(sentence))
    return start, end


def _clause(sentence: str, token: NumberToken) -> str:
    start, end = _clause_bounds(sentence, token)
    return sentence[start:end]


FILLER = "，,、为是达共计有约近超过逾多达将接不足到"


def _subject(sentence: str, token: NumberToken, hits, next_start: int) -> tuple[str, str, str]:
    """The linked subject (a key of claim_links/claim_formulas, or a plain term), its phrase, and the field.

    Nearest term before the number in its clause; else the first term after it (before the next
    number: "832名应届毕业生"); a bare continuation (", 近2000学时") takes the clause before.
    """
    c_start, c_end = _clause_bounds(sentence, token)
    usable = ("subject", "generic", "previous")
    before = [h for h in hits if c_start <= h[0] and h[1] <= token.start]
    # a term after the number only when it follows at once: "832名应届毕业生", "45个专业教学资源库"
    after = [h for h in hits if token.end <= h[0] <= token.end + 2 and h[1] <= min(c_end, next_start)]
    earlier = [h for h in hits if h[1] <= c_start and h[4] == "subject"]
    phrase = sentence[c_start:token.start].strip(" ")[-20:]
    if any(h[4] == "survey" for h in before) and after and after[0][4] == "group":
        return after[0][3] + "满意度", sentence[after[0][0]:after[0][1]], "survey_count"
    chosen = next((h for h in reversed(before) if h[4] in usable), None)
    chosen = chosen or next((h for h in after if h[4] == "subject"), None)
    if chosen is None and earlier and not phrase.strip(FILLER):
        chosen = earlier[-1]
    if chosen is None:
        return "", phrase, "value"
    start, end, word, subject, role = chosen
    if role == "generic":
        group = next((h for h in reversed([h for h in hits if h[1] <= start]) if h[4] in ("group", "subject")), None)
        if group and group[3] + subject in linked_subjects():
            return group[3] + subject, sentence[group[0]:end], "value"
        return subject, sentence[start:end], "value"
    if role == "previous":
        prior = next((h for h in reversed([h for h in hits if h[1] <= start]) if h[4] == "subject"), None)
        return (prior[3] if prior else ""), sentence[start:end], "value"
    return subject, sentence[start:end], "value"


def _average(sentence: str, token: NumberToken) -> str:
    head = sentence[: token.start]
    found = [(head.rfind(w), w) for w in AVERAGES if w in head]
    return max(found)[1] if found else ""


def _period(sentence: str, token: NumberToken, tokens: list[NumberToken]) -> str:
    for t in tokens:
        if t.kind == "period" and t.start < token.start:
            return re.sub(r"\s+", "", t.raw)
    m = PERIOD_WORDS.search(sentence[: token.start])
    return m.group(0) if m else ""


def _year(passage: Passage, s_start: int, token: NumberToken, tokens: list[NumberToken]) -> int | None:
    years = [t for t in tokens if t.kind == "year" and t.start < token.start]
    if years:
        return int(re.sub(r"\D", "", years[-1].raw)[:4])
    paragraph = passage.text[_paragraph_start(passage, s_start):s_start]
    found = YEAR.findall(paragraph)  # the year the paragraph opens with frames what follows
    return int(found[0]) if found else None


def _school(passage: Passage, s_start: int, sentence: str, token: NumberToken, schools: SchoolDirectory,
            case_schools: list[str]) -> str:
    """A school named before the number in its sentence (in a case: in its paragraph, else the case's school)."""
    named = schools.find(sentence[: token.start])
    if named:
        return named[-1]
    if passage.case_no is None:
        return ""
    named = schools.find(passage.text[_paragraph_start(passage, s_start):s_start])
    return named[-1] if named else (case_schools[0] if case_schools else "(a school of the case)")


def _is_total(sentence: str, token: NumberToken) -> bool:
    """共 413 人 / 共计 12001 人 / 917名专任教师中，…: a whole that later shares are taken of."""
    head = sentence[max(0, token.start - 4): token.start].strip()
    tail = sentence[token.end: token.end + 10]
    return head.endswith(TOTAL_BEFORE) or bool(re.match(r"^[^，。；、,]{0,8}(?<!其)中[，,]", tail))


def _assign_ids(claims: list[Claim]) -> None:
    per_page: dict[int, int] = {}
    for c in claims:
        per_page[c.page] = per_page.get(c.page, 0) + 1
        c.claim_id = f"p{c.page:03d}-{per_page[c.page]:02d}"


def _school_count(claims: list[Claim], schools: SchoolDirectory) -> tuple[int | None, str]:
    """How many schools a 校均 figure divides by: stated as "N所中职学校" in the report, else the school table."""
    counts: dict[int, int] = {}
    for c in claims:
        if c.unit == "所" and not c.scope_school and re.match(r"^\s*(中职|中等职业|区属中职)?\S{0,4}学校", c.sentence[c.position + len(c.value_raw):][:12]):
            counts[int(c.value)] = counts.get(int(c.value), 0) + 1
    if counts:
        n = max(counts, key=lambda k: (counts[k], k))
        return n, f"stated {counts[n]} times as \"{n}所…学校\" in the text"
    if schools.names:
        return len(schools.names), "the number of schools in the report's school table"
    return None, ""
