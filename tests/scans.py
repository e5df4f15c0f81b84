"""Comparing the appendix indicators read from a scan with those of the text layer, row by row."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

KEY = ["table_no", "row_seq", "year"]
SHOWN = KEY + ["indicator", "value_raw", "value_raw_ocr", "unit", "unit_ocr"]


def compare_appendix(text_layer: pd.DataFrame, scanned: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Both frames side by side (scan columns suffixed _ocr), whether each value is right (a cell without
    a number — "-" — is right when the scan's cell has no number either), and whether value and unit are."""
    both = text_layer.merge(scanned, on=KEY, how="left", suffixes=("", "_ocr"))
    value = (both.value == both.value_ocr) | (both.value.isna() & both.value_ocr.isna() & both.value_raw_ocr.notna())
    return both, value, value & (both.unit == both.unit_ocr)


def seal_places(reference: Path) -> dict[int, tuple[float, float]]:
    """Where a photographed copy gets its red seals (page -> centre, PDF points): low on the cover, and over the
    bottom of the value columns of the table under the caption 附表6 (found in the reference's text)."""
    import pdfplumber

    with pdfplumber.open(reference) as pdf:
        cover = pdf.pages[0]
        places = {1: (cover.width * 0.62, cover.height * 0.78)}
        for number, page in enumerate(pdf.pages, 1):
            tables = page.find_tables()
            if tables and re.search(r"附表\s*6", page.extract_text() or ""):
                places[number] = (max(t.bbox[2] for t in tables) - 95, max(t.bbox[3] for t in tables) - 25)
    return places


def silent_errors(text_layer: pd.DataFrame, result) -> pd.DataFrame:
    """The appendix cells a scan got wrong (or lost) with nobody told: no doubt on the value (to be read by eye)
    and no warning of the run naming its indicator (a row or header that could not be read, a table missing)."""
    both, value, _ = compare_appendix(text_layer, result.frames["indicators"])
    said = " ".join(issue.message for issue in result.issues)
    doubted = both.get("doubt_ocr", pd.Series("", index=both.index)).fillna("").astype(str) != ""
    named = both.indicator.map(lambda name: name in said)
    return both[~value & ~doubted & ~named][SHOWN]
