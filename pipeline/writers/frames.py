"""Records to tidy DataFrames, one per CSV, with a fixed column order and row order."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..geometry import rounded
from ..records import Cases, Document, Indicators, Sections, Tables
from ..stages import Failed
from ..template.fields import columns, field_spec, text_columns

if TYPE_CHECKING:
    from ..claims import Claims
    from ..reconcile import Findings

BBOX = ["x0", "top", "x1", "bottom"]
Printed = dict[int, str | None]  # physical page -> the number printed on it


PANDAS_TYPES = {"integer": "Int64", "number": "float64"}  # template/fields.csv's types; text stays as it is


def table_frame(name: str, records, derived=lambda record: {}) -> pd.DataFrame:
    """One row per record: each of ``name``'s columns (template/fields.csv) is the record's attribute of that
    name, unless ``derived(record)`` gives it; each column typed as fields.csv says."""
    names = columns(name)
    rows = [{**{c: getattr(r, c, None) for c in names}, **derived(r)} for r in records]
    return typed(pd.DataFrame(rows, columns=names), name)


def typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    published = set(columns(name))  # the indicators frame also holds the value cell's box
    kinds = {c: PANDAS_TYPES.get(field_spec(name, c).type) for c in frame.columns if c in published}
    return frame.astype({c: kind for c, kind in kinds.items() if kind})


def _box(prefix: str, bbox) -> dict:
    """A box's four columns (x0, top, x1, bottom, after ``prefix``), rounded; empty for a box not known."""
    values = rounded(bbox) if bbox and None not in bbox else (None,) * 4
    return dict(zip([f"{prefix}{side}" for side in BBOX], values))


def pages_frame(doc: Document) -> pd.DataFrame:
    """One row per page: where its text came from (text layer, OCR or none) and what hygiene removed."""
    return table_frame("pages", doc.pages, lambda p: {
        "page": p.number, "printed_page": p.printed, "width": round(p.width, 1), "height": round(p.height, 1),
        "lines": len(p.lines), "chars": len(p.chars), "rules": len(p.rules), "images": len(p.images),
        "notes": "; ".join(p.notes)})


def sections_frame(sections: Sections) -> pd.DataFrame:
    return table_frame("sections", sections.sections, lambda s: {"printed_page_start": s.printed_start, **_box("", s.bbox)})


def toc_frame(sections: Sections) -> pd.DataFrame:
    return table_frame("toc", sections.toc, lambda e: _box("", e.bbox))


def tables_frame(tables: Tables, printed: Printed) -> pd.DataFrame:
    return table_frame("tables", tables.tables, lambda t: {
        "pages": ";".join(map(str, t.pages)), "printed_pages": ";".join(printed.get(p) or "" for p in t.pages),
        **_box("", t.bbox)})


def cells_frame(tables: Tables, printed: Printed) -> pd.DataFrame:
    cells = [(t, c) for t in tables.tables for c in sorted(t.cells, key=lambda c: (c.row, c.col))]
    frame = table_frame("table_cells", [c for _, c in cells], lambda c: {"printed_page": printed.get(c.page), **_box("", c.bbox)})
    frame["table_id"] = [t.table_id for t, _ in cells]
    return frame


def indicators_frame(indicators: Indicators) -> pd.DataFrame:
    """The published columns and the value cell's bbox, which stays in memory for the audit (indicators.csv has none)."""
    frame = typed(indicators.frame.reindex(columns=columns("indicators") + BBOX), "indicators")
    frame.attrs["template"] = indicators.template  # validation checks the rows against the template in force
    return frame


def cases_frame(cases: Cases, printed: Printed) -> pd.DataFrame:
    return table_frame("cases", cases.cases, lambda c: {
        "printed_page_start": printed.get(c.page_start), "schools": "；".join(c.schools), **_box("", c.bbox)})


def claims_frame(claims: Claims, printed: Printed) -> pd.DataFrame:
    return table_frame("claims", claims.claims, lambda c: {
        "printed_page": printed.get(c.page), **_box("", c.bbox), **_box("sentence_", c.sentence_bbox)})


def findings_frame(findings: Findings) -> pd.DataFrame:
    return table_frame("findings", findings.findings, lambda f: {
        **_box("table_", f.table_bbox), "other_table_kind": f.other_kind, "other_table_no": f.other_no,
        **_box("other_", f.other_bbox), "explanation_words": said_json(f.explanation_words)})


def said_json(said: list) -> str:
    """Words as findings.csv keeps them: compact JSON, Chinese as it is, keys in a fixed order."""
    return json.dumps(said, ensure_ascii=False, sort_keys=True, separators=(",", ":")) if said else ""


def read_published(path: Path, also_text: tuple[str, ...] = (), empty_text: bool = True) -> pd.DataFrame:
    """A published CSV as a frame: the columns template/fields.csv types as text (and ``also_text``) read as
    written ("0012" stays "0012"), empty ones "" when ``empty_text``; the others typed by pandas."""
    text = dict.fromkeys([*text_columns(Path(path).stem), *also_text], str)
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
