"""Stage 6: every number stated in the narrative and in the case studies (claims.csv).

Numbers are found by the tokenizer (pipeline.numbers.find_numbers); jieba,
with a dictionary made only of the template's indicator names and their
synonyms (template/claim_terms.csv), links each number to the subject it
describes (subjects.py). Scope — 校均/生均/课均, 近三年, a named school, the
year — comes from the words around the number (scope.py); the text is read
as passages of paragraphs and sentences (passages.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..geometry import enclosing, union_bbox
from ..records import BBox, Cases, Document, Issue, Sections, Tables, said
from ..schools import SchoolDirectory
from ..text.numbers import NumberToken, find_numbers
from . import scope
from .passages import Passage, narrative_lines, passage, sentences
from .subjects import clause_bounds, linked_subjects, subject, term_hits, terms

__all__ = ["Claim", "Claims", "extract_claims", "linked_subjects", "terms"]

STAGE = "claims"
FOLLOWING = 600  # characters of the paragraph after a number kept for the checks that read on (the items it counts)


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
    # where the claim sits in its sentence, for the checks that read neighbours (positions in ``sentence``)
    sentence_key: tuple = field(default=(), repr=False, compare=False)
    paragraph_key: tuple = field(default=(), repr=False, compare=False)
    statement_key: tuple = field(default=(), repr=False, compare=False)  # the 。-delimited statement
    position: int = field(default=0, repr=False, compare=False)
    end: int = field(default=0, repr=False, compare=False)  # after the number, its unit and qualifier
    is_total: bool = field(default=False, repr=False, compare=False)
    clause: str = field(default="", repr=False, compare=False)
    before: str = field(default="", repr=False, compare=False)
    following: str = field(default="", repr=False, compare=False)  # the rest of the paragraph after the number
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
    n_schools_source: list  # where n_schools comes from, in words (pipeline/words/explain.csv)
    issues: list[Issue] = field(default_factory=list)
    report_level: str = ""  # the school level the report is about (中职, 高职 …), from its title
    schools: SchoolDirectory = field(default_factory=lambda: SchoolDirectory([]), repr=False)


def extract_claims(doc: Document, sections: Sections, tables: Tables, cases: Cases) -> Claims:
    schools = SchoolDirectory.from_tables(tables.tables)
    report_year = scope.report_year(doc)
    narrative = passage(narrative_lines(doc, sections, tables, cases), None)
    passages = [narrative] + [passage(case.lines, case.case_no) for case in cases.cases if case.lines]
    claims: list[Claim] = []
    case_schools = {c.case_no: c.schools for c in cases.cases}
    for p in passages:
        claims += _passage_claims(p, sections, schools, report_year, case_schools.get(p.case_no, []))
    claims.sort(key=lambda c: (c.page, c.first_box[1], c.first_box[0]))
    _assign_ids(claims)
    level = scope.report_level(doc)
    narrative_sentences = [narrative.text[a:b] for a, b in sentences(narrative)]
    n_schools, source = scope.school_count(narrative_sentences, level, schools)
    issues = [] if claims else [said(STAGE, "claims.none")]
    return Claims(claims, report_year, n_schools, source, issues, level, schools)


def _passage_claims(p: Passage, sections, schools, report_year, case_schools) -> list[Claim]:
    out: list[Claim] = []
    for s_start, s_end in sentences(p):
        raw = p.text[s_start:s_end]
        tokens = find_numbers(raw)
        quantities = [t for t in tokens if t.kind == "quantity" and t.value is not None]
        if not quantities:
            continue
        hits = term_hits(raw)
        boxes = [p.where[i] for i in range(s_start, s_end) if p.where[i]]
        if not boxes:
            continue
        lead = len(raw) - len(raw.lstrip())  # positions are kept in the stripped sentence
        paragraph_end = p.paragraph_end(s_start)
        for token in quantities:
            located = [p.where[i] for i in range(s_start + token.start, s_start + token.end) if p.where[i]]
            if not located:
                continue
            page = located[0][0]
            sentence_boxes = [b for pg, b in boxes if pg == page]
            chapter, section = enclosing(sections.sections, page, located[0][1][1])
            following = [t.start for t in quantities if t.start > token.start]
            subj, phrase, fld = subject(raw, token, hits, following[0] if following else len(raw))
            out.append(Claim(
                claim_id="", section=section or chapter, case_no=p.case_no, page=page,
                bbox=union_bbox([b for pg, b in located if pg == page and abs(b[1] - located[0][1][1]) < 3]),
                sentence=raw.strip(), sentence_page=page, sentence_bbox=union_bbox(sentence_boxes),
                value_raw=token.raw.strip(), value=token.value, decimals=token.decimals, unit=token.unit,
                qualifier=token.qualifier,
                scope_year=scope.year(p, s_start, token, tokens) or report_year,
                scope_average=scope.average(raw, token),
                scope_period=scope.period(raw, token, tokens),
                scope_school=scope.school(p, s_start, raw, token, schools, case_schools),
                subject=subj, subject_phrase=phrase, field=fld,
                sentence_key=(p.case_no or 0, s_start), position=token.start - lead, end=token.end - lead,
                paragraph_key=(p.case_no or 0, p.paragraph_start(s_start)),
                statement_key=(p.case_no or 0, p.statement_start(s_start)),
                is_total=scope.is_total(raw, token), clause=_clause(raw, token),
                before=raw[: token.start], following=p.text[s_start + token.end:min(paragraph_end, s_start + token.end + FOLLOWING)],
                first_box=located[0][1],
            ))
    return out


def _clause(sentence: str, token: NumberToken) -> str:
    start, end = clause_bounds(sentence, token)
    return sentence[start:end]


def _assign_ids(claims: list[Claim]) -> None:
    per_page: dict[int, int] = {}
    for c in claims:
        per_page[c.page] = per_page.get(c.page, 0) + 1
        c.claim_id = f"p{c.page:03d}-{per_page[c.page]:02d}"
