from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from .common import BBoxModel, page_field


class TableSchema(BBoxModel):
    table_id: Series[str] = pa.Field(unique=True, str_length={"min_value": 1})
    caption: Series[str] = pa.Field(nullable=True)
    pages: Series[str] = pa.Field(str_matches=r"^\d+(;\d+)*$")
    printed_pages: Series[str] = pa.Field(nullable=True)
    kind: Series[str] = pa.Field(isin=["lattice", "rules"])
    n_rows: Series[int] = pa.Field(ge=1)
    n_cols: Series[int] = pa.Field(ge=1)
    header_rows: Series[int] = pa.Field(ge=0)
    crosscheck: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(isin=["text", "ocr"])


class CellSchema(BBoxModel):
    table_id: Series[str]
    row: Series[int] = pa.Field(ge=0)
    col: Series[int] = pa.Field(ge=0)
    rowspan: Series[int] = pa.Field(ge=1)
    colspan: Series[int] = pa.Field(ge=1)
    text: Series[str] = pa.Field(nullable=True)
    page: Series[int] = page_field()
    printed_page: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(isin=["text", "ocr"])
    confidence: Series[float] = pa.Field(nullable=True, ge=0, le=100)

    @pa.dataframe_check(description="no two cells of a table start at the same slot")
    def one_cell_per_slot(cls, df):
        return ~df.duplicated(subset=["table_id", "row", "col"], keep=False)
