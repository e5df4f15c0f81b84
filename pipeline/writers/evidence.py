"""Evidence images for the audit: the sentence, and the table cell with its row label and column header.

Both are cropped from the PDF itself (pypdfium2 renders only the region).
The table crop shows the whole row of the cell — its serial, indicator name
and unit — and the table's header row, so the year of the column is in
sight: one crop when the header sits right above the row, else the header
band composited above the row band (a dashed line between them) when they
are far apart or on different pages (a table continued on the next page).
The cell is outlined in red and its column's header cells in blue.

Where the cell sits in its table comes from table_cells.csv and tables.csv
(the cell whose box holds the centre of the finding's cell, its table's
header rows); without them the crop is the cell's row across the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd

from ..geometry import box_of
from ..records import BBox, Issue, said

STAGE = "audit"
SCALE = 2.0  # 144 dpi
MAX_PIXELS = 16_000_000  # a crop larger than this is rendered smaller (decompression-bomb guard)
MARGIN = 6.0  # points around a crop of the text
ROW_PAD = 1.5  # points above and below a row band: its rules, not the neighbouring rows
ADJACENT = 40.0  # header and row at most this far apart (points) are cropped as one region
SEPARATOR = 14  # pixels between a composited header band and the row band
CELL_COLOUR = (220, 30, 30)
HEADER_COLOUR = (30, 90, 220)


@dataclass
class CellPlace:
    """A table finding's cell in its table: the row band to show and, when known, the header band."""

    page: int
    cell: BBox
    row_band: BBox
    header_page: int | None = None
    header_band: BBox | None = None
    header_cells: list[BBox] = field(default_factory=list)  # the header cells above the cell's column


def evidence_images(pdf, attention: pd.DataFrame, claims: pd.DataFrame, tables: pd.DataFrame,
                    cells: pd.DataFrame, password: str | None) -> tuple[dict[str, bytes], list[Issue]]:
    """finding_id + "-text" / "-table" / "-other" -> PNG bytes, for every finding in ``attention``."""
    if attention.empty:
        return {}, []
    try:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(pdf), password=password)
    except Exception as exc:
        return {}, [said(STAGE, "evidence.unopened", error=str(exc))]
    by_claim = {r["claim_id"]: r for r in claims.to_dict("records")} if not claims.empty else {}
    pages = Pages(document)
    index = CellIndex(cells, tables)
    crops: dict[str, bytes] = {}
    try:
        for row in attention.to_dict("records"):
            claim = by_claim.get(row.get("claim_id") or "")
            if claim:
                box = tuple(float(claim[k]) for k in ("sentence_x0", "sentence_top", "sentence_x1", "sentence_bottom"))
                mark = tuple(float(claim[k]) for k in ("x0", "top", "x1", "bottom"))
                crops[f"{row['finding_id']}-text"] = _png(pages.region(int(claim["page"]), box, [(mark, CELL_COLOUR)]))
            for which in ("table", "other"):  # other: the second cell of a check between two tables
                page = _present(row.get(f"{which}_page"))
                if page is not None and _present(row.get(f"{which}_x0")) is not None:
                    cell = tuple(float(row[f"{which}_{k}"]) for k in ("x0", "top", "x1", "bottom"))
                    place = locate_cell(index, int(page), cell) or _page_row(pages, int(page), cell)
                    crops[f"{row['finding_id']}-{which}"] = _png(table_crop(pages, place))
    finally:
        document.close()
    return crops, []


def _present(value):
    return None if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else value


# ---------------------------------------------------------------- where the cell sits


class CellIndex:
    """table_cells.csv's cells by page and by table, and each table's header rows (indexed once per audit)."""

    def __init__(self, cells: pd.DataFrame | None, tables: pd.DataFrame | None):
        self.by_page: dict[int, list[dict]] = {}
        self.by_table: dict[str, list[dict]] = {}
        for cell in ([] if cells is None or cells.empty else cells.to_dict("records")):
            self.by_page.setdefault(int(cell["page"]), []).append(cell)
            self.by_table.setdefault(cell["table_id"], []).append(cell)
        self.header_rows: dict[str, int] = {}
        if tables is not None and not tables.empty and "header_rows" in tables:
            for table_id, rows in zip(tables["table_id"], tables["header_rows"]):
                if table_id not in self.header_rows and _present(rows) is not None:
                    self.header_rows[table_id] = int(rows)


def locate_cell(index: CellIndex, page: int, box: BBox) -> CellPlace | None:
    """The cell of table_cells holding the centre of ``box`` on ``page``, with its row band and header band."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    hits = [c for c in index.by_page.get(page, []) if c["x0"] <= cx <= c["x1"] and c["top"] <= cy <= c["bottom"]]
    if not hits:
        return None
    hit = min(hits, key=lambda c: (c["x1"] - c["x0"]) * (c["bottom"] - c["top"]))  # the first of the smallest
    table = index.by_table[hit["table_id"]]
    same_page = [c for c in table if c["page"] == page]
    row_band = (float(min(c["x0"] for c in same_page)), float(hit["top"]) - ROW_PAD,
                float(max(c["x1"] for c in same_page)), float(hit["bottom"]) + ROW_PAD)
    place = CellPlace(page, box_of(hit), row_band)
    header = [c for c in table if c["row"] < index.header_rows.get(hit["table_id"], 1)]
    if not header or int(hit["row"]) < max(int(c["row"]) for c in header) + 1:
        return place  # no header row known, or the cell is in the header itself
    header_page = int(min(c["page"] for c in header))
    header = [c for c in header if c["page"] == header_page]
    place.header_page = header_page
    place.header_band = (float(min(c["x0"] for c in header)), float(min(c["top"] for c in header)) - ROW_PAD,
                         float(max(c["x1"] for c in header)), float(max(c["bottom"] for c in header)) + ROW_PAD)
    place.header_cells = [box_of(c) for c in header if c["col"] <= hit["col"] < c["col"] + c["colspan"]]
    return place




def _page_row(pages: Pages, page: int, cell: BBox) -> CellPlace:
    """Without table_cells: the cell's row across the page, so the indicator's name and unit are beside it."""
    width = pages.size(page)[0]
    return CellPlace(page, cell, (40.0, cell[1] - ROW_PAD, width - 40.0, cell[3] + ROW_PAD))


# ---------------------------------------------------------------- rendering


class Pages:
    """Renders regions of a PDF's pages (pages opened once each)."""

    def __init__(self, document):
        self.document = document
        self.opened: dict[int, object] = {}

    def page(self, number: int):
        if number not in self.opened:
            self.opened[number] = self.document[number - 1]
        return self.opened[number]

    def size(self, number: int) -> tuple[float, float]:
        return self.page(number).get_size()

    def region(self, number: int, box: BBox, marks: list[tuple[BBox, tuple]], scale: float | None = None,
               margins: tuple[float, float] = (MARGIN, MARGIN)):
        """``box`` (PDF points from the top-left) plus (horizontal, vertical) ``margins`` rendered,
        each mark outlined in its colour."""
        from PIL import ImageDraw

        page = self.page(number)
        width, height = page.get_size()
        (dx, dy) = margins
        left, upper = min(max(0.0, box[0] - dx), width - 1), min(max(0.0, box[1] - dy), height - 1)  # a box off the page
        right, lower = min(width, max(box[2] + dx, left + 1)), min(height, max(box[3] + dy, upper + 1))
        if scale is None:
            scale = fitting_scale([(left, upper, right, lower)])
        image = page.render(scale=scale, crop=(left, height - lower, width - right, upper)).to_pil().convert("RGB")
        draw = ImageDraw.Draw(image)
        for (mx0, mtop, mx1, mbottom), colour in marks:
            draw.rectangle(((mx0 - left) * scale - 2, (mtop - upper) * scale - 2,
                            (mx1 - left) * scale + 2, (mbottom - upper) * scale + 2), outline=colour, width=3)
        return image


def fitting_scale(boxes: list[BBox]) -> float:
    area = sum(max((b[2] - b[0]) * (b[3] - b[1]), 1.0) for b in boxes)
    return min(SCALE, (MAX_PIXELS / area) ** 0.5)


def table_crop(pages: Pages, place: CellPlace):
    """The cell's row with the header row above it: one region when they are close, else two stacked."""
    cell_mark = [(place.cell, CELL_COLOUR)]
    header_marks = [(c, HEADER_COLOUR) for c in place.header_cells]
    band = (MARGIN, 0.0)  # no margin above and below a band: the neighbouring rows stay out
    if place.header_band is None:
        return pages.region(place.page, place.row_band, cell_mark, margins=band)
    hb, rb = place.header_band, place.row_band
    x0, x1 = min(hb[0], rb[0]), max(hb[2], rb[2])
    if place.header_page == place.page and 0 <= rb[1] - hb[3] <= ADJACENT:
        return pages.region(place.page, (x0, hb[1], x1, rb[3]), header_marks + cell_mark, margins=band)
    scale = fitting_scale([(x0, hb[1], x1, hb[3]), (x0, rb[1], x1, rb[3])])
    header = pages.region(place.header_page, (x0, hb[1], x1, hb[3]), header_marks, scale, band)
    row = pages.region(place.page, (x0, rb[1], x1, rb[3]), cell_mark, scale, band)
    return _stack(header, row)


def _stack(top, bottom):
    """``top`` above ``bottom`` with a dashed grey line between: the rows in between are left out."""
    from PIL import Image, ImageDraw

    width = max(top.width, bottom.width)
    image = Image.new("RGB", (width, top.height + SEPARATOR + bottom.height), "white")
    image.paste(top, (0, 0))
    image.paste(bottom, (0, top.height + SEPARATOR))
    draw = ImageDraw.Draw(image)
    y = top.height + SEPARATOR // 2
    for x in range(0, width, 12):
        draw.line(((x, y), (min(x + 6, width), y)), fill=(150, 150, 150), width=2)
    return image


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)  # on page renders, faster than the default 6 and no larger
    return out.getvalue()
