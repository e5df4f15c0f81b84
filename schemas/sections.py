from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from .common import BBoxModel, page_field


class SectionSchema(BBoxModel):
    level: Series[int] = pa.Field(ge=1, le=6)
    number: Series[str] = pa.Field(nullable=True)
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    page_start: Series[int] = page_field()
    page_end: Series[int] = page_field()
    printed_page_start: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(isin=["body", "toc"])

    @pa.dataframe_check(description="a section ends on or after the page it starts")
    def ends_after_start(cls, df):
        return df["page_end"] >= df["page_start"]


class TocSchema(BBoxModel):
    kind: Series[str] = pa.Field(isin=["section", "figure", "case"])
    number: Series[str] = pa.Field(nullable=True)
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    printed_page: Series[str] = pa.Field(str_matches=r"^\d+$")
    page: Series[int] = page_field()
