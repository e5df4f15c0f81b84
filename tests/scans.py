"""Comparing the appendix indicators read from a scan with those of the text layer, row by row."""

from __future__ import annotations

import pandas as pd

KEY = ["table_no", "row_seq", "year"]
SHOWN = KEY + ["indicator", "value_raw", "value_raw_ocr", "unit", "unit_ocr"]


def compare_appendix(text_layer: pd.DataFrame, scanned: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Both frames side by side (scan columns suffixed _ocr), whether each value is right (a cell without
    a number — "-" — is right when the scan's cell has no number either), and whether value and unit are."""
    both = text_layer.merge(scanned, on=KEY, how="left", suffixes=("", "_ocr"))
    value = (both.value == both.value_ocr) | (both.value.isna() & both.value_ocr.isna() & both.value_raw_ocr.notna())
    return both, value, value & (both.unit == both.unit_ocr)
