"""Records to tidy DataFrames, one per CSV, with a fixed column order and row order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..claims import Claims
from ..reconcile import Findings
from ..records import Cases, Document, Indicators, Sections, Tables, rounded
from ..stages import Failed
from ..template.fields import columns, text_columns

BBOX = ["x0", "top", "x1", "bottom"]
Printed = dict[int, str | None]  # physical page -> the number printed on it


def _frame(rows: list[dict], columns: list[str], floats: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for name in floats:  # a column of None (no OCR) stays a float column
        frame[name] = frame[name].astype("float64")
    return frame


def pages_frame(doc: Document) -> pd.DataFrame:
    """One row per page: where its text came from (text layer, OCR or none) and what hygiene removed."""
    return _frame([
        {"page": p.number, "printed_page": p.printed, "width": round(p.width, 1), "height": round(p.height, 1),
         "rotation": p.rotation, "source": p.source, "ocr_confidence": p.ocr_confidence, "lines": len(p.lines),
         "chars": len(p.chars), "rules": len(p.rules), "images": len(p.images), "notes": "; ".join(p.notes)}
        for p in doc.pages
    ], columns("pages"), floats=("ocr_confidence",))


def sections_frame(sections: Sections) -> pd.DataFrame:
    return _frame([
        {"level": s.level, "number": s.number, "title": s.title, "page_start": s.page_start, "page_end": s.page_end,
         "printed_page_start": s.printed_start, "source": s.source, **dict(zip(BBOX, rounded(s.bbox)))}
        for s in sections.sections
    ], columns("sections"))


def toc_frame(sections: Sections) -> pd.DataFrame:
    return _frame([
        {"kind": e.kind, "number": e.number, "title": e.title, "printed_page": e.printed_page, "page": e.page,
         **dict(zip(BBOX, rounded(e.bbox)))}
        for e in sections.toc
    ], columns("toc"))


def tables_frame(tables: Tables, printed: Printed) -> pd.DataFrame:
    return _frame([
        {"table_id": t.table_id, "caption": t.caption, "pages": ";".join(map(str, t.pages)),
         "printed_pages": ";".join(printed.get(p) or "" for p in t.pages), "kind": t.kind,
         "n_rows": t.n_rows, "n_cols": t.n_cols, "header_rows": t.header_rows, "crosscheck": t.crosscheck,
         "source": t.source, **dict(zip(BBOX, rounded(t.bbox)))}
        for t in tables.tables
    ], columns("tables"))


def cells_frame(tables: Tables, printed: Printed) -> pd.DataFrame:
    rows = []
    for t in tables.tables:
        for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
            rows.append({"table_id": t.table_id, "row": c.row, "col": c.col, "rowspan": c.rowspan, "colspan": c.colspan,
                         "text": c.text, "page": c.page, "printed_page": printed.get(c.page), "source": c.source,
                         "confidence": c.confidence, **dict(zip(BBOX, rounded(c.bbox)))})
    return _frame(rows, columns("table_cells"), floats=("confidence",))


def indicators_frame(indicators: Indicators) -> pd.DataFrame:
    """The published columns and the value cell's bbox, which stays in memory for the audit (indicators.csv has none)."""
    frame = indicators.frame.copy()
    frame["year"] = frame["year"].astype("int64")
    frame["table_no"] = frame["table_no"].astype("Int64")  # empty when the report prints no number
    return frame.reindex(columns=columns("indicators") + BBOX)


def cases_frame(cases: Cases, printed: Printed) -> pd.DataFrame:
    return _frame([
        {"case_no": c.case_no, "title": c.title, "chapter": c.chapter, "section": c.section, "page_start": c.page_start,
         "page_end": c.page_end, "printed_page_start": printed.get(c.page_start), "schools": "；".join(c.schools), "text": c.text, **dict(zip(BBOX, rounded(c.bbox)))}
        for c in cases.cases
    ], columns("cases"))


def claims_frame(claims: Claims, printed: Printed) -> pd.DataFrame:
    return _frame([
        {"claim_id": c.claim_id, "section": c.section, "case_no": c.case_no, "page": c.page,
         "printed_page": printed.get(c.page), "sentence": c.sentence, "value_raw": c.value_raw, "value": c.value,
         "unit": c.unit, "qualifier": c.qualifier, "scope": c.scope, "scope_year": c.scope_year,
         "scope_average": c.scope_average, "scope_period": c.scope_period, "scope_school": c.scope_school,
         "subject": c.subject, "subject_phrase": c.subject_phrase, "field": c.field,
         **dict(zip(BBOX, rounded(c.bbox))),
         **dict(zip(["sentence_x0", "sentence_top", "sentence_x1", "sentence_bottom"], rounded(c.sentence_bbox)))}
        for c in claims.claims
    ], columns("claims")).astype({"case_no": "Int64", "scope_year": "Int64"})


def findings_frame(findings: Findings) -> pd.DataFrame:
    rows = []
    for f in findings.findings:
        box = rounded(f.table_bbox) if f.table_bbox and None not in f.table_bbox else (None,) * 4
        other = rounded(f.other_bbox) if f.other_bbox and None not in f.other_bbox else (None,) * 4
        rows.append({
            "finding_id": f.finding_id, "kind": f.kind, "verdict": f.verdict, "claim_id": f.claim_id,
            "claim_text": f.claim_text, "page": f.page, "table_kind": f.table_kind, "table_no": f.table_no,
            "indicator": f.indicator, "year": f.year,
            "table_value": f.table_value, "expected": f.expected, "tolerance": f.tolerance, "explanation": f.explanation,
            "claim_value": f.claim_value, "unit": f.unit, "review_status": f.review_status, "review_note": f.review_note,
            "table_page": f.table_page, **dict(zip(["table_x0", "table_top", "table_x1", "table_bottom"], box)),
            "table_id": f.table_id, "other_table_kind": f.other_kind, "other_table_no": f.other_no,
            "other_indicator": f.other_indicator, "other_year": f.other_year, "other_page": f.other_page,
            **dict(zip(["other_x0", "other_top", "other_x1", "other_bottom"], other)),
        })
    return _frame(rows, columns("findings"), floats=("other_x0", "other_top", "other_x1", "other_bottom")).astype(
        {"page": "Int64", "table_no": "Int64", "year": "Int64", "table_page": "Int64", "other_table_no": "Int64",
         "other_year": "Int64", "other_page": "Int64"})


def read_published(path: Path, also_text: tuple[str, ...] = (), empty_text: bool = True) -> pd.DataFrame:
    """A published CSV as a frame: the columns template/fields.csv types as text (and ``also_text``) read as
    written ("0012" stays "0012"), empty ones "" when ``empty_text``; the others typed by pandas."""
    text = {name: str for name in [*text_columns(Path(path).stem), *also_text]}
    frame = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
    return frame.fillna({name: "" for name in text if name in frame}) if empty_text else frame


def collect_frames(result) -> dict[str, pd.DataFrame]:
    """One DataFrame per published table whose records the run has (a ReportResult's), in PUBLISHED's order."""
    printed = {p.number: p.printed for p in result.doc.pages} if isinstance(result.doc, Document) else {}
    frames = {}
    for name, table in PUBLISHED.items():
        records = getattr(result, table.records)
        if records is not None and not isinstance(records, Failed):
            frames[name] = table.frame(records, printed)
    return frames


@dataclass(frozen=True)
class Published:
    """One published table: its CSV's name, the stage records it is made of (a ReportResult field), the function
    that makes its frame and the pandera model that checks it (schemas.validate.MODELS). Its columns, their
    order and types are the rows of template/fields.csv for ``name``: the one place they are declared."""

    name: str
    records: str
    make: Callable[..., pd.DataFrame]
    model: str
    printed: bool = False  # ``make`` takes the printed page numbers too

    @property
    def columns(self) -> list[str]:
        return columns(self.name)

    def frame(self, records, printed: Printed) -> pd.DataFrame:
        return self.make(records, printed) if self.printed else self.make(records)


PUBLISHED = {table.name: table for table in (
    Published("pages", "doc", pages_frame, "PageSchema"),
    Published("sections", "sections", sections_frame, "SectionSchema"),
    Published("toc", "sections", toc_frame, "TocSchema"),
    Published("tables", "tables", tables_frame, "TableSchema", printed=True),
    Published("table_cells", "tables", cells_frame, "CellSchema", printed=True),
    Published("indicators", "indicators", indicators_frame, "IndicatorSchema"),
    Published("cases", "cases", cases_frame, "CaseSchema", printed=True),
    Published("claims", "claims", claims_frame, "ClaimSchema", printed=True),
    Published("findings", "findings", findings_frame, "FindingSchema"),
)}
