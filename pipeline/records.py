"""Typed records passed between stages.

Coordinates are PDF points with the origin at the top-left of the page
(pdfplumber's convention): ``x0, top, x1, bottom``. Every record keeps the
physical page index (1-based) and, where the page prints one, its printed
page number, so an auditor can find the source of any value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .words import RECORDS, words

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    source: str = "text"  # "text" or "ocr"
    confidence: float | None = None  # OCR word confidence, 0-100

    @property
    def bbox(self) -> BBox:
        return self.x0, self.top, self.x1, self.bottom


@dataclass
class Line:
    """One visual text line after character hygiene."""

    page: int
    text: str
    bbox: BBox
    size: float
    bold: bool
    source: str = "text"  # "text" or "ocr"
    confidence: float | None = None
    # one box per character of ``text`` (None for an inserted space): where each character is on the page
    boxes: list[BBox | None] = field(default_factory=list, repr=False, compare=False)

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def bottom(self) -> float:
        return self.bbox[3]


@dataclass(frozen=True)
class Segment:
    """A ruling line: horizontal when top == bottom (within tolerance)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)

    @property
    def bbox(self) -> BBox:
        return self.x0, self.top, self.x1, self.bottom


@dataclass
class Page:
    number: int  # physical, 1-based
    width: float
    height: float
    rotation: int
    printed: str | None = None  # printed page number, when the page shows one
    chars: list[Char] = field(default_factory=list)  # cleaned, headers/footers removed
    lines: list[Line] = field(default_factory=list)  # body lines in reading order
    rules: list[Segment] = field(default_factory=list)  # ruling lines (body only)
    filled: list[BBox] = field(default_factory=list)  # filled or stroked rectangles
    images: list[BBox] = field(default_factory=list)
    image_sizes: list[tuple[int, int]] = field(default_factory=list)  # each image's pixels (width, height) as stored
    source: str = "text"  # "text", "ocr" (read by OCR, or the file's own OCR layer) or "empty"
    ocr_confidence: float | None = None  # mean OCR word confidence, 0-100
    notes: list[str] = field(default_factory=list)
    turn: int = 0  # degrees clockwise the displayed page was turned to read its text upright
    damage: str | None = None  # why the page (or some of its text) could not be read; such a page is not OCRed
    pictures: list[BBox] = field(default_factory=list)  # pictures of tables on a text page, read by OCR


@dataclass
class Issue:
    """A warning or error tied to a stage and, where known, a page."""

    stage: str
    message: str  # in words.RECORDS, the language of every run's records
    page: int | None = None
    level: str = "warning"
    key: str = ""  # the message's key in the word catalogue, so a reader sees it in their own language
    fields: dict | None = None  # the key's str.format fields (JSON-safe values)

    def as_dict(self) -> dict:
        said = {"stage": self.stage, "level": self.level, "page": self.page, "message": self.message}
        if self.key:
            said |= {"key": self.key, "fields": dict(self.fields or {})}
        return said


def said(stage: str, key: str, page: int | None = None, /, level: str = "warning", **fields) -> Issue:
    """A warning written from the word catalogue: its message in words.RECORDS, its key and fields kept so it
    can be shown in the reader's language (words.warning_text). ``page`` is positional only: a message may have
    a field named page."""
    return Issue(stage, words(RECORDS)(key, **fields), page, level, key, fields)


@dataclass
class Document:
    report_id: str
    path: Path
    sha256: str
    page_count: int
    producer: str
    creator: str
    title: str
    pages: list[Page]
    issues: list[Issue] = field(default_factory=list)
    password: str | None = None
    repaired: Path | None = None  # a repaired copy of a damaged input, read instead of ``path``
    scratch: object = field(default=None, repr=False)  # keeps the repaired copy's folder alive

    @property
    def readable_path(self) -> Path:
        """The file the stages read: the input, or its repaired copy."""
        return self.repaired or self.path


@dataclass
class TocEntry:
    kind: str  # "section", "figure" or "case"
    number: str
    title: str
    printed_page: str
    page: int  # physical page of the TOC line
    bbox: BBox


@dataclass
class Section:
    level: int
    number: str
    title: str
    page_start: int
    page_end: int
    printed_start: str | None
    bbox: BBox
    source: str = "body"  # "body" or "toc" (listed in the 目录 but not found in the body)


@dataclass
class Sections:
    sections: list[Section]
    toc: list[TocEntry]
    issues: list[Issue] = field(default_factory=list)


@dataclass
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    page: int  # the page of its first part
    bbox: BBox  # its first part
    source: str = "text"  # "text" or "ocr"
    confidence: float | None = None  # mean OCR confidence of its characters, 0-100
    # (page, bbox) of each part of a cell a page break cuts, in order; empty for a cell on one page
    parts: list[tuple[int, BBox]] = field(default_factory=list)


@dataclass
class Table:
    table_id: str
    caption: str
    pages: list[int]
    kind: str  # "lattice" (fully ruled), "rules" (三线表, horizontal rules only) or "text" (no rules)
    n_rows: int
    n_cols: int
    cells: list[Cell]
    bbox: BBox  # on the first page
    header_rows: int = 1
    crosscheck: str = ""  # agreement with the second table finder
    source: str = "text"

    def grid(self) -> list[list[str]]:
        """Dense text grid; a merged cell's text applies to every slot it covers."""
        grid = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    grid[r][c] = cell.text
        return grid

    def cell_at(self, row: int, col: int) -> Cell | None:
        for cell in self.cells:
            if cell.row <= row < cell.row + cell.rowspan and cell.col <= col < cell.col + cell.colspan:
                return cell
        return None


@dataclass
class Frame:
    """A boxed block of text (case-study boxes, notes), not a data table. Its kind says how it is drawn:
    "filled" (a rectangle), "box" (an outline of rules, three sides where it runs over a page break) or
    "band" (a rule above and a rule below)."""

    page: int
    bbox: BBox
    kind: str = "box"


@dataclass
class Tables:
    tables: list[Table]
    frames: list[Frame]
    issues: list[Issue] = field(default_factory=list)


@dataclass
class Indicators:
    """The appendix tables in long form (columns: see pipeline.indicators.COLUMNS, plus the value cell's bbox),
    read against the template in force (its id in pipeline/template/templates.csv, and why it was chosen)."""

    frame: pandas.DataFrame  # noqa: F821
    issues: list[Issue] = field(default_factory=list)
    template: str = "2024"
    template_reason: str = ""
    about: dict = field(default_factory=dict)  # what the report is, from its cover: title, name, level, year, scope


@dataclass
class Case:
    case_no: int
    title: str
    chapter: str
    section: str
    page_start: int
    page_end: int
    schools: list[str]
    text: str
    bbox: BBox  # title line on the first page
    lines: list[Line] = field(default_factory=list, repr=False, compare=False)  # the body lines, in order
    heading: list[Line] = field(default_factory=list, repr=False, compare=False)  # the 案例N line (and its title line)


@dataclass
class Cases:
    cases: list[Case]
    issues: list[Issue] = field(default_factory=list)
