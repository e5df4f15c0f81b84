"""pages.csv: one row per physical page, saying where its text came from."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from .common import page_field


class PageSchema(pa.DataFrameModel):
    page: Series[int] = page_field()
    printed_page: Series[str] = pa.Field(nullable=True)
    width: Series[float] = pa.Field(gt=0)
    height: Series[float] = pa.Field(gt=0)
    rotation: Series[int] = pa.Field(isin=[0, 90, 180, 270])
    source: Series[str] = pa.Field(isin=["text", "ocr", "empty"])
    ocr_confidence: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    lines: Series[int] = pa.Field(ge=0)
    chars: Series[int] = pa.Field(ge=0)
    rules: Series[int] = pa.Field(ge=0)
    images: Series[int] = pa.Field(ge=0)
    notes: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(description="OCR confidence is given only for OCRed pages")
    def confidence_only_for_ocr(cls, df):
        return df["ocr_confidence"].isna() | (df["source"] == "ocr")
