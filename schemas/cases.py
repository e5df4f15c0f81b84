from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from .common import BBoxModel, page_field


class CaseSchema(BBoxModel):
    case_no: Series[int] = pa.Field(ge=1, unique=True)
    title: Series[str] = pa.Field(str_length={"min_value": 2})
    chapter: Series[str] = pa.Field(nullable=True)
    section: Series[str] = pa.Field(nullable=True)
    page_start: Series[int] = page_field()
    page_end: Series[int] = page_field()
    printed_page_start: Series[str] = pa.Field(nullable=True)
    schools: Series[str] = pa.Field(nullable=True)
    text: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check(description="a case ends on or after the page it starts")
    def ends_after_start(cls, df):
        return df["page_end"] >= df["page_start"]
