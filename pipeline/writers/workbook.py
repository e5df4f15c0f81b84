"""XLSX files: every workbook vetreport writes is written here, and only here (openpyxl).

A workbook is a list of ``Sheet``: rows of cells, the first ``header_rows`` of them headers (bold, frozen
above the rest), a fill colour per row where the row stands for a verdict or a kind of change, and the cells
a printed table merges. A cell is a ``Number`` (a value with the number format of its printed digits: 96.80
stays 96.80, 1,129 keeps its separator), a plain int or float, text, or None (empty).

No text cell is ever a formula: every text is stored as text (openpyxl would store one that begins with =
as a formula), and one a spreadsheet would run as a formula when edited (it begins with =, +, -, @, a tab
or a carriage return: review.FORMULA_START, the CSV files' guard) is marked with Excel's quote prefix as
well, so that editing the cell keeps it text. Characters XLSX cannot hold (control characters) become
U+FFFD, never an error.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..files import atomic_write_bytes
from ..text.numbers import parse_value
from .review import FORMULA_START

HEADER_FILL = "D9D9D9"
MAX_SHEET_NAME = 31  # characters Excel allows in a sheet's name
SHEET_NAME_BANNED = re.compile(r"[\[\]:*?/\\]")
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what an XLSX cell cannot hold
MAX_WIDTH = 60  # characters: the widest column
MAX_CELL = 32767  # characters one XLSX cell holds


@dataclass(frozen=True)
class Number:
    """A number and the Excel number format that shows it as printed (``0.00``, ``#,##0``, ``0.0"%"``)."""

    value: float
    format: str = "General"


def printed_number(raw) -> Number | None:
    """The printed text of a table cell as a Number shown with the digits printed, else None (a dash, words)."""
    parsed = parse_value(raw)
    if not parsed.ok:
        return None
    text = str(raw).strip()
    digits = "0" + ("." + "0" * parsed.decimals if parsed.decimals else "")
    if "," in text or "，" in text:
        digits = "#,##" + digits
    if text.endswith(("%", "％")):
        digits += '"%"'  # the printed percent: the value stays the number printed (96.80, not 0.968)
    value = parsed.value
    return Number(int(value) if value.is_integer() and not parsed.decimals else value, digits)


def number_as_printed(value, raw) -> Number | str | None:
    """A cell from a value and its printed text: the value shown with the printed digits, else the text."""
    shown = printed_number(raw)
    if shown is not None:
        return shown
    if value is not None and isinstance(value, int | float) and not math.isnan(value):
        return Number(value)
    return None if raw is None or str(raw) == "" else str(raw)


@dataclass
class Sheet:
    title: str
    rows: list[list]
    header_rows: int = 1
    fills: dict[int, str] = field(default_factory=dict)  # row (0-based, in rows) -> RGB fill colour
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row, col, rowspan, colspan), 0-based
    frozen_columns: int = 0  # columns kept in sight when scrolling right (a wide table's indicator)
    filters: bool = False  # Excel's filter buttons on the (last) header row


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    names: set[str] = set()
    for sheet in sheets:
        _fill_sheet(book.create_sheet(sheet_name(sheet.title, names)), sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_workbook(path: Path, sheets: list[Sheet]) -> Path:
    atomic_write_bytes(path, workbook_bytes(sheets))
    return path


def sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (no []:*?/\\, at most 31 characters), unique within the workbook."""
    base = SHEET_NAME_BANNED.sub(" ", ILLEGAL.sub("", title)).strip().strip("'") or "Sheet"
    name, n = base[:MAX_SHEET_NAME], 1
    while name.lower() in {t.lower() for t in taken}:
        n += 1
        suffix = f" ({n})"
        name = base[:MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(name)
    return name


def _fill_sheet(ws, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    fills = {colour: PatternFill("solid", fgColor=colour) for colour in set(sheet.fills.values())}
    widths: dict[int, int] = {}
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            cell = ws.cell(row=r + 1, column=c + 1)
            put(cell, value)
            if r < sheet.header_rows:
                cell.font, cell.fill = bold, header_fill
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            elif r in sheet.fills:
                cell.fill = fills[sheet.fills[r]]
            widths[c] = max(widths.get(c, 0), _width(value))
    for row, col, rowspan, colspan in _mergeable(sheet):
        ws.merge_cells(start_row=row + 1, start_column=col + 1, end_row=row + rowspan, end_column=col + colspan)
    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c + 1)].width = min(MAX_WIDTH, max(6, width + 2))
    if sheet.header_rows and len(sheet.rows) > sheet.header_rows:
        ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{sheet.header_rows + 1}"
        if sheet.filters:
            last = get_column_letter(max(len(row) for row in sheet.rows))
            ws.auto_filter.ref = f"A{sheet.header_rows}:{last}{len(sheet.rows)}"


def _mergeable(sheet: Sheet) -> list[tuple[int, int, int, int]]:
    """The merges that hide no value and overlap no other merge (Excel would repair the file, openpyxl drop the value)."""
    taken: set[tuple[int, int]] = set()
    kept = []
    for row, col, rowspan, colspan in sheet.merges:
        if rowspan <= 1 and colspan <= 1:
            continue
        covered = {(r, c) for r in range(row, row + rowspan) for c in range(col, col + colspan)}
        hidden = [sheet.rows[r][c] for r, c in covered - {(row, col)} if r < len(sheet.rows) and c < len(sheet.rows[r])]
        if covered & taken or any(v is not None and v != "" for v in hidden):
            continue
        taken |= covered
        kept.append((row, col, rowspan, colspan))
    return kept


def put(cell, value) -> None:
    """One cell: a number as a number (with its printed format), text always as text (see the module docstring)."""
    if isinstance(value, Number):
        cell.value = value.value
        cell.number_format = value.format
    elif isinstance(value, bool):
        cell.value = str(value).lower()
        cell.data_type = "s"
    elif isinstance(value, int | float):
        cell.value = None if isinstance(value, float) and math.isnan(value) else value
    elif value is None:
        cell.value = None
    else:
        text = ILLEGAL.sub("\ufffd", str(value))[:MAX_CELL]
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever it begins with
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited


def _width(value) -> int:
    """The characters a value takes on screen (a CJK character two)."""
    if value is None:
        return 0
    text = f"{value.value}" if isinstance(value, Number) else str(value)
    longest = max((len(line) + sum(ord(ch) > 0x2E80 for ch in line) for line in text.splitlines() or [""]), default=0)
    return longest
